import pytest
from django.test import Client

from ecotone.accounts.models import ApiToken
from ecotone.catalog.models import Organisation, Sector
from ecotone.core.testing import OrganisationFactory, SolutionFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def token_for(user) -> dict:
    _, raw = ApiToken.issue(user=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


def test_cursor_pagination_walks_every_record_once(client):
    OrganisationFactory.create_batch(7)
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/organisations", params).json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(Organisation.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_limit_is_1_to_100(client):
    OrganisationFactory.create_batch(3)
    assert len(client.get("/api/v1/organisations", {"limit": 100}).json()["results"]) == 3
    response = client.get("/api/v1/organisations", {"limit": 5000})
    assert response.status_code == 422 and response.json()["field"] == "limit"


def test_filters_match_the_list_page(client):
    energy = Sector.objects.get(slug="solar-power")
    solar = SolutionFactory(title_en="Rooftop PV", trl=8)
    solar.sectors.add(energy)
    SolutionFactory(title_en="Cement kiln", trl=4)
    by_sector = client.get("/api/v1/solutions", {"sector": "energy"}).json()["results"]
    assert [row["title_en"] for row in by_sector] == ["Rooftop PV"]
    by_trl = client.get("/api/v1/solutions", {"trl_min": 7}).json()["results"]
    assert [row["title_en"] for row in by_trl] == ["Rooftop PV"]
    page = client.get("/en/solutions/", {"sector": "energy"}).content.decode()
    assert "Rooftop PV" in page and "Cement kiln" not in page


def test_list_pages_keep_their_filters_from_page_to_page(client):
    for n in range(25):
        OrganisationFactory(name_en=f"German org {n:02}", country="DE")
    OrganisationFactory(name_en="French org", country="FR")
    first = client.get("/en/organisations/", {"country": "DE"}).content.decode()
    assert 'href="?country=DE&amp;page=2" rel="next"' in first
    second = client.get("/en/organisations/", {"country": "DE", "page": 2}).content.decode()
    assert 'href="?country=DE&amp;page=1" rel="prev"' in second
    assert "French org" not in first + second


def test_record_body_uses_the_import_format(client):
    org = OrganisationFactory(name_en="BYD", name_zh="比亚迪")
    org.sectors.add(Sector.objects.get(slug="electric-vehicles"))
    body = client.get(f"/api/v1/organisations/{org.pk}").json()
    assert body["external_id"] == org.external_id
    assert body["name_zh"] == "比亚迪"
    assert body["sectors"] == ["electric-vehicles"]
    assert body["country"] == "CN"
    assert body["page_url"] == f"/en/organisations/{org.pk}/"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": "many"}, "limit"),
        ({"year": "last"}, "year"),
    ],
)
def test_bad_query_parameters_are_json_errors_naming_the_field(client, params, field):
    response = client.get("/api/v1/cases", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == field
    assert body["message"]


def test_missing_record_is_a_json_404(client):
    response = client.get("/api/v1/cases/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_invalid_payload_names_the_field_and_writes_nothing(client):
    user = UserFactory()
    org = OrganisationFactory()
    make_member(user, org)
    before = org.needs.count()
    response = client.post(
        "/api/v1/needs",
        {
            "organisation": org.external_id,
            "title_en": "Pilot",
            "budget_min": 500,
            "budget_max": 100,
        },
        content_type="application/json",
        headers=token_for(user),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "budget_max"
    assert org.needs.count() == before


def test_payload_of_the_wrong_type_is_a_422_not_a_500(client):
    user = UserFactory(is_staff=True)
    response = client.post(
        "/api/v1/solutions",
        {"trl": "very high"},
        content_type="application/json",
        headers=token_for(user),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "trl"


def test_malformed_json_is_a_422(client):
    user = UserFactory(is_staff=True)
    response = client.post(
        "/api/v1/solutions", "{not json", content_type="application/json", headers=token_for(user)
    )
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def test_bad_token_is_401_even_for_reads(client):
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_openapi_lists_every_kind_and_the_docs_page_serves(client):
    spec = client.get("/api/v1/openapi.json").json()
    for plural in [
        "organisations",
        "people",
        "solutions",
        "cases",
        "needs",
        "resources",
        "events",
        "awards",
    ]:
        assert f"/api/v1/{plural}" in spec["paths"]
        assert f"/api/v1/{plural}/{{record_id}}" in spec["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_session_writes_without_a_token_are_refused(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    response = client.post(
        "/api/v1/organisations", {"name_en": "X", "kind": "ngo"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_unknown_endpoint_is_a_json_404(client):
    response = client.get("/api/v1/widgets")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_sector_is_named(client):
    response = client.get("/api/v1/solutions", {"sector": "no-such-sector"})
    assert response.status_code == 422
    assert response.json()["field"] == "sector"


def test_review_actions_need_no_body(client):
    from ecotone.core.testing import NeedFactory

    need = NeedFactory(status="pending")
    response = client.post(
        f"/api/v1/needs/{need.pk}/publish", headers=token_for(UserFactory(is_staff=True))
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_record_website_and_page_link_are_separate(client):
    solution = SolutionFactory(url="https://example.org/product")
    body = client.get(f"/api/v1/solutions/{solution.pk}").json()
    assert body["url"] == "https://example.org/product"
    assert body["page_url"] == f"/en/solutions/{solution.pk}/"


def test_organisation_carries_its_investor_profile(client):
    from ecotone.catalog.models import InvestorProfile

    fund = OrganisationFactory(kind="investor", name_en="Green Fund")
    profile = InvestorProfile.objects.create(
        organisation=fund,
        external_id="ip-1",
        stages=["seed"],
        ticket_max_usd=2_000_000,
        regions=["CN"],
    )
    profile.sectors.add(Sector.objects.get(slug="solar-power"))
    other = OrganisationFactory(name_en="Plain Org")
    body = client.get(f"/api/v1/organisations/{fund.pk}").json()
    assert body["investor_profile"]["stages"] == ["seed"]
    assert body["investor_profile"]["sectors"] == ["solar-power"]
    assert body["investor_profile"]["regions"] == ["CN"]
    assert client.get(f"/api/v1/organisations/{other.pk}").json()["investor_profile"] is None
