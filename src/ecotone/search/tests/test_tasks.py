"""Index maintenance through background tasks: queued for a worker, run by it, shown to staff."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ecotone.catalog.models import Organisation, Solution
from ecotone.core.models import TaskProgress
from ecotone.core.testing import SolutionFactory, UserFactory
from ecotone.search.queries import search_records

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def found(q: str) -> list[int]:
    return [r["id"] for r in search_records(q).results]


@pytest.fixture
def worker_backend(settings):
    settings.TASKS = DATABASE_TASKS
    settings.ECOTONE_TASKS = "database"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


#: the worker closes the database connection after each task, as a worker process should;
#: inside a test's wrapping transaction that would end the test's own work
with_a_worker = pytest.mark.django_db(transaction=True)


@with_a_worker
def test_an_edit_waits_in_the_queue_until_the_worker_indexes_it(worker_backend, committed):
    with committed():
        solution = SolutionFactory(title_en="Seawater electrolysis for green hydrogen")
    queued = DBTaskResult.objects.all()  # the solution and its provider
    assert {task.status for task in queued} == {"READY"}
    assert {task.task_path.rsplit(".", 1)[-1] for task in queued} == {"refresh_index_task"}
    assert found("electrolysis") == []

    run_worker()

    assert {task.status for task in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    assert found("electrolysis") == [solution.pk]


def test_a_rolled_back_save_queues_nothing(worker_backend, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        SolutionFactory(title_en="Never saved")
        raise RuntimeError("the request failed")
    assert not DBTaskResult.objects.exists()


@with_a_worker
def test_staff_rebuild_runs_in_the_worker_and_reports_progress(worker_backend, client):
    solutions = SolutionFactory.create_batch(3, title_en="Rooftop agrivoltaics")
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("search:index_rebuild"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:tasks")
    page = client.get(reverse("core:tasks")).content.decode()
    assert "Rebuild the search index" in page
    assert 'data-status="READY"' in page
    assert 'http-equiv="refresh"' in page
    assert found("agrivoltaics") == []

    run_worker()

    assert sorted(found("agrivoltaics")) == sorted(s.pk for s in solutions)
    records = Organisation.objects.count() + Solution.objects.count()  # providers included
    progress = TaskProgress.objects.get()
    assert (progress.done, progress.total) == (records, records)
    page = client.get(reverse("core:tasks")).content.decode()
    assert 'data-status="SUCCESSFUL"' in page
    assert f"{records} / {records}" in page
    assert 'http-equiv="refresh"' not in page


def test_only_staff_see_tasks_or_rebuild_the_index(client):
    client.force_login(UserFactory())
    assert client.get(reverse("core:tasks")).status_code == 403
    assert client.post(reverse("search:index_rebuild")).status_code == 403
    assert client.get(reverse("search:index_rebuild")).status_code == 405


def test_without_a_worker_the_tasks_page_says_tasks_run_at_once(client):
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("core:tasks")).content.decode()
    assert "ECOTONE_TASKS=immediate" in page
