"""The e-mails of an introduction: to the target's members on a request, and to both
sides on an answer (with each other's contact details when it is an acceptance).

Sent through Django's e-mail backend after the write has committed (see services).
"""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from ecotone.accounts.models import MembershipStatus
from ecotone.core.links import absolute_url

from .models import Introduction, IntroductionStatus
from .queries import contact_card


def _send(recipients, subject: str, body: str) -> None:
    addresses = sorted({user.email for user in recipients if user and user.email})
    if addresses:
        send_mail(subject, body, None, addresses)


def active_members(organisation):
    return get_user_model().objects.filter(
        memberships__organisation=organisation,
        memberships__status=MembershipStatus.ACTIVE,
        is_active=True,
    )


def _about_line(introduction: Introduction) -> str:
    about = introduction.about
    if introduction.about_kind == "need":
        return _("About the need: %(title)s") % {"title": about.label}
    return _("About the solution: %(title)s") % {"title": about.label}


def _page() -> str:
    return absolute_url(reverse("matching:introductions"))


def introduction_requested(introduction: Introduction) -> None:
    requester, target = introduction.requesting_organisation, introduction.target_organisation
    body = "\n\n".join(
        [
            _("%(org)s asks to be introduced to %(target)s on Ecotone.")
            % {"org": requester.label, "target": target.label},
            _about_line(introduction),
            _("Their message:") + "\n" + introduction.message,
            _(
                "Accept to share your name and e-mail address with them, or decline: "
                "%(page)s. Their contact details are shown once you accept."
            )
            % {"page": _page()},
        ]
    )
    _send(
        active_members(target).exclude(pk=introduction.requester_id),
        _("Introduction request from %(org)s") % {"org": requester.label},
        body,
    )


def _contact_line(label: str, user) -> str:
    card = contact_card(user)
    return f"{label}: {card['name']} <{card['email']}>" if card else ""


def introduction_answered(introduction: Introduction) -> None:
    target = introduction.target_organisation
    accepted = introduction.status == IntroductionStatus.ACCEPTED
    names = {"target": target.label, "org": introduction.requesting_organisation.label}
    if accepted:
        outcome = _("%(target)s accepted the introduction request of %(org)s.") % names
        subject = _("Introduction to %(target)s accepted") % names
    else:
        outcome = _("%(target)s declined the introduction request of %(org)s.") % names
        subject = _("Introduction to %(target)s declined") % names
    lines = [outcome, _about_line(introduction)]
    if introduction.response_note:
        lines.append(_("Their note:") + "\n" + introduction.response_note)
    if accepted:
        lines.append(
            "\n".join(
                [
                    _("You can now contact each other:"),
                    _contact_line(_("Requested by"), introduction.requester),
                    _contact_line(_("Accepted by"), introduction.responded_by),
                ]
            )
        )
    lines.append(_("All your introductions: %(page)s") % {"page": _page()})
    recipients = [introduction.requester]
    if accepted:
        recipients.append(introduction.responded_by)
    _send(recipients, subject, "\n\n".join(str(line) for line in lines if line))
