"""Bad input to the catalogue's API and list pages: a 422 (or a 400 page) naming the field,
never a 500, and nothing written."""

import pytest
from django.test import Client

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Solution
from ecotone.core.testing import (
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    make_member,
    token_headers,
)

pytestmark = pytest.mark.django_db

TOO_BIG = "9223372036854775808"  # 2**63: one past the largest id a database column holds
KINDS_WITH_A_YEAR = [
    "organisations",
    "solutions",
    "cases",
    "needs",
    "resources",
    "events",
    "awards",
]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("plural", KINDS_WITH_A_YEAR)
@pytest.mark.parametrize("year", ["0", "-1", "10000", TOO_BIG, "2024.5"])
def test_a_year_out_of_range_is_a_422_naming_year(client, plural, year):
    response = client.get(f"/api/v1/{plural}", {"year": year})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "year"


@pytest.mark.parametrize("plural", KINDS_WITH_A_YEAR)
@pytest.mark.parametrize("year", ["0", "-1", "10000"])
def test_a_list_page_answers_a_year_out_of_range_with_a_form_error(client, plural, year):
    response = client.get(f"/en/{plural}/", {"year": year})
    assert response.status_code == 400
    assert b'class="error"' in response.content


@pytest.mark.parametrize("plural", KINDS_WITH_A_YEAR)
@pytest.mark.parametrize("year", ["1", "9999"])
def test_the_first_and_last_years_of_the_calendar_find_nothing(client, plural, year):
    SolutionFactory()  # a solution's year is when it was added: a time-zoned timestamp
    response = client.get(f"/api/v1/{plural}", {"year": year})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_year_in_range_still_filters(client):
    SolutionFactory(title_en="Added this year")
    this_year = Solution.objects.get().created_at.year
    found = client.get("/api/v1/solutions", {"year": this_year}).json()["results"]
    assert [row["title_en"] for row in found] == ["Added this year"]
    assert client.get("/api/v1/solutions", {"year": this_year - 1}).json()["results"] == []


@pytest.mark.parametrize(("name", "value"), [("trl", "0"), ("trl", "10"), ("trl_min", TOO_BIG)])
def test_a_readiness_level_outside_1_to_9_is_a_422(client, name, value):
    response = client.get("/api/v1/solutions", {name: value})
    assert response.status_code == 422
    assert response.json()["field"] == name


@pytest.mark.parametrize("limit", ["0", "101", "-5", TOO_BIG])
def test_a_limit_outside_1_to_100_is_a_422(client, limit):
    response = client.get("/api/v1/organisations", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def test_a_cursor_past_the_largest_id_is_a_422(client):
    from ecotone.core.pagination import encode_cursor

    response = client.get("/api/v1/organisations", {"cursor": encode_cursor(int(TOO_BIG))})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize("record_id", ["0", TOO_BIG])
def test_a_record_id_out_of_range_is_a_422_naming_it(client, record_id):
    response = client.get(f"/api/v1/solutions/{record_id}")
    assert response.status_code == 422
    assert response.json()["field"] == "record_id"


@pytest.fixture
def editable():
    """A member's draft solution and the member's token headers."""
    member = UserFactory()
    organisation = OrganisationFactory()
    make_member(member, organisation)
    solution = SolutionFactory(provider=organisation, status="draft", title_en="Heat pumps")
    return solution, token_headers(member)


def patch(client, solution, body: str, headers):
    return client.patch(
        f"/api/v1/solutions/{solution.pk}", body, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("body", ["[null, null]", '"str"', "42", "null"])
def test_a_patch_body_that_is_not_an_object_is_a_422_and_writes_nothing(client, editable, body):
    solution, headers = editable
    response = patch(client, solution, body, headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "object" in response.json()["message"]
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"nonsense": 1}', "nonsense"),
        ('{"owner": "test-org-0"}', "owner"),
        ('{"status": "published"}', "status"),
        ('{"title_en": "Better heat pumps", "id": 7}', "id"),
    ],
)
def test_a_patch_with_an_unknown_or_forbidden_field_names_it_and_writes_nothing(
    client, editable, body, field
):
    solution, headers = editable
    response = patch(client, solution, body, headers)
    assert response.status_code == 422
    assert response.json()["field"] == field
    solution.refresh_from_db()
    assert (solution.title_en, solution.status) == ("Heat pumps", "draft")
    assert not AuditEntry.objects.exists()


def test_a_post_with_an_unknown_field_names_it_and_writes_nothing(client, editable):
    _solution, headers = editable
    response = client.post(
        "/api/v1/solutions",
        {"title_en": "New", "colour": "green"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "colour"
    assert Solution.objects.count() == 1


def test_an_empty_patch_changes_nothing_and_writes_no_audit_entry(client, editable):
    solution, headers = editable
    response = patch(client, solution, "{}", headers)
    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


def test_a_real_patch_is_audited_with_its_change(client, editable):
    solution, headers = editable
    response = patch(client, solution, '{"title_en": "Better heat pumps"}', headers)
    assert response.status_code == 200
    assert AuditEntry.objects.get().changes == {"title_en": "Better heat pumps"}
