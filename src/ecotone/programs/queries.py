"""Reads of the programme pages, API and exports, with their related rows fetched up front."""

from collections import Counter, defaultdict

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from ecotone.accounts.permissions import member_organisation_ids

from .models import Assignment, Programme, Review, ReviewStatus, Submission, SubmissionStatus


def winners(programme: Programme) -> QuerySet:
    """Published winners only: before publication the list is empty for everyone."""
    if not programme.results_published:
        return Submission.objects.none()
    return (
        programme.submissions.filter(status=SubmissionStatus.AWARDED)
        .select_related("applicant", "case", "award", "track")
        .order_by("track__position", "applicant__name_en")
    )


def comments_for_applicant(submission: Submission) -> list[str]:
    """What reviewers wrote to the applicant, without names, once their review is in."""
    return [
        text
        for text in Review.objects.filter(
            assignment__submission=submission, status=ReviewStatus.SUBMITTED
        ).values_list("comment_to_applicant", flat=True)
        if text
    ]


def reviews_of(submission: Submission) -> QuerySet:
    return Review.objects.filter(assignment__submission=submission).select_related(
        "assignment__reviewer__user", "assignment__round"
    )


def submissions_of_applicant(user: User | AnonymousUser) -> QuerySet:
    return (
        Submission.objects.filter(
            Q(created_by=user) | Q(applicant_id__in=member_organisation_ids(user))
        )
        .select_related("programme", "track", "applicant")
        .order_by("-updated_at")
    )


def dashboard(programme: Programme) -> dict:
    submissions = list(programme.submissions.select_related("track"))
    per_track: dict = defaultdict(Counter)
    for submission in submissions:
        per_track[submission.track][submission.status] += 1
    rounds = []
    now = timezone.now()
    for round in programme.rounds_in_order():
        assignments = list(
            Assignment.objects.filter(round=round).select_related(
                "review", "reviewer__user", "submission"
            )
        )
        states = Counter(
            getattr(getattr(a, "review", None), "status", "not_started") for a in assignments
        )
        overdue = [
            a
            for a in assignments
            if round.reviews_due
            and round.reviews_due < now
            and getattr(getattr(a, "review", None), "status", "") != ReviewStatus.SUBMITTED
        ]
        waiting = Submission.objects.filter(
            current_round=round, status=SubmissionStatus.IN_REVIEW
        ).count()
        rounds.append(
            {
                "round": round,
                "assigned": len(assignments),
                "states": states,
                "overdue": overdue,
                "waiting": waiting,
            }
        )
    return {
        "per_track": dict(per_track),
        "statuses": SubmissionStatus.choices,
        "rounds": rounds,
        "total": len(submissions),
    }
