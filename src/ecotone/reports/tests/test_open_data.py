"""Open-data downloads: formats, schema.org types, licence notice, published records only."""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ecotone.core.data_sources import DATA_SOURCES
from ecotone.core.testing import PersonFactory

PLURALS = (
    "organisations",
    "people",
    "solutions",
    "cases",
    "needs",
    "resources",
    "events",
    "awards",
)


class Download:
    """A downloaded file: its headers and its bytes (the files are streamed from disk)."""

    def __init__(self, response):
        self.response = response
        streamed = getattr(response, "streaming_content", None)
        self.content = response.content if streamed is None else b"".join(streamed)

    def __getitem__(self, header: str) -> str:
        return self.response[header]


def download(path: str) -> Download:
    response = Client().get(path)
    assert response.status_code == 200, path
    return Download(response)


def test_open_data_page_lists_every_download(world):
    html = download("/en/reports/open-data/").content.decode()
    for fmt in ("csv", "xlsx", "json", "jsonld"):
        assert f'href="/en/reports/open-data/cases.{fmt}"' in html
    assert 'href="/en/about/data/"' in html


def test_csv_is_the_import_format_without_drafts(world):
    response = download("/en/reports/open-data/cases.csv")
    assert 'rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    titles = {row["title_en"] for row in rows}
    assert titles == {
        "Electric buses",
        "Metro energy saving",
        "Rooftop solar",
        "Old pilot",
        "Berlin PV",
    }
    assert all(row["status"] == "published" for row in rows)


def test_xlsx_opens_with_one_row_per_published_award(world, tmp_path):
    path = tmp_path / "awards.xlsx"
    path.write_bytes(download("/en/reports/open-data/awards.xlsx").content)
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 3  # header and the three published awards


def test_json_carries_the_licence_and_each_records_page(world):
    document = json.loads(download("/en/reports/open-data/organisations.json").content)
    assert "CC BY 4.0" in document["licence"]
    names = {record["name_en"] for record in document["records"]}
    assert "Hidden Ltd" not in names and "BYD" in names
    assert document["count"] == len(document["records"]) == 4
    assert all(
        record["page"].startswith("http://testserver/en/organisations/")
        for record in document["records"]
    )


@pytest.mark.parametrize(
    ("plural", "schema_type", "count"),
    [
        ("organisations", "Organization", 4),
        ("cases", "CreativeWork", 5),
        ("events", "Event", 1),
        ("needs", "Demand", 2),
        ("solutions", "Product", 1),
    ],
)
def test_json_ld_uses_schema_org_types(world, plural, schema_type, count):
    document = json.loads(download(f"/en/reports/open-data/{plural}.jsonld").content)
    assert document["@context"] == "https://schema.org"
    dataset, *records = document["@graph"]
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "http://testserver/en/about/data/"
    assert [record["@type"] for record in records] == [schema_type] * count


def test_json_ld_is_bilingual_and_links_organisers(world):
    graph = json.loads(download("/en/reports/open-data/events.jsonld").content)["@graph"]
    event = graph[1]
    assert {"@value": "深圳边会", "@language": "zh-Hans"} in event["name"]
    assert event["organizer"][0]["@id"].endswith(world["bureau"].get_absolute_url())
    assert event["startDate"] == "2023-12-05"


def test_people_only_with_consent(world):
    PersonFactory(name_en="Public Speaker")
    PersonFactory(name_en="Private Person", public_consent=False)
    graph = json.loads(download("/en/reports/open-data/people.jsonld").content)["@graph"]
    names = [value["@value"] for node in graph[1:] for value in node["name"]]
    assert names == ["Public Speaker"]


def test_unknown_kind_or_format_is_404(db):
    assert Client().get("/en/reports/open-data/cases.pdf").status_code == 404
    assert Client().get("/en/reports/open-data/sessions.csv").status_code == 404


