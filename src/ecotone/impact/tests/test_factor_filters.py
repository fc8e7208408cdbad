"""One definition of the emission-factor filters: the library page, ``GET impact/factors``,
the page's CSV download and ``ecotone impact factors export`` select the same factors for
the same parameters, and refuse the same bad ones naming them."""

import csv
import io
import re

import pytest
from django.core.management import CommandError, call_command

from ecotone.impact.factors import export_factors, import_factors
from ecotone.impact.models import EmissionFactor

PARAMETERS = [
    {},
    {"dataset": "cn-electricity"},
    {"kind": "grid_average"},
    {"region": "North China"},
    {"region": "north china"},  # any case
    {"region": "华北"},  # or the Chinese name
    {"year": "2023"},
    {"q": "natural gas"},
    {"q": "华北"},
    {"dataset": "cn-electricity", "year": "2022", "kind": "grid_average"},
    {"q": "north-china", "all_versions": "true"},
]


@pytest.fixture
def library_with_an_old_version(library):
    """One North China factor with a second version, so ``all_versions`` changes things."""
    current = EmissionFactor.objects.filter(region="North China", year=2023).order_by("pk")[0]
    sheet = io.StringIO()
    export_factors(sheet, [current])
    changed = sheet.getvalue().replace(f",{current.value},", f",{current.value + 0.01},", 1)
    import_factors(io.StringIO(changed), change_note="a corrected value")
    newer = EmissionFactor.objects.get(key=current.key, superseded_by__isnull=True)
    assert newer.version == current.version + 1
    return current, newer


def page_keys(client, params) -> list[tuple[str, int]]:
    """Every factor the library page lists, page after page, as (key, version)."""
    found, number = [], 1
    while True:
        response = client.get("/en/impact/factors/", {**params, "page": number})
        assert response.status_code == 200
        html = response.content.decode()
        found += [(key, int(v)) for key, v in re.findall(r"<code>([^<]+)</code> v(\d+)", html)]
        if f"page={number + 1}" not in html:
            return found
        number += 1


def api_keys(client, params) -> list[tuple[str, int]]:
    found, cursor = [], None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/impact/factors", query).json()
        found += [(item["key"], item["version"]) for item in body["items"]]
        cursor = body["next"]
        if not cursor:
            return found


def csv_keys(text: str) -> list[tuple[str, int]]:
    return [(row["key"], int(row["version"])) for row in csv.DictReader(io.StringIO(text))]


def download_keys(client, params) -> list[tuple[str, int]]:
    response = client.get("/en/impact/factors/export.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return csv_keys(response.content.decode())


def cli_keys(params) -> list[tuple[str, int]]:
    options = {name: value for name, value in params.items() if name != "all_versions"}
    flags = ["--all-versions"] if params.get("all_versions") else []
    argv = [f"--{name}={value}" for name, value in options.items()]
    out = io.StringIO()
    call_command("impact", "factors", "export", *argv, *flags, stdout=out, stderr=io.StringIO())
    return csv_keys(out.getvalue())


def parameter_id(params: dict) -> str:
    return "&".join(f"{name}={value}" for name, value in params.items()) or "none"


@pytest.mark.parametrize("params", PARAMETERS, ids=parameter_id)
def test_the_same_parameters_give_the_same_factors_on_every_door(
    client, library_with_an_old_version, params
):
    on_page = page_keys(client, params)
    assert on_page  # each set of parameters selects some factors of the shipped library
    assert sorted(api_keys(client, params)) == sorted(on_page)
    assert download_keys(client, params) == on_page  # the download keeps the page's order
    assert sorted(cli_keys(params)) == sorted(on_page)


def test_the_filters_mean_what_they_say(client, library_with_an_old_version):
    old, new = library_with_an_old_version
    north = page_keys(client, {"region": "华北", "year": "2023"})
    assert north and all("north-china" in key for key, _version in north)
    assert (old.key, old.version) not in north and (new.key, new.version) in north
    every = page_keys(client, {"q": old.key, "all_versions": "true"})
    assert {(old.key, old.version), (new.key, new.version)} <= set(every)
    assert all(kind == "grid_average" for kind in _kinds(client, {"kind": "grid_average"}))


def _kinds(client, params) -> list[str]:
    return [
        item["kind"]
        for item in client.get("/api/v1/impact/factors", {**params, "limit": 100}).json()["items"]
    ]


@pytest.mark.parametrize(("name", "value"), [("kind", "nonsense"), ("year", "0"), ("year", "x")])
def test_a_bad_filter_is_refused_naming_it_on_every_door(client, library, name, value):
    api = client.get("/api/v1/impact/factors", {name: value})
    assert api.status_code == 422 and api.json()["field"] == name
    page = client.get("/en/impact/factors/", {name: value})
    assert page.status_code == 400
    assert f"<strong>{name}</strong>" in page.content.decode()
    assert "<code>" not in page.content.decode().split("<tbody>")[1]
    assert client.get("/en/impact/factors/export.csv", {name: value}).status_code == 400
    with pytest.raises(CommandError, match=f"--{name}"):
        call_command("impact", "factors", "export", f"--{name}={value}", stdout=io.StringIO())


def test_the_library_page_offers_its_own_selection_as_csv(client, library):
    html = client.get("/en/impact/factors/", {"dataset": "cn-electricity", "page": 2}).content
    assert b'href="/en/impact/factors/export.csv?dataset=cn-electricity" download' in html
