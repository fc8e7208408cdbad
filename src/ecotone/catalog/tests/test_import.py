import json

import pytest
from openpyxl import Workbook

from ecotone.catalog.importing import ImportFailed, import_file
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Organisation, Solution

pytestmark = pytest.mark.django_db

ORG_HEADER = "external_id,name_en,name_zh,kind,country,city,founded,sectors,description_en\n"


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(kind_name: str, path) -> list:
    with pytest.raises(ImportFailed) as failure:
        import_file(KINDS[kind_name], path)
    return failure.value.result.errors


def test_csv_import_creates_organisations_with_sectors(tmp_path):
    path = write(
        tmp_path,
        "orgs.csv",
        ORG_HEADER
        + "o-1,BYD,比亚迪,corporate,CN,Shenzhen,1995,electric-vehicles; energy-storage,Cars\n"
        + "o-2,Shenzhen Metro,深圳地铁,corporate,CN,Shenzhen,1998,public-transit,\n",
    )
    result = import_file(KINDS["organisation"], path)
    assert (result.created, result.updated) == (2, 0)
    byd = Organisation.objects.get(external_id="o-1")
    assert byd.name_zh == "比亚迪"
    assert byd.founded == 1995
    assert sorted(byd.sectors.values_list("slug", flat=True)) == [
        "electric-vehicles",
        "energy-storage",
    ]
    assert byd.owner_id == byd.pk
    assert byd.status == "published"


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(
        tmp_path,
        "orgs.csv",
        ORG_HEADER
        + "o-1,BYD,比亚迪,corporate,CN,Shenzhen,1995,electric-vehicles; energy-storage,Cars\n",
    )
    import_file(KINDS["organisation"], path)
    again = import_file(KINDS["organisation"], path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_reimport_updates_changed_rows_by_external_id(tmp_path):
    first = write(tmp_path, "a.csv", ORG_HEADER + "o-1,BYD,,corporate,CN,Shenzhen,,,Old\n")
    import_file(KINDS["organisation"], first)
    second = write(tmp_path, "b.csv", ORG_HEADER + "o-1,BYD,,corporate,CN,Xi'an,,,New\n")
    result = import_file(KINDS["organisation"], second)
    assert (result.created, result.updated) == (0, 1)
    assert Organisation.objects.get(external_id="o-1").city == "Xi'an"
    assert Organisation.objects.count() == 1


def test_jsonl_resource_in_the_stable_format(tmp_path):
    row = {
        "external_id": "r-1",
        "title": "深圳新兴产业低碳转型研究报告",
        "text": "报告全文……",
        "language": "zh",
        "url": "https://example.org/report",
        "publisher": "深圳市生态环境局",
        "published": "2023-12-05",
        "sectors": ["climate-policy"],
    }
    path = write(tmp_path, "resources.jsonl", json.dumps(row, ensure_ascii=False) + "\n")
    import_file(KINDS["resource"], path)
    resource = KINDS["resource"].model.objects.get(external_id="r-1")
    assert resource.title_zh == row["title"]
    assert resource.title_en == ""
    assert resource.language == "zh"
    assert (resource.publisher, resource.publisher_zh) == ("", "深圳市生态环境局")
    assert str(resource.published) == "2023-12-05"
    assert list(resource.sectors.values_list("slug", flat=True)) == ["climate-policy"]


def test_xlsx_import(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "name_en", "kind", "country"])
    sheet.append(["x-1", "Grandsun", "corporate", "CN"])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    assert import_file(KINDS["organisation"], path).created == 1


def test_references_resolve_by_external_id(tmp_path):
    write_orgs = write(tmp_path, "o.csv", ORG_HEADER + "o-1,BYD,,corporate,CN,,,,\n")
    import_file(KINDS["organisation"], write_orgs)
    path = write(
        tmp_path,
        "s.jsonl",
        json.dumps(
            {
                "external_id": "s-1",
                "title_en": "Blade battery",
                "provider": "o-1",
                "trl": 9,
                "regions": ["CN", "gb"],
            }
        )
        + "\n",
    )
    import_file(KINDS["solution"], path)
    solution = Solution.objects.get(external_id="s-1")
    assert solution.provider.external_id == "o-1"
    assert solution.owner_id == solution.provider_id
    assert [c.code for c in solution.regions] == ["CN", "GB"]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("o-1,,,corporate,CN,,,,", "name_en", "English or Chinese"),
        ("o-1,Acme,,spaceship,CN,,,,", "kind", "spaceship"),
        ("o-1,Acme,,corporate,Narnia,,,,", "country", "Narnia"),
        ("o-1,Acme,,corporate,CN,,nineteen,,", "founded", "number"),
        ("o-1,Acme,,corporate,CN,,,no-such-sector,", "sectors", "no-such-sector"),
        (",Acme,,corporate,CN,,,,", "external_id", "required"),
    ],
)
def test_each_bad_row_names_its_row_and_column_and_writes_nothing(tmp_path, row, column, fragment):
    good = "o-0,Fine Org,,corporate,CN,,,,\n"
    path = write(tmp_path, "bad.csv", ORG_HEADER + good + row + "\n")
    errors = errors_of("organisation", path)
    assert len(errors) == 1
    assert errors[0].row == 3
    assert errors[0].column == column
    assert fragment.lower() in errors[0].message.lower()
    assert Organisation.objects.count() == 0


