"""The index brought back in line with the database (search/repair.py): records missing
from it, held out of date, or no longer public; imports indexed in the background, and
resumed after a worker died. Real index, real database (SQLite, or PostgreSQL with
DATABASE_URL, where the index lives in the database)."""

import pytest
from django.core.management import CommandError, call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ecotone.catalog.importing import import_file
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Organisation, Solution
from ecotone.core.models import TaskProgress
from ecotone.core.testing import SolutionFactory
from ecotone.search.backends import get_search_backend
from ecotone.search.queries import search_records
from ecotone.search.repair import compare, repair

pytestmark = pytest.mark.django_db

ORG_HEADER = "external_id,name_en,name_zh,kind,country,city,founded,sectors,description_en\n"


def found(q: str) -> set[int]:
    return {r["id"] for r in search_records(q, mode="lexical").results}


def difference_of(kind: str):
    return next(k for k in compare().kinds if k.kind == kind)


@pytest.fixture
def solutions(committed):
    with committed():
        return [
            SolutionFactory(title_en="Seawater electrolysis for hydrogen"),
            SolutionFactory(title_en="Geothermal heat pumps for schools"),
            SolutionFactory(title_en="Biochar from rice straw"),
        ]


def test_an_index_kept_up_to_date_agrees_with_the_database(solutions):
    difference = compare()
    assert difference.agrees, difference.summary()
    assert difference_of("solution").public == difference_of("solution").indexed >= 3


def test_missing_stale_and_orphaned_documents_are_found_and_repaired(solutions):
    electrolysis, heat_pumps, biochar = solutions
    get_search_backend().update([], [f"solution:{electrolysis.pk}"])  # lost from the index
    Solution.objects.filter(pk=heat_pumps.pk).update(title_en="Ground-source heat for schools")
    Solution.objects.filter(pk=biochar.pk).update(status="draft")  # no signal: still indexed
    assert found("electrolysis") == set()
    assert biochar.pk in get_search_backend().indexed_pks("solution")

    solution = difference_of("solution")
    assert (solution.missing, solution.stale, solution.orphans) == (
        [electrolysis.pk],
        [heat_pumps.pk],
        [biochar.pk],
    )
    repair()

    assert compare().agrees
    assert found("electrolysis") == {electrolysis.pk}
    assert found("ground source") == {heat_pumps.pk}
    assert found("biochar") == set()


def test_the_command_reports_then_repairs(solutions, capsys):
    get_search_backend().update([], [f"solution:{solutions[0].pk}"])
    with pytest.raises(CommandError, match="1 missing, 0 stale, 0 orphaned"):
        call_command("index", "repair", "--check", verbosity=0)
    call_command("index", "repair", verbosity=0)
    out = capsys.readouterr().out
    assert "solution: " in out and "1 missing" in out
    assert "repaired: 1 missing, 0 stale, 0 orphaned" in out
    call_command("index", "repair", "--check", verbosity=0)  # agrees now: no error
    assert "the index agrees with the database" in capsys.readouterr().out


@pytest.fixture
def worker_backend(settings):
    # an empty index: on PostgreSQL it is a table that a transactional test's flush keeps
    get_search_backend().rebuild([])
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    settings.ECOTONE_TASKS = "database"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def import_organisations(tmp_path, committed, rows: int):
    path = tmp_path / "orgs.csv"
    lines = [f"o-{n},Tidal lagoon builder {n},,corporate,CN,,,," for n in range(rows)]
    path.write_text(ORG_HEADER + "\n".join(lines) + "\n")
    with committed():
        result = import_file(KINDS["organisation"], path)
    assert result.created == rows


@pytest.mark.django_db(transaction=True)
def test_an_import_is_indexed_in_the_background_with_its_progress(
    worker_backend, committed, tmp_path
):
    import_organisations(tmp_path, committed, 12)
    queued = DBTaskResult.objects.get(task_path="ecotone.search.tasks.index_records_task")
    assert queued.status == TaskResultStatus.READY
    assert found("lagoon") == set()  # the rows are in; their indexing waits for the worker

    run_worker()

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert len(found("lagoon")) == 12
    progress = TaskProgress.objects.get(result_id=str(queued.id))
    assert (progress.label, progress.done, progress.total) == ("search index: organisation", 12, 12)


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_indexing_was_killed_is_resumed_by_the_worker(
    worker_backend, committed, tmp_path
):
    """The worker died half-way through the import's indexing: the server that starts next
    (or a worker whose lease shows the first is gone) queues the task again, which indexes
    only what is still missing."""
    from ecotone.core.worker import recover_tasks_of_dead_servers
    from ecotone.search.indexing import refresh_imported
    from ecotone.search.registry import get_index

    import_organisations(tmp_path, committed, 10)
    task = DBTaskResult.objects.get(task_path="ecotone.search.tasks.index_records_task")
    pks = sorted(Organisation.objects.values_list("pk", flat=True))
    refresh_imported(get_index("organisation"), pks[:6])  # what it did before the kill
    task.status = TaskResultStatus.RUNNING
    task.worker_ids = [f"serve-{2**22 + 11}-0"]  # a server that is gone
    task.save()

    assert recover_tasks_of_dead_servers() == [str(task.id)]
    run_worker()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    again = DBTaskResult.objects.get(
        task_path="ecotone.search.tasks.index_records_task", status=TaskResultStatus.SUCCESSFUL
    )
    assert again.return_value == 4  # only the four it had not reached
    assert compare().agrees
    assert len(found("lagoon")) == 10


def test_staff_repair_the_index_from_its_page_and_others_may_not(solutions, client):
    from django.urls import reverse

    from ecotone.core.testing import UserFactory

    get_search_backend().update([], [f"solution:{solutions[0].pk}"])
    client.force_login(UserFactory())
    assert client.post(reverse("search:index_repair")).status_code == 403
    assert not compare().agrees

    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("search:index_status")).content.decode()
    assert "The index and the database disagree." in page
    assert reverse("search:index_repair") in page
    assert client.get(reverse("search:index_repair")).status_code == 405
    response = client.post(reverse("search:index_repair"))
    assert response.status_code == 302  # to the tasks page; the task ran at once here
    assert compare().agrees
    assert found("electrolysis") == {solutions[0].pk}


def test_the_staff_page_compares_each_document_with_its_record_when_asked(solutions, client):
    import re

    from django.urls import reverse

    from ecotone.core.testing import UserFactory

    _electrolysis, heat_pumps, _biochar = solutions
    # an edit whose re-indexing never ran: as many documents as records, one out of date
    Solution.objects.filter(pk=heat_pumps.pk).update(title_en="Ground-source heat for schools")
    client.force_login(UserFactory(is_staff=True))
    url = reverse("search:index_status")
    assert "Every public record is in the index." in client.get(url).content.decode()

    page = client.get(url, {"compare": "1"}).content.decode()
    assert "The index and the database disagree." in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert ("Solutions", "0", "1", "0") in rows
    assert all(row[1:] == ("0", "0", "0") for row in rows if row[0] != "Solutions")

    client.force_login(UserFactory())
    assert client.get(url, {"compare": "1"}).status_code == 403
