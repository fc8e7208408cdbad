"""Generated files kept on disk under the fingerprint of the data they were made from.

``open_cached(folder, name, build)`` returns the file ``name`` built from the current data,
building it with ``build()`` only when the data changed since (see ``fingerprint.py``).
Files of one state of the data share a folder, ``<folder>/<fingerprint>/``; writing into a
new one removes the older folders, so the disk holds one state of the data at a time.
"""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ecotone.core.files import write_atomically

from .fingerprint import data_fingerprint


def cached_path(folder: Path, name: str, build: Callable[[], bytes], *extra: str) -> Path:
    """The path of ``name`` for the current data (and ``extra``), built if missing."""
    current = folder / data_fingerprint(*extra)
    path = current / name
    if path.exists():
        return path
    content = build()
    current.mkdir(parents=True, exist_ok=True)
    write_atomically(path, content)
    for other in folder.iterdir():
        if other.is_dir() and other != current:
            shutil.rmtree(other, ignore_errors=True)
    return path


def open_cached(folder: Path, name: str, build: Callable[[], bytes], *extra: str) -> BinaryIO:
    """``cached_path`` opened for reading. A file removed between the check and the
    opening (another request wrote newer data's folder) is built once more."""
    try:
        return cached_path(folder, name, build, *extra).open("rb")
    except FileNotFoundError:
        return cached_path(folder, name, build, *extra).open("rb")
