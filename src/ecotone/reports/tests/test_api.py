"""``/api/v1/reports/dashboard`` and ``/api/v1/open-data``."""

from django.test import Client


def test_dashboard_api_gives_figures_with_their_records(world):
    response = Client().get("/api/v1/reports/dashboard?year=2023&region=Shenzhen")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2023 and body["region"] == "Shenzhen"
    assert body["counts"]["cases"] == 3 and body["counts"]["awards"] == 2
    sectors = next(chart for chart in body["charts"] if chart["slug"] == "sectors")
    energy = next(row for row in sectors["rows"] if row["label"] == "Energy")
    assert energy["cells"][0]["value"] == 2
    assert energy["cells"][0]["records_url"].startswith(
        "http://testserver/en/reports/records/cases/"
    )
    assert sectors["csv_url"].endswith("/reports/charts/sectors.csv?year=2023&region=Shenzhen")
    assert "introductions" not in {chart["slug"] for chart in body["charts"]}


def test_dashboard_api_rejects_a_bad_year_naming_the_field(db):
    response = Client().get("/api/v1/reports/dashboard?year=soon")
    assert response.status_code == 422
    assert response.json()["field"] == "year"


def test_open_data_api_lists_each_download(world):
    body = Client().get("/api/v1/open-data").json()
    cases = next(dataset for dataset in body["datasets"] if dataset["name"] == "cases")
    assert cases["published"] == 5 and cases["schema_type"] == "CreativeWork"
    assert {d["format"] for d in cases["downloads"]} == {"csv", "xlsx", "json", "jsonld"}
    assert "CC BY 4.0" in body["licence"]
