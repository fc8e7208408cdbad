"""The catalogue's filter sets are the one definition of a list: the list page, the API
list, the page's CSV download and ``ecotone export --filter`` select the same records for
the same parameters, and refuse the same bad parameter naming it."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command

from ecotone.catalog.models import Case, Organisation, Sector
from ecotone.core.testing import (
    CaseFactory,
    OrganisationFactory,
    UserFactory,
    logged_in,
    make_member,
    token_headers,
)


@pytest.fixture
def records(db):
    """Cases and organisations in Shenzhen (named in English, in Chinese, or both), Berlin
    and nowhere, in two sectors and three years, one of them a draft."""
    energy, transport = (
        Sector.objects.filter(parent=None).order_by("position", "slug")[i] for i in (0, 1)
    )
    places = [
        ("Shenzhen", "深圳", "CN"),
        ("shenzhen", "", "CN"),
        ("", "深圳", "CN"),
        ("Berlin", "", "DE"),
        ("", "", "CN"),
    ]
    owner = OrganisationFactory(city="Shenzhen", city_zh="深圳")
    for number, (city, city_zh, country) in enumerate(places * 2):
        organisation = OrganisationFactory(
            name_en=f"Heat Works {number}", city=city, city_zh=city_zh, country=country
        )
        case = CaseFactory(
            title_en=f"Heat pumps {number}" if number % 2 else f"Solar roofs {number}",
            city=city,
            city_zh=city_zh,
            country=country,
            start_date=datetime.date(2021 + number % 3, 1, 1),
            owner=owner,
            status="draft" if number == 9 else "published",
        )
        case.organisations.set([organisation])
        case.sectors.set([energy if number % 2 else transport])
    return {"owner": owner, "energy": energy, "transport": transport}


def cases_parameters(records):
    return [
        {},
        {"city": "Shenzhen"},
        {"city": "深圳"},
        {"city": "SHENZHEN"},
        {"country": "DE"},
        {"sector": records["energy"].slug},
        {"year": "2022"},
        {"q": "heat pumps"},
        {"city": "Shenzhen", "sector": records["transport"].slug, "year": "2021"},
    ]


def on_page(client, plural, params) -> list[int]:
    found, number = [], 1
    while True:
        response = client.get(f"/en/{plural}/", {**params, "page": number})
        assert response.status_code == 200
        html = response.content.decode()
        found += [
            int(pk)
            for pk in re.findall(rf'<h2 class="card-title"><a href="/en/{plural}/(\d+)/"', html)
        ]
        if f"page={number + 1}" not in html:
            return found
        number += 1


def in_api(client, plural, params, headers=None) -> list[int]:
    found, cursor = [], None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/v1/{plural}", query, headers=headers or {}).json()
        found += [item["id"] for item in body["results"]]
        if not (cursor := body["next"]):
            return found


def external_ids_to_pks(model, rows) -> list[int]:
    by_key = dict(model.objects.values_list("external_id", "pk"))
    return [by_key[row["external_id"]] for row in rows]


def downloaded(client, plural, model, params) -> list[int]:
    response = client.get(f"/en/{plural}/export.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return external_ids_to_pks(model, csv.DictReader(io.StringIO(text)))


def exported(plural, model, params, tmp_path) -> list[int]:
    path = tmp_path / f"{plural}.csv"
    argv = [f"--filter={name}={value}" for name, value in params.items()]
    call_command("export", plural, str(path), *argv, stdout=io.StringIO())
    with path.open(encoding="utf-8") as handle:
        return external_ids_to_pks(model, csv.DictReader(handle))


def test_the_same_parameters_give_the_same_cases_on_every_door(client, records, tmp_path):
    for params in cases_parameters(records):
        listed = on_page(client, "cases", params)
        assert listed, params
        assert sorted(in_api(client, "cases", params)) == sorted(listed), params
        assert downloaded(client, "cases", Case, params) == sorted(listed), params
        assert exported("cases", Case, params, tmp_path) == sorted(listed), params


def test_the_city_filter_finds_a_city_by_either_of_its_names(client, records):
    english = set(on_page(client, "cases", {"city": "Shenzhen"}))
    assert english == set(on_page(client, "cases", {"city": "深圳"}))
    named = Case.objects.filter(status="published").exclude(city="", city_zh="")
    assert english == {case.pk for case in named if case.country == "CN"}


def test_organisations_too(client, records, tmp_path):
    for params in ({}, {"city": "深圳"}, {"q": "heat works 1"}, {"country": "DE"}):
        listed = on_page(client, "organisations", params)
        assert sorted(in_api(client, "organisations", params)) == sorted(listed), params
        assert downloaded(client, "organisations", Organisation, params) == sorted(listed)
        assert exported("organisations", Organisation, params, tmp_path) == sorted(listed)


def test_a_member_downloads_what_their_list_shows_drafts_included(records):
    member = UserFactory()
    make_member(member, records["owner"])
    browser = logged_in(member)
    listed = on_page(browser, "cases", {"year": "2021"})
    draft = Case.objects.get(status="draft")
    assert draft.pk in listed
    assert sorted(in_api(browser, "cases", {"year": "2021"}, token_headers(member))) == sorted(
        listed
    )
    assert downloaded(browser, "cases", Case, {"year": "2021"}) == sorted(listed)
    assert draft.pk not in downloaded(logged_in(None), "cases", Case, {"year": "2021"})


@pytest.mark.parametrize(("name", "value"), [("year", "0"), ("country", "XX"), ("sector", "no")])
def test_a_bad_filter_is_refused_naming_it_on_every_door(client, records, name, value, tmp_path):
    api = client.get("/api/v1/cases", {name: value})
    assert api.status_code == 422 and api.json()["field"] == name
    page = client.get("/en/cases/", {name: value})
    assert page.status_code == 400
    download = client.get("/en/cases/export.csv", {name: value})
    assert download.status_code == 400
    with pytest.raises(CommandError, match=f"--filter {name}"):
        call_command("export", "cases", str(tmp_path / "x.csv"), f"--filter={name}={value}")
    assert not (tmp_path / "x.csv").exists()


def test_the_cli_names_an_unknown_filter(records, tmp_path):
    with pytest.raises(CommandError, match="--filter colour: cases have the filters q, "):
        call_command("export", "cases", str(tmp_path / "x.csv"), "--filter=colour=green")


def test_the_report_scope_places_a_record_in_a_city_as_the_catalogue_filter_does(client, records):
    from ecotone.reports.scope import ReportScope, parse_region, scoped_cases, scoped_organisations

    for name in ("Shenzhen", "shenzhen", "深圳", "Berlin", "Nowhere"):
        scope = ReportScope(region=parse_region(name))
        assert {c.pk for c in scoped_cases(scope)} == set(
            on_page(client, "cases", {"city": name})
        ), name
        assert {o.pk for o in scoped_organisations(scope)} == set(
            on_page(client, "organisations", {"city": name})
        ), name


def test_the_list_page_offers_its_own_selection_as_csv(client, records):
    html = client.get("/en/cases/", {"city": "深圳", "page": 1}).content.decode()
    assert 'href="/en/cases/export.csv?city=%E6%B7%B1%E5%9C%B3" download' in html
    chinese = client.get("/zh-hans/cases/", {"city": "深圳"}).content.decode()
    assert "下载这些记录（CSV）" in chinese
