"""Exports never carry live formulas, and what they add is taken away again on import."""

import csv
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ecotone.catalog.models import Organisation
from ecotone.catalog.tabular import read_rows, write_rows
from ecotone.core.spreadsheets import FORMULA_STARTS
from ecotone.core.testing import OrganisationFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","click")'
#: text a spreadsheet would run, text that looks escaped already, and text that is harmless
NASTY = [
    HYPERLINK,
    "=1+1",
    "@SUM(A1)",
    "+cmd",
    "-1+2",
    "-A1",
    "'=x",
    "''+y",
    "'plain",
    "\tindented",
    "\rreturned",
    "深圳市 = 低碳",
    "-12.5",
    "#N/A",
]


def xlsx_cells(path) -> list:
    workbook = load_workbook(path)
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_csv_export_quotes_text_a_spreadsheet_would_run_and_json_lines_do_not(tmp_path):
    OrganisationFactory(name_en=HYPERLINK, city="-12.5", description_en="@SUM(A1)", founded=1995)
    path = tmp_path / "orgs.csv"
    call_command("export", "organisations", str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["name_en"] == "'" + HYPERLINK
    assert row["description_en"] == "'@SUM(A1)"
    assert row["city"] == "-12.5"  # a number as text, read by a spreadsheet as that number
    assert row["founded"] == "1995"
    # JSON Lines are read by programs, not spreadsheets: their text stays as it is.
    call_command("export", "organisations", str(tmp_path / "orgs.jsonl"))
    row = json.loads((tmp_path / "orgs.jsonl").read_text(encoding="utf-8"))
    assert (row["name_en"], row["description_en"]) == (HYPERLINK, "@SUM(A1)")


def test_xlsx_export_holds_no_formula_and_keeps_numbers_as_numbers(tmp_path):
    OrganisationFactory(name_en=HYPERLINK, city="#N/A", description_en="=1+1", founded=1995)
    path = tmp_path / "orgs.xlsx"
    call_command("export", "organisations", str(path))
    cells = xlsx_cells(path)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = {cell.value: cell.data_type for cell in cells}
    assert values["'" + HYPERLINK] == "s"
    assert values["'=1+1"] == "s"
    assert values["#N/A"] == "s"  # text, not the spreadsheet's "not available" error
    assert values[1995] == "n"


def written_text(path) -> list[str]:
    """Every text cell of a CSV or XLSX file as a spreadsheet program would be given it."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [cell for row in csv.reader(handle) for cell in row]
    cells = xlsx_cells(path)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    return [cell.value for cell in cells if isinstance(cell.value, str)]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_file_round_trip_gives_back_every_value_exactly(tmp_path, extension):
    path = tmp_path / f"values.{extension}"
    rows = [{"value": value, "number": -12.5, "list": [value, "b"]} for value in NASTY]
    write_rows(path, ["value", "number", "list"], rows)
    runnable = {text for text in written_text(path) if text[:1] in FORMULA_STARTS}
    assert runnable == {"-12.5"}  # a plain number, which no spreadsheet runs
    read = [row for _number, row in read_rows(path)]
    # XLSX cannot hold a carriage return: its XML gives a line feed back.
    expected = [v.replace("\r", "\n") if extension == "xlsx" else v for v in NASTY]
    assert [row["value"] for row in read] == expected
    assert {str(row["number"]) for row in read} == {"-12.5"}
    assert [row["list"] for row in read] == [f"{value}; b" for value in expected]


# The form strips the spaces around a value, so text that begins with a tab or a carriage
# return is not one a record can hold; the file-level round trip above covers it.
RECORD_VALUES = [value for value in NASTY if not value[0].isspace()]


def test_export_then_import_recreates_nasty_records_in_every_format(tmp_path):
    for number, value in enumerate(RECORD_VALUES):
        OrganisationFactory(
            external_id=f"nasty-{number}",
            name_en=value,
            name_zh="比亚迪",
            description_en=f"{value}\nsecond line",
            city=value,
        )
    OrganisationFactory(external_id="=ext-id", name_en="Formula-like identifier")
    before = _snapshot()
    for extension in ("csv", "xlsx", "jsonl"):
        path = tmp_path / f"orgs.{extension}"
        call_command("export", "organisations", str(path))
        Organisation.objects.all().delete()
        call_command("import", "organisation", str(path))
        assert _snapshot() == before, extension


def _snapshot() -> dict:
    fields = ("name_en", "name_zh", "description_en", "city", "founded")
    return {row[0]: row[1:] for row in Organisation.objects.values_list("external_id", *fields)}
