"""An optional PostgreSQL read replica (``DATABASE_REPLICA_URL``, docs/operations.md).

Searches and list pages read from the ``replica`` database; everything else reads and
writes the primary (``default``):

- only views marked with ``read_from_replica`` (or that call ``prefer_replica``) read
  from it, and only in a GET or HEAD request;
- once a request has written anything (the session included), the rest of it reads the
  primary, and so do the client's requests for ``ECOTONE_REPLICA_STICKY_SECONDS`` after
  it (a cookie), so a client always sees its own writes even while the replica is a
  moment behind;
- reads inside a transaction on the primary stay on it; the cache, sessions, accounts
  and the task queue are always read from the primary;
- outside a request (the worker, commands) everything reads the primary;
- migrations run on the primary only (the replica follows them through replication);
- a replica that cannot be reached is left alone for ``UNREACHABLE_SECONDS`` and its
  reads go to the primary instead.

The raw SQL of the PostgreSQL search backend asks ``reads_alias()`` which database to read.
"""

import contextvars
import functools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

PRIMARY = "default"
#: the cookie that keeps a client on the primary for a while after it wrote something
STICKY_COOKIE = "ecotone_primary"
#: read from the primary whatever the view: their rows decide what a visitor may do, or
#: they are written by the same request that reads them
PRIMARY_ONLY_APPS = frozenset(
    {"django_cache", "sessions", "auth", "accounts", "django_tasks_db", "contenttypes"}
)
#: how long reads go to the primary after the replica could not be reached
UNREACHABLE_SECONDS = 30
SAFE_METHODS = frozenset({"GET", "HEAD"})

logger = logging.getLogger(__name__)


@dataclass
class _Request:
    may_use_replica: bool  #: a safe method, and no write by this client lately
    prefers_replica: bool = False  #: the view reads from the replica
    wrote: bool = False  #: something was written during this request


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "ecotone_replica_request", default=None
)
_unreachable_until = 0.0


def replica_alias() -> str:
    """The replica's database alias, or "" when there is none."""
    alias = getattr(settings, "ECOTONE_READ_REPLICA", "")
    return alias if alias and alias in connections.settings else ""


def prefer_replica() -> None:
    """The current request reads from the replica from now on, when it may (above)."""
    state = _request.get()
    if state is not None:
        state.prefers_replica = True


def read_from_replica(view):
    """A view whose reads may come from the replica (searches, lists)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        prefer_replica()
        return view(request, *args, **kwargs)

    return wrapped


def reads_alias(app_label: str = "") -> str:
    """The database this read goes to now: the replica or the primary."""
    alias = replica_alias()
    state = _request.get()
    if (
        not alias
        or state is None
        or not (state.may_use_replica and state.prefers_replica)
        or state.wrote
        or app_label in PRIMARY_ONLY_APPS
        or connections[PRIMARY].in_atomic_block
        or not _reachable(alias)
    ):
        return PRIMARY
    return alias


def _reachable(alias: str) -> bool:
    global _unreachable_until
    if time.monotonic() < _unreachable_until:
        return False
    connection = connections[alias]
    try:
        # a kept connection the replica dropped (a restart) is noticed here, once per
        # request (CONN_HEALTH_CHECKS), rather than by a failing search
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _unreachable_until = time.monotonic() + UNREACHABLE_SECONDS
        logger.warning(
            "the read replica (%s) cannot be reached, reading the primary for %d s: %s",
            alias,
            UNREACHABLE_SECONDS,
            error,
        )
        return False
    return True


def note_write() -> None:
    state = _request.get()
    if state is not None:
        state.wrote = True


class ReplicaRouter:
    """Django's database router for the above (``DATABASE_ROUTERS``)."""

    def db_for_read(self, model, **hints):
        return reads_alias(model._meta.app_label)

    def db_for_write(self, model, **hints):
        note_write()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {PRIMARY, replica_alias() or PRIMARY}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same rows, whichever copy they were read from
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db != PRIMARY and db == getattr(settings, "ECOTONE_READ_REPLICA", ""):
            return False  # a replica is read-only: it follows the primary's migrations
        return None


class ReplicaMiddleware:
    """Opens the request's routing state, and after a request that wrote, keeps its
    client on the primary for ``ECOTONE_REPLICA_STICKY_SECONDS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_alias():
            return self.get_response(request)
        state = _Request(
            may_use_replica=request.method in SAFE_METHODS and STICKY_COOKIE not in request.COOKIES
        )
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.ECOTONE_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
