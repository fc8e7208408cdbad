"""Index maintenance as background tasks (run by the worker, or at once in tests)."""

from django.db import transaction
from django.db.models import Model
from django_tasks import task

from ecotone.core.tasks import ProgressReport

from .indexing import count_indexable, rebuild_index, refresh_records
from .registry import index_for
from .repair import compare, repair


@task()
def refresh_index_task(keys: list[list]) -> int:
    """Update the search index for edited or deleted records"""
    refresh_records({(str(kind), int(pk)) for kind, pk in keys})
    return len(keys)


@task(takes_context=True)
def rebuild_index_task(context) -> int:
    """Rebuild the search index"""
    report = ProgressReport(context, "search index", count_indexable())
    written = rebuild_index(progress=report.advance)
    report.finish()
    return written


@task(takes_context=True)
def index_records_task(context, kind: str, pks: list[int]) -> int:
    """Index imported records"""
    # only what the index does not hold as it is now: a run cut short resumes where it was
    difference = compare({kind: pks})
    todo = sum(len(k.to_index) for k in difference.kinds)
    report = ProgressReport(context, f"search index: {kind}", todo)
    repair(difference, progress=report.advance)
    report.finish()
    return todo


@task(takes_context=True)
def repair_index_task(context) -> str:
    """Repair the search index"""
    difference = compare()
    report = ProgressReport(context, "search index repair", difference.missing + difference.stale)
    repair(difference, progress=report.advance)
    report.finish()
    return difference.summary()


def schedule_refresh(record: Model) -> None:
    """Re-index ``record`` once the current transaction commits (nothing if it rolls back),
    through a task: the worker embeds the text, so the request does not wait for it.

    ``robust``: a failure to enqueue is logged and never undoes or fails the save; the query
    side still checks the database, and ``ecotone index rebuild`` repairs the index."""
    index = index_for(record)
    if index is None or record.pk is None:
        return
    key = [index.kind, record.pk]
    transaction.on_commit(lambda: refresh_index_task.enqueue([key]), robust=True)
