"""``/api/v1/programmes/…``: the call, applications, reviews, assignment, ranking, decisions.

Reads accept a token, a session or nobody (public programmes); writes need a token. Every
submission read goes through ``permissions``: what a page would hide, the API hides (404).
Refusals answer ``{code, message, field}`` (registered in ``apps.py``).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth, reading_user

from . import assigning, decisions, queries, services
from .models import Assignment, Programme, Reviewer, ReviewMode, Round, Submission
from .permissions import (
    can_view_programme,
    can_view_submission,
    is_applicant,
    is_manager,
    review_queue,
    visible_programmes,
    visible_submissions,
)
from .schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentRunOut,
    DecisionOut,
    DecisionsIn,
    ErrorOut,
    ProgrammeOut,
    ProgrammeSummaryOut,
    RankOut,
    ReasonIn,
    ReviewIn,
    SubmissionIn,
    SubmissionOut,
)

router = Router(tags=["programmes"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
WRITE = {"auth": TokenAuth(), "response": None}


def _programme(user, slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).select_related("organiser").first()
    if programme is None or not can_view_programme(user, programme):
        raise Http404
    return programme


def _submission(user, pk: int) -> Submission:
    submission = (
        Submission.objects.filter(pk=pk).select_related("programme", "track", "applicant").first()
    )
    if submission is None or not can_view_submission(user, submission):
        raise Http404
    return submission


def submission_out(user, submission: Submission) -> dict:
    programme = submission.programme
    insider = is_manager(user, programme) or is_applicant(user, submission)
    shows_applicant = insider or programme.review_mode == ReviewMode.OPEN
    return {
        "id": submission.pk,
        "programme": programme.slug,
        "track": submission.track.key,
        "applicant": submission.applicant.label if shows_applicant else None,
        "title": submission.title,
        "summary": submission.summary,
        "answers": submission.answers,
        "status": submission.status,
        "round": submission.current_round.position if submission.current_round_id else None,
        "submitted_at": submission.submitted_at,
        "comments_to_applicant": queries.comments_for_applicant(submission) if insider else [],
        "page_url": submission.get_absolute_url(),
    }


def _winner(submission) -> dict:
    return {
        "submission": submission.pk,
        "organisation": submission.applicant.label,
        "organisation_url": submission.applicant.get_absolute_url(),
        "track": submission.track.key,
        "award_url": submission.award.get_absolute_url() if submission.award_id else None,
        "case_url": submission.case.get_absolute_url() if submission.case_id else None,
    }


def programme_out(programme: Programme) -> dict:
    rounds = programme.rounds_in_order().prefetch_related("criteria")
    return {
        "slug": programme.slug,
        "title": programme.title,
        "year": programme.year,
        "organiser": programme.organiser.label if programme.organiser_id else None,
        "description": programme.description,
        "eligibility": programme.eligibility,
        "opens_at": programme.opens_at,
        "closes_at": programme.closes_at,
        "time_zone": programme.time_zone,
        "is_open": programme.is_open(),
        "award_count": programme.award_count,
        "review_mode": programme.review_mode,
        "illustrative": programme.illustrative,
        "questions": programme.questions,
        "tracks": [
            {"key": t.key, "name": t.name, "sectors": [s.slug for s in t.sectors.all()]}
            for t in programme.tracks.prefetch_related("sectors")
        ],
        "rounds": [
            {
                "position": r.position,
                "kind": r.kind,
                "name": r.name,
                "status": r.status,
                "reviewers_per_submission": r.reviewers_per_submission,
                "max_load": r.max_load,
                "decision_rule": r.decision_rule,
                "decision_value": r.decision_value,
                "reviews_due": r.reviews_due,
                "criteria": [
                    {
                        "key": c.key,
                        "name": c.name,
                        "weight": c.weight,
                        "scale_min": c.scale_min,
                        "scale_max": c.scale_max,
                        "levels": c.levels,
                    }
                    for c in r.criteria.all()
                ],
            }
            for r in rounds
        ],
        "results_published_at": programme.results_published_at,
        "winners": [_winner(s) for s in queries.winners(programme)],
        "page_url": programme.get_absolute_url(),
    }


def assignment_out(assignment: Assignment) -> dict:
    review = getattr(assignment, "review", None)
    return {
        "id": assignment.pk,
        "round": assignment.round.position,
        "submission": assignment.submission_id,
        "submission_title": assignment.submission.title,
        "reviewer": assignment.reviewer.display_name,
        "affinity": assignment.affinity,
        "manual": assignment.manual,
        "explanation": assignment.explanation,
        "review_status": review.status if review else None,
        "review_total": review.total if review else None,
    }


# --- the reviewer's own routes (static paths before "/programmes/{slug}") -------------------


@router.get(
    "/programmes/reviews",
    response={200: list[AssignmentOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_review_queue",
    summary="Your review queue",
)
def get_review_queue(request):
    """The caller's assignments across programmes; conflicted ones are left out."""
    return Status(200, [assignment_out(a) for a in review_queue(request.user)])


