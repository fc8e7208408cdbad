"""The permission matrix: visitor, member of A, member of B and staff, on pages and API."""

import pytest
from django.test import Client

from ecotone.accounts.models import ApiToken
from ecotone.catalog.models import Need
from ecotone.core.testing import NeedFactory, OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "member_a", "member_b", "staff"]


@pytest.fixture
def world():
    org_a = OrganisationFactory(name_en="Org A")
    org_b = OrganisationFactory(name_en="Org B")
    users = {
        "visitor": None,
        "member_a": UserFactory(username="alice"),
        "member_b": UserFactory(username="bob"),
        "staff": UserFactory(username="sam", is_staff=True),
    }
    make_member(users["member_a"], org_a)
    make_member(users["member_b"], org_b)
    pending = NeedFactory(organisation=org_a, title_en="Pending need of A", status="pending")
    published = NeedFactory(organisation=org_a, title_en="Published need of A")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "users": users,
        "pending": pending,
        "published": published,
    }


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_headers(user) -> dict:
    if user is None:
        return {}
    _, raw = ApiToken.issue(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


# --- private reads ------------------------------------------------------------------------

CAN_SEE_PENDING = {"visitor": False, "member_a": True, "member_b": False, "staff": True}


@pytest.mark.parametrize("role", ROLES)
def test_pending_record_detail_page(world, role):
    response = page_client(world["users"][role]).get(world["pending"].get_absolute_url())
    assert response.status_code == (200 if CAN_SEE_PENDING[role] else 404)


@pytest.mark.parametrize("role", ROLES)
def test_pending_record_in_page_list(world, role):
    response = page_client(world["users"][role]).get("/en/needs/")
    assert response.status_code == 200
    assert ("Pending need of A" in response.content.decode()) is CAN_SEE_PENDING[role]
    assert "Published need of A" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_pending_record_api_detail_and_list(world, role):
    client = Client()
    headers = api_headers(world["users"][role])
    detail = client.get(f"/api/v1/needs/{world['pending'].pk}", headers=headers)
    assert detail.status_code == (200 if CAN_SEE_PENDING[role] else 404)
    listed = client.get("/api/v1/needs", headers=headers).json()["results"]
    assert (world["pending"].pk in [r["id"] for r in listed]) is CAN_SEE_PENDING[role]


# --- writes -------------------------------------------------------------------------------

CAN_EDIT_A = {"visitor": False, "member_a": True, "member_b": False, "staff": True}


@pytest.mark.parametrize("role", ROLES)
def test_edit_page(world, role):
    need = world["published"]
    response = page_client(world["users"][role]).post(
        f"/en/needs/{need.pk}/edit/",
        {
            "title_en": "Changed",
            "organisation": need.organisation.external_id,
            "need_status": "open",
            "currency": "CNY",
        },
    )
    need.refresh_from_db()
    if role == "visitor":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif CAN_EDIT_A[role]:
        assert response.status_code == 302
        assert need.title_en == "Changed"
    else:
        assert response.status_code == 403
    if not CAN_EDIT_A[role]:
        assert need.title_en == "Published need of A"


@pytest.mark.parametrize("role", ROLES)
def test_edit_api(world, role):
    need = world["published"]
    response = Client().patch(
        f"/api/v1/needs/{need.pk}",
        {"title_en": "Changed"},
        content_type="application/json",
        headers=api_headers(world["users"][role]),
    )
    need.refresh_from_db()
    expected = {"visitor": 401, "member_a": 200, "member_b": 403, "staff": 200}[role]
    assert response.status_code == expected, response.content
    assert (need.title_en == "Changed") is CAN_EDIT_A[role]


@pytest.mark.parametrize("role", ROLES)
def test_delete_page_and_api(world, role):
    need = world["published"]
    user = world["users"][role]
    page = page_client(user).post(f"/en/needs/{need.pk}/delete/")
    left = Need.objects.filter(pk=need.pk).values_list("status", flat=True).first()
    # a member's published record is archived, not destroyed; staff delete it for good
    expected = {"visitor": "published", "member_a": "archived", "member_b": "published"}
    assert left == expected.get(role)
    if role == "member_b":
        assert page.status_code == 403
    other = NeedFactory(organisation=world["org_a"])
    api = Client().delete(f"/api/v1/needs/{other.pk}", headers=api_headers(user))
    assert api.status_code == {"visitor": 401, "member_a": 200, "member_b": 403, "staff": 204}[role]
    if role == "member_a":
        assert api.json()["status"] == "archived"
    draft = NeedFactory(organisation=world["org_a"], status="draft")
    api = Client().delete(f"/api/v1/needs/{draft.pk}", headers=api_headers(user))
    # a draft is not even visible to another organisation's member
    assert api.status_code == {"visitor": 401, "member_a": 204, "member_b": 404, "staff": 204}[role]
    assert Need.objects.filter(pk=draft.pk).exists() is (role in ("visitor", "member_b"))


@pytest.mark.parametrize("role", ROLES)
def test_create_need_for_organisation_a(world, role):
    payload = {"title_en": "New need", "organisation": world["org_a"].external_id}
    response = Client().post(
        "/api/v1/needs",
        payload,
        content_type="application/json",
        headers=api_headers(world["users"][role]),
    )
    expected = {"visitor": 401, "member_a": 201, "member_b": 403, "staff": 201}[role]
    assert response.status_code == expected, response.content
    created = Need.objects.filter(title_en="New need").first()
    assert (created is not None) is (expected == 201)
    if role == "member_a":
        assert created.status == "pending" and created.owner_id == world["org_a"].pk
    if role == "staff":
        assert created.status == "published"


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_publish(world, role):
    by_page = world["pending"]
    by_api = NeedFactory(organisation=world["org_a"], status="pending")
    user = world["users"][role]
    page_client(user).post(f"/en/needs/{by_page.pk}/review/", {"action": "publish"})
    api = Client().post(
        f"/api/v1/needs/{by_api.pk}/publish",
        {},
        content_type="application/json",
        headers=api_headers(user),
    )
    for need in (by_page, by_api):
        need.refresh_from_db()
        assert (need.status == "published") is (role == "staff")
    assert api.status_code == {"visitor": 401, "member_a": 403, "member_b": 404, "staff": 200}[role]


def test_reject_needs_a_reason_and_records_it(world):
    staff = world["users"]["staff"]
    headers = api_headers(staff)
    url = f"/api/v1/needs/{world['pending'].pk}/reject"
    no_reason = Client().post(url, {}, content_type="application/json", headers=headers)
    assert no_reason.status_code == 422
    rejected = Client().post(
        url, {"reason": "No budget given"}, content_type="application/json", headers=headers
    )
    assert rejected.status_code == 200
    world["pending"].refresh_from_db()
    assert world["pending"].status == "draft"
    assert world["pending"].review_note == "No budget given"
    from ecotone.accounts.audit import history_of

    entry = history_of(world["pending"]).first()
    assert (entry.action, entry.from_status, entry.to_status) == ("reject", "pending", "draft")
    assert entry.actor == staff


def test_member_edit_of_published_record_returns_to_review(world):
    member = world["users"]["member_a"]
    need = world["published"]
    Client().patch(
        f"/api/v1/needs/{need.pk}",
        {"title_en": "Edited"},
        content_type="application/json",
        headers=api_headers(member),
    )
    need.refresh_from_db()
    assert need.status == "pending"
    assert Client().get(f"/api/v1/needs/{need.pk}").status_code == 404


def test_people_without_consent_are_hidden_from_visitors():
    from ecotone.core.testing import PersonFactory

    hidden = PersonFactory(public_consent=False, name_en="Private Person")
    shown = PersonFactory(public_consent=True, name_en="Public Speaker")
    client = Client()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(shown.get_absolute_url()).status_code == 200
    names = [r["name_en"] for r in client.get("/api/v1/people").json()["results"]]
    assert names == ["Public Speaker"]


# --- every kind: private reads and writes, on pages and API -------------------------------

KIND_PAYLOADS = {
    "organisations": {"name_en": "Renamed"},
    "solutions": {"title_en": "Renamed"},
    "cases": {"title_en": "Renamed"},
    "needs": {"title_en": "Renamed"},
    "resources": {"title_en": "Renamed"},
    "events": {"title_en": "Renamed"},
    "awards": {"title_en": "Renamed"},
    "people": {"name_en": "Renamed"},
}


def pending_record_of(plural: str, org):
    from ecotone.catalog import models as m

    common = {"status": "pending", "owner": org, "external_id": f"matrix-{plural}"}
    if plural == "organisations":
        return OrganisationFactory(status="pending", name_en="Pending org")
    if plural == "solutions":
        return m.Solution.objects.create(title_en="S", provider=org, **common)
    if plural == "cases":
        return m.Case.objects.create(title_en="C", **common)
    if plural == "needs":
        return m.Need.objects.create(title_en="N", organisation=org, **common)
    if plural == "resources":
        return m.Resource.objects.create(title_en="R", kind="report", **common)
    if plural == "events":
        return m.Event.objects.create(title_en="E", **common)
    if plural == "awards":
        return m.Award.objects.create(programme_en="P", year=2023, organisation=org, **common)
    return m.Person.objects.create(name_en="P", public_consent=True, **common)


@pytest.mark.parametrize("plural", list(KIND_PAYLOADS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_for_every_kind(world, plural, role):
    record = pending_record_of(plural, world["org_a"])
    user = world["users"][role]
    if plural == "organisations" and role == "member_a":
        make_member(user, record)
    may_read = CAN_SEE_PENDING[role]
    page = page_client(user).get(f"/en/{plural}/{record.pk}/")
    assert page.status_code == (200 if may_read else 404)
    api = Client().get(f"/api/v1/{plural}/{record.pk}", headers=api_headers(user))
    assert api.status_code == (200 if may_read else 404)
    listed = Client().get(f"/api/v1/{plural}", {"limit": 100}, headers=api_headers(user))
    assert (record.pk in [row["id"] for row in listed.json()["results"]]) is may_read

    response = Client().patch(
        f"/api/v1/{plural}/{record.pk}",
        KIND_PAYLOADS[plural],
        content_type="application/json",
        headers=api_headers(user),
    )
    expected = {"visitor": 401, "member_a": 200, "member_b": 404, "staff": 200}[role]
    assert response.status_code == expected, response.content
    record.refresh_from_db()
    renamed = (
        getattr(record, "name_en", None) == "Renamed"
        or getattr(record, "title_en", None) == "Renamed"
    )
    assert renamed is (expected == 200)


def test_a_member_cannot_post_or_move_a_need_in_another_organisations_name(world):
    member_a = world["users"]["member_a"]
    headers = api_headers(member_a)
    create = Client().post(
        "/api/v1/needs",
        {
            "title_en": "Fake",
            "organisation": world["org_b"].external_id,
            "owner": world["org_a"].external_id,
        },
        content_type="application/json",
        headers=headers,
    )
    assert create.status_code == 403
    assert not Need.objects.filter(title_en="Fake").exists()
    move = Client().patch(
        f"/api/v1/needs/{world['published'].pk}",
        {"organisation": world["org_b"].external_id},
        content_type="application/json",
        headers=headers,
    )
    assert move.status_code == 403
    world["published"].refresh_from_db()
    assert world["published"].organisation == world["org_a"]
