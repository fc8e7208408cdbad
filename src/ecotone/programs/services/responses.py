"""The applicant's response to the reviews (a rebuttal), round by round.

A manager opens a response window for a round (dates in the programme's time zone; moving
them is the same write). While it is open, the applicant of each submission in review in
that round reads the reviewers' comments meant for them and writes one response, which they
may change until the window closes. The submission's unconflicted reviewers and the managers
read it; once the window has opened, reviewers may revise their submitted reviews while the
round is in progress (``reviews.save_review``). Every write is audited; opening a window
tells the applicants, and a first response tells the round's reviewers, by e-mail.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.programs.models import Programme

from .. import emails
from ..models import (
    ApplicantResponse,
    ResponseWindow,
    Round,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from ..permissions import can_review, is_applicant, is_manager
from .calls import aware_in
from .checks import ProgrammeRefused, clean_text, require_manager

MAX_RESPONSE = 10_000


def window_of(round: Round | None) -> ResponseWindow | None:
    if round is None:
        return None
    return ResponseWindow.objects.filter(round=round).first()


def window_for(submission: Submission) -> ResponseWindow | None:
    """The response window of the round the submission is in, if the managers set one."""
    return window_of(submission.current_round)


def local_text(programme: Programme, moment: datetime) -> str:
    local = timezone.localtime(moment, programme.zone)
    return f"{local:%Y-%m-%d %H:%M} ({programme.time_zone})"


@transaction.atomic
def set_response_window(
    *,
    user: User,
    round: Round,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> ResponseWindow:
    """Open (or move) ``round``'s response window; naive times are in the programme's zone."""
    programme = round.programme
    require_manager(user, programme)
    if round.status == RoundStatus.FINISHED:
        raise ProgrammeRefused(_("This round is finished."), code="finished", status=409)
    if opens_at is None:
        raise ProgrammeRefused(_("Give the time responses open."), field="opens_at")
    if closes_at is None:
        raise ProgrammeRefused(_("Give the time responses close."), field="closes_at")
    opens, closes = aware_in(programme, opens_at), aware_in(programme, closes_at)
    if closes <= opens:
        raise ProgrammeRefused(_("Responses must close after they open."), field="closes_at")
    Round.objects.select_for_update().get(pk=round.pk)  # one window per round, even at once
    window = ResponseWindow.objects.filter(round=round).first()
    before = {}
    if window is None:
        window = ResponseWindow(round=round, created_by=user)
    elif (window.opens_at, window.closes_at) == (opens, closes):
        return window  # nothing changes: no audit entry, no e-mail
    else:
        before = {name: getattr(window, name).isoformat() for name in ("opens_at", "closes_at")}
    window.opens_at, window.closes_at = opens, closes
    window.save()
    record_audit(
        actor=user,
        action="response_window",
        record=round,
        changes={
            "before": before,
            "opens_at": opens.isoformat(),
            "closes_at": closes.isoformat(),
        },
    )
    transaction.on_commit(lambda: emails.response_window_set(window), robust=True)
    return window


def _require_open(window: ResponseWindow | None, submission: Submission) -> ResponseWindow:
    if window is None:
        raise ProgrammeRefused(
            _("The managers have not opened responses for this round."),
            code="no_response_window",
            status=409,
        )
    if submission.status != SubmissionStatus.IN_REVIEW:
        raise ProgrammeRefused(
            _("Only a submission in review takes a response."), code="not_in_review", status=409
        )
    now = timezone.now()
    programme = submission.programme
    if now < window.opens_at:
        raise ProgrammeRefused(
            _("Responses open on %(when)s.") % {"when": local_text(programme, window.opens_at)},
            code="response_window_closed",
            status=409,
        )
    if now >= window.closes_at:
        raise ProgrammeRefused(
            _("Responses closed on %(when)s.") % {"when": local_text(programme, window.closes_at)},
            code="response_window_closed",
            status=409,
        )
    return window


@transaction.atomic
def save_response(*, user: User, submission: Submission, text: str) -> ApplicantResponse:
    """Write or change the applicant's response while the window of its round is open."""
    if not is_applicant(user, submission):
        raise PermissionDenied(_("Only the applicant responds to the reviews."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    window = _require_open(window_for(submission), submission)
    cleaned = clean_text({"text": text}, "text", limit=MAX_RESPONSE)
    if not cleaned:
        raise ProgrammeRefused(_("Write your response."), field="text")
    response = ApplicantResponse.objects.filter(window=window, submission=submission).first()
    first = response is None
    if response is None:
        response = ApplicantResponse(window=window, submission=submission)
    elif response.text == cleaned:
        return response
    response.text, response.written_by = cleaned, user
    response.save()
    record_audit(
        actor=user,
        action="response_write" if first else "response_edit",
        record=submission,
        changes={"round": window.round.position, "characters": len(cleaned)},
    )
    if first:
        transaction.on_commit(lambda: emails.response_received(response), robust=True)
    return response


def submissions_taking_responses(submissions: Iterable[Submission]) -> set[int]:
    """Ids of ``submissions`` whose round's response window is open now."""
    rounds = {
        s.current_round_id
        for s in submissions
        if s.status == SubmissionStatus.IN_REVIEW and s.current_round_id is not None
    }
    now = timezone.now()
    open_rounds = set(
        ResponseWindow.objects.filter(
            round_id__in=rounds, opens_at__lte=now, closes_at__gt=now
        ).values_list("round_id", flat=True)
    )
    return {
        s.pk
        for s in submissions
        if s.status == SubmissionStatus.IN_REVIEW and s.current_round_id in open_rounds
    }


def can_read_responses(user: User | AnonymousUser, submission: Submission) -> bool:
    return (
        is_manager(user, submission.programme)
        or is_applicant(user, submission)
        or can_review(user, submission)
    )


def responses_of(user: User | AnonymousUser, submission: Submission) -> list[ApplicantResponse]:
    """The submission's responses, every round, for its applicant, its unconflicted
    reviewers and the managers; ``PermissionDenied`` for anyone else."""
    if not can_read_responses(user, submission):
        raise PermissionDenied(_("You may not read this submission's responses."))
    return list(
        ApplicantResponse.objects.filter(submission=submission)
        .select_related("window__round")
        .order_by("window__round__position")
    )


def responses_by_submission(
    user: User | AnonymousUser, programme: Programme
) -> dict[int, list[ApplicantResponse]]:
    """Every response of ``programme`` for its managers, by submission id (the export)."""
    require_manager(user, programme)
    found: dict[int, list[ApplicantResponse]] = {}
    for response in (
        ApplicantResponse.objects.filter(submission__programme=programme)
        .select_related("window__round")
        .order_by("window__round__position", "pk")
    ):
        found.setdefault(response.submission_id, []).append(response)
    return found


def revision_open(round: Round) -> bool:
    """Reviewers may revise a submitted review of ``round``: its response window has opened
    and the round is not finished."""
    window = window_of(round)
    return window is not None and window.has_opened() and round.status != RoundStatus.FINISHED
