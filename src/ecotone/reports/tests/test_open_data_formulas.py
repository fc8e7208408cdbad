"""Public downloads carry no live formulas; open-data spreadsheets still import as the
records they hold."""

import csv
import io
import zipfile

import pytest
from django.test import Client
from openpyxl import load_workbook

from ecotone.catalog.importing import import_file
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Organisation
from ecotone.core.testing import OrganisationFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","click")'


@pytest.fixture
def tricky():
    return OrganisationFactory(
        external_id="o-tricky", name_en=HYPERLINK, city="@SUM(A1)", description_en="-12.5"
    )


def content(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, path
    streamed = getattr(response, "streaming_content", None)
    return response.content if streamed is None else b"".join(streamed)


def only_row(csv_bytes: bytes) -> dict:
    [row] = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    return row


def test_csv_download_quotes_text_a_spreadsheet_would_run(tricky):
    row = only_row(content("/en/reports/open-data/organisations.csv"))
    assert (row["name_en"], row["city"]) == ("'" + HYPERLINK, "'@SUM(A1)")
    assert row["description_en"] == "-12.5"


def test_the_zip_bundle_quotes_it_too(tricky):
    archive = zipfile.ZipFile(io.BytesIO(content("/en/reports/open-data/open-data.zip")))
    assert only_row(archive.read("ecotone-organisations.csv"))["name_en"] == "'" + HYPERLINK


def test_xlsx_download_has_no_formula_on_any_sheet_and_imports_again(tricky, tmp_path):
    path = tmp_path / "organisations.xlsx"
    path.write_bytes(content("/en/reports/open-data/organisations.xlsx"))
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert "'" + HYPERLINK in {cell.value for cell in cells if cell.data_type == "s"}
    Organisation.objects.all().delete()
    assert import_file(KINDS["organisation"], path).created == 1
    restored = Organisation.objects.get(external_id="o-tricky")
    assert (restored.name_en, restored.city, restored.description_en) == (
        HYPERLINK,
        "@SUM(A1)",
        "-12.5",
    )


def test_a_chart_table_quotes_a_city_named_like_a_formula(tricky):
    rows = list(csv.reader(io.StringIO(content("/en/reports/charts/cities.csv").decode())))
    assert ["'@SUM(A1)", "0", "1"] in rows
