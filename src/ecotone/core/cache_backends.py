"""The file cache ``ECOTONE_CACHE=file`` uses: Django's ``FileBasedCache``, counting its
entries less often.

Django's file cache lists its whole folder on every write, to see whether it holds more
than ``MAX_ENTRIES`` files: with 2,000 entries that cost each new search page ~8 ms of CPU,
and it grows with the folder (up to 20,000 entries here). This one lists it on one write in
``CULL_EVERY`` of each process, and then removes a third of the entries at random, as Django
does, or more if that leaves more than ``MAX_ENTRIES``: the folder holds at most
``MAX_ENTRIES`` + ``CULL_EVERY`` entries per web process."""

import itertools
import random

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    _writes = itertools.count(1)  #: of every instance in the process (one per thread)

    def _cull(self) -> None:
        if next(FileCache._writes) % CULL_EVERY:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        excess = len(files) - self._max_entries + 1
        for name in random.sample(files, max(excess, len(files) // self._cull_frequency)):
            self._delete(name)
