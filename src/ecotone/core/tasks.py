"""Background work shared by every app: progress reports and the list of recent tasks.

Tasks themselves live beside their bounded context (``search/tasks.py``, …) and are
ordinary ``django_tasks`` tasks; ``settings.ECOTONE_TASKS`` decides whether a worker runs
them (``database``) or the caller does (``immediate``).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .models import TaskProgress

WRITE_EVERY_SECONDS = 1.0


class ProgressReport:
    """Counts a task's work and writes it down at most once a second (and at the end).

    Without a task context (a task called directly, or the immediate backend's caller
    does not care) it only counts."""

    def __init__(self, context, label: str, total: int):
        self.result_id = str(context.task_result.id) if context is not None else None
        self.label, self.total, self.done = label, total, 0
        self._written_at = 0.0
        self._write()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if time.monotonic() - self._written_at >= WRITE_EVERY_SECONDS:
            self._write()

    def finish(self) -> None:
        self.done = max(self.done, self.total)
        self._write()

    def _write(self) -> None:
        self._written_at = time.monotonic()
        if self.result_id is None:
            return
        TaskProgress.objects.update_or_create(
            result_id=self.result_id,
            defaults={"label": self.label, "done": self.done, "total": self.total},
        )


def uses_worker() -> bool:
    """Whether tasks wait for a worker process (rather than running where enqueued)."""
    return settings.ECOTONE_TASKS == "database"


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    status: str
    enqueued_at: object
    started_at: object
    finished_at: object
    progress: TaskProgress | None
    error: str


def task_title(task_path: str) -> str:
    """The first line of the task's docstring, or its dotted path."""
    try:
        doc = import_string(task_path).func.__doc__ or ""
    except (ImportError, AttributeError):
        doc = ""
    return doc.strip().splitlines()[0] if doc.strip() else task_path


def recent_tasks(limit: int = 50) -> list[TaskRow]:
    from django_tasks_db.models import DBTaskResult

    results = list(DBTaskResult.objects.order_by("-enqueued_at")[:limit])
    progress = TaskProgress.objects.in_bulk(
        [str(result.id) for result in results], field_name="result_id"
    )
    return [
        TaskRow(
            id=str(result.id),
            name=task_title(result.task_path),
            status=result.status,
            enqueued_at=result.enqueued_at,
            started_at=result.started_at,
            finished_at=result.finished_at,
            progress=progress.get(str(result.id)),
            error=result.exception_class_path.rsplit(".", 1)[-1],
        )
        for result in results
    ]
