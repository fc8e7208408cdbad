"""The task worker that ``ecotone serve`` runs beside the web server: kept alive, and never
left behind.

* **Restarted**: a worker that exits on its own (killed, out of memory, a crash) is started
  again, at once the first time and after a growing pause when it keeps dying young, so
  index updates and imports do not wait forever. Each restart is logged and counted.
* **Never an orphan**: the worker asks the kernel to end it when its parent ends
  (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the server does not leave a worker behind to
  fight the next one for the database.
* **No task "running" forever**: when a worker dies, the tasks it was running are marked
  failed with the reason, and those safe to run twice (``RETRY_SAFE``: index updates) are
  queued again. A server that starts does the same for the workers of a server that was
  killed (their ids say which server started them: ``serve-<pid>-<n>``).
* **Leases for every worker**: ``ecotone worker`` (which ``serve`` runs, and which anyone
  may run by hand, on this machine or another) renews a lease in the database every
  ``HEARTBEAT_SECONDS``; each worker also looks for leases that ran out (no renewal for
  ``LEASE_SECONDS``) and recovers the tasks their workers left running, as above.
* **Visible**: the supervisor writes ``ECOTONE_HOME/worker.json`` (process id, when it
  started, restarts, the last exit), which the staff's task page reads.
"""

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .files import write_atomically

logger = logging.getLogger("ecotone.worker")

STATUS_FILE = "worker.json"
PARENT_ENV = "ECOTONE_WORKER_PARENT"  #: set for the worker: the server's process id
CHECK_SECONDS = 1.0
YOUNG_SECONDS = 30.0  #: a worker that dies sooner than this is restarted after a pause
MAX_PAUSE_SECONDS = 60.0
PR_SET_PDEATHSIG = 1
#: tasks that do the same work however often they run: re-queued when their worker died
RETRY_SAFE = frozenset(
    {
        "ecotone.search.tasks.refresh_index_task",
        "ecotone.search.tasks.rebuild_index_task",
        "ecotone.search.tasks.index_records_task",
        "ecotone.search.tasks.repair_index_task",
    }
)
WORKER_ID_PREFIX = "serve-"
HEARTBEAT_SECONDS = 10.0
LEASE_SECONDS = 60.0  #: a worker not heard of for this long is taken for dead
FORGET_LEASE_SECONDS = 86400.0  #: leases of ended workers are deleted after a day


class WorkerDied(Exception):
    """Recorded as the failure of a task whose worker process ended while running it."""


@dataclass
class WorkerStatus:
    pid: int
    started_at: str
    restarts: int = 0
    last_exit_code: int | None = None
    last_exit_at: str | None = None
    worker_id: str = ""

    @property
    def alive(self) -> bool:
        return _process_exists(self.pid)

    @property
    def last_exit_signal(self) -> str:
        """``SIGKILL`` for a worker killed by signal 9 (exit code -9), else ""."""
        if self.last_exit_code is None or self.last_exit_code >= 0:
            return ""
        try:
            return signal.Signals(-self.last_exit_code).name
        except ValueError:
            return ""


