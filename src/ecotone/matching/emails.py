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


def _queue_page() -> str:
    return absolute_url(reverse("matching:broker_queue"))


def _to_brokers(introduction: Introduction, *, reminder: bool) -> None:
    """Ask the target's brokers to reach it (the requester's own name stays off the mail:
    contact details are shared only with consent)."""
    from .brokers import brokers_for

    requester, target = introduction.requesting_organisation, introduction.target_organisation
    names = {"org": requester.label, "target": target.label}
    lines = [
        _(
            "%(org)s asks to be introduced to %(target)s, which has no member on Ecotone "
            "to answer. As a broker, please try to reach them through their public "
            "contact routes and record what happened."
        )
        % names,
        _about_line(introduction),
        _("Their message:") + "\n" + introduction.message,
        _("The broker queue: %(page)s") % {"page": _queue_page()},
    ]
    if reminder:
        subject = _("Reminder: nobody has acted on the introduction to %(target)s") % names
    else:
        subject = _("Introduction to broker: %(org)s → %(target)s") % names
    recipients = [b for b in brokers_for(target) if b.pk != introduction.requester_id]
    _send(recipients, subject, "\n\n".join(lines))


def handed_to_brokers(introduction: Introduction) -> None:
    """The members let the deadline pass: the brokers are asked and the requester told."""
    _to_brokers(introduction, reminder=False)
    names = {"target": introduction.target_organisation.label}
    _send(
        [introduction.requester],
        _("Your introduction to %(target)s is now with a broker") % names,
        "\n\n".join(
            [
                _(
                    "Nobody at %(target)s answered in time. A broker of the platform will "
                    "now try to reach them and will record here what happens."
                )
                % names,
                _about_line(introduction),
                _("All your introductions: %(page)s") % {"page": _page()},
            ]
        ),
    )


def members_reminder(introduction: Introduction) -> None:
    requester, target = introduction.requesting_organisation, introduction.target_organisation
    names = {"org": requester.label, "target": target.label}
    _send(
        active_members(target).exclude(pk=introduction.requester_id),
        _("Reminder: introduction request from %(org)s") % names,
        "\n\n".join(
            [
                _("%(org)s is still waiting for an answer from %(target)s.") % names,
                _about_line(introduction),
                _("Accept or decline: %(page)s") % {"page": _page()},
            ]
        ),
    )


def brokers_reminder(introduction: Introduction) -> None:
    _to_brokers(introduction, reminder=True)


def broker_step(introduction: Introduction, action) -> None:
    """Tell the requester what the broker did; a closing step carries the broker's note."""
    names = {"target": introduction.target_organisation.label}
    lines = [
        _("News on your introduction to %(target)s: %(step)s.")
        % {**names, "step": action.get_outcome_display()},
        _about_line(introduction),
    ]
    if not introduction.is_open and action.note:
        lines.append(_("The broker's note:") + "\n" + action.note)
    lines.append(_("All your introductions: %(page)s") % {"page": _page()})
    _send(
        [introduction.requester],
        _("Introduction to %(target)s: %(step)s") % {**names, "step": action.get_outcome_display()},
        "\n\n".join(lines),
    )


def introduction_requested(introduction: Introduction) -> None:
    if introduction.with_brokers:
        _to_brokers(introduction, reminder=False)
        return
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
