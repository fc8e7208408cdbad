"""A round's assignment as a background task (the reminders of reviews due are
``services.reminders``).

At CarbonX scale the affinity and the solve take seconds, at ten thousand submissions much
longer: the manager's request only queues an ``AssignmentJob`` and the worker runs
``assigning.run_assignment`` as that manager, reporting its steps through ``ProgressReport``.
Without a worker (``ECOTONE_TASKS=immediate``) the request runs the job at once, as before.

The job row is what the round's assignment page reads: waiting or running (the page refreshes
and refuses a second run — a partial unique constraint holds one active job per round), then
the counts and shortfall, or the reason it failed in plain words.

A job whose process died (a killed worker, a restarted server) would say "running" forever
and block the round. ``active_job`` gives such a job up (failed, "run it again") on these
signals, most exact first:
- its django-tasks result has ended (the worker recorded a failure) or is gone (pruned);
- on PostgreSQL, nobody holds the round's row lock: a live run holds it from its first
  step to its commit (``run_assignment`` locks the round in its transaction), and the
  database releases it when the process holding it dies. A heartbeat cannot say more:
  the run writes in one transaction, invisible until it commits (and SQLite admits one
  writer), so beats written meanwhile would not be seen;
- it was started longer ago than ``RUN_TIME_LIMIT`` (the only signal on SQLite);
- it waits for a worker but was never handed to one (the process died before queuing it).
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from ecotone.core.tasks import ProgressReport, uses_worker

from .models import (
    ACTIVE_JOB_STATUSES,
    AssignmentJob,
    AssignmentJobStatus,
    Round,
)
from .services import ProgrammeRefused, assigning
from .services.assigning import AssignmentRun

logger = logging.getLogger(__name__)

#: the task results of a worker that ended without finishing the job (killed, crashed)
ENDED_TASK_STATUSES = {"SUCCESSFUL", "FAILED"}
#: a run still "running" after this long is given up: far beyond the 10,000 × 1,000 runs of
#: ``docs/assignment.md``, and beyond any web server's request timeout
RUN_TIME_LIMIT = timedelta(hours=1)
#: how long a live run may take between being marked running and locking its round, and a
#: queued job between its commit and being handed to the worker
START_GRACE = timedelta(minutes=1)


@task(takes_context=True)
def run_assignment_task(context, job_id: int, language: str = "en") -> dict:
    """Assign reviewers to a round's submissions"""
    report = ProgressReport(context, "assignment", assigning.RUN_STEPS)
    with translation.override(language):
        job = run_job(job_id, progress=report.advance)
    report.finish()
    return {"status": job.status, "error": job.error, **job.result}


def request_assignment(*, user, round: Round) -> AssignmentJob:
    """Queue the round's assignment for the worker, or run it now when there is none.
    Refused (409) while another run of the round waits or runs."""
    assigning.check_runnable(user, round)
    job = _queue(user, round)
    if uses_worker():
        language = translation.get_language() or "en"
        transaction.on_commit(lambda: _enqueue(job.pk, language))
        return job
    return run_job(job.pk)


def _busy() -> ProgrammeRefused:
    return ProgrammeRefused(
        _("The assignment of this round is already waiting or running; its result appears here."),
        code="busy",
        status=409,
    )


@transaction.atomic
def _queue(user, round: Round) -> AssignmentJob:
    # no wait on the round's lock here: a run in progress holds it, and a second request
    # must be refused at once, not queued after it; the unique constraint settles a race
    if active_job(round) is not None:
        raise _busy()
    try:
        with transaction.atomic():
            return AssignmentJob.objects.create(round=round, requested_by=user)
    except IntegrityError:  # another request queued one in the meantime
        raise _busy() from None


