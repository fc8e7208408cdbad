"""``ecotone db_worker``: django-tasks' own name for its worker, the same as ``ecotone
worker``, so that a worker started by that name holds a lease too (``core.worker``)."""

from .worker import Command as WorkerCommand


class Command(WorkerCommand):
    pass