def read_status(home: Path) -> WorkerStatus | None:
    try:
        return WorkerStatus(**json.loads((Path(home) / STATUS_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


class WorkerSupervisor:
    """Runs ``command`` as the worker and keeps it running until ``stop``."""

    def __init__(self, command: list[str], home: Path, *, tasks: bool = False):
        """``tasks``: ``command`` is a django-tasks worker that takes ``--worker-id``, whose
        unfinished tasks are failed (and the safe ones re-queued) when it dies."""
        self.command, self.home, self.tasks = command, Path(home), tasks
        self.process: subprocess.Popen | None = None
        self.status: WorkerStatus | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        if self.tasks:
            recover_tasks_of_dead_servers()
        self._spawn(restarts=0)
        self._watcher.start()

    def stop(self, timeout: float = 30) -> None:
        self._stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        (self.home / STATUS_FILE).unlink(missing_ok=True)

    def _spawn(self, restarts: int, exit_code: int | None = None) -> None:
        environment = {**os.environ, PARENT_ENV: str(os.getpid())}
        worker_id = f"{WORKER_ID_PREFIX}{os.getpid()}-{restarts}"
        command = [*self.command, "--worker-id", worker_id] if self.tasks else self.command
        self.process = subprocess.Popen(command, env=environment)  # noqa: S603 - our own
        now = _now()
        self.status = WorkerStatus(
            worker_id=worker_id if self.tasks else "",
            pid=self.process.pid,
            started_at=now,
            restarts=restarts,
            last_exit_code=exit_code,
            last_exit_at=now if exit_code is not None else None,
        )
        write_atomically(self.home / STATUS_FILE, json.dumps(asdict(self.status)))

    def _watch(self) -> None:
        started = time.monotonic()
        pause = 0.0
        while not self._stopping.wait(CHECK_SECONDS):
            process, status = self.process, self.status
            if process is None or status is None or (code := process.poll()) is None:
                continue
            lived = time.monotonic() - started
            pause = 0.0 if lived >= YOUNG_SECONDS else min(MAX_PAUSE_SECONDS, 2 * pause or 1.0)
            logger.warning(
                "task worker (pid %s) exited with code %s after %.0f s; restarting it%s",
                process.pid,
                code,
                lived,
                f" in {pause:.0f} s" if pause else "",
            )
            if self.tasks:
                self._recover(status.worker_id, code)
            if self._stopping.wait(pause):
                return
            self._spawn(restarts=status.restarts + 1, exit_code=code)
            started = time.monotonic()

    def _recover(self, worker_id: str, code: int) -> None:
        from django.db import connection

        try:
            recover_tasks({worker_id}, f"exit code {code}")
        except Exception:  # the restart matters more than the bookkeeping
            logger.exception("could not recover the tasks of the worker that died")
        finally:
            connection.close()  # this thread's own connection


def recover_tasks(worker_ids: set[str], how: str) -> list[str]:
    """Fail the tasks the named workers left running, saying why, and queue again those
    that are safe to run twice. Answers the ids of the tasks failed."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    failed = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running:  # few rows; SQLite cannot look inside a JSON list
        if not set(result.worker_ids) & worker_ids:
            continue
        died = WorkerDied(f"its worker {result.worker_ids[-1]} stopped ({how}) while it ran")
        result.set_failed(died)
        failed.append(str(result.id))
        retried = result.task_path in RETRY_SAFE
        logger.warning(
            "task %s (%s) failed: %s%s",
            result.id,
            result.task_path,
            died,
            "; queued again" if retried else "",
        )
        if retried:
            result.task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    return failed


def recover_tasks_of_dead_servers() -> list[str]:
    """At a server's start: the tasks left running by workers of servers that are gone."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    ids = {
        worker_id
        for worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "worker_ids", flat=True
        )
        for worker_id in worker_ids
        if worker_id.startswith(WORKER_ID_PREFIX) and not _server_alive(worker_id)
    }
    return recover_tasks(ids, "its server ended") if ids else []


def _server_alive(worker_id: str) -> bool:
    try:
        pid = int(worker_id.removeprefix(WORKER_ID_PREFIX).split("-")[0])
    except ValueError:
        return True  # not one of ours after all
    return pid == os.getpid() or _process_exists(pid)


class Heartbeat:
    """Renews worker ``worker_id``'s lease and recovers the tasks of workers whose lease ran
    out, every ``HEARTBEAT_SECONDS`` on a thread of its own, until ``stop``."""

    def __init__(self, worker_id: str, every: float = HEARTBEAT_SECONDS):
        self.worker_id, self.every = worker_id, every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        from django.db import connection

        from .models import WorkerLease

        self._stopping.set()
        if self._thread.ident is not None:  # stopped by a signal before it started: no join
            self._thread.join(timeout=self.every + 5)
        WorkerLease.objects.filter(worker_id=self.worker_id).delete()  # ended, not dead
        connection.close()

    def beat(self) -> None:
        from django.db import connection

        try:
            renew_lease(self.worker_id)
            recover_tasks_of_expired_leases()
        except Exception:  # a missed beat is not the worker's end; the next one retries
            logger.exception("worker %s: could not renew its lease", self.worker_id)
        finally:
            if threading.current_thread() is self._thread:
                connection.close()  # this thread's own connection

    def _run(self) -> None:
        while not self._stopping.wait(self.every):
            self.beat()


def renew_lease(worker_id: str) -> None:
    import socket

    from django.utils import timezone

    from .models import WorkerLease

    WorkerLease.objects.update_or_create(
        worker_id=worker_id,
        defaults={"pid": os.getpid(), "host": socket.gethostname(), "renewed_at": timezone.now()},
    )


def recover_tasks_of_expired_leases(lease_seconds: float = LEASE_SECONDS) -> list[str]:
    """The tasks left running by workers whose lease ran out (killed, or their machine
    lost), failed and the safe ones queued again (``recover_tasks``)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import WorkerLease

    now = timezone.now()
    expired = WorkerLease.objects.filter(renewed_at__lt=now - timedelta(seconds=lease_seconds))
    ids = set(expired.values_list("worker_id", flat=True))
    if not ids:
        return []
    failed = recover_tasks(ids, f"no sign of life for over {lease_seconds:.0f} s")
    forgotten = now - timedelta(seconds=FORGET_LEASE_SECONDS)
    WorkerLease.objects.filter(renewed_at__lt=forgotten).delete()
    return failed


INTERRUPTIONS = {"builtins.SystemExit", "builtins.KeyboardInterrupt"}


def requeue_if_interrupted(sender, task_result, **kwargs) -> None:
    """``task_finished`` in a worker: a task safe to run twice and that failed because
    its worker was told to stop (SIGTERM, as when its server is killed) is queued again;
    left failed, an index rebuild cut short stayed cut short."""
    from django_tasks.base import TaskResultStatus

    if task_result.status != TaskResultStatus.FAILED or not task_result.errors:
        return
    task = task_result.task
    if task.module_path in RETRY_SAFE and (
        task_result.errors[-1].exception_class_path in INTERRUPTIONS
    ):
        logger.warning("task %s (%s) was interrupted; queued again", task_result.id, task)
        task.enqueue(*task_result.args, **task_result.kwargs)


def die_with_parent() -> None:
    """In the worker: end when the server that started it ends, however it ends. Linux
    only (elsewhere the server's own shutdown still ends the worker)."""
    parent = os.environ.pop(PARENT_ENV, None)  # not for any process the worker starts
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):  # the parent died before the request took effect
        sys.exit(0)


def end_with_parent() -> None:
    """For ``Popen(preexec_fn=...)``: the child is sent SIGTERM when the process that
    started it ends, however it ends (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
