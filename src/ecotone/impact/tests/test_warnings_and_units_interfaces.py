"""Warnings, signs and units through the API, the calculator page, the CLI and the database."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ecotone.core.testing import logged_in
from ecotone.impact.models import Calculation
from ecotone.impact.services import Subject, UnacknowledgedWarnings, recalculate, save_calculation

CALCULATE = "/api/v1/impact/calculate"
NATIONAL = {
    "electricity": {"value": 120_121_000, "unit": "MWh"},
    "grid_factor": {"value": 0.5366, "unit": "t CO2e / MWh"},
}


def post(client, body, **query):
    url = CALCULATE + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, body, content_type="application/json")


def test_without_acknowledgement_the_api_lists_each_warning_with_its_field(client, db):
    response = post(client, {"methodology": "grid_electricity_displacement", "inputs": NATIONAL})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unconfirmed_warnings" and body["field"] == "electricity"
    assert body["errors"] == [
        {
            "field": "electricity",
            "message": "electricity: 120,121,000 MWh is city scale, above what a case "
            "reaches (10,000,000 MWh): confirm.",
        }
    ]


def test_acknowledged_the_result_carries_its_warnings(client, db):
    body = {
        "methodology": "grid_electricity_displacement",
        "inputs": NATIONAL,
        "acknowledge_warnings": True,
    }
    answer = post(client, body).json()
    assert answer["result"] == {"value": pytest.approx(64_456_928.6), "unit": "t CO2e"}
    assert answer["warnings"][0]["field"] == "electricity" and answer["scale"] == "case"


def test_the_declared_scale_removes_the_warning(client, db):
    body = {
        "methodology": "grid_electricity_displacement",
        "inputs": NATIONAL,
        "context": {"scale": "country"},
    }
    answer = post(client, body).json()
    assert answer["warnings"] == [] and answer["scale"] == "country"
    bad = post(client, {**body, "context": {"scale": "galaxy"}})
    assert bad.status_code == 422 and bad.json()["field"] == "scale"


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("Mt CO2e/yr", None, 64.4569286),
        ("万吨CO2/年", None, 6445.69286),
        ("kt CO2e", None, 64456.9286),
        ("t CO2e", None, 64456928.6),
    ],
)
def test_an_annual_result_in_any_compatible_unit(client, db, unit, value, expected):
    body = {
        "methodology": "grid_electricity_displacement",
        "inputs": NATIONAL,
        "context": {"scale": "country"},
    }
    answer = post(client, body, unit=unit).json()
    assert answer["result"]["unit"] == unit
    assert answer["result"]["value"] == pytest.approx(expected)
    assert answer["range"]["unit"] == unit


@pytest.mark.parametrize(
    ("methodology", "inputs", "unit", "message"),
    [
        (
            "grid_electricity_displacement",
            {
                "electricity": {"value": 1, "unit": "MWh"},
                "grid_factor": {"value": 1, "unit": "t CO2e / MWh"},
            },
            "MWh",
            "cannot be expressed in MWh",
        ),
        (
            "cumulative_total",
            {
                "annual": [{"year": 2020, "value": 5, "unit": "t CO2e"}],
                "from_year": {"value": 2020},
                "to_year": {"value": 2020},
            },
            "t CO2e/yr",
            "a cumulative result is a total, not a rate",
        ),
        (
            "grid_electricity_displacement",
            {
                "electricity": {"value": 1, "unit": "MWh"},
                "grid_factor": {"value": 1, "unit": "t CO2e / MWh"},
            },
            "bananas",
            "unknown unit",
        ),
    ],
)
def test_an_incompatible_result_unit_is_a_422_naming_unit(
    client, db, methodology, inputs, unit, message
):
    response = post(client, {"methodology": methodology, "inputs": inputs}, unit=unit)
    assert response.status_code == 422
    assert response.json()["field"] == "unit" and message in response.json()["message"]


def test_chinese_units_through_the_api_with_the_trace(client, db):
    inputs = {
        "electricity": {"value": 1.2, "unit": "亿千瓦时"},
        "grid_factor": {"value": 0.5366, "unit": "kgCO2e/kWh"},
    }
    answer = post(client, {"methodology": "grid_electricity_displacement", "inputs": inputs}).json()
    assert answer["result"]["value"] == pytest.approx(64_392)
    assert answer["trace"][0] == "electricity: 1.2 亿千瓦时 = 120,000 MWh."
    assert "grid_factor: 0.5366 kgCO2e/kWh = 0.5366 t CO2e / MWh." in answer["trace"]


def test_methodologies_say_which_sign_each_input_allows(client, db):
    by_id = {m["id"]: m for m in client.get("/api/v1/impact/methodologies").json()}
    annual = {i["name"]: i for i in by_id["cumulative_total"]["inputs"]}["annual"]
    assert annual["sign"] == "any" and annual["minimum"] is None and annual["scales"]
    electricity = by_id["grid_electricity_displacement"]["inputs"][0]
    assert electricity["sign"] == "non-negative" and electricity["scales"]


def test_a_negative_series_through_the_api(client, db):
    series = [{"year": 2020 + i, "value": v, "unit": "t CO2e"} for i, v in enumerate((-50, 20))]
    inputs = {"annual": series, "from_year": {"value": 2020}, "to_year": {"value": 2021}}
    answer = post(client, {"methodology": "cumulative_total", "inputs": inputs}).json()
    assert answer["result"]["value"] == -30
    assert answer["trace"][-1] == "The total is negative: a net increase in emissions of 30 t CO2e."


# --- stored calculations -------------------------------------------------------------------


def save(case, member, **options):
    return save_calculation(
        actor=member,
        subject=Subject(case=case),
        methodology_id="grid_electricity_displacement",
        inputs=NATIONAL,
        year=2022,
        **options,
    )


def test_saving_needs_the_acknowledgement_and_stores_the_warnings(case, member):
    with pytest.raises(UnacknowledgedWarnings) as caught:
        save(case, member)
    assert caught.value.field == "electricity" and not Calculation.objects.exists()
    calculation = save(case, member, acknowledge_warnings=True)
    stored = Calculation.objects.get(pk=calculation.pk)
    assert stored.context["scale"] == "case"
    assert [w["field"] for w in stored.warnings] == ["electricity"]


def test_stored_warnings_show_on_the_page_and_in_the_api_in_both_languages(client, case, member):
    calculation = save(case, member, acknowledge_warnings=True)
    api = client.get(f"/api/v1/impact/calculations/{calculation.pk}").json()
    assert api["warnings"][0]["field"] == "electricity"
    per_year = client.get(f"/api/v1/impact/calculations/{calculation.pk}", {"unit": "Mt CO2e/yr"})
    assert per_year.json()["result"]["value"] == pytest.approx(64.4569286)
    english = client.get(f"/en/impact/calculations/{calculation.pk}/").content.decode()
    assert "Values confirmed when this calculation was saved" in english
    assert 'data-warning-field="electricity"' in english and "city scale" in english
    chinese = client.get(f"/zh-hans/impact/calculations/{calculation.pk}/").content.decode()
    assert "保存此计算时已确认的数值" in chinese and "城市尺度" in chinese


def test_a_stored_result_in_an_incompatible_unit_is_the_same_422_as_a_new_one(client, case, member):
    calculation = save(case, member, acknowledge_warnings=True)
    stored = client.get(f"/api/v1/impact/calculations/{calculation.pk}", {"unit": "kWh"})
    assert stored.status_code == 422
    assert stored.json()["code"] == "invalid_input" and stored.json()["field"] == "unit"


def test_recalculating_with_new_inputs_needs_a_new_acknowledgement(case, member):
    calculation = save(case, member, acknowledge_warnings=True)
    again = recalculate(calculation, actor=member, reason="same inputs")
    assert again.warnings == calculation.warnings
    bigger = {**NATIONAL, "electricity": {"value": 9_000, "unit": "TWh"}}
    with pytest.raises(UnacknowledgedWarnings):
        recalculate(again, actor=member, reason="bigger", inputs=bigger)
    newest = recalculate(again, actor=member, reason="ok", inputs=bigger, acknowledge_warnings=True)
    assert "national scale" in newest.warnings[0]["params"]["level"]["msgid"] + " scale"


# --- the calculator page -------------------------------------------------------------------

URL = "/en/impact/calculate/grid_electricity_displacement/"
FORM = {
    "electricity__value": "120121000",
    "electricity__unit": "MWh",
    "grid_factor__value": "0.5366",
    "grid_factor__unit": "t CO2e / MWh",
}


def test_the_page_shows_the_result_beside_its_warnings_and_a_checkbox(client, db):
    page = client.post(URL, FORM).content.decode()
    assert "64,456,900 t CO2e" in page
    assert 'data-warning-field="electricity"' in page
    assert 'name="acknowledge_warnings"' in page
    assert not Calculation.objects.exists()


def test_the_page_saves_only_once_the_warnings_are_confirmed(case, member):
    browser = logged_in(member)
    form = {**FORM, "case": case.pk, "save": "1", "year": "2022"}
    refused = browser.post(URL, form)
    assert refused.status_code == 200 and not Calculation.objects.exists()
    assert b'data-error-field="electricity"' in refused.content
    assert b"Check the values flagged beside the result" in refused.content
    saved = browser.post(URL, {**form, "acknowledge_warnings": "1"})
    calculation = Calculation.objects.get()
    assert saved.status_code == 302 and calculation.warnings[0]["field"] == "electricity"


def test_the_page_scale_choice_removes_the_warning(client, db):
    page = client.post(URL, {**FORM, "scale": "country"}).content.decode()
    assert "64,456,900 t CO2e" in page and "data-warning-field" not in page
    assert '<option value="country" selected>' in page


def test_the_page_takes_chinese_units_and_says_how_it_read_them(client, db):
    page = client.post(URL, {**FORM, "electricity__value": "1.2", "electricity__unit": "亿千瓦时"})
    text = page.content.decode()
    assert "electricity: 1.2 亿千瓦时 = 120,000 MWh." in text and "64,392 t CO2e" in text


# --- the CLI -------------------------------------------------------------------------------


def cli(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("impact", "calc", *arguments, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_the_cli_needs_the_acknowledgement_and_lists_the_warnings(db):
    body = json.dumps({"inputs": NATIONAL})
    err = io.StringIO()
    with pytest.raises(CommandError, match="--acknowledge-warnings"):
        call_command("impact", "calc", "grid_electricity_displacement", "--json", body, stderr=err)
    assert err.getvalue().startswith("electricity: 120,121,000 MWh is city scale")
    answer, _ = cli("grid_electricity_displacement", "--json", body, "--acknowledge-warnings")
    assert answer["warnings"][0]["field"] == "electricity"
    answer, _ = cli(
        "grid_electricity_displacement",
        "--json",
        body,
        "--scale",
        "country",
        "--unit",
        "Mt CO2e/yr",
    )
    assert answer["warnings"] == [] and answer["result"]["value"] == pytest.approx(64.4569286)


def test_the_cli_reads_chinese_units(db):
    answer, _ = cli(
        "grid_electricity_displacement",
        "--input",
        "electricity=1.2 亿千瓦时",
        "--input",
        "grid_factor=0.5366 kgCO2e/kWh",
        "--language",
        "zh-hans",
    )
    assert answer["result"]["value"] == pytest.approx(64_392)
    assert answer["trace"][0] == "electricity：1.2 亿千瓦时 = 120,000 MWh。"


def test_the_page_gives_the_result_in_the_unit_asked(client, db):
    form = {**FORM, "scale": "country", "result_unit": "万吨CO2/年"}
    page = client.post(URL, form).content.decode()
    assert "6,445.69 万吨CO2/年" in page
    bad = client.post(URL, {**form, "result_unit": "MWh"}).content.decode()
    assert 'data-error-field="unit"' in bad and "cannot be expressed in MWh" in bad