def test_bad_date_is_reported(tmp_path):
    path = write(
        tmp_path,
        "cases.jsonl",
        json.dumps({"external_id": "c-1", "title_en": "A case", "start_date": "2023-13-45"}) + "\n",
    )
    [error] = errors_of("case", path)
    assert (error.row, error.column) == (1, "start_date")


def test_duplicate_external_id_in_one_file(tmp_path):
    path = write(
        tmp_path, "d.csv", ORG_HEADER + "o-1,A,,corporate,CN,,,,\n" + "o-1,B,,corporate,CN,,,,\n"
    )
    [error] = errors_of("organisation", path)
    assert error.row == 3 and error.column == "external_id"
    assert "row 2" in error.message


def test_oversized_text_is_refused(tmp_path):
    path = write(tmp_path, "big.csv", ORG_HEADER + "o-1,A,,corporate,CN,,,," + "x" * 25_000 + "\n")
    [error] = errors_of("organisation", path)
    assert error.column == "description_en"
    assert "too long" in error.message


def test_wrong_encoding_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "gbk.csv", ORG_HEADER + "o-1,比亚迪,,corporate,CN,,,,\n", "gbk")
    [error] = errors_of("organisation", path)
    assert error.row == 2
    assert "UTF-8" in error.message


def test_xlsx_with_a_formula_is_refused(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "name_en", "kind", "country", "founded"])
    sheet.append(["x-1", "Grandsun", "corporate", "CN", "=1990+5"])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    [error] = errors_of("organisation", path)
    assert (error.row, error.column) == (2, "founded")
    assert "formula" in error.message
    assert Organisation.objects.count() == 0


def test_unknown_column_is_reported(tmp_path):
    path = write(tmp_path, "u.csv", "external_id,name_en,kind,colour\no-1,A,corporate,green\n")
    [error] = errors_of("organisation", path)
    assert error.column == "colour"


def test_skip_invalid_writes_only_good_rows(tmp_path):
    path = write(
        tmp_path, "mix.csv", ORG_HEADER + "o-1,Good,,corporate,CN,,,,\n" + "o-2,Bad,,nope,CN,,,,\n"
    )
    result = import_file(KINDS["organisation"], path, skip_invalid=True)
    assert result.created == 1 and len(result.errors) == 1
    assert list(Organisation.objects.values_list("external_id", flat=True)) == ["o-1"]


def test_a_failure_in_a_later_file_leaves_earlier_records_alone(tmp_path):
    import_file(
        KINDS["organisation"], write(tmp_path, "a.csv", ORG_HEADER + "o-1,A,,corporate,CN,,,,\n")
    )
    bad = write(
        tmp_path, "b.csv", ORG_HEADER + "o-1,A changed,,corporate,CN,,,,\no-2,,,corporate,CN,,,,\n"
    )
    errors_of("organisation", bad)
    assert Organisation.objects.get(external_id="o-1").name_en == "A"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("yes", True),
        ("1", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("", False),
    ],
)
def test_consent_is_read_literally(tmp_path, cell, expected):
    path = write(tmp_path, "p.csv", f"external_id,name_en,public_consent\np-1,Ada,{cell}\n")
    import_file(KINDS["person"], path)
    assert KINDS["person"].model.objects.get().public_consent is expected


def test_unclear_consent_is_an_error(tmp_path):
    path = write(tmp_path, "p.csv", "external_id,name_en,public_consent\np-1,Ada,maybe\n")
    [error] = errors_of("person", path)
    assert error.column == "public_consent"


def test_updating_a_resource_without_its_kind_keeps_the_kind(tmp_path):
    first = {"external_id": "r-1", "title": "Policy", "language": "en", "kind": "policy"}
    import_file(KINDS["resource"], write(tmp_path, "a.jsonl", json.dumps(first) + "\n"))
    import_file(KINDS["resource"], write(tmp_path, "b.csv", "external_id,publisher\nr-1,MEE\n"))
    resource = KINDS["resource"].model.objects.get()
    assert (resource.kind, resource.publisher) == ("policy", "MEE")


