"""Numbers too large for a float or a database column: a 422 naming the field, never a 500."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOO_BIG = "9223372036854775808"  # 2**63
HUGE = "9" * 400  # a JSON integer no float can hold


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def calculate(client, body: str):
    return client.post("/api/v1/impact/calculate", body, content_type="application/json")


@pytest.mark.parametrize("name", ["case", "solution"])
@pytest.mark.parametrize("value", [TOO_BIG, "0", "-3"])
def test_a_record_filter_out_of_range_is_a_422_naming_it(client, name, value):
    response = client.get("/api/v1/impact/calculations", {name: value})
    assert response.status_code == 422
    assert response.json()["field"] == name


@pytest.mark.parametrize("path", ["factors", "calculations"])
def test_an_id_out_of_range_in_the_path_is_a_422(client, path):
    response = client.get(f"/api/v1/impact/{path}/{TOO_BIG}")
    assert response.status_code == 422


@pytest.mark.parametrize("year", ["0", "10000", TOO_BIG])
def test_a_factor_year_out_of_range_is_a_422(client, year):
    response = client.get("/api/v1/impact/factors", {"year": year})
    assert response.status_code == 422
    assert response.json()["field"] == "year"


FACTOR = {"value": 1, "unit": "t CO2e / MWh"}


def with_huge(body: dict) -> str:
    """``body`` as JSON with every ``"<huge>"`` written as a 400-digit integer."""
    return json.dumps(body).replace('"<huge>"', HUGE)


@pytest.mark.parametrize(
    "activity",
    [{"value": "<huge>", "unit": "MWh"}, {"value": 1, "unit": "MWh", "high": "<huge>"}],
)
def test_an_integer_too_large_for_a_float_is_a_422_naming_the_input(client, activity):
    inputs = {"activity": activity, "factor": FACTOR}
    response = calculate(client, with_huge({"methodology": "activity_factor", "inputs": inputs}))
    assert response.status_code == 422
    assert response.json()["field"] == "activity"


def test_a_series_year_too_large_is_a_422(client):
    series = [{"year": "<huge>", "value": 10, "unit": "t CO2e"}]
    body = with_huge({"methodology": "cumulative_total", "inputs": {"annual": series}})
    response = calculate(client, body)
    assert response.status_code == 422
    assert response.json()["field"] == "annual"


def test_a_context_year_out_of_range_is_a_422(client):
    inputs = {"activity": {"value": 1, "unit": "MWh"}, "factor": FACTOR}
    body = {"methodology": "activity_factor", "context": {"year": "<huge>"}, "inputs": inputs}
    response = calculate(client, with_huge(body))
    assert response.status_code == 422
    assert response.json()["field"] == "year"


@pytest.mark.parametrize("value", ["²", "abc", "0", TOO_BIG])
@pytest.mark.parametrize("name", ["case", "solution"])
def test_the_calculator_page_answers_a_bad_record_id_with_a_400(client, name, value):
    response = client.get("/en/impact/calculate/activity_factor/", {name: value})
    assert response.status_code == 400


@pytest.mark.parametrize("year", ["²", "0", "99999", "9" * 5000])
def test_saving_with_a_year_that_is_not_one_shows_the_form_error(member, case, year):
    from ecotone.core.testing import logged_in
    from ecotone.impact.models import Calculation

    form = {
        "activity__value": "10",
        "activity__unit": "MWh",
        "factor__value": "0.5",
        "factor__unit": "t CO2e / MWh",
        "case": case.pk,
        "save": "1",
        "year": year,
    }
    response = logged_in(member).post("/en/impact/calculate/activity_factor/", form)
    assert response.status_code in (200, 400)
    assert b'data-error-field="year"' in response.content
    assert not Calculation.objects.exists()
