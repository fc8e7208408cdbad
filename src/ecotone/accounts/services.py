"""Memberships and API tokens: the writes of the accounts context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ecotone.core.links import absolute_url
from ecotone.core.refusals import Refused

from .audit import record_audit
from .models import ApiToken, Membership, MembershipRole, MembershipStatus
from .permissions import can_manage_members, forget_memberships

if TYPE_CHECKING:
    from ecotone.catalog.models import Organisation


def _notify(users, subject: str, body: str) -> None:
    recipients = [user.email for user in users if user.email]
    if recipients:
        send_mail(subject, body, None, recipients, fail_silently=True)


def _organisation_admins(organisation):
    return get_user_model().objects.filter(
        memberships__organisation=organisation,
        memberships__status=MembershipStatus.ACTIVE,
        memberships__role=MembershipRole.ADMIN,
    )


@transaction.atomic
def request_membership(
    *, user: User | AnonymousUser, organisation: Organisation, message: str = ""
) -> Membership:
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to join an organisation."))
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"status": MembershipStatus.REQUESTED, "message": message[:2000]},
    )
    if not created:
        if membership.status == MembershipStatus.INVITED:
            return accept_invitation(user=user, membership=membership)
        if membership.status != MembershipStatus.DECLINED:
            raise Refused(
                _("You already have a membership or a pending request here."),
                code="conflict",
                status=409,
            )
        membership.status, membership.message = MembershipStatus.REQUESTED, message[:2000]
        membership.save(update_fields=["status", "message", "updated_at"])
    record_audit(
        actor=user, action="membership_request", record=membership, to_status=membership.status
    )
    admins = _organisation_admins(organisation)
    if admins.exists():
        _notify(
            admins,
            _("Membership request for %(org)s") % {"org": organisation},
            _("%(user)s asks to join %(org)s. Approve or decline on your Ecotone account page.")
            % {"user": user.get_username(), "org": organisation},
        )
    else:
        # Nobody administers it (yet): staff decide, from their review queue.
        _notify(
            get_user_model().objects.filter(is_staff=True, is_active=True),
            _("Membership request for %(org)s (no administrator)") % {"org": organisation},
            _(
                "%(user)s asks to join %(org)s, which has no administrator. "
                "Decide on the staff review page: %(page)s"
            )
            % {
                "user": user.get_username(),
                "org": organisation,
                "page": absolute_url(reverse("accounts:review")),
            },
        )
    return membership


@transaction.atomic
def invite_member(
    *, inviter: User, organisation: Organisation, username_or_email: str
) -> Membership:
    if not can_manage_members(inviter, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can invite members."))
    invitee = (
        get_user_model()
        .objects.filter(Q(username__iexact=username_or_email) | Q(email__iexact=username_or_email))
        .first()
    )
    if invitee is None:
        raise Refused(
            _("No account with that user name or e-mail; ask them to sign up first."), field="who"
        )
    membership, created = Membership.objects.get_or_create(
        user=invitee,
        organisation=organisation,
        defaults={"status": MembershipStatus.INVITED, "decided_by": inviter},
    )
    if not created:
        if membership.status == MembershipStatus.REQUESTED:
            return decide_membership(actor=inviter, membership=membership, approve=True)
        if membership.status == MembershipStatus.ACTIVE:
            raise Refused(
                _("%(user)s is already a member.") % {"user": invitee}, field="who", status=409
            )
        membership.status, membership.decided_by = MembershipStatus.INVITED, inviter
        membership.save(update_fields=["status", "decided_by", "updated_at"])
    record_audit(
        actor=inviter, action="membership_invite", record=membership, to_status=membership.status
    )
    _notify(
        [invitee],
        _("Invitation to %(org)s") % {"org": organisation},
        _("You are invited to join %(org)s on Ecotone. Accept on your account page.")
        % {"org": organisation},
    )
    return membership


@transaction.atomic
def decide_membership(*, actor: User, membership: Membership, approve: bool) -> Membership:
    if not can_manage_members(actor, membership.organisation):
        raise PermissionDenied(_("Only the organisation's administrators can decide on requests."))
    if membership.status != MembershipStatus.REQUESTED:
        raise Refused(_("This request has already been decided."), code="conflict", status=409)
    from_status = membership.status
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    membership.decided_by = actor
    membership.save(update_fields=["status", "decided_by", "updated_at"])
    forget_memberships(membership.user)
    record_audit(
        actor=actor,
        action="membership_decision",
        record=membership,
        from_status=from_status,
        to_status=membership.status,
    )
    verdict = _("approved") if approve else _("declined")
    _notify(
        [membership.user],
        _("Your request to join %(org)s") % {"org": membership.organisation},
        _("Your request was %(verdict)s.") % {"verdict": verdict},
    )
    return membership


@transaction.atomic
def accept_invitation(*, user: User, membership: Membership) -> Membership:
    if membership.user_id != user.pk or membership.status != MembershipStatus.INVITED:
        raise PermissionDenied(_("There is no invitation for you to accept here."))
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    forget_memberships(user)
    record_audit(
        actor=user,
        action="membership_accept",
        record=membership,
        from_status=MembershipStatus.INVITED,
        to_status=membership.status,
    )
    return membership


def issue_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise Refused(_("Give the token a name, e.g. the script that will use it."), field="name")
    return ApiToken.issue(user=user, name=name[:100])


def revoke_token(*, user: User, token_id: int) -> None:
    deleted, _count = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise PermissionDenied(_("No such token."))
