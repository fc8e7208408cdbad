"""Open-data downloads: formats, schema.org types, licence notice, published records only."""

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from ecotone.core.testing import PersonFactory


def download(path: str):
    response = Client().get(path)
    assert response.status_code == 200, path
    return response


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