def test_investor_profile_import(tmp_path):
    import_file(
        KINDS["organisation"],
        write(tmp_path, "o.csv", ORG_HEADER + "inv-1,Fund,,investor,CN,,,,\n"),
    )
    path = write(
        tmp_path,
        "i.csv",
        "external_id,organisation,stages,ticket_min_usd,ticket_max_usd,sectors,regions\n"
        "ip-1,inv-1,seed; series_a,100000,2000000,solar-power,CN; SG\n",
    )
    import_file(KINDS["investor_profile"], path)
    profile = Organisation.objects.get(external_id="inv-1").investor_profile
    assert profile.stages == ["seed", "series_a"]
    assert [c.code for c in profile.regions] == ["CN", "SG"]
    bad = write(
        tmp_path,
        "bad.csv",
        "external_id,organisation,stages,ticket_min_usd,ticket_max_usd\nip-2,inv-1,unicorn,5,1\n",
    )
    columns = sorted(error.column for error in errors_of("investor_profile", bad))
    assert columns == ["organisation", "stages", "ticket_max_usd"]


def test_dates_must_be_iso(tmp_path):
    path = write(tmp_path, "c.csv", "external_id,title_en,start_date\nc-1,A case,01/05/2023\n")
    [error] = errors_of("case", path)
    assert error.column == "start_date"


def test_country_codes_are_case_insensitive(tmp_path):
    import_file(KINDS["organisation"], write(tmp_path, "o.csv", ORG_HEADER + "o-1,A,,ngo,cn,,,,\n"))
    assert Organisation.objects.get().country.code == "CN"


def test_investment_import(tmp_path):
    import_file(
        KINDS["organisation"],
        write(
            tmp_path,
            "o.csv",
            ORG_HEADER + "fund-1,Fund,,investor,CN,,,,\nco-1,Sun Co,,startup,CN,,,,\n",
        ),
    )
    header = "external_id,investor,investee,year,round,amount,currency\n"
    import_file(
        KINDS["investment"],
        write(tmp_path, "i.csv", header + "inv-1,fund-1,co-1,2022,Seed,500000,CNY\n"),
    )
    investment = Organisation.objects.get(external_id="fund-1").investments_made.get()
    assert (investment.investee.external_id, investment.year, investment.round) == (
        "co-1",
        2022,
        "Seed",
    )
    bad = write(
        tmp_path,
        "bad.csv",
        header + "inv-2,fund-1,fund-1,2022,Seed,,\ninv-3,fund-1,co-1,2023,A,1000,\n",
    )
    columns = sorted(error.column for error in errors_of("investment", bad))
    assert columns == ["currency", "investee"]
    assert Organisation.objects.get(external_id="fund-1").investments_made.count() == 1


def test_an_import_loads_only_the_records_its_rows_name(tmp_path):
    """Every import used to load every record of its kind (with their sectors) to find the
    ones it updates, so a large directory imported chunk by chunk slowed down each chunk."""
    from django.db.models.signals import post_init

    rows = "".join(f"o-{n},Org {n},,corporate,CN,,,,\n" for n in range(40))
    import_file(KINDS["organisation"], write(tmp_path, "all.csv", ORG_HEADER + rows))
    loaded: list[str] = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.external_id)

    post_init.connect(count, sender=Organisation)
    try:
        update = ORG_HEADER + "o-7,Org seven,,corporate,CN,,,,\no-new,New,,corporate,CN,,,,\n"
        result = import_file(KINDS["organisation"], write(tmp_path, "two.csv", update))
    finally:
        post_init.disconnect(count, sender=Organisation)
    assert (result.created, result.updated) == (1, 1)
    assert "o-30" not in loaded and loaded.count("o-7") <= 2


def test_rows_read_in_blocks_still_find_duplicates_and_updates_across_blocks(tmp_path, monkeypatch):
    from ecotone.catalog import importing

    monkeypatch.setattr(importing, "ROWS_PER_LOOKUP", 2)
    import_file(
        KINDS["organisation"], write(tmp_path, "a.csv", ORG_HEADER + "o-9,Nine,,corporate,CN,,,,\n")
    )
    rows = "o-1,A,,corporate,CN,,,,\no-2,B,,corporate,CN,,,,\no-9,Nine again,,corporate,CN,,,,\n"
    result = import_file(KINDS["organisation"], write(tmp_path, "b.csv", ORG_HEADER + rows))
    assert (result.created, result.updated) == (2, 1)
    assert Organisation.objects.get(external_id="o-9").name_en == "Nine again"
    duplicated = ORG_HEADER + rows + "o-1,A twice,,corporate,CN,,,,\n"
    [error] = errors_of("organisation", write(tmp_path, "c.csv", duplicated))
    assert (error.row, error.column) == (5, "external_id") and "row 2" in error.message
