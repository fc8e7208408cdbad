"""Bids: a reviewer says how much they want to review a submission (−1 rather not, 0 neutral,
1 interested, 2 eager); the affinity adds it (``affinity.py``).

Who and when:
- only an active reviewer of the programme bids;
- on submissions waiting for a round that has not been assigned yet: a submitted application
  waits for the first round, one in review for its current round. A round is open for bids
  while it is not finished and has no assignment at all; its first assignment (a run or a
  manager's manual pick) closes bidding on every submission of that round. A bid stays on
  the pair, so it also counts in later rounds, where it may be changed before their
  assignment;
- never on a submission the reviewer has a conflict with, which they do not even see here:
  the list leaves it out and placing a bid on it answers "not found";
- in blind review the list shows title, summary and track, never the applicant.
Every change is audited on the reviewer (never on the submission, whose history its
applicant reads): ``bid_place``, ``bid_change``, ``bid_withdraw``, naming the submission and
the preferences. A refused bid, or one that changes nothing, writes no entry.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit

from ..conflicts import ConflictIndex
from ..models import (
    Assignment,
    Bid,
    Programme,
    Reviewer,
    ReviewMode,
    Round,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from ..permissions import reviewer_of
from .checks import ProgrammeRefused

PREFERENCES = (-1, 0, 1, 2)


@dataclass(frozen=True)
class BidRow:
    submission: Submission
    preference: int | None
    applicant: str | None  # None in blind review


def open_round_ids(programme: Programme) -> set[int]:
    """Rounds that take bids: not finished and not assigned yet."""
    assigned = Assignment.objects.filter(round=OuterRef("pk"))
    rounds = Round.objects.filter(programme=programme).exclude(status=RoundStatus.FINISHED)
    return set(rounds.filter(~Exists(assigned)).values_list("pk", flat=True))


def _waiting(programme: Programme) -> Q:
    """Submissions waiting for an open round (the first round, for submitted ones)."""
    open_ids = open_round_ids(programme)
    first = programme.rounds_in_order().first()
    waiting = Q(status=SubmissionStatus.IN_REVIEW, current_round_id__in=open_ids)
    if first is not None and first.pk in open_ids:
        waiting |= Q(status=SubmissionStatus.SUBMITTED)
    return waiting


def biddable_submissions(reviewer: Reviewer) -> list[Submission]:
    """What ``reviewer`` may bid on now; conflicted submissions are never among them."""
    if not reviewer.active:
        return []
    candidates = list(
        Submission.objects.filter(_waiting(reviewer.programme), programme=reviewer.programme)
        .select_related("applicant", "track", "created_by")
        .order_by("track__position", "title", "pk")
    )
    index = ConflictIndex([reviewer], candidates)
    return [s for s in candidates if not index.conflicted(reviewer, s)]


def bid_rows(reviewer: Reviewer) -> list[BidRow]:
    submissions = biddable_submissions(reviewer)
    bids = dict(
        Bid.objects.filter(reviewer=reviewer, submission__in=submissions).values_list(
            "submission_id", "preference"
        )
    )
    shows_applicant = reviewer.programme.review_mode == ReviewMode.OPEN
    return [
        BidRow(s, bids.get(s.pk), s.applicant.label if shows_applicant else None)
        for s in submissions
    ]


def bidder(user: User | AnonymousUser, programme: Programme) -> Reviewer:
    reviewer = reviewer_of(user, programme)
    if reviewer is None:
        raise PermissionDenied(_("Only the programme's active reviewers may bid."))
    return reviewer


def clean_preference(value: Any) -> int | None:  # any form or JSON value
    if value is None or value == "":
        return None
    try:
        preference = int(value)
    except (TypeError, ValueError):
        preference = None
    if preference not in PREFERENCES or isinstance(value, bool | float):
        raise ProgrammeRefused(
            _("Choose −1 (rather not), 0, 1 or 2 (eager), or nothing to clear the bid."),
            field="preference",
        )
    return preference


def _biddable(reviewer: Reviewer, submission_id: int) -> Submission:
    submission = Submission.objects.filter(pk=submission_id, programme=reviewer.programme).first()
    if submission is None or ConflictIndex([reviewer], [submission]).conflicted(
        reviewer, submission
    ):
        raise ProgrammeRefused(
            _("There is no such submission to bid on."), code="not_found", status=404
        )
    if submission.pk not in {s.pk for s in biddable_submissions(reviewer)}:
        raise ProgrammeRefused(
            _("Bidding on this submission is closed: its round has reviewers assigned."),
            code="bidding_closed",
            status=409,
        )
    return submission


@transaction.atomic
def place_bid(
    *, user: User | AnonymousUser, programme: Programme, submission_id: int, preference: object
) -> BidRow:
    """Set (or, with ``None``, clear) the caller's bid on one submission."""
    reviewer = bidder(user, programme)
    preference = clean_preference(preference)
    submission = _biddable(reviewer, submission_id)
    # one writer per reviewer at a time: two first bids on a pair must not both insert
    list(Reviewer.objects.select_for_update().filter(pk=reviewer.pk).values_list("pk"))
    bid = Bid.objects.select_for_update().filter(reviewer=reviewer, submission=submission).first()
    previous = bid.preference if bid is not None else None
    if preference is None and bid is not None:
        bid.delete()
    elif preference is not None and bid is None:
        Bid.objects.create(reviewer=reviewer, submission=submission, preference=preference)
    elif preference is not None and bid is not None and previous != preference:
        bid.preference = preference
        bid.save(update_fields=["preference", "updated_at"])
    if previous != preference:
        _audit_bid(user, reviewer, submission, previous, preference)
    shows_applicant = programme.review_mode == ReviewMode.OPEN
    return BidRow(submission, preference, submission.applicant.label if shows_applicant else None)


def _audit_bid(user, reviewer: Reviewer, submission: Submission, previous, preference) -> None:
    if previous is None:
        action = "bid_place"
    else:
        action = "bid_withdraw" if preference is None else "bid_change"
    record_audit(
        actor=user,
        action=action,
        record=reviewer,
        changes={"submission": submission.pk, "from": previous, "to": preference},
    )


def clear_bid(*, user: User | AnonymousUser, programme: Programme, submission_id: int) -> BidRow:
    return place_bid(user=user, programme=programme, submission_id=submission_id, preference=None)


def bidding_programmes(user: User | AnonymousUser) -> list[Programme]:
    """Programmes where ``user`` is an active reviewer (the bids index page)."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Programme.objects.filter(reviewers__user=user, reviewers__active=True)
        .distinct()
        .order_by("-year", "title_en")
    )
