import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from ecotone.accounts import services
from ecotone.accounts.models import ApiToken, AuditEntry, Membership, MembershipRole
from ecotone.accounts.permissions import can_edit
from ecotone.core.refusals import Refused
from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    UserFactory,
    logged_in,
    make_member,
)

pytestmark = pytest.mark.django_db


def test_request_then_admin_approval_grants_edit_rights():
    org = OrganisationFactory()
    admin = UserFactory(email="admin@org.example")
    make_member(admin, org, role=MembershipRole.ADMIN)
    applicant = UserFactory()
    need = NeedFactory(organisation=org)
    membership = services.request_membership(user=applicant, organisation=org, message="Hi")
    assert membership.status == "requested"
    assert mail.outbox and mail.outbox[-1].to == ["admin@org.example"]
    assert not can_edit(applicant, need)
    services.decide_membership(actor=admin, membership=membership, approve=True)
    applicant.refresh_from_db()
    assert can_edit(applicant, need)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "membership_request" in actions and "membership_decision" in actions


def test_only_admins_decide_and_only_once():
    org = OrganisationFactory()
    plain_member = UserFactory()
    make_member(plain_member, org)
    membership = services.request_membership(user=UserFactory(), organisation=org)
    with pytest.raises(PermissionDenied):
        services.decide_membership(actor=plain_member, membership=membership, approve=True)
    staff = UserFactory(is_staff=True)
    services.decide_membership(actor=staff, membership=membership, approve=False)
    with pytest.raises(Refused):
        services.decide_membership(actor=staff, membership=membership, approve=True)


def test_invitation_and_acceptance():
    org = OrganisationFactory()
    admin = UserFactory()
    make_member(admin, org, role=MembershipRole.ADMIN)
    invitee = UserFactory(username="carol", email="carol@example.org")
    membership = services.invite_member(
        inviter=admin, organisation=org, username_or_email="CAROL@example.org"
    )
    assert membership.status == "invited"
    with pytest.raises(PermissionDenied):
        services.accept_invitation(user=admin, membership=membership)
    services.accept_invitation(user=invitee, membership=membership)
    assert Membership.objects.get(pk=membership.pk).status == "active"


def test_inviting_an_unknown_person_says_what_to_do():
    org = OrganisationFactory()
    admin = UserFactory()
    make_member(admin, org, role=MembershipRole.ADMIN)
    with pytest.raises(Refused, match="sign up"):
        services.invite_member(inviter=admin, organisation=org, username_or_email="nobody")


def test_signup_logs_in_and_rejects_a_duplicate_email():
    client = Client()
    response = client.post(
        "/en/accounts/signup/",
        {
            "username": "dana",
            "email": "dana@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/en/accounts/me/").status_code == 200
    again = Client().post(
        "/en/accounts/signup/",
        {
            "username": "dana2",
            "email": "DANA@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert again.status_code == 200
    assert "already exists" in again.content.decode()


def test_password_reset_sends_a_working_link():
    user = UserFactory(email="erin@example.org")
    client = Client()
    client.post("/en/accounts/password-reset/", {"email": "erin@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/en/") :].strip()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    client.post(
        set_url, {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"}
    )
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-77")


def test_token_is_shown_once_and_stored_hashed():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.post("/en/accounts/tokens/", {"name": "my script"})
    page = client.get("/en/accounts/me/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.prefix in page
    assert token.key_hash not in page
    client.post(f"/en/accounts/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_join_request_from_the_organisation_page():
    org = OrganisationFactory()
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/en/accounts/organisations/{org.pk}/join/", {"message": "We work here"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=org).status == "requested"


def test_pages_that_change_state_refuse_get_and_anonymous():
    org = OrganisationFactory()
    assert Client().post(f"/en/accounts/organisations/{org.pk}/join/").status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get(f"/en/accounts/organisations/{org.pk}/join/").status_code == 405
    assert not Membership.objects.exists()


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_membership_pages_show_a_refusal_as_a_message_and_change_nothing():
    org = OrganisationFactory()
    admin = UserFactory()
    make_member(admin, org, role=MembershipRole.ADMIN)
    page = logged_in(admin)
    answer = page.post(
        f"/en/accounts/organisations/{org.pk}/invite/", {"who": "nobody"}, follow=True
    )
    assert page_messages(answer) == [
        "No account with that user name or e-mail; ask them to sign up first."
    ]
    answer = page.post("/en/accounts/tokens/", {"name": "  "}, follow=True)
    assert page_messages(answer) == ["Give the token a name, e.g. the script that will use it."]
    assert not ApiToken.objects.filter(user=admin).exists()
    assert Membership.objects.filter(organisation=org).count() == 1
    membership = services.request_membership(user=UserFactory(), organisation=org)
    services.decide_membership(actor=admin, membership=membership, approve=False)
    answer = page.post(
        f"/en/accounts/memberships/{membership.pk}/decide/", {"approve": "1"}, follow=True
    )
    assert page_messages(answer) == ["This request has already been decided."]
    membership.refresh_from_db()
    assert membership.status == "declined"
