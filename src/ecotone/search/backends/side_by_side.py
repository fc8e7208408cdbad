"""Reads of one search run side by side, each on a database connection of its own.

A search on PostgreSQL sends statements that do not depend on each other: the top k of the
query's words and of its gloss's, the nearest passages in each vector space. The server
runs a statement on one core, so sent one after another they leave the other core idle
however many a query sends. Here they go to a few reader threads; Django gives each thread
its own connection (kept open, like a request's, for ``CONN_MAX_AGE``).

Only outside a transaction: the caller's uncommitted writes are invisible to another
connection, so inside one (a request that wrote, a test's transaction) every call runs on
the caller's own connection, one after another, as before.
"""

import contextvars
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_this_thread = threading.local()  #: ``reads_beside``: the thread is a reader


class Pending(Protocol[T_co]):
    """A read's result, once it is ready: a ``Future`` or a ``Later``."""

    def result(self) -> T_co: ...


class Later(Generic[T]):
    """A call run on the caller's thread the first time its result is asked for."""

    def __init__(self, call: Callable[[], T]):
        self._call: Callable[[], T] | None = call
        self._result: T

    def result(self) -> T:
        if self._call is not None:
            self._result, self._call = self._call(), None
        return self._result


def workers() -> int:
    """How many reads may run beside the caller's (``ECOTONE_SEARCH_READ_WORKERS``)."""
    return max(0, int(getattr(settings, "ECOTONE_SEARCH_READ_WORKERS", 0)))


def may_read_beside(alias: str) -> bool:
    """Whether reads of ``alias`` may go to other connections: there are readers, the
    caller's connection is in no transaction (whose writes another would not see), and
    the caller is no reader (waiting for a call queued behind it, it would wait forever)."""
    return (
        workers() > 0
        and not connections[alias].in_atomic_block
        and not getattr(_this_thread, "reads_beside", False)
    )


def beside(alias: str, call: Callable[[], T]) -> Pending[T]:
    """``call`` (reads of the database ``alias``) on a reader's connection, started now,
    where ``may_read_beside``; else on the caller's thread when its result is asked for."""
    if not may_read_beside(alias):
        return Later(call)
    context = contextvars.copy_context()  # the request's replica routing (core.replica)
    return _readers().submit(lambda: context.run(call))


def all_of(alias: str, calls: Sequence[Callable[[], T]]) -> list[T]:
    """Each call's result, in order: the first on the caller's thread while the others run
    ``beside`` it."""
    if not calls:
        return []
    others = [beside(alias, call) for call in calls[1:]]
    first = calls[0]()
    return [first, *(pending.result() for pending in others)]


class _Readers:
    """Threads taking calls from one queue; each keeps its connections between calls and
    closes them when stopped."""

    def __init__(self, count: int):
        self._calls: queue.SimpleQueue[tuple[Future, Callable[[], Any]] | None]
        self._calls = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, name=f"search-read-{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, call: Callable[[], T]) -> "Future[T]":
        future: Future[T] = Future()
        self._calls.put((future, call))
        return future

    def _serve(self) -> None:
        _this_thread.reads_beside = True
        while (job := self._calls.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                close_old_connections()  # a broken one, or one past CONN_MAX_AGE, is replaced
                future.set_result(call())
            except BaseException as error:  # the caller's ``result()`` raises it
                future.set_exception(error)
        connections.close_all()

    def stop(self) -> None:
        for _ in self._threads:
            self._calls.put(None)
        for thread in self._threads:
            thread.join(timeout=30)  # a call stuck on the server is left behind, not waited for


_lock = threading.Lock()
_running: _Readers | None = None


def _readers() -> _Readers:
    global _running
    with _lock:
        if _running is None:
            _running = _Readers(workers())
        return _running


def close_connections() -> None:
    """Stop the readers, closing their connections (a test session does before its
    database is dropped, which PostgreSQL refuses while a connection is open). The next
    read beside starts new ones."""
    global _running
    with _lock:
        readers, _running = _running, None
    if readers is not None:
        readers.stop()


def _forget_readers_in_child() -> None:
    """A forked process (a server's worker) inherits the readers' object, not its threads."""
    global _running
    _running = None


os.register_at_fork(after_in_child=_forget_readers_in_child)
