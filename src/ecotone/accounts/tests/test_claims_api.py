"""Claims in the API: the same rules as the pages (``claims``), with permission checks on
every call and refusals naming the field."""

import re

import pytest
from django.core import mail

from ecotone.accounts.models import Membership, OrganisationClaim
from ecotone.core.testing import OrganisationFactory, UserFactory, make_member, token_headers

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture(autouse=True)
def search_home(search_home):
    return search_home


@pytest.fixture
def lab():
    return OrganisationFactory(name_en="Grid Lab", website="https://www.gridlab.example.org/")


@pytest.fixture
def staff():
    return UserFactory(username="sam", email="sam@ecotone.example", is_staff=True)


def start(client, user, organisation, body):
    return client.post(
        f"/api/v1/organisations/{organisation.pk}/claims", body, JSON, headers=token_headers(user)
    )


def token_in(message) -> str:
    return re.search(r"/claims/confirm/(\S+)/", message.body).group(1)


def test_an_email_claim_is_started_and_confirmed_by_its_token(client, lab, committed):
    ravi = UserFactory(username="ravi")
    with committed():
        response = start(client, ravi, lab, {"email": "ravi@gridlab.example.org"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_email" and body["organisation"]["name"] == "Grid Lab"
    [message] = mail.outbox
    token = token_in(message)
    # only the claimant can confirm; a forged token names the field
    other = client.post(
        "/api/v1/claims/confirm", {"token": token}, JSON, headers=token_headers(UserFactory())
    )
    assert other.status_code == 403
    forged = client.post(
        "/api/v1/claims/confirm", {"token": "1.x:y:z"}, JSON, headers=token_headers(ravi)
    )
    assert forged.status_code == 422 and forged.json()["field"] == "token"
    with committed():
        done = client.post(
            "/api/v1/claims/confirm", {"token": token}, JSON, headers=token_headers(ravi)
        )
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert Membership.objects.get(user=ravi, organisation=lab).role == "admin"
    again = client.post(
        "/api/v1/claims/confirm", {"token": token}, JSON, headers=token_headers(ravi)
    )
    assert again.status_code == 422 and "already confirmed" in again.json()["message"]
    mine = client.get("/api/v1/claims", headers=token_headers(ravi)).json()
    assert [(c["id"], c["status"]) for c in mine] == [(body["id"], "confirmed")]


def test_bad_claims_are_refused_naming_the_field_and_change_nothing(client, lab):
    ravi = UserFactory()
    elsewhere = start(client, ravi, lab, {"email": "ravi@gmail.com"})
    assert elsewhere.status_code == 422 and elsewhere.json()["field"] == "email"
    assert "gridlab.example.org" in elsewhere.json()["message"]
    both = start(client, ravi, lab, {"email": "ravi@gridlab.example.org", "evidence": "CTO"})
    assert both.status_code == 422 and both.json()["field"] == "email"
    neither = start(client, ravi, lab, {})
    assert neither.status_code == 422
    empty = start(client, ravi, lab, {"evidence": "   "})
    assert empty.status_code == 422 and empty.json()["field"] == "evidence"
    unknown = start(client, ravi, lab, {"evidence": "CTO", "role": "admin"})
    assert unknown.status_code == 422
    draft = OrganisationFactory(status="draft")
    assert start(client, ravi, draft, {"evidence": "CTO"}).status_code == 404
    anonymous = client.post(f"/api/v1/organisations/{lab.pk}/claims", {"evidence": "x"}, JSON)
    assert anonymous.status_code == 401
    assert not OrganisationClaim.objects.exists() and not mail.outbox


def test_staff_review_evidence_claims_and_nobody_else_may(client, lab, staff, committed):
    ravi = UserFactory(username="ravi", email="ravi@example.org")
    with committed():
        response = start(client, ravi, lab, {"evidence": "I am the CTO; see the team page."})
    assert response.status_code == 201 and response.json()["status"] == "in_review"
    claim_id = response.json()["id"]
    assert any(m.to == ["sam@ecotone.example"] for m in mail.outbox)  # staff are told
    member = UserFactory()
    make_member(member, lab)
    for outsider in (ravi, member):
        headers = token_headers(outsider)
        assert client.get("/api/v1/claims/review", headers=headers).status_code == 403
        decided = client.post(
            f"/api/v1/claims/{claim_id}/decision", {"decision": "approve"}, JSON, headers=headers
        )
        assert decided.status_code == 403
    assert client.get("/api/v1/claims/review").status_code == 401
    staff_headers = token_headers(staff)
    queue = client.get("/api/v1/claims/review", headers=staff_headers).json()
    assert [(c["id"], c["claimant"], c["evidence"]) for c in queue] == [
        (claim_id, "ravi", "I am the CTO; see the team page.")
    ]
    bad = client.post(
        f"/api/v1/claims/{claim_id}/decision", {"decision": "maybe"}, JSON, headers=staff_headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "decision"
    missing = client.post(
        "/api/v1/claims/999999/decision", {"decision": "reject"}, JSON, headers=staff_headers
    )
    assert missing.status_code == 404
    mail.outbox.clear()
    with committed():
        rejected = client.post(
            f"/api/v1/claims/{claim_id}/decision",
            {"decision": "reject", "note": "The team page does not name you."},
            JSON,
            headers=staff_headers,
        )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    [told] = [m for m in mail.outbox if m.to == ["ravi@example.org"]]
    assert "The team page does not name you." in told.body
    twice = client.post(
        f"/api/v1/claims/{claim_id}/decision", {"decision": "approve"}, JSON, headers=staff_headers
    )
    assert twice.status_code == 409 and twice.json()["field"] == "claim", twice.content
    assert not Membership.objects.filter(user=ravi).exists()
    assert client.get("/api/v1/claims/review", headers=staff_headers).json() == []


def test_staff_approval_makes_the_claimant_an_administrator(client, lab, staff, committed):
    ravi = UserFactory()
    with committed():
        claim_id = start(client, ravi, lab, {"evidence": "CTO"}).json()["id"]
        approved = client.post(
            f"/api/v1/claims/{claim_id}/decision",
            {"decision": "approve"},
            JSON,
            headers=token_headers(staff),
        )
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    assert Membership.objects.get(user=ravi, organisation=lab).role == "admin"
    again = start(client, ravi, lab, {"evidence": "CTO"})
    assert again.status_code == 422 and again.json()["field"] == "organisation"
