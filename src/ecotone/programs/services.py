"""The writes of a programme's call: the call window, applications, the reviewer pool,
conflict declarations and overrides, and reviews.

Every service checks permission and input first, writes in one transaction, leaves an
audit entry and sends its e-mails after the commit. Refusals are ``ProgrammeRefused``
(naming the field at fault) or ``states.TransitionRefused``; permission failures are
``PermissionDenied``. Assignment lives in ``assigning.py``, decisions in ``decisions.py``.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Case, Organisation, Solution
from ecotone.core.bounds import parse_id
from ecotone.core.refusals import Refused

from . import emails
from .calibration import CalibrationError, weighted_total
from .calibration import Criterion as RubricCriterion
from .conflicts import conflict_reasons
from .models import (
    Assignment,
    ConflictKind,
    ConflictNote,
    Programme,
    Review,
    Reviewer,
    ReviewStatus,
    Round,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from .permissions import is_manager
from .states import TransitionRefused, transition_review, transition_submission

MAX_TEXT = 20_000
ALLOWED_ATTACHMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".pptx", ".csv"}


#: the project's one refusal type (``core.refusals``), under the name this app has used
ProgrammeRefused = Refused


def require_manager(user, programme: Programme) -> None:
    if not is_manager(user, programme):
        raise PermissionDenied(_("Only the programme's managers may do this."))


# --- the call ----------------------------------------------------------------------------


def aware_in(programme: Programme, value: datetime) -> datetime:
    """A date-time typed in the programme's time zone (naive) as an aware instant."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, programme.zone)


@transaction.atomic
def set_call_window(*, user, programme: Programme, opens_at: datetime, closes_at: datetime):
    require_manager(user, programme)
    opens, closes = aware_in(programme, opens_at), aware_in(programme, closes_at)
    if closes <= opens:
        raise ProgrammeRefused(_("The call must close after it opens."), field="closes_at")
    programme.opens_at, programme.closes_at = opens, closes
    programme.save(update_fields=["opens_at", "closes_at", "updated_at"])
    record_audit(
        actor=user,
        action="call_window",
        record=programme,
        changes={"opens_at": opens.isoformat(), "closes_at": closes.isoformat()},
    )
    return programme


def close_call(*, user, programme: Programme, now: datetime | None = None) -> Programme:
    now = now or timezone.now()
    if not programme.is_open(now):
        raise ProgrammeRefused(_("The call is not open."), code="not_open", status=409)
    return set_call_window(
        user=user, programme=programme, opens_at=programme.opens_at, closes_at=now
    )


# --- applications ------------------------------------------------------------------------


def _check_open(programme: Programme, now: datetime | None) -> None:
    now = now or timezone.now()
    if programme.is_open(now):
        return
    if programme.closes_at and now >= programme.closes_at:
        closed = timezone.localtime(programme.closes_at, programme.zone)
        raise ProgrammeRefused(
            _("The call closed on %(when)s (%(zone)s); late submissions are not accepted.")
            % {"when": closed.strftime("%Y-%m-%d %H:%M"), "zone": programme.time_zone},
            code="closed",
            status=409,
        )
    raise ProgrammeRefused(_("The call is not open yet."), code="not_open", status=409)


def _text(data: dict, name: str, *, limit: int = MAX_TEXT) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise ProgrammeRefused(
            _("Keep this under %(limit)s characters.") % {"limit": limit}, field=name
        )
    return value


def _track(programme: Programme, value):
    track = programme.tracks.filter(key=str(value or "")).first()
    if track is None and parse_id(value) is not None:
        track = programme.tracks.filter(pk=parse_id(value)).first()
    if track is None:
        raise ProgrammeRefused(_("Choose one of the programme's tracks."), field="track")
    return track


def _applicant(user, value) -> Organisation:
    try:
        org_id = int(value)
    except (TypeError, ValueError):
        org_id = 0
    if org_id not in member_organisation_ids(user):
        raise ProgrammeRefused(
            _("Apply on behalf of an organisation you are an active member of."), field="applicant"
        )
    return Organisation.objects.get(pk=org_id)


