"""What is costly to compute and rarely changes, kept in Django's cache between requests and
across the web server's processes: a need's match list, the dashboard's figures.

Every entry is keyed by the **catalogue version**, a value stored in the cache itself and
replaced with a fresh random one after any committed write to the records these figures
are made from (the catalogue, matching, impact and programme apps; bulk imports and data
migrations too) and after any change of the search index (matches depend on it). A new
version makes every older entry unreachable at once, so nothing has to know which entries
a write touched; the unreachable ones expire (``settings.CACHES``). A value replaced
rather than incremented cannot be lost to two processes writing at once: either write
leaves a version that no entry was stored under before the write.

The cache is file-based under ``ECOTONE_HOME/cache/django`` by default (shared by every
process on the machine), or the database (``ECOTONE_CACHE=database``), which several
machines share; see docs/operations.md.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from .signals import records_imported, records_rewritten

T = TypeVar("T")

VERSION_KEY = "ecotone:catalogue-version"
#: the apps whose records the cached figures are made from
SOURCE_APPS = ("catalog", "matching", "impact", "programs")
#: written on every showing of a page, and read by no cached figure
IGNORED_MODELS = {"matching.MatchImpression"}
#: a backstop: an entry is recomputed at least this often, whatever happens
ENTRY_SECONDS = 3600
DISPATCH_UID = "ecotone.core.cache:bump"


def catalogue_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or the cache was cleared: a version never seen before
        version = secrets.token_hex(8)
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_catalogue_version() -> None:
    """Make every cached figure stale once the current transaction commits (at once outside
    one): before the commit, other processes still read the rows as they were."""
    transaction.on_commit(_new_version, robust=True)


def index_changed() -> None:
    """Make every cached figure stale now: the embedded index is seen by searches at once,
    whatever the database transaction; and again once the transaction commits, when there
    is one: PostgreSQL's index is in the database, so a figure another process cached in
    between holds the index as it was before the write."""
    _new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_version, robust=True)


def _new_version() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def cached_figure(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``name`` and ``parts`` under the current catalogue version,
    in the active language and for today's date (texts and deadlines depend on both)."""
    key_parts = (catalogue_version(), get_language() or "", timezone.localdate(), *parts)
    # a digest: parts may be a long query, and keys must stay short (the database cache)
    digest = hashlib.sha256("\x1f".join(str(part) for part in key_parts).encode()).hexdigest()
    key = f"ecotone:{name}:{digest[:40]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=ENTRY_SECONDS)
    return value


def _is_source(model) -> bool:
    meta = model._meta
    return meta.app_label in SOURCE_APPS and meta.label not in IGNORED_MODELS


def _on_write(sender, raw=False, **kwargs) -> None:
    if not raw and _is_source(sender):
        bump_catalogue_version()


def _on_bulk_write(sender, **kwargs) -> None:
    model = apps.get_model(sender) if isinstance(sender, str) else sender
    if _is_source(model):
        bump_catalogue_version()


def connect_signals() -> None:
    post_save.connect(_on_write, dispatch_uid=f"{DISPATCH_UID}:save")
    post_delete.connect(_on_write, dispatch_uid=f"{DISPATCH_UID}:delete")
    m2m_changed.connect(_on_write, dispatch_uid=f"{DISPATCH_UID}:m2m")
    records_imported.connect(_on_bulk_write, dispatch_uid=f"{DISPATCH_UID}:import")
    records_rewritten.connect(_on_bulk_write, dispatch_uid=f"{DISPATCH_UID}:rewrite")