def test_xlsx_carries_the_licence_on_a_sheet_after_the_data(world, tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(download("/en/reports/open-data/cases.xlsx").content)
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames[1:] == ["Licence"]
    data = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(data) == 1 + 5 and "external_id" in data[0]  # still the import format
    licence = "\n".join(str(row[0]) for row in workbook["Licence"].iter_rows(values_only=True))
    assert "http://testserver/en/about/data/" in licence
    for source in DATA_SOURCES:
        assert str(source["name"]) in licence and str(source["licence"]) in licence


def test_json_and_json_ld_carry_the_licence_at_the_top(world):
    document = json.loads(download("/en/reports/open-data/cases.json").content)
    assert next(iter(document)) == "license"
    assert document["license"] == "http://testserver/en/about/data/"
    linked = json.loads(download("/en/reports/open-data/cases.jsonld").content)
    assert linked["license"] == "http://testserver/en/about/data/"
    assert linked["@id"] == linked["@graph"][0]["@id"]  # the graph the licence applies to
    assert "CC BY 4.0" in linked["creditText"]


def test_the_zip_bundles_every_csv_with_licence_sources_and_date(world):
    response = download("/en/reports/open-data/open-data.zip")
    assert response["Content-Type"] == "application/zip"
    assert 'rel="license"' in response["Link"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names[0] == "LICENCE.txt"
    assert sorted(names[1:]) == sorted(f"ecotone-{kind}.csv" for kind in PLURALS)
    licence = archive.read("LICENCE.txt").decode()
    assert "http://testserver/en/about/data/" in licence
    assert timezone.now().date().isoformat() in licence
    for source in DATA_SOURCES:
        assert str(source["name"]) in licence and str(source["licence"]) in licence
    # the CSVs are the same files as the single downloads, header row first
    assert archive.read("ecotone-cases.csv") == download("/en/reports/open-data/cases.csv").content
    header = archive.read("ecotone-awards.csv").decode().splitlines()[0]
    assert header.startswith("external_id,") or "external_id" in header.split(",")


def cached_files(home, name: str) -> list:
    return sorted((home / "reports" / "open-data" / "en").glob(f"*/{name}"))


def test_files_are_built_once_per_state_of_the_data(world, settings):
    home = settings.ECOTONE_HOME
    first = download("/en/reports/open-data/cases.json").content
    [stored] = cached_files(home, "cases.json")
    built_at = stored.stat().st_mtime_ns
    assert download("/en/reports/open-data/cases.json").content == first
    assert cached_files(home, "cases.json") == [stored]
    assert stored.stat().st_mtime_ns == built_at  # served, not rebuilt

    world["bus"].title_en = "Electric buses, fleet of 16,000"
    world["bus"].save()
    document = json.loads(download("/en/reports/open-data/cases.json").content)
    assert "Electric buses, fleet of 16,000" in {
        record["title_en"] for record in document["records"]
    }
    assert cached_files(home, "cases.json") != [stored] and not stored.exists()


def test_the_api_lists_the_bundle(world):
    listing = json.loads(Client().get("/api/v1/open-data").content)
    assert listing["bundle"]["url"] == "http://testserver/en/reports/open-data/open-data.zip"
    html = Client().get("/en/reports/open-data/").content.decode()
    assert 'href="/en/reports/open-data/open-data.zip"' in html


def test_json_ld_names_a_documents_publisher_in_both_languages(world):
    from ecotone.catalog.models import Resource

    Resource.objects.create(
        external_id="dk-neccs",
        title_en="NECCS Fund",
        publisher="Danish Energy Agency",
        publisher_zh="丹麦能源署",
        status="published",
    )
    graph = json.loads(download("/en/reports/open-data/resources.jsonld").content)["@graph"]
    (fund,) = [node for node in graph[1:] if node["name"][0]["@value"] == "NECCS Fund"]
    assert fund["publisher"]["name"] == [
        {"@value": "Danish Energy Agency", "@language": "en"},
        {"@value": "丹麦能源署", "@language": "zh-Hans"},
    ]
