"""The annual report: page, service and command. PDFs are slow-ish, so few tests build one."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pypdf import PdfReader

from ecotone.reports.annual import build_annual_report
from ecotone.reports.scope import ScopeError


def pdf_text(path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_report_page_shows_headline_figures_linked_to_records(world):
    response = Client().get("/en/reports/annual/?year=2023&region=Shenzhen")
    assert response.status_code == 200
    html = response.content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)"><a href="[^"]+"><strong>(\d+)</strong>', html))
    assert figures == {
        "cases": "3",
        "awards": "2",
        "events": "1",
        "organisations": "3",
        "solutions": "1",
        "resources": "1",
    }
    assert 'href="/en/reports/records/cases/?year=2023&amp;region=Shenzhen"' in html
    assert "Draft case" not in html


def test_report_page_asks_for_a_year(db):
    response = Client().get("/en/reports/annual/")
    assert response.status_code == 200
    assert 'name="year"' in response.content.decode()
    assert Client().get("/en/reports/annual/?year=1800").status_code == 400


def test_command_writes_html_and_pdf_in_both_languages(world, tmp_path):
    call_command(
        "report",
        "build",
        "--year",
        "2023",
        "--region",
        "Shenzhen",
        "--output",
        str(tmp_path),
        "--base-url",
        "https://ecotone.example.org",
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "ecotone-report-2023-shenzhen-en.html",
        "ecotone-report-2023-shenzhen-en.pdf",
        "ecotone-report-2023-shenzhen-zh-hans.html",
        "ecotone-report-2023-shenzhen-zh-hans.pdf",
    ]
    html = (tmp_path / "ecotone-report-2023-shenzhen-en.html").read_text()
    assert (
        "https://ecotone.example.org/en/reports/records/cases/?year=2023&amp;region=Shenzhen"
        in html
    )
    assert "<script" not in html and 'src="' not in html

    pages, text = pdf_text(tmp_path / "ecotone-report-2023-shenzhen-en.pdf")
    assert pages >= 2
    assert "Climate action in Shenzhen, 2023" in text
    assert re.search(r"\b3\s+Cases of the year", text)
    assert re.search(r"\b2\s+Awards given", text)
    assert "Top Ten Green Cases" in text and "BYD" in text
    assert "White Paper on Climate Change in Shenzhen" in text

    links = [
        annotation.get_object()["/A"].get("/URI")
        for page in PdfReader(tmp_path / "ecotone-report-2023-shenzhen-en.pdf").pages
        for annotation in page.get("/Annots", [])
    ]
    assert (
        "https://ecotone.example.org/en/reports/records/awards/?year=2023&region=Shenzhen" in links
    )

    _pages, chinese = pdf_text(tmp_path / "ecotone-report-2023-shenzhen-zh-hans.pdf")
    assert "深圳" in chinese and "十大绿色案例" in chinese


def test_bad_arguments_name_the_option(db, tmp_path):
    with pytest.raises(CommandError, match="--year"):
        call_command("report", "build", "--year", "20x3", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="--region"):
        call_command(
            "report", "build", "--year", "2023", "--region", "QQ", "--output", str(tmp_path)
        )
    with pytest.raises(ScopeError) as error:
        build_annual_report(2023, None, "fr", output_dir=tmp_path, base_url="http://x")
    assert error.value.field == "language"
    assert list(tmp_path.iterdir()) == []


def test_the_background_task_builds_into_the_home_folder(world, settings, tmp_path):
    from ecotone.reports.tasks import build_annual_report_task

    settings.ECOTONE_HOME = tmp_path
    result = build_annual_report_task.enqueue(2023, "深圳", "en", "http://localhost:8000")
    paths = result.return_value
    assert [path.rsplit("/", 1)[-1] for path in paths] == [
        "ecotone-report-2023-shenzhen-en.html",
        "ecotone-report-2023-shenzhen-en.pdf",
    ]
    pages, text = pdf_text(paths[1])
    assert pages >= 1 and "Climate action in Shenzhen, 2023" in text
