"""The permission matrix: anonymous, non-member, requester, target member and staff, on
the pages and the API of introductions, feedback and the staff figures."""

import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
    make_member,
    token_headers,
)
from ecotone.matching import services
from ecotone.matching.models import Introduction, MatchFeedback

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "non_member", "requester", "target_member", "staff"]


@pytest.fixture
def world():
    city = OrganisationFactory(name_en="Shenzhen Metro")
    startup = OrganisationFactory(name_en="Volt Startup")
    users = {
        "anonymous": None,
        "non_member": UserFactory(username="nora"),
        "requester": UserFactory(username="mei", email="mei@metro.example"),
        "target_member": UserFactory(username="ravi", email="ravi@volt.example"),
        "staff": UserFactory(username="sam", is_staff=True),
    }
    make_member(users["non_member"], OrganisationFactory(name_en="Bystander Co"))
    make_member(users["requester"], city)
    make_member(users["target_member"], startup)
    need = NeedFactory(organisation=city, title_en="Depot charging")
    introduction = services.request_introduction(
        user=users["requester"],
        requesting_organisation=city,
        target_organisation=startup,
        about=need,
        message="Shall we talk?",
    )
    return {"users": users, "need": need, "introduction": introduction, "startup": startup}


def introductions_page(world, role):
    client = logged_in(world["users"][role])
    return client.get("/en/introductions/", follow=False)


LISTS_IT = {"non_member": False, "requester": True, "target_member": True, "staff": True}


@pytest.mark.parametrize("role", ROLES)
def test_introductions_page(world, role):
    response = introductions_page(world, role)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    assert ("Shall we talk?" in response.content.decode()) is LISTS_IT[role]


ANSWERS = {"anonymous": 302, "non_member": 404, "requester": 403, "target_member": 302}
ANSWERS["staff"] = 403  # staff see everything but do not consent for an organisation


@pytest.mark.parametrize("role", ROLES)
def test_accepting_on_the_page(world, role):
    introduction = world["introduction"]
    response = logged_in(world["users"][role]).post(
        f"/en/introductions/{introduction.pk}/answer/", {"decision": "accept"}
    )
    assert response.status_code == ANSWERS[role]
    introduction.refresh_from_db()
    assert (introduction.status == "accepted") is (role == "target_member")
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


WITHDRAWS = {"anonymous": 302, "non_member": 404, "requester": 302, "target_member": 403}
WITHDRAWS["staff"] = 403


@pytest.mark.parametrize("role", ROLES)
def test_withdrawing_on_the_page(world, role):
    introduction = world["introduction"]
    response = logged_in(world["users"][role]).post(
        f"/en/introductions/{introduction.pk}/withdraw/"
    )
    assert response.status_code == WITHDRAWS[role]
    introduction.refresh_from_db()
    assert (introduction.status == "withdrawn") is (role == "requester")


@pytest.mark.parametrize("role", ROLES)
def test_accepting_through_the_api(client, world, role):
    introduction = world["introduction"]
    response = client.post(
        f"/api/v1/introductions/{introduction.pk}/accept",
        headers=token_headers(world["users"][role]),
    )
    expected = {**ANSWERS, "anonymous": 401, "target_member": 200}
    assert response.status_code == expected[role]
    if response.status_code != 200:
        assert response.json()["code"] in {"unauthenticated", "not_found", "forbidden"}


API_LIST = {"anonymous": 401, "non_member": 0, "requester": 1, "target_member": 1, "staff": 1}


@pytest.mark.parametrize("role", ROLES)
def test_listing_through_the_api(client, world, role):
    response = client.get("/api/v1/introductions", headers=token_headers(world["users"][role]))
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert len(response.json()["results"]) == API_LIST[role]


@pytest.mark.parametrize("role", ROLES)
def test_contact_details_only_after_acceptance_and_only_to_the_sides(world, role):
    page_before = introductions_page(world, role)
    services.respond_to_introduction(
        user=world["users"]["target_member"], introduction=world["introduction"], accept=True
    )
    page_after = introductions_page(world, role)
    if role == "anonymous":
        return
    assert "mei@metro.example" not in page_before.content.decode()
    shows = role in {"requester", "target_member", "staff"}
    assert ("mei@metro.example" in page_after.content.decode()) is shows
    assert ("ravi@volt.example" in page_after.content.decode()) is shows


FEEDBACK = {"anonymous": 302, "non_member": 403, "requester": 302, "target_member": 403}
FEEDBACK["staff"] = 302


@pytest.mark.parametrize("role", ROLES)
def test_feedback_on_a_need_s_matches(world, role):
    solution = SolutionFactory()
    response = logged_in(world["users"][role]).post(
        f"/en/matching/needs/{world['need'].pk}/feedback/",
        {"kind": "solution", "id": solution.pk, "verdict": "relevant"},
    )
    assert response.status_code == FEEDBACK[role]
    allowed = role in {"requester", "staff"}
    assert MatchFeedback.objects.filter(solution=solution).exists() is allowed
    assert AuditEntry.objects.filter(action="match_feedback").exists() is allowed


FIGURES = {"anonymous": 302, "non_member": 403, "requester": 403, "target_member": 403}
FIGURES["staff"] = 200


@pytest.mark.parametrize("role", ROLES)
def test_staff_figures(world, role):
    response = logged_in(world["users"][role]).get("/en/matching/figures/")
    assert response.status_code == FIGURES[role]
    if role == "staff":
        html = response.content.decode()
        assert 'data-figure="introductions_requested">1<' in html
        assert 'data-figure="needs_with_matches">0<' in html


def test_forms_need_a_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["target_member"])
    introduction = world["introduction"]
    response = client.post(f"/en/introductions/{introduction.pk}/answer/", {"decision": "accept"})
    assert response.status_code == 403
    introduction.refresh_from_db()
    assert introduction.status == "requested"
    assert Introduction.objects.count() == 1
