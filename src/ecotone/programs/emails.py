"""The e-mails of a programme: application received, reviews assigned, reminders of reviews
due or overdue, a review reopened by a manager, decisions, results.

Sent through Django's e-mail backend after the write has committed (see the services).
Applicants never learn who reviewed them; reviewers are told what to review, not by whom
it was sent when the review is blind.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ecotone.accounts.models import MembershipStatus
from ecotone.core.links import absolute_url

from .conflicts import is_conflicted
from .models import Outcome, Visibility


def _send(recipients, subject: str, body: str) -> None:
    addresses = sorted({user.email for user in recipients if user and user.email})
    if addresses:
        send_mail(subject, body, None, addresses)


def applicant_people(submission):
    members = get_user_model().objects.filter(
        memberships__organisation_id=submission.applicant_id,
        memberships__status=MembershipStatus.ACTIVE,
        is_active=True,
    )
    return [*members, submission.created_by]


def submission_received(submission) -> None:
    programme = submission.programme
    body = "\n\n".join(
        [
            _("%(programme)s received the application “%(title)s”.")
            % {"programme": programme.label, "title": submission.title},
            _("Follow its status here: %(page)s")
            % {"page": absolute_url(submission.get_absolute_url())},
        ]
    )
    _send(
        applicant_people(submission),
        _("Application received: %(title)s") % {"title": submission.title},
        body,
    )


def reviews_assigned(assignments) -> None:
    by_reviewer = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer].append(assignment)
    for reviewer, items in by_reviewer.items():
        lines = [
            ngettext(
                "You have %(n)s new submission to review in %(programme)s:",
                "You have %(n)s new submissions to review in %(programme)s:",
                len(items),
            )
            % {"n": len(items), "programme": reviewer.programme.label}
        ]
        lines += [f"- {a.submission.title}" for a in items]
        lines.append(
            _("Your queue: %(page)s. If you have a conflict of interest, declare it there.")
            % {"page": absolute_url(reverse("programs:review_queue"))}
        )
        _send([reviewer.user], _("Submissions to review"), "\n".join(lines))


OUTCOME_LINES = {
    Outcome.ADVANCE: gettext_lazy("“%(title)s” goes on to the next round of %(programme)s."),
    Outcome.REJECT: gettext_lazy("“%(title)s” was not selected in %(programme)s."),
    Outcome.AWARD: gettext_lazy("“%(title)s” is among the winners of %(programme)s."),
}


def decisions_taken(decisions) -> None:
    for decision in decisions:
        submission = decision.submission
        names = {"title": submission.title, "programme": submission.programme.label}
        body = "\n\n".join(
            [
                str(OUTCOME_LINES[decision.outcome]) % names,
                _("Reason: %(reason)s") % {"reason": decision.reason},
                _("Comments from the reviewers, if any: %(page)s")
                % {"page": absolute_url(submission.get_absolute_url())},
            ]
        )
        _send(applicant_people(submission), _("Decision on %(title)s") % names, body)


def results_published(programme) -> None:
    for submission in programme.submissions.filter(status="awarded"):
        body = _("The results of %(programme)s are published: %(page)s") % {
            "programme": programme.label,
            "page": absolute_url(reverse("programs:programme_results", args=[programme.slug])),
        }
        _send(
            applicant_people(submission),
            _("Results of %(programme)s") % {"programme": programme.label},
            body,
        )


def _due_text(programme, due) -> str:
    local = timezone.localtime(due, programme.zone)
    return f"{local:%Y-%m-%d %H:%M} ({programme.time_zone})"


def review_reminder(reviewer, assignments, *, due, now) -> None:
    """The reviews ``reviewer`` has not submitted, due soon or overdue, each with its link.
    The caller leaves out submissions the reviewer is in conflict with."""
    programme = reviewer.programme
    names = {"programme": programme.label, "due": _due_text(programme, due)}
    if due <= now:
        subject = _("Reviews overdue: %(programme)s") % names
        opening = _("Your reviews for %(programme)s were due on %(due)s:") % names
    else:
        subject = _("Reviews due soon: %(programme)s") % names
        opening = _("Your reviews for %(programme)s are due on %(due)s:") % names
    lines = [opening]
    lines += [
        f"- {a.submission.title}: {absolute_url(reverse('programs:review_form', args=[a.pk]))}"
        for a in assignments
    ]
    lines.append(_("If you have a conflict of interest with one, declare it on its page instead."))
    _send([reviewer.user], subject, "\n".join(lines))


def review_reopened(review, reason: str) -> None:
    """A manager sent a submitted review back to draft: the reviewer learns why."""
    assignment = review.assignment
    if is_conflicted(assignment.reviewer, assignment.submission):
        return  # the submission is hidden from them; so is its news
    names = {"title": assignment.submission.title, "programme": assignment.round.programme.label}
    body = "\n\n".join(
        [
            _("Your review of “%(title)s” in %(programme)s is open again.") % names,
            _("Reason: %(reason)s") % {"reason": reason},
            _("Change it and submit it again: %(page)s")
            % {"page": absolute_url(reverse("programs:review_form", args=[assignment.pk]))},
        ]
    )
    _send([assignment.reviewer.user], _("Review reopened: %(title)s") % names, body)


def reviewer_invited(reviewer, *, new_account: bool = False) -> None:
    programme = reviewer.programme
    account = reviewer.user
    paragraphs = [
        _("You are invited to review for %(programme)s.") % {"programme": programme.label},
    ]
    if new_account:
        link = reverse(
            "accounts:password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(account.pk)),
                default_token_generator.make_token(account),
            ],
        )
        paragraphs.append(
            _(
                "We opened an account for you on Ecotone with the username %(username)s. "
                "Choose its password here: %(page)s (the link works for %(days)s days; "
                "after that, use “Forgotten your password?” on the login page)."
            )
            % {
                "username": account.get_username(),
                "page": absolute_url(link),
                "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            }
        )
    paragraphs.append(
        _(
            "Tell the managers what you know and declare your conflicts of interest on "
            "your reviewer profile: %(page)s"
        )
        % {"page": absolute_url(reverse("programs:reviewer_profile", args=[programme.slug]))}
    )
    if programme.visibility == Visibility.PUBLIC:  # a draft's page is for its managers only
        paragraphs.append(
            _("The call: %(page)s") % {"page": absolute_url(programme.get_absolute_url())}
        )
    _send(
        [account],
        _("Invitation to review for %(programme)s") % {"programme": programme.label},
        "\n\n".join(paragraphs),
    )
