"""Reminders of reviews due soon or overdue: a manager's "remind the reviewers" for one
round (checked and audited), and the daily job over every active round."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit

from .. import emails
from ..conflicts import ConflictIndex
from ..models import Assignment, Reviewer, ReviewStatus, Round, RoundStatus, SubmissionStatus
from .checks import ProgrammeRefused, require_manager

#: how far ahead of the due date ``send_due_reminders`` writes (a cron job runs it daily)
REMIND_AHEAD = timedelta(days=3)


def pending_reviews(round: Round) -> dict[Reviewer, list[Assignment]]:
    """reviewer -> their assignments in ``round`` whose review is not submitted, conflicted
    ones left out (a reminder must not name a submission hidden from them)."""
    assignments = list(
        round.assignments.filter(
            reviewer__active=True,
            submission__current_round=round,
            submission__status=SubmissionStatus.IN_REVIEW,
        )
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related(
            "reviewer__user",
            "reviewer__programme",
            "submission__applicant",
            "submission__created_by",
        )
        .order_by("reviewer_id", "submission__title", "pk")
    )
    index = ConflictIndex(
        {a.reviewer_id: a.reviewer for a in assignments}.values(),
        {a.submission_id: a.submission for a in assignments}.values(),
    )
    pending: dict[Reviewer, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        if not index.conflicted(assignment.reviewer, assignment.submission):
            pending[assignment.reviewer].append(assignment)
    return dict(pending)


def send_reminders(round: Round, now: datetime | None = None) -> tuple[int, int]:
    """E-mail each reviewer of an active round with a due date their pending reviews.
    Answers (reviewers written to, reviews named)."""
    now = now or timezone.now()
    if round.status != RoundStatus.ACTIVE or round.reviews_due is None:
        return 0, 0
    pending = pending_reviews(round)
    for reviewer, assignments in pending.items():
        emails.review_reminder(reviewer, assignments, due=round.reviews_due, now=now)
    return len(pending), sum(len(items) for items in pending.values())


def remind_reviewers(
    *, user: User | AnonymousUser, round: Round, now: datetime | None = None
) -> tuple[int, int]:
    """A manager's "remind the reviewers" for one round; audited."""
    require_manager(user, round.programme)
    if round.status != RoundStatus.ACTIVE:
        raise ProgrammeRefused(_("This round is not in progress."), code="not_active", status=409)
    if round.reviews_due is None:
        raise ProgrammeRefused(
            _("Set the round's review due date first (in the admin)."), field="reviews_due"
        )
    reviewers, reviews = send_reminders(round, now)
    record_audit(
        actor=user,
        action="review_reminders",
        record=round,
        changes={"reviewers": reviewers, "reviews": reviews},
    )
    return reviewers, reviews


def send_due_reminders(now: datetime | None = None, ahead: timedelta = REMIND_AHEAD) -> int:
    """Every active round due within ``ahead`` or overdue: remind its reviewers. For a daily
    job (a command or a scheduler); answers the number of e-mails sent."""
    now = now or timezone.now()
    rounds = Round.objects.filter(
        status=RoundStatus.ACTIVE, reviews_due__isnull=False, reviews_due__lte=now + ahead
    ).select_related("programme")
    return sum(send_reminders(round, now)[0] for round in rounds)
