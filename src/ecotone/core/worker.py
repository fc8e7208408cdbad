"""The task worker that ``ecotone serve`` runs beside the web server: kept alive, and never
left behind.

* **Restarted**: a worker that exits on its own (killed, out of memory, a crash) is started
  again, at once the first time and after a growing pause when it keeps dying young, so
  index updates and imports do not wait forever. Each restart is logged and counted.
* **Never an orphan**: the worker asks the kernel to end it when its parent ends
  (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the server does not leave a worker behind to
  fight the next one for the database.
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
from dataclasses import asdict, dataclass, field
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


@dataclass
class WorkerStatus:
    pid: int
    started_at: str
    restarts: int = 0
    last_exit_code: int | None = None
    last_exit_at: str | None = None
    supervisor_pid: int = field(default_factory=os.getpid)

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

    def __init__(self, command: list[str], home: Path):
        self.command, self.home = command, Path(home)
        self.process: subprocess.Popen | None = None
        self.status: WorkerStatus | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
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
        self.process = subprocess.Popen(self.command, env=environment)  # noqa: S603 - our own
        now = _now()
        self.status = WorkerStatus(
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
            code = self.process.poll() if self.process else None
            if code is None:
                continue
            lived = time.monotonic() - started
            pause = 0.0 if lived >= YOUNG_SECONDS else min(MAX_PAUSE_SECONDS, 2 * pause or 1.0)
            logger.warning(
                "task worker (pid %s) exited with code %s after %.0f s; restarting it%s",
                self.process.pid,
                code,
                lived,
                f" in {pause:.0f} s" if pause else "",
            )
            if self._stopping.wait(pause):
                return
            self._spawn(restarts=self.status.restarts + 1, exit_code=code)
            started = time.monotonic()


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
