"""``ecotone worker``: django-tasks' database worker, with a lease (``core.worker``).

Run by ``ecotone serve`` beside the web server, or by hand (``ecotone serve --no-worker``,
several workers, another machine). Its lease tells the other workers it is alive; when it
dies, the tasks it was running are failed with the reason and the safe ones queued again,
by whichever worker notices first."""

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
        heartbeat.start()
        task_finished.connect(requeue_if_interrupted, dispatch_uid="ecotone.worker:requeue")
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