def _linked(model, value, field: str):
    if value in (None, ""):
        return None
    pk = parse_id(value)
    record = model.objects.filter(model.public_condition(), pk=pk).first() if pk else None
    if record is None:
        raise ProgrammeRefused(_("There is no published record with this id."), field=field)
    return record


def _answers(programme: Programme, data: dict) -> dict:
    given = data.get("answers") or {}
    if not isinstance(given, dict):
        raise ProgrammeRefused(_("Answers are given per question key."), field="answers")
    keys = {q["key"] for q in programme.questions}
    unknown = sorted(set(given) - keys)
    if unknown:
        raise ProgrammeRefused(
            _("Unknown question: %(key)s.") % {"key": unknown[0]}, field=f"answers.{unknown[0]}"
        )
    return {key: _text(given, key) for key in keys if given.get(key)}


@transaction.atomic
def save_draft(
    *, user, programme: Programme, data: dict, submission: Submission | None = None, now=None
) -> Submission:
    """Create or update an application while the call is open; it stays a draft."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to apply."))
    _check_open(programme, now)
    if submission is not None:
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != SubmissionStatus.DRAFT:
            raise TransitionRefused(_("Only a draft can be edited; this one was already sent."))
        if submission.applicant_id not in member_organisation_ids(user):
            raise PermissionDenied(_("Only members of the applicant may edit the application."))
    fields = {
        "track": _track(programme, data.get("track")),
        "applicant": _applicant(user, data.get("applicant")),
        "title": _text(data, "title", limit=300),
        "summary": _text(data, "summary"),
        "case": _linked(Case, data.get("case"), "case"),
        "solution": _linked(Solution, data.get("solution"), "solution"),
        "answers": _answers(programme, data),
    }
    if not fields["title"]:
        raise ProgrammeRefused(_("Give the application a title."), field="title")
    created = submission is None
    if created:
        submission = Submission(programme=programme, created_by=user)
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save()
    if created:
        record_audit(actor=user, action="submission_create", record=submission, to_status="draft")
    return submission


def _check_complete(submission: Submission) -> None:
    for question in submission.programme.questions:
        if question.get("required") and not submission.answers.get(question["key"]):
            raise ProgrammeRefused(
                _("Answer this question before submitting."), field=f"answers.{question['key']}"
            )
    if not submission.summary:
        raise ProgrammeRefused(_("Write a summary before submitting."), field="summary")


@transaction.atomic
def submit_submission(*, user, submission: Submission, now=None) -> Submission:
    """Send a draft to the programme, before the deadline (in the programme's time zone)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.applicant_id not in member_organisation_ids(user):
        raise PermissionDenied(_("Only members of the applicant may submit the application."))
    _check_open(submission.programme, now)
    _check_complete(submission)
    submission.submitted_at = now or timezone.now()
    transition_submission(submission, "submit", actor=user)
    transaction.on_commit(lambda: emails.submission_received(submission), robust=True)
    return submission


@transaction.atomic
def withdraw_submission(*, user, submission: Submission, reason: str = "") -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.applicant_id not in member_organisation_ids(user):
        raise PermissionDenied(_("Only members of the applicant may withdraw the application."))
    return transition_submission(submission, "withdraw", actor=user, reason=reason)


@transaction.atomic
def start_round(*, user, round: Round) -> int:
    """Open a round for review; the first one takes every submitted application."""
    require_manager(user, round.programme)
    if round.status == RoundStatus.FINISHED:
        raise ProgrammeRefused(_("This round is finished."), code="finished", status=409)
    started = 0
    if round.position == round.programme.rounds_in_order().first().position:
        waiting = Submission.objects.filter(
            programme=round.programme, status=SubmissionStatus.SUBMITTED
        )
        for submission in waiting.select_for_update():
            submission.current_round = round
            transition_submission(
                submission, "start_review", actor=user, changes={"round": round.pk}
            )
            started += 1
    round.status = RoundStatus.ACTIVE
    round.save(update_fields=["status"])
    record_audit(actor=user, action="round_start", record=round, to_status=round.status)
    return started


# --- reviewer pool and conflicts ----------------------------------------------------------


@transaction.atomic
def _own_reviewer(user, reviewer: Reviewer) -> None:
    if not (user and user.is_authenticated and reviewer.user_id == user.pk):
        raise PermissionDenied(_("Only the reviewer may declare their own conflicts."))


@transaction.atomic
def declare_organisation_conflicts(*, user, reviewer: Reviewer, organisations) -> Reviewer:
    _own_reviewer(user, reviewer)
    reviewer.declared_organisations.set(organisations)
    record_audit(
        actor=user,
        action="conflict_declare",
        record=reviewer,
        changes={"organisations": ", ".join(str(o.pk) for o in organisations)},
    )
    return reviewer


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ProgrammeRefused(_("Give a reason; it is kept in the audit log."), field="reason")
    return reason[:2000]


@transaction.atomic
def declare_submission_conflict(*, user, reviewer: Reviewer, submission: Submission, reason: str):
    """From the queue: "I have a conflict with this one." The submission disappears from
    the reviewer's view at once; the next assignment run replaces them."""
    _own_reviewer(user, reviewer)
    note, _created = ConflictNote.objects.update_or_create(
        reviewer=reviewer,
        submission=submission,
        kind=ConflictKind.DECLARED,
        defaults={"reason": _reason(reason), "created_by": user},
    )
    record_audit(
        actor=user,
        action="conflict_declare",
        record=reviewer,
        reason=note.reason,
        changes={"submission": submission.pk},
    )
    return note


@transaction.atomic
def override_conflict(*, user, reviewer: Reviewer, submission: Submission, reason: str):
    """A manager sets aside a *detected* conflict (a stale affiliation, a shared web host)."""
    require_manager(user, reviewer.programme)
    detected = [r for r in conflict_reasons(reviewer, submission) if r.detected]
    if not detected:
        raise ProgrammeRefused(
            _("There is no detected conflict to override."), code="no_conflict", status=409
        )
    note, _created = ConflictNote.objects.update_or_create(
        reviewer=reviewer,
        submission=submission,
        kind=ConflictKind.OVERRIDE,
        defaults={"reason": _reason(reason), "created_by": user},
    )
    record_audit(
        actor=user,
        action="conflict_override",
        record=reviewer,
        reason=note.reason,
        changes={"submission": submission.pk, "overridden": "; ".join(r.text for r in detected)},
    )
    return note


# --- reviews ----------------------------------------------------------------------------


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
def save_review(*, user, assignment: Assignment, data: dict, submit: bool = False) -> Review:
    """Save a review as a draft, or submit it (every criterion scored)."""
    _check_reviewer(user, assignment)
    review, created = Review.objects.select_for_update().get_or_create(assignment=assignment)
    if review.status != ReviewStatus.DRAFT:
        raise TransitionRefused(_("This review was submitted; ask a manager to reopen it."))
    round = assignment.round
    review.scores = _clean_scores(round, data.get("scores") or {}, complete=submit)
    review.comment_to_applicant = _text(data, "comment_to_applicant")
    review.comment_to_committee = _text(data, "comment_to_committee")
    review.confidence = _confidence(data.get("confidence"))
    review.recommendation = str(data.get("recommendation") or "")
    if review.recommendation not in {"", "advance", "reject", "award"}:
        raise ProgrammeRefused(_("Choose advance, reject or award."), field="recommendation")
    review.total = (
        _total(round, review.scores) if len(review.scores) == round.criteria.count() else None
    )
    review.save()
    if created:
        record_audit(actor=user, action="review_start", record=review, to_status=review.status)
    if submit:
        review.submitted_at = timezone.now()
        transition_review(review, "submit", actor=user)
    return review


def _total(round: Round, scores: dict) -> float:
    try:
        return weighted_total(scores, rubric(round))
    except CalibrationError as error:
        raise ProgrammeRefused(str(error), field="scores") from None


@transaction.atomic
def reopen_review(*, user, review: Review, reason: str) -> Review:
    require_manager(user, review.assignment.round.programme)
    review = Review.objects.select_for_update().get(pk=review.pk)
    reason = _reason(reason)
    review = transition_review(review, "reopen", actor=user, reason=reason)
    transaction.on_commit(lambda: emails.review_reopened(review, reason), robust=True)
    return review
