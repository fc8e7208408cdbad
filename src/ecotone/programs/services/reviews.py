"""Reviews: saving and submitting scores against the round's rubric, revising a submitted
one once the round's applicant responses have opened, and reopening one."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit

from .. import emails
from ..calibration import CalibrationError, weighted_total
from ..calibration import Criterion as RubricCriterion
from ..conflicts import conflict_reasons
from ..models import (
    Assignment,
    Review,
    ReviewStatus,
    Round,
    RoundStatus,
)
from .checks import ProgrammeRefused, clean_reason, clean_text, require_manager
from .responses import revision_open
from .states import TransitionRefused, transition_review


def rubric(round: Round) -> list[RubricCriterion]:
    return [
        RubricCriterion(key=c.key, weight=c.weight, scale_min=c.scale_min, scale_max=c.scale_max)
        for c in round.criteria.all()
    ]


def _clean_scores(round: Round, scores: dict, *, complete: bool) -> dict[str, int]:
    cleaned = {}
    for criterion in round.criteria.all():
        raw = scores.get(criterion.key)
        if raw in (None, ""):
            if complete:
                raise ProgrammeRefused(_("Score every criterion."), field=f"scores.{criterion.key}")
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = criterion.scale_min - 1
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise ProgrammeRefused(
                _("Give a whole number from %(low)s to %(high)s.")
                % {"low": criterion.scale_min, "high": criterion.scale_max},
                field=f"scores.{criterion.key}",
            )
        cleaned[criterion.key] = value
    unknown = sorted(
        {k for k, v in scores.items() if v not in (None, "")}
        - {c.key for c in round.criteria.all()}
    )
    if unknown:
        raise ProgrammeRefused(_("Unknown criterion."), field=f"scores.{unknown[0]}")
    return cleaned


def _check_reviewer(user, assignment: Assignment) -> None:
    if not (user and user.is_authenticated and assignment.reviewer.user_id == user.pk):
        raise PermissionDenied(_("This review is assigned to someone else."))
    if conflict_reasons(assignment.reviewer, assignment.submission):
        raise PermissionDenied(_("You have a conflict with this submission."))
    if assignment.round.status == RoundStatus.FINISHED:
        raise ProgrammeRefused(_("This round is finished."), code="finished", status=409)


def _confidence(value) -> int | None:
    if value in (None, ""):
        return None
    if str(value) not in {"1", "2", "3", "4", "5"}:
        raise ProgrammeRefused(_("Confidence is a whole number from 1 to 5."), field="confidence")
    return int(value)


@transaction.atomic
def save_review(
    *, user: User | AnonymousUser, assignment: Assignment, data: dict, submit: bool = False
) -> Review:
    """Save a review as a draft, or submit it (every criterion scored). A submitted review
    is revised instead (every criterion scored, audited with the scores before and after)
    once the round's response window has opened; otherwise only a manager reopens it."""
    _check_reviewer(user, assignment)
    review, created = Review.objects.select_for_update().get_or_create(assignment=assignment)
    round = assignment.round
    if review.status != ReviewStatus.DRAFT:
        if not revision_open(round):
            raise TransitionRefused(_("This review was submitted; ask a manager to reopen it."))
        return _revise(user, review, data)
    _fill(review, round, data, complete=submit)
    review.save()
    if created:
        record_audit(actor=user, action="review_start", record=review, to_status=review.status)
    if submit:
        review.submitted_at = timezone.now()
        transition_review(review, "submit", actor=user)
    return review


def _fill(review: Review, round: Round, data: dict, *, complete: bool) -> None:
    review.scores = _clean_scores(round, data.get("scores") or {}, complete=complete)
    review.comment_to_applicant = clean_text(data, "comment_to_applicant")
    review.comment_to_committee = clean_text(data, "comment_to_committee")
    review.confidence = _confidence(data.get("confidence"))
    review.recommendation = str(data.get("recommendation") or "")
    if review.recommendation not in {"", "advance", "reject", "award"}:
        raise ProgrammeRefused(_("Choose advance, reject or award."), field="recommendation")
    review.total = (
        _total(round, review.scores) if len(review.scores) == round.criteria.count() else None
    )


def _revise(user, review: Review, data: dict) -> Review:
    round = review.assignment.round
    before = {"scores": dict(review.scores), "total": review.total}
    _fill(review, round, data, complete=True)
    review.save()
    record_audit(
        actor=user,
        action="review_revise",
        record=review,
        changes={"before": before, "scores": review.scores, "total": review.total},
    )
    return review


def _total(round: Round, scores: dict) -> float:
    try:
        return weighted_total(scores, rubric(round))
    except CalibrationError as error:
        raise ProgrammeRefused(str(error), field="scores") from None


@transaction.atomic
def reopen_review(*, user: User | AnonymousUser, review: Review, reason: str) -> Review:
    require_manager(user, review.assignment.round.programme)
    review = Review.objects.select_for_update().get(pk=review.pk)
    reason = clean_reason(reason)
    review = transition_review(review, "reopen", actor=user, reason=reason)
    transaction.on_commit(lambda: emails.review_reopened(review, reason), robust=True)
    return review


def reopen_assigned_review(
    *, user: User | AnonymousUser, assignment: Assignment, reason: str
) -> Review:
    """``reopen_review`` for the review of ``assignment`` (the assignments page and the API
    name the assignment): refused when its reviewer has not submitted one."""
    require_manager(user, assignment.round.programme)
    review = Review.objects.filter(assignment=assignment).first()
    if review is None:
        raise TransitionRefused(_("There is no submitted review to reopen."))
    return reopen_review(user=user, review=review, reason=reason)
