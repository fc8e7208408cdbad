"""A null character (U+0000) anywhere in a request is refused: PostgreSQL cannot store or
compare text holding one, so it would otherwise be a 500 there (and saved on SQLite)."""

import json

import pytest
from django.test import Client

from ecotone.catalog.models import Solution
from ecotone.core.testing import OrganisationFactory, UserFactory, make_member, token_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/programmes/fuzz%00", "path"),
        ("/api/v1/impact/factors?dataset=%00", "dataset"),
        ("/api/v1/impact/factors?q=a%00b", "q"),
    ],
)
def test_the_api_refuses_a_null_character_in_the_path_or_query(client, url, field):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    "url", ["/api/v1/search?q=%00&city=a%00b", "/api/v1/search/suggest?q=%00", "/en/search/?q=%00"]
)
def test_search_strips_null_characters_itself_and_answers(client, url):
    assert client.get(url).status_code == 200


def test_the_api_refuses_a_null_character_in_a_body_naming_the_field(client):
    member = UserFactory()
    organisation = OrganisationFactory()
    make_member(member, organisation)
    body = {"title_en": "Heat pumps", "owner": organisation.external_id + "\x00"}
    response = client.post(
        "/api/v1/solutions",
        json.dumps(body),
        content_type="application/json",
        headers=token_headers(member),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "owner"
    assert not Solution.objects.exists()


def test_a_nested_field_is_named_by_its_path(client):
    body = {"methodology": "activity_factor", "inputs": {"activity": {"unit": "MWh\x00"}}}
    response = client.post("/api/v1/impact/calculate", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "inputs.activity.unit"


@pytest.mark.parametrize(
    "url", ["/en/impact/factors/?dataset=%00", "/en/reports/records/needs/?city=%00"]
)
def test_a_page_answers_a_null_character_with_a_400(client, url):
    assert client.get(url).status_code == 400