def _enqueue(job_id: int, language: str) -> None:
    try:
        result = run_assignment_task.enqueue(job_id, language)
    except Exception:  # a job nobody will run must not block the round
        logger.exception("could not queue assignment job %s", job_id)
        _finish(job_id, AssignmentJobStatus.FAILED, error=_("The assignment could not be queued."))
        return
    AssignmentJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def run_job(job_id: int, progress=None) -> AssignmentJob:
    """Run a queued job as the manager who asked for it and record the outcome."""
    job = AssignmentJob.objects.select_related("round__programme", "requested_by").get(pk=job_id)
    started = AssignmentJob.objects.filter(pk=job_id, status=AssignmentJobStatus.QUEUED).update(
        status=AssignmentJobStatus.RUNNING, started_at=timezone.now()
    )
    if not started:  # delivered twice, or already given up on
        return job
    if job.requested_by is None:
        error = _("The account that asked for this run no longer exists.")
        return _finish(job_id, AssignmentJobStatus.FAILED, error=error)
    try:
        run = assigning.run_assignment(user=job.requested_by, round=job.round, progress=progress)
    except ProgrammeRefused as refused:
        return _finish(job_id, AssignmentJobStatus.FAILED, error=refused.message)
    except PermissionDenied as denied:
        return _finish(job_id, AssignmentJobStatus.FAILED, error=str(denied))
    except Exception:
        error = _("The assignment stopped on an unexpected error and changed nothing.")
        _finish(job_id, AssignmentJobStatus.FAILED, error=error)
        raise  # the worker records the failure; the server log has the traceback
    return _finish(job_id, AssignmentJobStatus.DONE, result=summary(run))


def summary(run: AssignmentRun) -> dict:
    return {
        "created": run.created,
        "kept": run.kept,
        "removed": run.removed,
        "shortfall": {str(pk): missing for pk, missing in run.shortfall.items()},
        "total_affinity": assigning.round_to(run.total_affinity),
        "method": run.method,
    }


def _finish(job_id: int, status: str, *, result=None, error: str = "") -> AssignmentJob:
    AssignmentJob.objects.filter(pk=job_id).update(
        status=status, result=result or {}, error=error, finished_at=timezone.now()
    )
    return AssignmentJob.objects.select_related("requested_by").get(pk=job_id)


def active_job(round: Round) -> AssignmentJob | None:
    """The round's job that waits or runs; one whose process died (see the module's notes)
    is marked failed, so the round can be run again."""
    active = round.assignment_jobs.filter(status__in=ACTIVE_JOB_STATUSES)
    job = active.first()
    if job is None or not is_stale(job, timezone.now()):
        return job
    given_up = AssignmentJob.objects.filter(pk=job.pk, status=job.status).update(
        status=AssignmentJobStatus.FAILED,
        error=_("The worker stopped before the assignment finished; run it again."),
        finished_at=timezone.now(),
    )
    # not given up: the job moved on meanwhile (the worker started or finished it)
    return None if given_up else active.first()


def is_stale(job: AssignmentJob, now) -> bool:
    """Whether an active job's process is known to be gone."""
    if job.task_id and uses_worker() and _task_ended(job):
        return True
    if job.status == AssignmentJobStatus.QUEUED:
        never_handed = uses_worker() and not job.task_id
        return never_handed and job.created_at < now - START_GRACE
    started = job.started_at or job.created_at
    if started < now - RUN_TIME_LIMIT:
        return True
    return started < now - START_GRACE and _round_unlocked(job.round_id)


def _round_unlocked(round_id: int) -> bool:
    """True when no transaction holds the round's row lock (a live run does); unknown, so
    False, where the database cannot skip a locked row (SQLite)."""
    if not connection.features.has_select_for_update_skip_locked:
        return False
    with transaction.atomic():
        rows = Round.objects.select_for_update(skip_locked=True).filter(pk=round_id)
        return bool(list(rows.values_list("pk")))


def _task_ended(job: AssignmentJob) -> bool:
    """The worker recorded the task as ended, or its result is gone (pruned by hand)."""
    from django_tasks_db.models import DBTaskResult

    status = DBTaskResult.objects.filter(id=job.task_id).values_list("status", flat=True).first()
    return status is None or status in ENDED_TASK_STATUSES


def latest_job(round: Round) -> AssignmentJob | None:
    return round.assignment_jobs.select_related("requested_by").first()
