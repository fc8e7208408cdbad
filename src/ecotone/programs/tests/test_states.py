"""The state machines: every move from every status is either allowed by the table (and
audited) or refused with a message naming the possible moves."""

import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.programs.models import ReviewStatus, SubmissionStatus
from ecotone.programs.services.states import (
    REVIEW_TRANSITIONS,
    SUBMISSION_TRANSITIONS,
    TransitionRefused,
    transition_submission,
)

from .conftest import add_applicant, make_programme

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("draft", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("submitted", "start_review"): "in_review",
    ("submitted", "reject"): "rejected",
    ("in_review", "advance"): "in_review",
    ("in_review", "reject"): "rejected",
    ("in_review", "award"): "awarded",
}


def _submission(world, status):
    from ecotone.programs.models import Submission

    _user, org = add_applicant(world, f"Org {status}")
    return Submission.objects.create(
        programme=world.programme,
        track=world.tracks["energy"],
        applicant=org,
        title="t",
        status=status,
    )


@pytest.mark.parametrize("status", SubmissionStatus.values)
@pytest.mark.parametrize("action", list(SUBMISSION_TRANSITIONS))
def test_each_submission_move_is_allowed_or_refused_by_the_table(status, action):
    world = make_programme()
    submission = _submission(world, status)
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            transition_submission(submission, action, actor=world.manager)
        assert "cannot" in refused.value.message
        submission.refresh_from_db()
        assert submission.status == status
        assert not AuditEntry.objects.filter(action=f"submission_{action}").exists()
    else:
        transition_submission(submission, action, actor=world.manager, reason="because")
        submission.refresh_from_db()
        assert submission.status == expected
        entry = AuditEntry.objects.get(action=f"submission_{action}")
        assert (entry.from_status, entry.to_status, entry.reason, entry.actor) == (
            status,
            expected,
            "because",
            world.manager,
        )


def test_terminal_states_have_no_way_out():
    for terminal in ("rejected", "awarded", "withdrawn"):
        assert not any(terminal in sources for sources, _ in SUBMISSION_TRANSITIONS.values())


def test_the_review_machine_goes_draft_submitted_and_back_only_by_reopening():
    assert {
        "submit": ({ReviewStatus.DRAFT}, ReviewStatus.SUBMITTED),
        "reopen": ({ReviewStatus.SUBMITTED}, ReviewStatus.DRAFT),
    } == REVIEW_TRANSITIONS


def test_an_unknown_action_is_refused():
    world = make_programme()
    with pytest.raises(TransitionRefused):
        transition_submission(_submission(world, "draft"), "publish", actor=None)
