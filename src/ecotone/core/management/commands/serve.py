import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from ecotone.core.tasks import uses_worker
from ecotone.core.worker import WorkerSupervisor


class Command(BaseCommand):
    help = (
        "Serve Ecotone with the waitress WSGI server (static files included), and a worker "
        "for background tasks in a child process, restarted if it dies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a task worker (run `ecotone db_worker` yourself)",
        )

    def handle(self, *args, **options):
        from waitress import serve

        from ecotone.config.wsgi import application

        settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        worker = None if options["no_worker"] or not uses_worker() else self._start_worker()
        # `kill` (SIGTERM) ends the server through the `finally` below, so the worker goes too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"Ecotone on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="ecotone",
            )
        finally:
            if worker is not None:
                worker.stop()

    def _start_worker(self) -> WorkerSupervisor:
        # A process of its own: embedding a record's text must not hold up web requests.
        command = [sys.executable, "-m", "ecotone.cli", "db_worker", "--no-reload", "-v", "1"]
        worker = WorkerSupervisor(command, settings.ECOTONE_HOME, tasks=True)
        worker.start()
        self.stdout.write(f"task worker started (ecotone db_worker, pid {worker.status.pid})")
        return worker
