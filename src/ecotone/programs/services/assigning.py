"""Reviewer assignment for a round: the optimal run, and manual changes.

``run_assignment`` turns the round into an ``AssignmentProblem`` (affinity, conflicts,
loads), hands it to the min-cost-flow solver in ``assignment.py`` and writes the difference.
Assignments whose review has started, and those a manager added by hand, are passed as
``fixed``: re-running after late changes keeps them. Conflicted assignments are removed
first, whatever their state — a conflicted reviewer's score must not count.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit

from .. import emails
from ..affinity import affinity_table
from ..assignment import AssignmentProblem, solve_assignment
from ..conflicts import ConflictIndex
from ..models import Assignment, Reviewer, Round, RoundStatus, Submission, SubmissionStatus
from .checks import ProgrammeRefused, clean_reason, require_manager


@dataclass(frozen=True)
class AssignmentRun:
    created: int
    removed: int
    kept: int
    shortfall: dict[int, int]  # submission id -> reviewers missing
    total_affinity: float
    method: str


def round_submissions(round: Round) -> list[Submission]:
    return list(
        Submission.objects.filter(current_round=round, status=SubmissionStatus.IN_REVIEW)
        .select_related("applicant", "track", "created_by", "case", "solution")
        .prefetch_related("track__sectors", "case__sectors", "solution__sectors")
        .order_by("pk")
    )


def pool(round: Round) -> list[Reviewer]:
    return list(
        Reviewer.objects.filter(programme=round.programme, active=True)
        .select_related("user")
        .prefetch_related("sectors")
        .order_by("pk")
    )


def check_runnable(user: User | AnonymousUser, round: Round) -> None:
    """A manager, and an active round; otherwise refused before any work starts."""
    require_manager(user, round.programme)
    round.refresh_from_db(fields=["status"])  # a decision may have just started this round
    if round.status != RoundStatus.ACTIVE:
        raise ProgrammeRefused(
            _("Start the round before assigning reviewers."), code="not_active", status=409
        )


def _drop_conflicted(user, round: Round, index: ConflictIndex, existing: list[Assignment]):
    kept = []
    for assignment in existing:
        reasons = index.reasons(assignment.reviewer, assignment.submission)
        if reasons:
            record_audit(
                actor=user,
                action="assignment_remove",
                record=round,
                reason="; ".join(r.text for r in reasons),
                changes={
                    "submission": assignment.submission_id,
                    "reviewer": assignment.reviewer_id,
                },
            )
            assignment.delete()
        else:
            kept.append(assignment)
    return kept


def _is_fixed(assignment: Assignment) -> bool:
    return assignment.manual or hasattr(assignment, "review")


#: the steps ``run_assignment`` reports through ``progress``: conflicts, affinity, solve, write
RUN_STEPS = 4


@transaction.atomic
def run_assignment(
    *, user: User, round: Round, progress: Callable[[int], None] | None = None
) -> AssignmentRun:
    """``progress(1)`` after each of the ``RUN_STEPS`` steps (the background task's report)."""
    step = progress or (lambda count: None)
    check_runnable(user, round)
    # two runs of one round (the page's worker and the API) write one after the other
    list(Round.objects.select_for_update().filter(pk=round.pk).values_list("pk"))
    submissions, reviewers = round_submissions(round), pool(round)
    if not submissions or not reviewers:
        raise ProgrammeRefused(
            _("The round needs submissions in review and at least one active reviewer."),
            code="empty",
            status=409,
        )
    index = ConflictIndex(reviewers, submissions)
    existing = list(
        round.assignments.select_related("reviewer__user", "submission__applicant", "review")
    )
    existing = _drop_conflicted(user, round, index, existing)
    step(1)
    row = {s.pk: i for i, s in enumerate(submissions)}
    col = {r.pk: j for j, r in enumerate(reviewers)}
    fixed = frozenset(
        (row[a.submission_id], col[a.reviewer_id])
        for a in existing
        if _is_fixed(a) and a.submission_id in row and a.reviewer_id in col
    )
    table = affinity_table(reviewers, submissions)
    step(1)
    problem = AssignmentProblem(
        affinity=table.values,
        reviewers_per_submission=round.reviewers_per_submission,
        max_load=np.array([r.max_load or round.max_load for r in reviewers], dtype=int),
        conflicts=np.array(
            [[index.conflicted(r, s) for r in reviewers] for s in submissions], dtype=bool
        ).reshape(len(submissions), len(reviewers)),
        fixed=fixed,
        min_affinity=round.min_affinity,
    )
    result = solve_assignment(problem)
    step(1)
    wanted = set(result.pairs)
    removed = 0
    for assignment in existing:
        pair = (row.get(assignment.submission_id), col.get(assignment.reviewer_id))
        if pair not in wanted and not _is_fixed(assignment):
            assignment.delete()
            removed += 1
    have = {(row.get(a.submission_id), col.get(a.reviewer_id)): a for a in existing if a.pk}
    created = []
    for i, j in sorted(wanted):
        values = {"affinity": float(table.values[i, j]), "explanation": table.explain(i, j)}
        if (i, j) in have:
            Assignment.objects.filter(pk=have[(i, j)].pk).update(**values)
            continue
        created.append(
            Assignment.objects.create(
                round=round,
                submission=submissions[i],
                reviewer=reviewers[j],
                created_by=user,
                **values,
            )
        )
    shortfall = {submissions[i].pk: missing for i, missing in result.shortfall.items()}
    run = AssignmentRun(
        created=len(created),
        removed=removed,
        kept=len(wanted) - len(created),
        shortfall=shortfall,
        total_affinity=float(result.total_affinity),
        method=table.method,
    )
    record_audit(
        actor=user,
        action="assignment_run",
        record=round,
        changes={
            "created": run.created,
            "removed": run.removed,
            "kept": run.kept,
            "shortfall": {str(k): v for k, v in shortfall.items()},
            "total_affinity": round_to(run.total_affinity),
            "method": run.method,
        },
    )
    transaction.on_commit(lambda: emails.reviews_assigned(created), robust=True)
    step(1)
    return run


def round_to(value: float) -> float:
    return float(f"{value:.4f}")


@transaction.atomic
def add_assignment(
    *, user: User, round: Round, submission: Submission, reviewer: Reviewer
) -> Assignment:
    """A manager adds a reviewer by hand; later runs keep the pair."""
    check_runnable(user, round)
    if submission.current_round_id != round.pk or submission.status != SubmissionStatus.IN_REVIEW:
        raise ProgrammeRefused(_("This submission is not in this round."), field="submission")
    if reviewer.programme_id != round.programme_id or not reviewer.active:
        raise ProgrammeRefused(_("Choose an active reviewer of this programme."), field="reviewer")
    index = ConflictIndex([reviewer], [submission])
    reasons = index.reasons(reviewer, submission)
    if reasons:
        raise ProgrammeRefused(
            _("Conflict of interest: %(reasons)s.")
            % {"reasons": "; ".join(r.text for r in reasons)},
            field="reviewer",
            code="conflict",
            status=409,
        )
    if round.assignments.filter(submission=submission, reviewer=reviewer).exists():
        raise ProgrammeRefused(
            _("This reviewer is already assigned."), code="duplicate", status=409
        )
    table = affinity_table([reviewer], [submission])
    assignment = Assignment.objects.create(
        round=round,
        submission=submission,
        reviewer=reviewer,
        manual=True,
        created_by=user,
        affinity=float(table.values[0, 0]),
        explanation=[
            {"name": "manual", "value": 0, "reason": _("added by a manager")},
            *table.explain(0, 0),
        ],
    )
    record_audit(
        actor=user,
        action="assignment_add",
        record=round,
        changes={"submission": submission.pk, "reviewer": reviewer.pk},
    )
    transaction.on_commit(lambda: emails.reviews_assigned([assignment]), robust=True)
    return assignment


@transaction.atomic
def remove_assignment(*, user: User | AnonymousUser, assignment: Assignment, reason: str) -> None:
    """Take a reviewer off a submission; a submitted review stays (reopen it first)."""
    require_manager(user, assignment.round.programme)
    reason = clean_reason(reason)
    review = getattr(assignment, "review", None)
    if review is not None and review.status == "submitted":
        raise ProgrammeRefused(
            _("This review was submitted; it stays in place."), code="reviewed", status=409
        )
    record_audit(
        actor=user,
        action="assignment_remove",
        record=assignment.round,
        reason=reason,
        changes={"submission": assignment.submission_id, "reviewer": assignment.reviewer_id},
    )
    assignment.delete()
