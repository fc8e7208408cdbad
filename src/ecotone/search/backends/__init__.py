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
    identity = f"{database['ENGINE']}|{database['NAME']}|{database.get('HOST', '')}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return settings.ECOTONE_HOME / "search" / f"{connection.vendor}-{digest}"


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
