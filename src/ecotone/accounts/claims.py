"""Claiming an organisation's profile: "Is this your organisation?"

Most organisations come from public data and nobody administers them. A person proves
they belong to one with an address at the organisation's website domain (a signed link
sent there, valid ``ECOTONE_CLAIM_LINK_DAYS``), or by evidence staff review. The first
confirmed claimant becomes the organisation's administrator; the join requests waiting for
one are theirs to decide, and ``organisation_claimed`` lets other contexts hand over what
they held (matchmaking gives back the introductions its brokers held). A claim on an
organisation that already has an administrator, or confirmed after another claimant won,
goes to staff.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.catalog.models import Organisation
from ecotone.core.links import absolute_url
from ecotone.core.refusals import Refused

from .audit import record_audit
from .models import (
    ClaimMethod,
    ClaimStatus,
    Membership,
    MembershipRole,
    MembershipStatus,
    OrganisationClaim,
)
from .permissions import forget_memberships, is_staff

#: sent (inside the transaction) when a claim makes someone an organisation's administrator
organisation_claimed = Signal()  # organisation, user, actor

SIGNING_SALT = "ecotone.accounts.claim"
MAX_EVIDENCE_CHARS = 4000


def _refuse(field: str, message: str) -> Refused:
    """A claim refused on ``field``; on the claim itself (already decided) its state, not
    the input, forbids it (409)."""
    if field == "claim":
        return Refused(message, field=field, code="conflict", status=409)
    return Refused(message, field=field)


def has_administrator(organisation: Organisation) -> bool:
    return Membership.objects.filter(
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
        role=MembershipRole.ADMIN,
        user__is_active=True,
    ).exists()


def website_domain(organisation: Organisation) -> str:
    """The organisation's web domain without "www.", or "" when it states no website."""
    host = (urlsplit(organisation.website or "").hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def email_at_domain(email: str, domain: str) -> bool:
    """An address at the domain or one of its subdomains (``x@lab.nrel.gov`` for nrel.gov)."""
    at = email.rsplit("@", 1)[-1].lower().rstrip(".") if "@" in email else ""
    return bool(domain) and (at == domain or at.endswith("." + domain))


def is_claimable(organisation: Organisation) -> bool:
    return organisation.is_public and not has_administrator(organisation)


def open_claim(user, organisation: Organisation) -> OrganisationClaim | None:
    if not (user and user.is_authenticated):
        return None
    return OrganisationClaim.objects.filter(
        user=user,
        organisation=organisation,
        status__in=[ClaimStatus.AWAITING_EMAIL, ClaimStatus.IN_REVIEW],
    ).first()


def _check_claimant(user, organisation: Organisation) -> None:
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to claim an organisation."))
    if not organisation.is_public:
        raise _refuse("organisation", _("This organisation is not published."))
    if Membership.objects.filter(
        user=user,
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
        role=MembershipRole.ADMIN,
    ).exists():
        raise _refuse("organisation", _("You already administer this organisation."))


def _save_open_claim(user, organisation, **fields) -> OrganisationClaim:
    """One open claim per person and organisation: a new proof replaces the old one."""
    claim = open_claim(user, organisation)
    if claim is None:
        return OrganisationClaim.objects.create(user=user, organisation=organisation, **fields)
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.save()
    return claim


# --- proof by e-mail ------------------------------------------------------------------------


def _email_digest(email: str) -> str:
    """The address in a link, hashed: the link stays bound to it without showing it in logs;
    a new address on the same claim makes the old link invalid."""
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def claim_token(claim: OrganisationClaim) -> str:
    value = f"{claim.pk}.{_email_digest(claim.email)}"
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(value)


def confirmation_url(claim: OrganisationClaim) -> str:
    return absolute_url(reverse("accounts:claim_confirm", args=[claim_token(claim)]))


@transaction.atomic
def start_email_claim(*, user, organisation: Organisation, email: str) -> OrganisationClaim:
    """Send a confirmation link to ``email``, which must be at the organisation's domain."""
    _check_claimant(user, organisation)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _refuse("email", _("Enter an e-mail address such as name@example.org.")) from None
    domain = website_domain(organisation)
    if not domain:
        raise _refuse(
            "email",
            _("This organisation's record names no website; ask staff to review evidence."),
        )
    if not email_at_domain(email, domain):
        raise _refuse(
            "email",
            _("Use an address at %(domain)s, the domain of the organisation's website.")
            % {"domain": domain},
        )
    claim = _save_open_claim(
        user,
        organisation,
        method=ClaimMethod.EMAIL,
        email=email,
        status=ClaimStatus.AWAITING_EMAIL,
    )
    record_audit(
        actor=user,
        action="organisation_claim_email",
        record=claim,
        to_status=claim.status,
        changes={"email": email},
    )
    transaction.on_commit(lambda: _send_confirmation(claim), robust=True)
    return claim


def _send_confirmation(claim: OrganisationClaim) -> None:
    days = settings.ECOTONE_CLAIM_LINK_DAYS
    body = "\n\n".join(
        [
            _("%(user)s asked on Ecotone to administer %(org)s, proving it with this address.")
            % {"user": claim.user.get_username(), "org": claim.organisation.label},
            _("If that was you, open this link (logged in as %(user)s) within %(days)s days:")
            % {"user": claim.user.get_username(), "days": days}
            + "\n"
            + confirmation_url(claim),
            _("If it was not you, ignore this e-mail: nothing changes without the link."),
        ]
    )
    send_mail(
        _("Confirm that you work at %(org)s") % {"org": claim.organisation.label},
        body,
        None,
        [claim.email],
    )


def claim_from_token(token: str) -> OrganisationClaim:
    """The claim a confirmation link names, or a refusal saying why the link is no good."""
    max_age = settings.ECOTONE_CLAIM_LINK_DAYS * 24 * 3600
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise _refuse("token", _("This link has expired; ask for a new one.")) from None
    except signing.BadSignature:
        raise _refuse("token", _("This link is not valid.")) from None
    pk, _sep, digest = value.partition(".")
    claim = OrganisationClaim.objects.filter(pk=pk).first()
    if claim is None or _email_digest(claim.email) != digest:
        raise _refuse("token", _("This link is not valid."))
    return claim


@transaction.atomic
def confirm_email_claim(*, user, token: str) -> OrganisationClaim:
    """The link was opened by the claimant: they become administrator, unless someone
    already is (then staff decide)."""
    claim = claim_from_token(token)
    if not (user and user.is_authenticated) or claim.user_id != user.pk:
        raise PermissionDenied(_("Open the link logged in as the person who asked."))
    # Lock the organisation: two claimants confirming at once are decided one after the other.
    organisation = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
    claim = OrganisationClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.AWAITING_EMAIL:
        raise _refuse(
            "token",
            _("This claim is already %(status)s.") % {"status": claim.get_status_display().lower()},
        )
    if has_administrator(organisation):
        return _send_to_review(
            claim, actor=user, reason=_("The organisation already has an administrator.")
        )
    return _make_administrator(claim, actor=user)


# --- proof by evidence, and staff review ----------------------------------------------------


@transaction.atomic
def submit_evidence_claim(*, user, organisation: Organisation, evidence: str) -> OrganisationClaim:
    _check_claimant(user, organisation)
    evidence = (evidence or "").strip()
    if not evidence:
        raise _refuse(
            "evidence",
            _("Say how staff can check that you work there: your role, a public page naming you."),
        )
    if len(evidence) > MAX_EVIDENCE_CHARS:
        raise _refuse(
            "evidence",
            _("Keep the evidence under %(limit)s characters.") % {"limit": MAX_EVIDENCE_CHARS},
        )
    claim = _save_open_claim(
        user,
        organisation,
        method=ClaimMethod.EVIDENCE,
        evidence=evidence,
        status=ClaimStatus.IN_REVIEW,
        review_reason=_("Evidence to review."),
    )
    record_audit(
        actor=user, action="organisation_claim_evidence", record=claim, to_status=claim.status
    )
    transaction.on_commit(lambda: _tell_staff(claim), robust=True)
    return claim


def _send_to_review(claim: OrganisationClaim, *, actor, reason: str) -> OrganisationClaim:
    from_status = claim.status
    claim.status, claim.review_reason = ClaimStatus.IN_REVIEW, reason
    claim.save(update_fields=["status", "review_reason", "updated_at"])
    record_audit(
        actor=actor,
        action="organisation_claim_review",
        record=claim,
        from_status=from_status,
        to_status=claim.status,
        reason=reason,
    )
    transaction.on_commit(lambda: _tell_staff(claim), robust=True)
    return claim


def staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def _send(users, subject: str, body: str) -> None:
    addresses = sorted({user.email for user in users if user.email})
    if addresses:
        send_mail(subject, body, None, addresses)


def _tell_staff(claim: OrganisationClaim) -> None:
    _send(
        staff_users(),
        _("Claim to review: %(org)s") % {"org": claim.organisation.label},
        "\n\n".join(
            [
                _("%(user)s claims %(org)s.")
                % {"user": claim.user.get_username(), "org": claim.organisation.label},
                claim.review_reason,
                _("Review it: %(page)s") % {"page": absolute_url(reverse("accounts:review"))},
            ]
        ),
    )


@transaction.atomic
def decide_claim(*, actor, claim: OrganisationClaim, approve: bool, note: str = ""):
    if not is_staff(actor):
        raise PermissionDenied(_("Only staff decide claims."))
    claim = OrganisationClaim.objects.select_for_update().get(pk=claim.pk)
    if not claim.is_open:
        raise _refuse(
            "claim",
            _("This claim is already %(status)s.") % {"status": claim.get_status_display().lower()},
        )
    claim.decision_note = (note or "").strip()[:2000]
    if approve:
        return _make_administrator(claim, actor=actor)
    from_status = claim.status
    claim.status, claim.decided_by, claim.decided_at = ClaimStatus.REJECTED, actor, timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    record_audit(
        actor=actor,
        action="organisation_claim_reject",
        record=claim,
        from_status=from_status,
        to_status=claim.status,
        reason=claim.decision_note,
    )
    transaction.on_commit(lambda: _tell_claimant(claim), robust=True)
    return claim


def _make_administrator(claim: OrganisationClaim, *, actor) -> OrganisationClaim:
    organisation, user = claim.organisation, claim.user
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"status": MembershipStatus.ACTIVE}
    )
    membership.status, membership.role, membership.decided_by = (
        MembershipStatus.ACTIVE,
        MembershipRole.ADMIN,
        actor,
    )
    membership.save(update_fields=["status", "role", "decided_by", "updated_at"])
    forget_memberships(user)
    from_status = claim.status
    claim.status, claim.decided_by, claim.decided_at = ClaimStatus.CONFIRMED, actor, timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    record_audit(
        actor=actor,
        action="organisation_claim_confirm",
        record=claim,
        from_status=from_status,
        to_status=claim.status,
        reason=claim.decision_note,
    )
    # Anyone else still proving a claim on it now conflicts with this one: staff decide.
    rivals = OrganisationClaim.objects.filter(
        organisation=organisation, status=ClaimStatus.AWAITING_EMAIL
    ).exclude(pk=claim.pk)
    for rival in rivals:
        _send_to_review(
            rival,
            actor=None,
            reason=_("%(user)s became the administrator first.") % {"user": user.get_username()},
        )
    organisation_claimed.send(
        sender=OrganisationClaim, organisation=organisation, user=user, actor=actor
    )
    transaction.on_commit(lambda: _tell_claimant(claim), robust=True)
    return claim


