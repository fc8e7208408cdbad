"""What every programme route shares: finding records the caller may see, and the bodies.

Every submission read goes through ``permissions``: what a page would hide, the API hides
(404). A caller who may see a programme but not manage it gets 404 on manager routes too, so
the API does not tell outsiders which private operations exist.
"""

from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from pydantic import Field

from .. import queries
from ..models import Assignment, Programme, ReviewMode, Round, Submission
from ..permissions import can_view_programme, can_view_submission, is_applicant, is_manager
from ..schemas import ErrorOut

#: a round's place in its programme, from 1 (a small-integer column)
RoundPosition = Annotated[int, Field(ge=1, le=32767, description="the round's number, from 1")]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def programme_for(user, slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).select_related("organiser").first()
    if programme is None or not can_view_programme(user, programme):
        raise Http404
    return programme


def managed_programme(user, slug: str) -> Programme:
    programme = programme_for(user, slug)
    if not is_manager(user, programme):
        raise Http404
    return programme


def managed_round(user, slug: str, position: int) -> Round:
    return get_object_or_404(Round, programme=managed_programme(user, slug), position=position)


def submission_for(user, pk: int) -> Submission:
    submission = (
        Submission.objects.filter(pk=pk).select_related("programme", "track", "applicant").first()
    )
    if submission is None or not can_view_submission(user, submission):
        raise Http404
    return submission


def shows_applicant(user, submission: Submission) -> bool:
    """Blind review hides the applicant from everyone but managers and the applicant."""
    programme = submission.programme
    return (
        programme.review_mode == ReviewMode.OPEN
        or is_manager(user, programme)
        or is_applicant(user, submission)
    )


def submission_out(user, submission: Submission) -> dict:
    programme = submission.programme
    insider = is_manager(user, programme) or is_applicant(user, submission)
    return {
        "id": submission.pk,
        "programme": programme.slug,
        "track": submission.track.key,
        "applicant": submission.applicant.label if shows_applicant(user, submission) else None,
        "title": submission.title,
        "summary": submission.summary,
        "answers": submission.answers,
        "status": submission.status,
        "round": submission.current_round.position if submission.current_round else None,
        "submitted_at": submission.submitted_at,
        "comments_to_applicant": queries.comments_for_applicant(submission) if insider else [],
        "page_url": submission.get_absolute_url(),
    }


def winner_out(submission) -> dict:
    return {
        "submission": submission.pk,
        "organisation": submission.applicant.label,
        "organisation_url": submission.applicant.get_absolute_url(),
        "track": submission.track.key,
        "award_url": submission.award.get_absolute_url() if submission.award_id else None,
        "case_url": submission.case.get_absolute_url() if submission.case_id else None,
    }


def criterion_out(criterion) -> dict:
    return {
        "key": criterion.key,
        "name": criterion.name,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "levels": criterion.levels,
    }


def round_out(round: Round) -> dict:
    return {
        "position": round.position,
        "kind": round.kind,
        "name": round.name,
        "status": round.status,
        "reviewers_per_submission": round.reviewers_per_submission,
        "max_load": round.max_load,
        "decision_rule": round.decision_rule,
        "decision_value": round.decision_value,
        "reviews_due": round.reviews_due,
        "criteria": [criterion_out(c) for c in round.criteria.all()],
    }


def programme_out(programme: Programme) -> dict:
    rounds = programme.rounds_in_order().prefetch_related("criteria")
    return {
        "slug": programme.slug,
        "title": programme.title,
        "year": programme.year,
        "organiser": programme.organiser.label if programme.organiser else None,
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
        "rounds": [round_out(r) for r in rounds],
        "results_published_at": programme.results_published_at,
        "winners": [winner_out(s) for s in queries.winners(programme)],
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
