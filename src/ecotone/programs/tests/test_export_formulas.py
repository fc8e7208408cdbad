"""An applicant's text reaches the manager's spreadsheet as text, never as a formula."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ecotone.core.testing import logged_in

from .conftest import add_applicant, apply, make_programme

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","click")'


@pytest.fixture
def world():
    world = make_programme()
    user, org = add_applicant(world, "@Evil Co")
    apply(world, user, org, title=HYPERLINK)
    return world


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_managers_csv_download_quotes_the_applicants_text(world):
    response = logged_in(world.manager).get(f"/en/programmes/{world.programme.slug}/export.csv")
    [row] = csv_rows(response.content.decode("utf-8-sig"))
    assert (row["title"], row["applicant"]) == ("'" + HYPERLINK, "'@Evil Co")
    assert int(row["id"]) > 0 and row["reviews_submitted"] == "0"


def test_the_managers_xlsx_download_holds_text_cells_and_numbers(world):
    response = logged_in(world.manager).get(f"/en/programmes/{world.programme.slug}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    header, row = (list(cells_row) for cells_row in sheet.iter_rows(max_row=2))
    by_column = {name.value: cell for name, cell in zip(header, row, strict=True)}
    assert (by_column["title"].value, by_column["title"].data_type) == ("'" + HYPERLINK, "s")
    assert by_column["applicant"].value == "'@Evil Co"
    assert (by_column["reviews_submitted"].value, by_column["reviews_submitted"].data_type) == (
        0,
        "n",
    )


def test_the_cli_export_and_ranking_quote_it_too(world, tmp_path):
    slug, manager = world.programme.slug, world.manager.username
    book = tmp_path / "submissions.xlsx"
    call_command(
        "programmes", "export", slug, "--format", "xlsx", "--output", str(book), "--as", manager
    )
    cells = [cell for row in load_workbook(book).active.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert "'" + HYPERLINK in {cell.value for cell in cells}
    call_command("programmes", "start", slug, "--round", "1", "--as", manager, stdout=io.StringIO())
    out = io.StringIO()
    call_command("programmes", "ranking", slug, "--round", "1", "--format", "csv", stdout=out)
    assert [row["title"] for row in csv_rows(out.getvalue())] == ["'" + HYPERLINK]
