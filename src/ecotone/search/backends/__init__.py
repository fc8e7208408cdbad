"""``get_search_backend()``: the process's search backend, created on first use."""

import hashlib
import threading
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver

from .base import (
    DenseHit,
    IndexedDocument,
    Passage,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
)

__all__ = [
    "DenseHit",
    "IndexedDocument",
    "Passage",
    "SearchBackend",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "get_search_backend",
    "reset_search_backend",
]

_backends: dict[Path, SearchBackend] = {}
_lock = threading.Lock()


def index_folder() -> Path:
    """``ECOTONE_HOME/search/<database>``: an index mirrors one database, so switching
    ``DATABASE_URL`` (or running the tests) never mixes records from another one."""
    database = connection.settings_dict
    return folder_for_database(
        vendor=connection.vendor,
        engine=database["ENGINE"],
        name=str(database["NAME"]),
        host=database.get("HOST", "") or "",
        home=settings.ECOTONE_HOME,
    )


def folder_for_database(*, vendor: str, engine: str, name: str, host: str, home: Path) -> Path:
    """The index folder of one database. A database file inside ``home`` is named by its
    path *within* the home, so a home that is copied or restored elsewhere keeps finding its
    index (it used to be named by the absolute path: a moved home served an empty search).
    The folder of that older naming is renamed on first use."""
    home = Path(home)
    within = _path_within(name, home)
    folder = home / "search" / f"{vendor}-{_digest(engine, within or name, host)}"
    if within and not folder.exists():
        older = home / "search" / f"{vendor}-{_digest(engine, name, host)}"
        if older.is_dir():
            older.rename(folder)
    return folder


def _digest(engine: str, name: str, host: str) -> str:
    return hashlib.sha256(f"{engine}|{name}|{host}".encode()).hexdigest()[:12]


def _path_within(name: str, home: Path) -> str:
    try:
        return Path(name).resolve().relative_to(home.resolve()).as_posix()
    except (ValueError, OSError):
        return ""  # not a file in the home (PostgreSQL, an in-memory test database)


def get_search_backend() -> SearchBackend:
    """The backend of the database in use: on PostgreSQL the index lives in the database
    itself (tsvector + pgvector, ``postgres.py``), elsewhere in files under
    ``ECOTONE_HOME`` (tantivy + a vector store, ``embedded.py``)."""
    folder = index_folder()
    with _lock:
        if folder not in _backends and connection.vendor == "postgresql":
            from .postgres import PostgresBackend

            _backends[folder] = PostgresBackend()
        elif folder not in _backends:
            from .embedded import EmbeddedBackend

            _backends[folder] = EmbeddedBackend(folder)
        return _backends[folder]


def reset_search_backend() -> None:
    with _lock:
        _backends.clear()


@receiver(setting_changed)
def _forget_backend(setting: str, **kwargs) -> None:
    if setting == "ECOTONE_HOME":
        reset_search_backend()
