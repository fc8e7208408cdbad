"""The report's PDF on the web: built once per state of the data, through a background task.

Test settings run tasks at once (``ECOTONE_TASKS=immediate``); the tests marked
``with_a_worker`` queue them for a real ``db_worker`` as production does.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from ecotone.catalog.models import Sector
from ecotone.catalog.taxonomy import seed_sectors
from ecotone.core.models import TaskProgress
from ecotone.reports.tests.test_impact import calculation

PDF = "/en/reports/annual/report.pdf?year=2023&region=Shenzhen"
STATUS = "/en/reports/annual/report-pdf-status/?year=2023&region=Shenzhen"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
#: the worker closes the database connection after each task, as a worker process should;
#: inside a test's wrapping transaction that would end the test's own work
with_a_worker = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sectors(db):
    """Transactional tests flush every table after each test, the seeded sectors included."""
    seed_sectors(Sector)


@pytest.fixture
def home(settings):
    return settings.ECOTONE_HOME  # the test's own (conftest)


@pytest.fixture
def worker_backend(settings):
    settings.TASKS = DATABASE_TASKS
    settings.ECOTONE_TASKS = "database"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def stored_pdfs(home, language="en") -> list:
    return sorted((home / "reports" / "web" / "2023" / "shenzhen" / language).glob("*.pdf"))


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def download(client: Client, path: str = PDF) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_the_pdf_holds_every_section_with_its_figures(world):
    calculation(world["bus"], 1234.5)
    pages, text = pdf_text(download(Client()))
    assert pages >= 2
    assert "Climate action in Shenzhen, 2023" in text
    for count, label in [
        (3, "Cases of the year"),
        (2, "Awards given"),
        (1, "Events"),
        (3, "Organisations based here"),
        (1, "Solutions from these organisations"),
        (1, "Reports and policies"),
    ]:
        words = r"\s+".join(label.split())
        assert re.search(rf"\b{count}\s+{words}", text), label
    # the charts' tables: cases by top-level sector (bus, metro → Transport; metro, rooftop
    # solar → Energy) and the award programmes
    assert "Cases by sector" in text
    assert re.search(r"Energy\s+2\b", text) and re.search(r"Transport\s+2\b", text)
    assert re.search(r"Top Ten Green Cases \(2023\)\s+2\b", text)
    # the emission reductions, with the way back to how each was computed
    assert "Emission reductions" in text and "1234.5" in text
    assert "How this number was computed" in text and "Electric buses" in text
    assert "Shenzhen Session" in text and "White Paper on Climate Change in Shenzhen" in text
    assert "Sources" in text and "Draft case" not in text


def test_a_built_pdf_is_served_again_until_the_data_changes(world, home):
    client = Client()
    first = download(client)
    [stored] = stored_pdfs(home)
    built_at = stored.stat().st_mtime_ns
    assert download(client) == first
    assert stored_pdfs(home) == [stored] and stored.stat().st_mtime_ns == built_at
    html = client.get(STATUS).content.decode()  # without a worker: nothing to wait for
    assert 'data-status="ready"' in html and 'http-equiv="refresh"' not in html
    assert 'href="/en/reports/annual/report.pdf?year=2023&amp;region=Shenzhen"' in html

    world["old"].start_date = world["solar_2023"].start_date  # now a case of 2023 as well
    world["old"].save()
    _pages, text = pdf_text(download(client))
    [rebuilt] = stored_pdfs(home)
    assert rebuilt != stored  # a new fingerprint; the stale file is gone
    assert re.search(r"\b4\s+Cases of the year", text)


def test_each_language_has_its_own_file(world, home):
    _pages, text = pdf_text(download(Client(), PDF.replace("/en/", "/zh-hans/")))
    assert "深圳" in text and "十大绿色案例" in text
    assert len(stored_pdfs(home, "zh-hans")) == 1 and stored_pdfs(home) == []


def test_a_bad_scope_is_a_400_naming_the_problem(db):
    client = Client()
    assert client.get("/en/reports/annual/report.pdf").status_code == 400
    response = client.get("/en/reports/annual/report.pdf?year=20x3")
    assert response.status_code == 400 and "whole number" in response.content.decode()
    assert client.get("/en/reports/annual/report-pdf-status/?region=QQ").status_code == 400


@with_a_worker
def test_with_a_worker_the_visitor_waits_on_a_status_page(world, worker_backend, home):
    client = Client()
    response = client.get(PDF)
    assert response.status_code == 302 and response["Location"] == STATUS
    page = client.get(STATUS).content.decode()
    assert 'data-status="waiting"' in page and 'http-equiv="refresh"' in page
    client.get(PDF)  # asking again waits for the same build
    assert [task.status for task in DBTaskResult.objects.all()] == ["READY"]
    assert stored_pdfs(home) == []

    run_worker()

    assert [task.status for task in DBTaskResult.objects.all()] == ["SUCCESSFUL"]
    progress = TaskProgress.objects.get()
    assert progress.done == progress.total > 0
    page = client.get(STATUS).content.decode()
    assert 'data-status="ready"' in page and 'http-equiv="refresh"' not in page
    _pages, text = pdf_text(download(client))
    assert "Climate action in Shenzhen, 2023" in text
    assert DBTaskResult.objects.count() == 1  # served from disk, nothing queued


@with_a_worker
def test_a_failed_build_says_so_and_can_be_tried_again(world, worker_backend, monkeypatch):
    from ecotone.reports import annual

    def broken_renderer(*args, **kwargs):
        raise RuntimeError("no fonts")

    client = Client()
    client.get(PDF)
    monkeypatch.setattr(annual, "render_pdf", broken_renderer)
    run_worker()
    page = client.get(STATUS).content.decode()
    assert 'data-status="failed"' in page and "Try again" in page
    client.get(PDF)  # a failure is not retried behind the visitor's back
    assert DBTaskResult.objects.count() == 1

    assert client.post(STATUS).status_code == 302
    assert [task.status for task in DBTaskResult.objects.order_by("enqueued_at")] == [
        "FAILED",
        "READY",
    ]
