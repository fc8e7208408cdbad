"""The API contract, the pages in both languages, the panel and the demo step."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from ecotone.catalog.models import Case
from ecotone.core.testing import CaseFactory, UserFactory, logged_in
from ecotone.impact.demo import DEMO_CASES, load_demo_impact
from ecotone.impact.models import Calculation
from ecotone.impact.services import Subject, save_calculation

CALCULATE = "/api/v1/impact/calculate"


def post(client, body):
    return client.post(CALCULATE, body, content_type="application/json")


def test_methodologies_list_ids_inputs_units_and_versions(client):
    body = client.get("/api/v1/impact/methodologies").json()
    by_id = {m["id"]: m for m in body}
    for required in (
        "activity_factor",
        "grid_electricity_displacement",
        "fuel_combustion",
        "vehicle_electrification",
        "cumulative_total",
        "crediting_period",
    ):
        assert required in by_id
    inputs = {i["name"]: i for i in by_id["fuel_combustion"]["inputs"]}
    assert {"fuel_mass", "ncv", "co2_factor", "ch4_factor", "n2o_factor", "gwp_set"} <= set(inputs)
    assert inputs["ncv"]["unit"] == "TJ / Gg" and by_id["fuel_combustion"]["version"] == "1.0"


def test_calculate_returns_result_range_trace_and_factors(client, library):
    response = post(
        client,
        {
            "methodology": "grid_electricity_displacement",
            "inputs": {
                "electricity": {"value": 1, "unit": "TWh"},
                "grid_factor": {"factor": "cn-national-china-average-2022"},
            },
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["result"] == {"value": pytest.approx(536600), "unit": "t CO2e"}
    assert set(body["range"]) == {"low", "high", "unit"}
    assert body["trace"] and body["factors"][0]["key"] == "cn-national-china-average-2022"


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        (
            {
                "electricity": {"value": -1, "unit": "MWh"},
                "grid_factor": {"value": 0.5, "unit": "t CO2e / MWh"},
            },
            "electricity",
        ),
        ({"electricity": {"value": 1, "unit": "MWh"}}, "grid_factor"),
        (
            {
                "electricity": {"value": 1, "unit": "zorks"},
                "grid_factor": {"value": 0.5, "unit": "t CO2e / MWh"},
            },
            "electricity",
        ),
        (
            {"electricity": {"value": 1, "unit": "MWh"}, "grid_factor": {"factor": "nope"}},
            "grid_factor",
        ),
    ],
)
def test_calculate_bad_input_is_422_naming_it(client, db, inputs, field):
    response = post(client, {"methodology": "grid_electricity_displacement", "inputs": inputs})
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_series_input_through_the_api(client, db):
    series = [{"year": y, "value": 10, "unit": "t CO2e"} for y in (2021, 2022, 2023)]
    body = post(
        client,
        {
            "methodology": "cumulative_total",
            "inputs": {"annual": series, "from_year": {"value": 2022}, "to_year": {"value": 2023}},
        },
    ).json()
    assert body["result"]["value"] == 20 and body["period"] == "cumulative"


def test_factor_endpoints(client, library):
    page = client.get("/api/v1/impact/factors", {"dataset": "ipcc-gwp100", "limit": 5}).json()
    assert len(page["items"]) == 5 and page["next"]
    first = page["items"][0]
    assert client.get(f"/api/v1/impact/factors/{first['id']}").json()["key"] == first["key"]
    assert client.get("/api/v1/impact/factors/999999").status_code == 404


def saved(case, member):
    return save_calculation(
        actor=member,
        subject=Subject(case=case),
        year=2022,
        methodology_id="grid_electricity_displacement",
        inputs={
            "electricity": {"value": 1000, "unit": "MWh"},
            "grid_factor": {"factor": "cn-national-china-average-2022"},
        },
    )


def test_calculation_endpoints_hide_unpublished_records(client, library, case, member):
    calculation = saved(case, member)
    assert client.get(f"/api/v1/impact/calculations/{calculation.pk}").json()["result"][
        "value"
    ] == pytest.approx(536.6)
    Case.objects.filter(pk=case.pk).update(status="draft")
    assert client.get(f"/api/v1/impact/calculations/{calculation.pk}").status_code == 404
    assert logged_in(member).get(f"/api/v1/impact/calculations/{calculation.pk}").status_code == 200


def test_calculator_page_anyone_can_try_and_members_can_save(client, library, case, member):
    url = "/en/impact/calculate/grid_electricity_displacement/"
    form = {
        "electricity__value": "2000",
        "electricity__unit": "MWh",
        "grid_factor__factor": "cn-national-china-average-2022",
    }
    page = client.post(url, form)
    assert page.status_code == 200 and b"1,073.2 t CO2e" in page.content
    # the form keeps what was typed, the library factor included, so the result can be saved
    assert b'value="cn-national-china-average-2022"' in page.content
    assert b'name="electricity__value" inputmode="decimal" value="2000"' in page.content
    bad = client.post(url, {**form, "electricity__value": "-3"})
    assert b'data-error-field="electricity"' in bad.content
    stranger = logged_in(UserFactory()).post(
        url, {**form, "case": case.pk, "save": "1", "year": "2022"}
    )
    assert stranger.status_code == 403 and not Calculation.objects.exists()
    response = logged_in(member).post(url, {**form, "case": case.pk, "save": "1", "year": "2022"})
    calculation = Calculation.objects.get()
    assert response.status_code == 302 and response.url == calculation.get_absolute_url()


def test_detail_page_shows_the_trace_and_sources_in_both_languages(client, library, case, member):
    calculation = saved(case, member)
    for language in ("en", "zh-hans"):
        page = client.get(f"/{language}/impact/calculations/{calculation.pk}/")
        assert page.status_code == 200
        assert b"1,000 MWh" in page.content and b"daydaynews.cc" in page.content
        assert "生态环境部".encode() in page.content
    for url in (
        "/en/impact/",
        "/zh-hans/impact/",
        "/en/impact/factors/?q=natural",
        f"/en/impact/factors/{calculation.factors[0]['id']}/",
    ):
        assert client.get(url).status_code == 200


def test_panel_for_the_case_page(library, case, member):
    calculation = saved(case, member)
    request = RequestFactory().get("/")
    request.user = member
    html = Template("{% load impact %}{% impact_panel record %}").render(
        Context({"request": request, "record": case})
    )
    assert calculation.get_absolute_url() in html and "Add a calculation" in html


def test_demo_step_computes_the_published_cases_once(library):
    for external_id in list(DEMO_CASES)[:2]:
        CaseFactory(external_id=external_id, source_url="https://example.org/source")
    messages = []
    load_demo_impact(None, messages.append)
    load_demo_impact(None, messages.append)
    calculations = Calculation.objects.order_by("case__external_id")
    assert calculations.count() == 2
    alxa = Calculation.objects.get(case__external_id="pcs-case-datang-alxa-lanshan-solar-farm")
    assert alxa.value == pytest.approx(300000 * 0.6361) and alxa.claim_value == 370000
    assert alxa.year == 2023 and alxa.factors[0]["region"] == "North China"