def _tell_claimant(claim: OrganisationClaim) -> None:
    organisation = claim.organisation
    names = {"org": organisation.label}
    if claim.status == ClaimStatus.CONFIRMED:
        waiting = Membership.objects.filter(
            organisation=organisation, status=MembershipStatus.REQUESTED
        ).count()
        lines = [
            _("You are now an administrator of %(org)s on Ecotone.") % names,
            _(
                "%(count)s join requests wait for your decision, and introduction requests "
                "to %(org)s now come to you."
            )
            % {**names, "count": waiting},
            _("Your account: %(page)s") % {"page": absolute_url(reverse("accounts:profile"))},
        ]
        subject = _("You administer %(org)s") % names
    else:
        lines = [_("Your claim to %(org)s was not accepted.") % names]
        if claim.decision_note:
            lines.append(_("Staff's note:") + "\n" + claim.decision_note)
        subject = _("Your claim to %(org)s") % names
    _send([claim.user], subject, "\n\n".join(lines))


def claims_to_review():
    return OrganisationClaim.objects.filter(status=ClaimStatus.IN_REVIEW).select_related(
        "user", "organisation"
    )


def join_requests_without_administrator():
    """Join requests to organisations nobody administers: staff decide them."""
    admin_org_ids = Membership.objects.filter(
        status=MembershipStatus.ACTIVE, role=MembershipRole.ADMIN
    ).values("organisation_id")
    return (
        Membership.objects.filter(status=MembershipStatus.REQUESTED)
        .exclude(organisation_id__in=admin_org_ids)
        .select_related("user", "organisation")
        .order_by("created_at", "pk")
    )
