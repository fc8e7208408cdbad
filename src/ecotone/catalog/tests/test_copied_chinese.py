"""A Chinese field that repeats the English text is stored empty, however the record is
written (import, page form, API), and the import report says so as a note."""

import csv
import json

import pytest
from django.core.management import call_command
from django.test import Client

from ecotone.catalog.importing import import_file
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Case, Organisation, Solution
from ecotone.catalog.services import create_record, update_record
from ecotone.core.testing import CaseFactory, UserFactory, token_headers

pytestmark = pytest.mark.django_db

CASE_HEADER = "external_id,title_en,title_zh,description_en,city,city_zh\n"


def write(tmp_path, text: str, name: str = "cases.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_stores_a_copied_chinese_title_empty_and_notes_it(tmp_path):
    path = write(
        tmp_path,
        CASE_HEADER
        + "c-1,In Salah,In Salah,Gas field,Ouargla,ouargla\n"
        + "c-2,Electric buses,电动公交,Buses,Shenzhen,深圳\n",
    )
    result = import_file(KINDS["case"], path)
    assert (result.created, result.errors) == (2, [])
    copied = Case.objects.get(external_id="c-1")
    assert (copied.title_en, copied.title_zh, copied.city_zh) == ("In Salah", "", "")
    assert Case.objects.get(external_id="c-2").title_zh == "电动公交"
    assert [(note.row, note.column) for note in result.notes] == [(2, "title_zh"), (2, "city_zh")]
    assert "the same text as title_en" in result.notes[0].message


def test_import_keeps_a_latin_only_chinese_name_and_notes_it(tmp_path):
    path = write(
        tmp_path,
        "external_id,name_en,name_zh,kind\no-1,BYD Company Limited,BYD,corporate\n",
        "orgs.csv",
    )
    result = import_file(KINDS["organisation"], path)
    assert Organisation.objects.get(external_id="o-1").name_zh == "BYD"
    assert [(note.row, note.column) for note in result.notes] == [(2, "name_zh")]
    assert "no Chinese characters" in result.notes[0].message


def test_a_copy_sent_again_for_an_empty_field_changes_nothing(tmp_path):
    path = write(tmp_path, CASE_HEADER + "c-1,In Salah,In Salah,Gas field,,\n")
    import_file(KINDS["case"], path)
    again = import_file(KINDS["case"], path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert len(again.notes) == 1


def test_reimport_removes_a_copy_stored_before_the_rule(tmp_path):
    CaseFactory(external_id="c-1", title_en="In Salah", title_zh="In Salah")  # not by a form
    path = write(tmp_path, CASE_HEADER + "c-1,In Salah,In Salah,,,\n")
    result = import_file(KINDS["case"], path)
    assert (result.updated, result.unchanged) == (1, 0)
    assert Case.objects.get(external_id="c-1").title_zh == ""


def test_cli_prints_the_notes_and_writes_them_to_the_report(tmp_path, capsys):
    path = write(tmp_path, CASE_HEADER + "c-1,In Salah,In Salah,,,\n")
    report = tmp_path / "report.csv"
    call_command("import", "case", str(path), "--report", str(report))
    out = capsys.readouterr().out
    assert "note: row 2, column title_zh: the same text as title_en" in out
    assert "0 bad row(s) skipped, 1 note(s)" in out
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["row"], row["column"]) for row in rows] == [("2", "title_zh")]
    assert rows[0]["message"].startswith("note: the same text as title_en")


def test_the_services_behind_pages_and_api_store_a_copy_empty():
    staff = UserFactory(is_staff=True)
    data = {"title_en": "Heat pump", "title_zh": "heat pump", "description_en": "Warm"}
    solution = create_record(kind=KINDS["solution"], data=data, user=staff)
    solution.refresh_from_db()
    assert (solution.title_en, solution.title_zh) == ("Heat pump", "")
    update_record(record=solution, data={"title_zh": "Heat Pump "}, user=staff)
    solution.refresh_from_db()
    assert solution.title_zh == ""
    update_record(record=solution, data={"title_zh": "热泵"}, user=staff)
    solution.refresh_from_db()
    assert solution.title_zh == "热泵"


def test_the_api_answers_with_the_copy_emptied():
    headers = token_headers(UserFactory(is_staff=True))
    payload = {"external_id": "s-api", "title_en": "CarbonCure", "title_zh": "CarbonCure"}
    response = Client().post(
        "/api/v1/solutions", json.dumps(payload), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    assert response.json()["title_zh"] == ""
    assert Solution.objects.get(external_id="s-api").title_zh == ""
