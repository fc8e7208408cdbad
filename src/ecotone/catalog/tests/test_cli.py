import json

import pytest
from django.core.management import CommandError, call_command

from ecotone.catalog.models import Award, Case, Organisation
from ecotone.core.testing import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_import_command_reports_bad_rows_to_a_file_and_writes_nothing(tmp_path):
    source = tmp_path / "orgs.csv"
    source.write_text("external_id,name_en,kind\no-1,Good,ngo\no-2,Bad,volcano\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import", "organisation", str(source), "--report", str(report))
    assert Organisation.objects.count() == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,message"
    assert lines[1].startswith("3,kind,")


def test_import_unknown_kind_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("import", "spaceship", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "organisation", str(tmp_path / "missing.csv"))


def test_unsupported_extension_is_refused(tmp_path):
    path = tmp_path / "orgs.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import", "organisation", str(path))


@pytest.mark.parametrize("extension", ["csv", "xlsx", "jsonl"])
def test_export_then_import_round_trips(tmp_path, extension):
    org = OrganisationFactory(name_en="BYD", name_zh="比亚迪", founded=1995, city="Shenzhen")
    org.sectors.set([1, 2])
    OrganisationFactory(name_en="Draft Org", status="draft")
    path = tmp_path / f"orgs.{extension}"
    call_command("export", "organisations", str(path))
    Organisation.objects.all().delete()
    call_command("import", "organisation", str(path))
    restored = Organisation.objects.get(external_id=org.external_id)
    assert (restored.name_zh, restored.founded, restored.city) == ("比亚迪", 1995, "Shenzhen")
    assert sorted(restored.sectors.values_list("pk", flat=True)) == [1, 2]
    assert not Organisation.objects.filter(name_en="Draft Org").exists()


def test_demo_loads_the_award_cases_and_is_idempotent(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    call_command("demo")
    byd_award = Award.objects.filter(organisation__name_en__icontains="BYD").get()
    assert byd_award.year == 2023
    assert byd_award.case is not None
    counts = (Organisation.objects.count(), Case.objects.count(), Award.objects.count())
    call_command("demo", "--force")
    assert (Organisation.objects.count(), Case.objects.count(), Award.objects.count()) == counts
    assert Award.objects.filter(year=2023).count() == 10


def test_example_files_import_cleanly(settings):
    from ecotone.catalog.importing import import_file
    from ecotone.catalog.kinds import IMPORT_ORDER, KINDS

    folder = settings.DATA_DIR / "examples"
    imported = []
    for name in IMPORT_ORDER:
        kind = KINDS[name]
        path = folder / f"{kind.plural}.csv"
        if path.exists():
            assert import_file(kind, path).created > 0
            imported.append(name)
    assert len(imported) == len(IMPORT_ORDER)


def test_jsonl_export_is_utf8_with_chinese_intact(tmp_path):
    OrganisationFactory(name_en="", name_zh="深圳地铁")
    path = tmp_path / "o.jsonl"
    call_command("export", "organisation", str(path))
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert row["name_zh"] == "深圳地铁"


def test_export_of_people_leaves_out_those_without_consent(tmp_path):
    from ecotone.core.testing import PersonFactory

    PersonFactory(name_en="Public Speaker", public_consent=True)
    PersonFactory(name_en="Private Person", public_consent=False)
    path = tmp_path / "people.csv"
    call_command("export", "people", str(path))
    text = path.read_text(encoding="utf-8")
    assert "Public Speaker" in text and "Private Person" not in text


def test_imports_leave_an_audit_entry(tmp_path):
    from ecotone.accounts.models import AuditEntry

    path = tmp_path / "o.csv"
    path.write_text("external_id,name_en,kind\no-1,A,ngo\n", encoding="utf-8")
    call_command("import", "organisation", str(path))
    entry = AuditEntry.objects.get(action="import")
    assert entry.object_repr == "organisations: 1 created, 0 updated"
