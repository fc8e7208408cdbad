"""The e-mails of a programme: application received, reviews assigned, reminders of reviews
due or overdue, a review reopened by a manager, a post in the reviewers' discussion, a
response window opened, an applicant's response, decisions, results.

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
from .models import Outcome, ReviewMode, SubmissionStatus, Visibility


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


def discussion_posted(post, recipients, numbers: dict[int, int]) -> None:
    """A reviewer or manager wrote in a submission's discussion: the other reviewers taking
    part read it, its author named as each of them sees it (a number when review is blind)."""
    submission = post.submission
    programme = submission.programme
    author = post.author
    author_reviewer = next(
        (r for r in submission.programme.reviewers.filter(user=author) if r.pk in numbers), None
    )
    name = (author.get_full_name() or author.get_username()) if author else ""
    if author_reviewer is not None:
        label = _("Reviewer %(n)s") % {"n": numbers[author_reviewer.pk]}
        if programme.review_mode != ReviewMode.BLIND:
            label = f"{label} ({name})"
    else:
        label = _("%(name)s (manager)") % {"name": name}
    names = {"title": submission.title, "programme": programme.label, "author": label}
    page = absolute_url(reverse("programs:discussion", args=[submission.pk]))
    body = "\n\n".join(
        [
            _("%(author)s wrote in the reviewers' discussion of “%(title)s” (%(programme)s):")
            % names,
            post.body,
            _("Read and answer: %(page)s") % {"page": page},
        ]
    )
    for reviewer in recipients:
        _send([reviewer.user], _("Discussion of %(title)s") % names, body)


def response_window_set(window) -> None:
    """A manager opened (or moved) a round's response window: the applicants of the
    submissions in review in that round learn the dates and where to respond."""
    round = window.round
    programme = round.programme
    dates = {
        "opens": _due_text(programme, window.opens_at),
        "closes": _due_text(programme, window.closes_at),
        "programme": programme.label,
    }
    for submission in programme.submissions.filter(
        current_round=round, status=SubmissionStatus.IN_REVIEW
    ).select_related("created_by"):
        names = {**dates, "title": submission.title}
        body = "\n\n".join(
            [
                _(
                    "You may respond to the reviews of “%(title)s” in %(programme)s from "
                    "%(opens)s until %(closes)s."
                )
                % names,
                _("Read the reviewers' comments and write your response here: %(page)s")
                % {"page": absolute_url(reverse("programs:response", args=[submission.pk]))},
            ]
        )
        _send(applicant_people(submission), _("Respond to the reviews of %(title)s") % names, body)


def response_received(response) -> None:
    """The applicant responded: the submission's reviewers in that round (conflicted ones
    left out) may read it before they revise their reviews."""
    submission = response.submission
    round = response.window.round
    names = {"title": submission.title, "programme": round.programme.label}
    for assignment in submission.assignments.filter(round=round).select_related(
        "reviewer__user", "reviewer__programme"
    ):
        if not assignment.reviewer.active or is_conflicted(assignment.reviewer, submission):
            continue
        body = "\n\n".join(
            [
                _("The applicant of “%(title)s” in %(programme)s responded to the reviews.")
                % names,
                _("Read the response and revise your review if it changes your view: %(page)s")
                % {"page": absolute_url(reverse("programs:review_form", args=[assignment.pk]))},
            ]
        )
        _send([assignment.reviewer.user], _("Response to the reviews of %(title)s") % names, body)


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
