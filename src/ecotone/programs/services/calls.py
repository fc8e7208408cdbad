"""The call of a programme: its window (in the programme's time zone), closing it, and
starting a round."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit

from ..models import (
    Programme,
    Round,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from .checks import ProgrammeRefused, require_manager
from .states import transition_submission


def aware_in(programme: Programme, value: datetime) -> datetime:
    """A date-time typed in the programme's time zone (naive) as an aware instant."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, programme.zone)


@transaction.atomic
def set_call_window(
    *, user: User | AnonymousUser, programme: Programme, opens_at: datetime, closes_at: datetime
) -> Programme:
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


def close_call(
    *, user: User | AnonymousUser, programme: Programme, now: datetime | None = None
) -> Programme:
    now = now or timezone.now()
    # an open call has an opening time (is_open says so); the test is for mypy
    if programme.opens_at is None or not programme.is_open(now):
        raise ProgrammeRefused(_("The call is not open."), code="not_open", status=409)
    return set_call_window(
        user=user, programme=programme, opens_at=programme.opens_at, closes_at=now
    )


@transaction.atomic
def start_round(*, user: User | AnonymousUser, round: Round) -> int:
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