def _own_assignment(user, pk: int) -> Assignment:
    assignment = Assignment.objects.filter(pk=pk, reviewer__user=user).first()
    if assignment is None or assignment.pk not in {a.pk for a in review_queue(user)}:
        raise Http404
    return assignment


@router.put(
    "/programmes/reviews/{assignment_id}",
    response={200: AssignmentOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_save_review",
    summary="Save or submit a review",
)
def put_review(request, assignment_id: int, payload: ReviewIn):
    """Scores per criterion key; ``submit: true`` submits (every criterion scored)."""
    assignment = _own_assignment(request.user, assignment_id)
    data = payload.dict()
    submit = data.pop("submit")
    services.save_review(user=request.user, assignment=assignment, data=data, submit=submit)
    return Status(200, assignment_out(Assignment.objects.get(pk=assignment.pk)))


@router.post(
    "/programmes/reviews/{assignment_id}/conflict",
    response={204: None, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_declare_conflict",
    summary="Declare a conflict",
)
def post_conflict(request, assignment_id: int, payload: ReasonIn):
    assignment = _own_assignment(request.user, assignment_id)
    services.declare_submission_conflict(
        user=request.user,
        reviewer=assignment.reviewer,
        submission=assignment.submission,
        reason=payload.reason,
    )
    return Status(204, None)


@router.get(
    "/programmes/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    operation_id="programme_submission",
    summary="One submission you may see",
)
def get_submission(request, submission_id: int):
    user = reading_user(request)
    return Status(200, submission_out(user, _submission(user, submission_id)))


@router.patch(
    "/programmes/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_update_submission",
    summary="Edit a draft",
)
def patch_submission(request, submission_id: int, payload: SubmissionIn):
    submission = _submission(request.user, submission_id)
    data = payload.dict()
    submit = data.pop("submit")
    submission = services.save_draft(
        user=request.user, programme=submission.programme, data=data, submission=submission
    )
    if submit:
        submission = services.submit_submission(user=request.user, submission=submission)
    return Status(200, submission_out(request.user, submission))


@router.post(
    "/programmes/submissions/{submission_id}/submit",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_submit_submission",
    summary="Submit a draft",
)
def post_submit(request, submission_id: int):
    submission = services.submit_submission(
        user=request.user, submission=_submission(request.user, submission_id)
    )
    return Status(200, submission_out(request.user, submission))


@router.post(
    "/programmes/submissions/{submission_id}/withdraw",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_withdraw_submission",
    summary="Withdraw",
)
def post_withdraw(request, submission_id: int, payload: ReasonIn):
    submission = services.withdraw_submission(
        user=request.user,
        submission=_submission(request.user, submission_id),
        reason=payload.reason,
    )
    return Status(200, submission_out(request.user, submission))


@router.delete(
    "/programmes/assignments/{assignment_id}",
    response={204: None, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_remove_assignment",
    summary="Remove a reviewer",
)
def delete_assignment(request, assignment_id: int, reason: str = ""):
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__programme"), pk=assignment_id
    )
    if not is_manager(request.user, assignment.round.programme):
        raise Http404
    assigning.remove_assignment(user=request.user, assignment=assignment, reason=reason)
    return Status(204, None)


# --- programmes -------------------------------------------------------------------------


@router.get(
    "/programmes",
    response={200: list[ProgrammeSummaryOut]},
    operation_id="programme_list",
    summary="Programmes",
)
def list_programmes(request):
    user = reading_user(request)
    return Status(
        200,
        [
            {
                "slug": p.slug,
                "title": p.title,
                "year": p.year,
                "is_open": p.is_open(),
                "illustrative": p.illustrative,
                "results_published_at": p.results_published_at,
                "page_url": p.get_absolute_url(),
            }
            for p in visible_programmes(user)
        ],
    )


@router.get(
    "/programmes/{slug}",
    response={200: ProgrammeOut, **ERRORS},
    operation_id="programme_detail",
    summary="A programme: call, tracks, rubric, dates, results",
)
def get_programme(request, slug: str):
    return Status(200, programme_out(_programme(reading_user(request), slug)))


@router.get(
    "/programmes/{slug}/submissions",
    response={200: list[SubmissionOut], **ERRORS},
    operation_id="programme_submissions",
    summary="Submissions you may see",
)
def list_submissions(request, slug: str):
    user = reading_user(request)
    programme = _programme(user, slug)
    return Status(200, [submission_out(user, s) for s in visible_submissions(user, programme)])


@router.post(
    "/programmes/{slug}/submissions",
    response={201: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_apply",
    summary="Apply (a draft, or submitted at once)",
)
def post_submission(request, slug: str, payload: SubmissionIn):
    programme = _programme(request.user, slug)
    data = payload.dict()
    submit = data.pop("submit")
    submission = services.save_draft(user=request.user, programme=programme, data=data)
    if submit:
        submission = services.submit_submission(user=request.user, submission=submission)
    return Status(201, submission_out(request.user, submission))


def _managed_round(user, slug: str, position: int) -> Round:
    programme = _programme(user, slug)
    if not is_manager(user, programme):
        raise Http404
    return get_object_or_404(Round, programme=programme, position=position)


@router.post(
    "/programmes/{slug}/rounds/{position}/start",
    response={200: dict, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_start_round",
    summary="Start a round",
)
def post_start_round(request, slug: str, position: int):
    started = services.start_round(
        user=request.user, round=_managed_round(request.user, slug, position)
    )
    return Status(200, {"started": started})


@router.post(
    "/programmes/{slug}/rounds/{position}/assignment",
    response={200: AssignmentRunOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_run_assignment",
    summary="Run the optimal assignment",
)
def post_run_assignment(request, slug: str, position: int):
    run = assigning.run_assignment(
        user=request.user, round=_managed_round(request.user, slug, position)
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
def list_assignments(request, slug: str, position: int):
    round = _managed_round(request.user, slug, position)
    rows = round.assignments.select_related("submission", "reviewer__user", "review", "round")
    return Status(200, [assignment_out(a) for a in rows])


@router.post(
    "/programmes/{slug}/rounds/{position}/assignments",
    response={201: AssignmentOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_add_assignment",
    summary="Add a reviewer by hand",
)
def post_assignment(request, slug: str, position: int, payload: AssignmentIn):
    round = _managed_round(request.user, slug, position)
    submission = get_object_or_404(Submission, pk=payload.submission, programme=round.programme)
    reviewer = get_object_or_404(Reviewer, pk=payload.reviewer, programme=round.programme)
    assignment = assigning.add_assignment(
        user=request.user, round=round, submission=submission, reviewer=reviewer
    )
    return Status(201, assignment_out(assignment))


@router.get(
    "/programmes/{slug}/rounds/{position}/ranking",
    response={200: list[RankOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_ranking",
    summary="Calibrated ranking per track",
)
def get_ranking(request, slug: str, position: int):
    round = _managed_round(request.user, slug, position)
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
    return Status(200, rows)


@router.post(
    "/programmes/{slug}/rounds/{position}/decisions",
    response={201: list[DecisionOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_decide",
    summary="Decide in bulk (all or none)",
)
def post_decisions(request, slug: str, position: int, payload: DecisionsIn):
    round = _managed_round(request.user, slug, position)
    rows = []
    for number, item in enumerate(payload.decisions, start=1):
        submission = Submission.objects.filter(
            pk=item.submission, programme=round.programme
        ).first()
        if submission is None:
            raise services.ProgrammeRefused(
                f"row {number}: no submission {item.submission} in this programme",
                field=f"decisions[{number}].submission",
            )
        rows.append((submission, item.outcome, item.reason))
    written = decisions.decide(user=request.user, round=round, decisions=rows)
    return Status(
        201,
        [
            {"submission": d.submission_id, "outcome": d.outcome, "reason": d.reason}
            for d in written
        ],
    )


@router.post(
    "/programmes/{slug}/publish",
    response={200: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_publish",
    summary="Publish the results as catalogue awards",
)
def post_publish(request, slug: str):
    programme = _programme(request.user, slug)
    if not is_manager(request.user, programme):
        raise Http404
    decisions.publish_results(user=request.user, programme=programme)
    programme.refresh_from_db()
    return Status(200, programme_out(programme))
