"""Claiming an organisation: proof by e-mail or evidence, conflicts, the staff queue, and
the hand-over of what waited for an administrator."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from ecotone.accounts import claims, services
from ecotone.accounts.models import AuditEntry, Membership, OrganisationClaim
from ecotone.core.refusals import Refused
from ecotone.core.testing import (
    OrganisationFactory,
    UserFactory,
    logged_in,
    make_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def search_home(search_home):
    return search_home


@pytest.fixture
def lab():
    return OrganisationFactory(name_en="Grid Lab", website="https://www.gridlab.example.org/x")


@pytest.fixture
def staff():
    return UserFactory(username="sam", email="sam@ecotone.example", is_staff=True)


def link_in(message) -> str:
    return re.search(r"https?://\S+/claims/confirm/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_domain_is_the_websites_without_www(lab):
    assert claims.website_domain(lab) == "gridlab.example.org"
    assert claims.email_at_domain("ravi@gridlab.example.org", "gridlab.example.org")
    assert claims.email_at_domain("ravi@hr.gridlab.example.org", "gridlab.example.org")
    assert not claims.email_at_domain("ravi@evilgridlab.example.org", "gridlab.example.org")
    assert not claims.email_at_domain("ravi@gmail.com", "gridlab.example.org")


def test_an_address_elsewhere_is_refused_naming_the_field(lab):
    user = UserFactory()
    with pytest.raises(Refused) as refused:
        claims.start_email_claim(user=user, organisation=lab, email="me@gmail.com")
    assert refused.value.field == "email"
    assert "gridlab.example.org" in str(refused.value.message)
    assert not OrganisationClaim.objects.exists() and not mail.outbox


def test_the_confirmed_link_makes_the_first_claimant_administrator(lab, committed):
    ravi = UserFactory(username="ravi")
    waiting = services.request_membership(user=UserFactory(username="ana"), organisation=lab)
    mail.outbox.clear()
    with committed():
        claim = claims.start_email_claim(
            user=ravi, organisation=lab, email="Ravi@GridLab.example.org"
        )
    [message] = mail.outbox
    assert message.to == ["ravi@gridlab.example.org"]
    token = link_in(message).rstrip("/").rsplit("/", 1)[-1]
    with pytest.raises(PermissionDenied):
        claims.confirm_email_claim(user=UserFactory(), token=token)
    with committed():
        claim = claims.confirm_email_claim(user=ravi, token=token)
    assert claim.status == "confirmed"
    membership = Membership.objects.get(user=ravi, organisation=lab)
    assert (membership.status, membership.role) == ("active", "admin")
    assert claims.has_administrator(lab)
    # the join request that waited is now theirs to decide
    services.decide_membership(actor=ravi, membership=waiting, approve=True)
    [welcome] = [m for m in mail.outbox if m.to == [ravi.email]][-1:]
    assert "You are now an administrator of Grid Lab" in welcome.body
    assert "1 join requests wait for your decision" in welcome.body
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation_claim_email", "organisation_claim_confirm"} <= actions
    with pytest.raises(Refused):
        claims.confirm_email_claim(user=ravi, token=token)  # used once


def test_a_tampered_or_expired_link_is_refused(lab, settings):
    ravi = UserFactory()
    claim = claims.start_email_claim(user=ravi, organisation=lab, email="r@gridlab.example.org")
    token = claims.claim_token(claim)
    with pytest.raises(Refused) as bad:
        claims.confirm_email_claim(user=ravi, token=token[:-2] + "xx")
    assert "not valid" in str(bad.value.message)
    settings.ECOTONE_CLAIM_LINK_DAYS = -1
    with pytest.raises(Refused) as old:
        claims.confirm_email_claim(user=ravi, token=token)
    assert "expired" in str(old.value.message)


def test_a_second_claimant_goes_to_staff(lab, staff, committed):
    first, second = UserFactory(), UserFactory()
    a = claims.start_email_claim(user=first, organisation=lab, email="a@gridlab.example.org")
    b = claims.start_email_claim(user=second, organisation=lab, email="b@gridlab.example.org")
    claims.confirm_email_claim(user=first, token=claims.claim_token(a))
    b.refresh_from_db()
    assert b.status == "in_review" and "became the administrator first" in b.review_reason
    assert list(claims.claims_to_review()) == [b]
    with committed():
        claims.decide_claim(actor=staff, claim=b, approve=False, note="Not listed on their site")
    b.refresh_from_db()
    assert b.status == "rejected"
    assert "Not listed on their site" in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):
        claims.decide_claim(actor=first, claim=b, approve=True)


def test_evidence_goes_to_staff_who_approve(staff, committed):
    unlisted = OrganisationFactory(name_en="No Site Co", website="")
    user = UserFactory()
    with pytest.raises(Refused) as no_domain:
        claims.start_email_claim(user=user, organisation=unlisted, email="x@nosite.example")
    assert no_domain.value.field == "email"
    assert "no website" in str(no_domain.value.message)
    with pytest.raises(Refused):
        claims.submit_evidence_claim(user=user, organisation=unlisted, evidence="  ")
    with committed():
        claim = claims.submit_evidence_claim(
            user=user, organisation=unlisted, evidence="CTO, see https://nosite.example/team"
        )
    assert claim.status == "in_review"
    assert mail.outbox[-1].to == ["sam@ecotone.example"]
    claims.decide_claim(actor=staff, claim=claim, approve=True)
    assert claims.has_administrator(unlisted)


def test_a_join_request_without_an_administrator_goes_to_staff(lab, staff):
    services.request_membership(user=UserFactory(username="ana"), organisation=lab)
    assert mail.outbox[-1].to == ["sam@ecotone.example"]
    assert "/accounts/review/" in mail.outbox[-1].body
    [waiting] = claims.join_requests_without_administrator()
    assert waiting.user.username == "ana"
    admin = UserFactory()
    make_member(admin, lab, role="admin")
    assert not claims.join_requests_without_administrator().exists()


# --- pages ----------------------------------------------------------------------------------


def test_the_claim_journey_through_the_pages(lab, committed):
    page = logged_in(None).get(lab.get_absolute_url()).content.decode()
    assert "Is this your organisation?" in page and "Log in to claim it" in page
    ravi = UserFactory(username="ravi")
    client = logged_in(ravi)
    form = client.get(f"/en/accounts/organisations/{lab.pk}/claim/").content.decode()
    assert "gridlab.example.org" in form and "csrfmiddlewaretoken" in form
    wrong = client.post(
        f"/en/accounts/organisations/{lab.pk}/claim/", {"method": "email", "email": "r@x.org"}
    )
    assert wrong.status_code == 422 and "Use an address at" in wrong.content.decode()
    with committed():
        sent = client.post(
            f"/en/accounts/organisations/{lab.pk}/claim/",
            {"method": "email", "email": "ravi@gridlab.example.org"},
            follow=True,
        )
    assert "We sent a confirmation link" in sent.content.decode()
    link = path_of(link_in(mail.outbox[-1]))
    assert logged_in(UserFactory()).get(link).status_code == 403
    assert client.get(link).status_code == 200
    assert not claims.has_administrator(lab)  # opening the link changes nothing by itself
    done = client.post(link, follow=True)
    assert "You are now an administrator of Grid Lab" in done.content.decode()
    after = client.get(lab.get_absolute_url()).content.decode()
    assert "Is this your organisation?" not in after
    other = OrganisationFactory(website="https://a.example")
    zh = logged_in(None).get(other.get_absolute_url().replace("/en/", "/zh-hans/", 1))
    assert "这是您的组织吗？" in zh.content.decode()


def test_the_staff_review_page(lab, staff):
    services.request_membership(user=UserFactory(username="ana"), organisation=lab)
    user = UserFactory(username="bo")
    claim = claims.submit_evidence_claim(user=user, organisation=lab, evidence="I run it")
    assert logged_in(user).get("/en/accounts/review/").status_code == 403
    client = logged_in(staff)
    html = client.get("/en/accounts/review/").content.decode()
    assert "I run it" in html and "ana" in html
    response = client.post(f"/en/accounts/claims/{claim.pk}/decide/", {"approve": "1"})
    assert response.status_code == 302 and response["Location"] == "/en/accounts/review/"
    assert claims.has_administrator(lab)
    refused = logged_in(user).post(f"/en/accounts/claims/{claim.pk}/decide/", {"approve": "0"})
    assert refused.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "confirmed"


def test_the_join_panel_says_who_decides(lab):
    client = logged_in(UserFactory())
    assert (
        "Ecotone's staff decide each request" in client.get(lab.get_absolute_url()).content.decode()
    )
    make_member(UserFactory(), lab, role="admin")
    html = client.get(lab.get_absolute_url()).content.decode()
    assert "An administrator of the organisation approves each request" in html
    assert "Is this your organisation?" not in html
