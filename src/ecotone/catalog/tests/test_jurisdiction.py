"""A document's jurisdiction (``Resource.jurisdiction``): a country, the European Union or
"international"; shown on its page, filtered on the list page and in the API, imported and
exported, and filled by the demo from its sources."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from ecotone.accounts.models import ApiToken
from ecotone.catalog.importing import ImportFailed, import_file
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Resource
from ecotone.core.testing import UserFactory

pytestmark = pytest.mark.django_db

RESOURCE_HEADER = "external_id,kind,title_en,jurisdiction\n"


def document(external_id: str, jurisdiction: str, **fields) -> Resource:
    fields = {"title_en": external_id, "kind": "policy", **fields}
    return Resource.objects.create(
        external_id=external_id, jurisdiction=jurisdiction, status="published", **fields
    )


def test_the_record_page_names_the_jurisdiction_in_both_languages():
    eu = document("eu-mrr", "EU", title_en="EU ETS monitoring")
    cn = document("cn-measures", "CN", title_en="Carbon market measures")
    client = Client()
    english = client.get(f"/en/resources/{eu.pk}/").content.decode()
    chinese = client.get(f"/zh-hans/resources/{eu.pk}/").content.decode()
    assert "Jurisdiction" in english and 'data-jurisdiction="EU">European Union<' in english
    assert "适用地区" in chinese and 'data-jurisdiction="EU">欧盟<' in chinese
    chinese_cn = client.get(f"/zh-hans/resources/{cn.pk}/").content.decode()
    assert 'data-jurisdiction="CN">中国<' in chinese_cn


def test_a_document_without_one_says_it_is_not_recorded():
    report = document("report", "", kind="report")
    page = Client().get(f"/en/resources/{report.pk}/").content.decode()
    assert "data-jurisdiction" not in page and "not recorded" in page


def test_the_list_page_filters_by_jurisdiction_and_offers_the_eu_first():
    document("eu-mrr", "EU", title_en="EU ETS monitoring")
    document("ca-credit", "CA", title_en="Canada CCUS tax credit")
    document("imo-occs", "INT", title_en="IMO onboard capture")
    client = Client()
    page = client.get("/en/resources/", {"jurisdiction": "CA"}).content.decode()
    assert "Canada CCUS tax credit" in page
    assert "EU ETS monitoring" not in page and "IMO onboard capture" not in page
    options = page[page.index('name="jurisdiction"') :]
    assert options.index('value="EU"') < options.index('value="INT"') < options.index('value="AD"')
    chinese = client.get("/zh-hans/resources/", {"jurisdiction": "INT"}).content.decode()
    assert "IMO onboard capture" in chinese and ">国际<" in chinese


def test_the_api_filters_by_jurisdiction_and_gives_it_in_the_record():
    document("eu-mrr", "EU", title_en="EU ETS monitoring")
    document("ca-credit", "CA", title_en="Canada CCUS tax credit")
    client = Client()
    rows = client.get("/api/v1/resources", {"jurisdiction": "EU"}).json()["results"]
    assert [(row["title_en"], row["jurisdiction"]) for row in rows] == [("EU ETS monitoring", "EU")]
    wrong = client.get("/api/v1/resources", {"jurisdiction": "Atlantis"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "jurisdiction"


def test_the_api_refuses_an_unknown_jurisdiction_naming_the_field():
    _, raw = ApiToken.issue(user=UserFactory(is_staff=True), name="t")
    response = Client().post(
        "/api/v1/resources",
        {"title_en": "A law", "kind": "policy", "jurisdiction": "Narnia"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "jurisdiction"
    assert not Resource.objects.exists()


def test_an_import_names_the_row_and_column_of_an_unknown_jurisdiction(tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(
        RESOURCE_HEADER + "r-1,policy,EU rules,eu\nr-2,policy,Narnian law,Narnia\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failure:
        import_file(KINDS["resource"], path)
    [error] = failure.value.result.errors
    assert (error.row, error.column) == (3, "jurisdiction")
    assert "Narnia" in error.message and "EU" in error.message and "INT" in error.message
    assert not Resource.objects.exists()


@pytest.mark.parametrize("extension", ["csv", "xlsx", "jsonl"])
def test_export_then_import_keeps_the_jurisdiction(tmp_path, extension):
    document("eu-mrr", "EU")
    document("imo-occs", "INT")
    document("cn-measures", "CN")
    document("report", "")
    path = tmp_path / f"resources.{extension}"
    call_command("export", "resources", str(path))
    Resource.objects.all().delete()
    call_command("import", "resource", str(path))
    restored = dict(Resource.objects.values_list("external_id", "jurisdiction"))
    assert restored == {"eu-mrr": "EU", "imo-occs": "INT", "cn-measures": "CN", "report": ""}


def demo_resources() -> dict[str, dict]:
    path = settings.DATA_DIR / "demo" / "resources.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {row["external_id"]: row for row in rows}


def test_the_demo_records_each_policys_and_documents_jurisdiction_from_its_source():
    resources = demo_resources()
    policies = {k: r for k, r in resources.items() if k.startswith("ccus-pol-")}
    source = settings.DATA_DIR / "sources" / "ccus_policies_bilingual.jsonl"
    countries = [json.loads(line)["country"] for line in source.open(encoding="utf-8")]
    by_title = {r["title_en"]: r.get("jurisdiction", "") for r in policies.values()}
    assert len(by_title) == len(countries) == 60 and all(by_title.values())
    assert by_title["EU ETS Monitoring and Reporting Regulation (MRR) 2024 Revision"] == "EU"
    assert by_title["IMO Onboard Carbon Capture & Storage (OCCS) Framework"] == "INT"
    recorded = list(by_title.values())
    for code, name in [("CN", "China"), ("CA", "Canada"), ("INT", "International")]:
        assert recorded.count(code) == countries.count(name)
    documents = {k: r["jurisdiction"] for k, r in resources.items() if k.startswith("doc-")}
    assert {k: v for k, v in documents.items() if k.startswith("doc-cn-")} == {
        k: "CN" for k in documents if k.startswith("doc-cn-")
    }
    assert {v for k, v in documents.items() if k.startswith("doc-us-")} == {"US"}


def test_the_demo_loads_the_jurisdictions(tmp_path):
    rows = [row for row in demo_resources().values() if row["external_id"].startswith("doc-us-")]
    path = tmp_path / "resources.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows[:2]), encoding="utf-8")
    import_file(KINDS["resource"], path)
    assert set(Resource.objects.values_list("jurisdiction", flat=True)) == {"US"}
