"""The file cache lists its folder on one write in ``CULL_EVERY``, not on each, and still
keeps the folder within ``MAX_ENTRIES`` + ``CULL_EVERY`` entries."""

from django.core.cache.backends.filebased import FileBasedCache

from ecotone.core.cache_backends import CULL_EVERY, FileCache


def entries(folder) -> int:
    return len(list(folder.glob(f"*{FileBasedCache.cache_suffix}")))


def test_the_folder_is_listed_rarely_and_stays_bounded(tmp_path, monkeypatch):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    listings = []
    listed = FileCache._list_cache_files
    monkeypatch.setattr(
        FileCache, "_list_cache_files", lambda self: listings.append(1) or listed(self)
    )
    most = 0
    for number in range(3 * CULL_EVERY + 50):
        cache.set(f"key-{number}", number)
        most = max(most, entries(tmp_path))
    assert len(listings) in (3, 4)  # one write in CULL_EVERY, whatever came before
    assert most <= 50 + CULL_EVERY
    assert entries(tmp_path) < 3 * CULL_EVERY + 50  # entries were removed
    kept = [n for n in range(3 * CULL_EVERY + 50) if cache.get(f"key-{n}") is not None]
    assert all(cache.get(f"key-{n}") == n for n in kept) and kept
