"""A round, for its managers: start it, run and adjust the assignment, rank, decide."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth

from .. import services
from ..models import Reviewer, Submission
from ..schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentRunOut,
    DecisionOut,
    DecisionsIn,
    RankOut,
)
from ..services import assigning, decisions
from .common import ERRORS, RoundPosition, assignment_out, managed_round

router = Router(tags=["programmes"])


@router.post(
    "/programmes/{slug}/rounds/{position}/start",
    response={200: dict, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_start_round",
    summary="Start a round",
)
def post_start_round(request, slug: str, position: RoundPosition):
    started = services.start_round(
        user=request.user, round=managed_round(request.user, slug, position)
    )
    return Status(200, {"started": started})


@router.post(
    "/programmes/{slug}/rounds/{position}/assignment",
    response={200: AssignmentRunOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_run_assignment",
    summary="Run the optimal assignment",
)
def post_run_assignment(request, slug: str, position: RoundPosition):
    run = assigning.run_assignment(
        user=request.user, round=managed_round(request.user, slug, position)
    )
    body = {**run.__dict__, "shortfall": {str(k): v for k, v in run.shortfall.items()}}
    return Status(200, body)


@router.get(
    "/programmes/{slug}/rounds/{position}/assignments",
    response={200: list[AssignmentOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_assignments",
    summary="Assignments of a round",
)
def list_assignments(request, slug: str, position: RoundPosition):
    round = managed_round(request.user, slug, position)
    rows = round.assignments.select_related("submission", "reviewer__user", "review", "round")
    return Status(200, [assignment_out(a) for a in rows])


@router.post(
    "/programmes/{slug}/rounds/{position}/assignments",
    response={201: AssignmentOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_add_assignment",
    summary="Add a reviewer by hand",
)
def post_assignment(request, slug: str, position: RoundPosition, payload: AssignmentIn):
    round = managed_round(request.user, slug, position)
    submission = get_object_or_404(Submission, pk=payload.submission, programme=round.programme)
    reviewer = get_object_or_404(Reviewer, pk=payload.reviewer, programme=round.programme)
    assignment = assigning.add_assignment(
        user=request.user, round=round, submission=submission, reviewer=reviewer
    )
    return Status(201, assignment_out(assignment))


def ranking_rows(round) -> list[dict]:
    """The calibrated ranking per track as flat rows (the API and ``ecotone programmes``)."""
    rows = []
    for track, ranked_rows in decisions.round_ranking(round).items():
        for row in ranked_rows:
            r = row.ranked
            rows.append(
                {
                    "submission": row.submission.pk,
                    "title": row.submission.title,
                    "track": track.key,
                    "rank": r.rank if r else None,
                    "tied": bool(r and r.tied),
                    "mean_raw": r.mean_raw if r else None,
                    "mean_calibrated": r.mean_calibrated if r else None,
                    "spread": r.spread if r else None,
                    "disagreement": bool(r and r.disagreement),
                    "review_count": r.review_count if r else 0,
                    "proposal": row.proposal,
                    "decision": row.decision.outcome if row.decision else None,
                }
            )
    return rows


@router.get(
    "/programmes/{slug}/rounds/{position}/ranking",
    response={200: list[RankOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_ranking",
    summary="Calibrated ranking per track",
)
def get_ranking(request, slug: str, position: RoundPosition):
    return Status(200, ranking_rows(managed_round(request.user, slug, position)))


@router.post(
    "/programmes/{slug}/rounds/{position}/decisions",
    response={201: list[DecisionOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_decide",
    summary="Decide in bulk (all or none)",
)
def post_decisions(request, slug: str, position: RoundPosition, payload: DecisionsIn):
    round = managed_round(request.user, slug, position)
    rows = decisions.decision_rows(
        round, [(item.submission, item.outcome, item.reason) for item in payload.decisions]
    )
    written = decisions.decide(user=request.user, round=round, decisions=rows)
    return Status(
        201,
        [
            {"submission": d.submission_id, "outcome": d.outcome, "reason": d.reason}
            for d in written
        ],
    )
