"""Files that used to crash an import: each is refused with its row (and column), and
nothing is written."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from ecotone.catalog.forms import MAX_FULL_TEXT_CHARS
from ecotone.catalog.models import Organisation, Resource
from ecotone.catalog.tabular import CSV_CELL_LIMIT
from ecotone.core.testing import OrganisationFactory

pytestmark = pytest.mark.django_db


def refused(kind: str, path) -> str:
    """What ``ecotone import`` says about a file it refuses (it must refuse it)."""
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", kind, str(path), stderr=stderr)
    return stderr.getvalue()


def jsonl(tmp_path, *lines: str):
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_resource_with_a_long_text_survives_csv_export_and_import(tmp_path):
    text = "=" + "碳中和 long report text. " * 10_000 + "End."  # csv reads 131,072 a cell
    Resource.objects.create(external_id="r-long", title_en="Long", text=text, status="published")
    path = tmp_path / "resources.csv"
    call_command("export", "resources", str(path))
    Resource.objects.all().delete()
    call_command("import", "resource", str(path))
    assert Resource.objects.get(external_id="r-long").text == text


def test_the_csv_cell_limit_leaves_room_for_the_longest_text_and_its_quote():
    assert CSV_CELL_LIMIT > MAX_FULL_TEXT_CHARS + 1


def test_a_csv_cell_beyond_any_field_is_refused_with_its_row(tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(
        "external_id,title_en,text\nr-1,Fine,short\nr-2,Huge," + "x" * (CSV_CELL_LIMIT + 1) + "\n",
        encoding="utf-8",
    )
    message = refused("resource", path)
    assert "row 3" in message
    assert "longer than" in message
    assert Resource.objects.count() == 0


def test_a_text_just_over_its_field_limit_names_the_column(tmp_path):
    path = tmp_path / "resources.csv"
    text = "x" * (MAX_FULL_TEXT_CHARS + 1)
    path.write_text(f"external_id,title_en,text\nr-1,Long,{text}\n", encoding="utf-8")
    assert "row 2, column text:" in refused("resource", path)


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 8,  # not a ZIP archive at all
        b"PK\x03\x04" + b"\x00" * 200,  # the start of one, then nothing
        "zip-with-broken-sheet",
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, content):
    path = tmp_path / "orgs.xlsx"
    if content == "zip-with-broken-sheet":
        _workbook_with_broken_sheet(path)
    else:
        path.write_bytes(content)
    assert "XLSX" in refused("organisation", path)
    assert Organisation.objects.count() == 0


def _workbook_with_broken_sheet(path) -> None:
    from openpyxl import Workbook

    source = io.BytesIO()
    book = Workbook()
    book.active.append(["external_id", "name_en", "kind"])
    book.active.append(["o-1", "Fine", "ngo"])
    book.save(source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as broken:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off in the middle of the rows
            broken.writestr(item, data)


def test_json_nested_too_deeply_is_refused_with_its_line(tmp_path):
    good = json.dumps({"external_id": "o-1", "name_en": "Fine", "kind": "ngo"})
    path = jsonl(tmp_path, good, '{"external_id": ' + "[" * 100_000 + "]" * 100_000 + "}")
    message = refused("organisation", path)
    assert "row 2" in message
    assert "nested" in message
    assert Organisation.objects.count() == 0


def test_a_number_too_long_to_read_is_refused_with_its_line(tmp_path):
    path = jsonl(tmp_path, '{"external_id": "o-1", "founded": ' + "9" * 5000 + "}")
    assert "row 1" in refused("organisation", path)


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ('{"external_id": "o-1", "name_en": "\\ud800", "kind": "ngo"}', "name_en"),
        ('{"external_id": "o-1", "name_en": "A", "sectors": ["\\udfff"]}', "sectors"),
    ],
)
def test_a_lone_surrogate_is_refused_with_its_row_and_column(tmp_path, line, column):
    message = refused("organisation", jsonl(tmp_path, line))
    assert f"row 1, column {column}:" in message
    assert "Unicode" in message
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"name_en": {"en": "BYD"}}, "name_en"),
        ({"name_en": ["BYD", "比亚迪"]}, "name_en"),
        ({"external_id": ["o-1"]}, "external_id"),
    ],
)
def test_an_object_or_list_where_one_value_belongs_is_refused(tmp_path, row, column):
    OrganisationFactory(external_id="o-0", name_en="Already here")
    record = {"external_id": "o-1", "name_en": "A", "kind": "ngo", **row}
    good = {"external_id": "o-2", "name_en": "B", "kind": "ngo", "sectors": ["solar-power"]}
    message = refused("organisation", jsonl(tmp_path, json.dumps(good), json.dumps(record)))
    assert f"row 2, column {column}:" in message
    assert list(Organisation.objects.values_list("external_id", flat=True)) == ["o-0"]
