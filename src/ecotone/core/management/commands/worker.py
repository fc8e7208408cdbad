"""``ecotone worker``: django-tasks' database worker, with a lease (``core.worker``).

Run by ``ecotone serve`` beside the web server, or by hand (``ecotone serve --no-worker``,
several workers, another machine). Its lease tells the other workers it is alive; when it
dies, the tasks it was running are failed with the reason and the safe ones queued again,
by whichever worker notices first."""

import signal
import sys

from django.utils.crypto import get_random_string
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from ecotone.core.worker import Heartbeat, requeue_if_interrupted


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background task worker, with a lease renewed every 10 s so that the tasks "
        "of a worker that died are recovered."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # a fresh id for each run (the parent's default is drawn once, when imported)
        parser.set_defaults(worker_id=None, reload=False)

    def handle(self, *args, worker_id: str | None = None, **options) -> None:
        worker_id = worker_id or f"worker-{get_random_string(16)}"
        heartbeat = Heartbeat(worker_id)
        # Until django-tasks' worker puts in its own handlers, a SIGTERM or Ctrl+C must end
        # the command through ``finally`` (their default ends the process there and then,
        # leaving a lease that looks like a dead worker's for the next minute).
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, _exit_before_the_worker_runs)
        task_finished.connect(requeue_if_interrupted, dispatch_uid="ecotone.worker:requeue")
        try:
            heartbeat.start()
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()


def _exit_before_the_worker_runs(signum: int, frame) -> None:
    sys.exit(0)
