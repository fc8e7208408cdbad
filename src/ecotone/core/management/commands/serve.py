import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ecotone.core.tasks import uses_worker
from ecotone.core.worker import WorkerSupervisor, end_with_parent


def default_web_workers() -> int:
    """Gunicorn's rule of thumb, (2 × cores) + 1: a process waiting on the database or the
    disk leaves its core to another. Capped, since each process holds its own embedders."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def worker_class(threads: int) -> str:
    """gunicorn's ``sync`` worker for one thread a process: it accepts a connection only when
    it is free, so requests wait in one queue shared by every process, in the order they
    came; ``gthread`` for several."""
    return "sync" if threads == 1 else "gthread"


def create_cache_table() -> None:
    """The database cache's table, unless it exists. Servers started at the same moment on
    several machines race to create it: the loser finds it there on a second look."""
    try:
        call_command("createcachetable", verbosity=0)  # nothing when it exists
    except CommandError:
        call_command("createcachetable", verbosity=0)  # created meanwhile: nothing; else why


def build_dictionaries() -> None:
    """The search's Chinese-English dictionary and the assistant's reading of it backwards
    (``assistant.question.english_senses``), built and kept under ``ECOTONE_HOME/cache`` now,
    once, before the web processes start. Built on demand it made a fresh install's first
    English question wait 2 to 6 seconds, and every web process would build it at once; each
    process now only reads the files when it starts (``config/gunicorn.py``)."""
    from ecotone.assistant.question import english_senses

    english_senses()


def gunicorn_command(options: dict) -> list[str]:
    """The web server's command line for ``serve``'s options."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "ecotone.config.wsgi:application",
        "--bind",
        f"{options['host']}:{options['port']}",
        "--workers",
        str(options["workers"]),
        "--worker-class",
        worker_class(options["threads"]),
        "--threads",
        str(options["threads"]),
        "--keep-alive",
        str(options["keep_alive"]),
        "--timeout",
        str(options["timeout"]),
        "--graceful-timeout",
        "30",
        "--log-level",
        "info",
        "--error-logfile",
        "-",
        "--config",
        "python:ecotone.config.gunicorn",
        "--no-control-socket",  # one per user by default: a second server would clash
    ]


class Command(BaseCommand):
    help = (
        "Serve Ecotone with gunicorn (several processes, static files included), and a "
        "worker for background tasks in a child process, restarted if it dies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_web_workers(),
            help="web server processes (default: 2 × cores + 1, at most 9)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="threads per web process (default 1: gunicorn's sync worker, one queue)",
        )
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=2,
            help="seconds a connection is kept open for the client's next request (0: never)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=120,
            help="seconds a request may take before its process is replaced",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a task worker (run `ecotone worker` yourself)",
        )

    def handle(self, *args, **options):
        for name in ("workers", "threads", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        if options["keep_alive"] < 0:
            raise CommandError("--keep-alive must be 0 or more")
        settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        if settings.ECOTONE_CACHE == "database":
            create_cache_table()
        try:
            build_dictionaries()
        except OSError as error:  # the server runs without it; a question builds it later
            self.stderr.write(
                f"could not build the dictionaries under {settings.ECOTONE_HOME}: {error}"
            )
        worker = None if options["no_worker"] or not uses_worker() else self._start_worker()
        connections.close_all()  # nothing of this process's is shared with the web server's
        web = self._start_web_server(options)
        # `kill` (SIGTERM) ends the server through the `finally` below, so the others go too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(
            f"Ecotone on http://{options['host']}:{options['port']}/ "
            f"({options['workers']} processes × {options['threads']} threads; Ctrl+C stops)"
        )
        self.stdout.flush()
        try:
            while web.poll() is None:
                time.sleep(0.5)
            raise CommandError(f"the web server stopped (exit code {web.returncode})")
        finally:
            if web.poll() is None:
                web.terminate()  # gunicorn's graceful stop: requests under way finish
                try:
                    web.wait(timeout=options["timeout"])
                except subprocess.TimeoutExpired:
                    web.kill()
            if worker is not None:
                worker.stop()

    def _start_web_server(self, options) -> subprocess.Popen:
        """gunicorn in a child process of its own: its master reaps every child it has, and
        would take the task worker's exit code from the supervisor if they shared one."""
        return subprocess.Popen(gunicorn_command(options), preexec_fn=end_with_parent)  # noqa: S603

    def _start_worker(self) -> WorkerSupervisor:
        # A process of its own: embedding a record's text must not hold up web requests.
        command = [sys.executable, "-m", "ecotone.cli", "worker", "-v", "1"]
        worker = WorkerSupervisor(command, settings.ECOTONE_HOME, tasks=True)
        worker.start()
        self.stdout.write(f"task worker started (ecotone worker, pid {worker.status.pid})")
        # whatever a killed import or server left behind in the index, the worker mends it
        from ecotone.search.tasks import repair_index_task

        repair_index_task.enqueue()
        return worker
