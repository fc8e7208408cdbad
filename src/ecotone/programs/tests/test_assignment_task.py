"""The assignment as a background task: queued for the worker when there is one, run in the
request otherwise; the round's page says it waits or runs, refuses a second run, and shows
the outcome (counts, shortfall, or the error in plain words)."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ecotone.catalog.models import Sector
from ecotone.catalog.taxonomy import seed_sectors
from ecotone.core.models import TaskProgress
from ecotone.core.testing import UserFactory, logged_in
from ecotone.programs import services, tasks
from ecotone.programs.models import Assignment, AssignmentJob, Round
from ecotone.programs.services import assigning

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def use_worker(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.ECOTONE_TASKS = "database"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def build(*, reviewers=3, submissions=3):
    world = make_programme(k=2, load=3)
    for number in range(submissions):
        user, org = add_applicant(world, f"Applicant {number}")
        apply(world, user, org, title=f"Solar project {number}")
    services.start_round(user=world.manager, round=world.rounds[0])
    for number in range(reviewers):
        add_reviewer(world, f"reviewer-{number}")
    return world


def page_url(world) -> str:
    return f"/en/programmes/{world.programme.slug}/manage/rounds/1/assignments/"


def test_without_a_worker_the_request_runs_it_and_the_page_shows_the_outcome():
    world = build(reviewers=3, submissions=3)
    client = logged_in(world.manager)
    response = client.post(page_url(world), {"action": "run"}, follow=True)
    page = response.content.decode()
    assert Assignment.objects.count() == 3 * 2
    job = AssignmentJob.objects.get()
    assert (job.status, job.result["created"], job.result["shortfall"]) == ("done", 6, {})
    assert job.requested_by == world.manager
    assert "Assignment done: 6 new, 0 kept, 0 removed." in page
    assert 'data-job-status="done"' in page and "Every submission has its reviewers." in page
    assert 'http-equiv="refresh"' not in page


def test_a_shortfall_names_the_submissions_left_short():
    world = build(reviewers=1, submissions=2)  # k=2, one reviewer: each lacks one
    client = logged_in(world.manager)
    client.post(page_url(world), {"action": "run"})
    assert AssignmentJob.objects.get().result["shortfall"] == {
        str(s.pk): 1 for s in world.programme.submissions.all()
    }
    page = client.get(page_url(world)).content.decode()
    assert "Solar project 0: 1 reviewer missing" in page
    assert "Solar project 1: 1 reviewer missing" in page


def test_a_refused_run_is_recorded_as_a_plain_message():
    world = build(reviewers=0, submissions=1)
    client = logged_in(world.manager)
    page = client.post(page_url(world), {"action": "run"}, follow=True).content.decode()
    job = AssignmentJob.objects.get()
    assert job.status == "failed"
    assert job.error == "The round needs submissions in review and at least one active reviewer."
    assert job.error in page
    assert not Assignment.objects.exists()


def test_a_round_not_started_is_refused_before_anything_is_queued():
    world = build(reviewers=2, submissions=1)
    client = logged_in(world.manager)
    page = client.post(
        f"/en/programmes/{world.programme.slug}/manage/rounds/2/assignments/",
        {"action": "run"},
        follow=True,
    ).content.decode()
    assert "Start the round before assigning reviewers." in page
    assert not AssignmentJob.objects.exists()


def test_only_managers_run_it():
    world = build(reviewers=2, submissions=1)
    outsider = logged_in(UserFactory())
    assert outsider.post(page_url(world), {"action": "run"}).status_code == 403
    assert not AssignmentJob.objects.exists()


def test_the_task_runs_with_the_immediate_backend_and_reports_its_steps():
    world = build(reviewers=3, submissions=2)
    job = AssignmentJob.objects.create(round=world.rounds[0], requested_by=world.manager)
    result = tasks.run_assignment_task.enqueue(job.pk, "en")
    assert result.return_value["status"] == "done"
    assert result.return_value["created"] == 4
    progress = TaskProgress.objects.get(result_id=str(result.id))
    assert (progress.done, progress.total) == (assigning.RUN_STEPS, assigning.RUN_STEPS)
    job.refresh_from_db()
    assert job.status == "done" and job.finished_at is not None
    # delivered twice: the second delivery changes nothing
    tasks.run_job(job.pk)
    assert Assignment.objects.count() == 4


def test_a_manager_who_lost_the_right_meanwhile_gets_a_failed_run():
    world = build(reviewers=2, submissions=1)
    job = AssignmentJob.objects.create(round=world.rounds[0], requested_by=world.manager)
    world.manager.memberships.update(status="declined")
    job = tasks.run_job(job.pk)
    assert job.status == "failed" and "managers" in job.error
    assert not Assignment.objects.exists()


def test_while_a_run_waits_the_page_says_so_and_refuses_another(settings):
    world = build(reviewers=2, submissions=1)
    use_worker(settings)
    client = logged_in(world.manager)
    client.post(page_url(world), {"action": "run"})
    job = AssignmentJob.objects.get()
    assert job.status == "queued"  # the worker has not run: nothing is assigned yet
    assert not Assignment.objects.exists()

    page = client.post(page_url(world), {"action": "run"}, follow=True).content.decode()
    assert "already waiting or running" in page
    assert AssignmentJob.objects.count() == 1
    assert 'http-equiv="refresh"' in page
    assert 'data-job-status="queued"' in page
    assert 'name="action" value="run"' not in page


def test_a_job_whose_worker_task_ended_no_longer_blocks_the_round(settings):
    world = build(reviewers=2, submissions=1)
    use_worker(settings)
    client = logged_in(world.manager)
    job = tasks.request_assignment(user=world.manager, round=world.rounds[0])
    task = tasks.run_assignment_task.enqueue(job.pk, "en")
    AssignmentJob.objects.filter(pk=job.pk).update(task_id=str(task.id))
    DBTaskResult.objects.filter(id=task.id).update(status="FAILED")  # the worker was killed

    page = client.get(page_url(world)).content.decode()
    assert "The worker stopped before the assignment finished" in page
    assert 'name="action" value="run"' in page
    job.refresh_from_db()
    assert job.status == "failed"


# --- jobs whose process died -----------------------------------------------------------------

GIVEN_UP = "The worker stopped before the assignment finished; run it again."


def stuck_job(world, status="running", *, age=timedelta(0), task_id=""):
    """A job left behind by a process that died ``age`` ago, as the database keeps it."""
    job = AssignmentJob.objects.create(
        round=world.rounds[0], requested_by=world.manager, status=status, task_id=task_id
    )
    then = timezone.now() - age
    AssignmentJob.objects.filter(pk=job.pk).update(
        created_at=then, started_at=then if status == "running" else None
    )
    return job


def test_a_run_older_than_the_limit_is_given_up_and_the_round_runs_again():
    world = build(reviewers=2, submissions=1)
    old = stuck_job(world, age=tasks.RUN_TIME_LIMIT + timedelta(minutes=1))
    client = logged_in(world.manager)
    page = client.get(page_url(world)).content.decode()
    assert GIVEN_UP in page and 'name="action" value="run"' in page
    assert 'data-job-status="failed"' in page and 'http-equiv="refresh"' not in page
    old.refresh_from_db()
    assert (old.status, old.error) == ("failed", GIVEN_UP) and old.finished_at is not None
    client.post(page_url(world), {"action": "run"})
    assert AssignmentJob.objects.exclude(pk=old.pk).get().status == "done"
    assert Assignment.objects.count() == 2


def test_the_second_run_itself_recognises_a_run_older_than_the_limit():
    world = build(reviewers=2, submissions=1)
    old = stuck_job(world, age=tasks.RUN_TIME_LIMIT + timedelta(minutes=1))
    job = tasks.request_assignment(user=world.manager, round=world.rounds[0])
    assert job.pk != old.pk and job.status == "done"
    assert AssignmentJob.objects.get(pk=old.pk).error == GIVEN_UP


def test_a_recent_run_holding_nothing_is_given_up_where_the_database_can_tell():
    world = build(reviewers=2, submissions=1)
    job = stuck_job(world, age=tasks.START_GRACE + timedelta(minutes=1))
    page = logged_in(world.manager).get(page_url(world)).content.decode()
    job.refresh_from_db()
    if connection.features.has_select_for_update_skip_locked:  # PostgreSQL: nobody holds it
        assert job.status == "failed" and GIVEN_UP in page
    else:  # SQLite cannot tell a live run from a dead one before the time limit
        assert job.status == "running" and 'data-job-status="running"' in page


def test_a_run_that_just_started_is_left_alone():
    world = build(reviewers=2, submissions=1)
    job = stuck_job(world, age=timedelta(seconds=5))  # may not have locked its round yet
    page = logged_in(world.manager).get(page_url(world)).content.decode()
    job.refresh_from_db()
    assert job.status == "running" and 'data-job-status="running"' in page
    assert 'name="action" value="run"' not in page


def test_a_job_whose_task_result_was_pruned_is_given_up(settings):
    world = build(reviewers=2, submissions=1)
    use_worker(settings)
    task = tasks.run_assignment_task.enqueue(0, "en")
    job = stuck_job(world, "queued", task_id=str(task.id))
    assert tasks.active_job(world.rounds[0]) == job  # waits for the worker
    DBTaskResult.objects.filter(id=task.id).delete()
    assert tasks.active_job(world.rounds[0]) is None
    assert AssignmentJob.objects.get(pk=job.pk).error == GIVEN_UP


def test_a_job_never_handed_to_the_worker_is_given_up_after_the_grace(settings):
    world = build(reviewers=2, submissions=1)
    use_worker(settings)
    fresh = stuck_job(world, "queued")
    assert tasks.active_job(world.rounds[0]) == fresh  # its commit hook may still queue it
    AssignmentJob.objects.filter(pk=fresh.pk).update(
        created_at=timezone.now() - tasks.START_GRACE - timedelta(seconds=1)
    )
    assert tasks.active_job(world.rounds[0]) is None
    assert AssignmentJob.objects.get(pk=fresh.pk).status == "failed"


#: the worker closes its database connection after each task, so this test runs outside the
#: test transaction. Not ``serialized_rollback``: its flush skips post-migrate, which leaves
#: later transactional tests without content types; the sectors are seeded here instead.
with_a_worker = pytest.mark.django_db(transaction=True)


@with_a_worker
def test_the_worker_runs_the_queued_assignment_and_the_page_shows_the_result(settings):
    seed_sectors(Sector)
    world = build(reviewers=3, submissions=3)
    use_worker(settings)
    client = logged_in(world.manager)
    client.post(page_url(world), {"action": "run"})
    job = AssignmentJob.objects.get()
    assert job.status == "queued" and job.task_id
    assert 'data-job-status="queued"' in client.get(page_url(world)).content.decode()

    run_worker()

    job.refresh_from_db()
    assert job.status == "done"
    assert Assignment.objects.count() == 6
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    progress = TaskProgress.objects.get(result_id=job.task_id)
    assert progress.done == progress.total == assigning.RUN_STEPS
    page = client.get(page_url(world)).content.decode()
    assert 'data-job-status="done"' in page and "6 new, 0 kept, 0 removed." in page
    assert 'http-equiv="refresh"' not in page


def hold_round_lock(round_id: int, locked: threading.Event, release: threading.Event) -> None:
    """What a live run does from its first step to its commit, on a connection of its own."""
    try:
        with transaction.atomic():
            list(Round.objects.select_for_update().filter(pk=round_id).values_list("pk"))
            locked.set()
            release.wait(timeout=30)
    finally:
        connection.close()


@with_a_worker
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="SQLite has no row locks to tell a live run by",
)
def test_a_live_run_holding_its_round_is_not_given_up():
    seed_sectors(Sector)
    world = build(reviewers=2, submissions=1)
    job = stuck_job(world, age=tasks.START_GRACE + timedelta(minutes=5))
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=hold_round_lock, args=(world.rounds[0].pk, locked, release), daemon=True
    )
    holder.start()
    try:
        assert locked.wait(timeout=30)
        assert tasks.active_job(world.rounds[0]) == job
        refused = logged_in(world.manager).post(page_url(world), {"action": "run"}, follow=True)
        assert "already waiting or running" in refused.content.decode()
    finally:
        release.set()
        holder.join(timeout=30)
    assert AssignmentJob.objects.get().status == "running"
    assert tasks.active_job(world.rounds[0]) is None  # the holder is gone: so is the run
