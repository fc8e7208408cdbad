"""The explicit state machines of submissions and reviews.

Every status change goes through ``transition_submission`` or ``transition_review``: they
check the move against the table below, save, and write an audit row (who, when, from, to,
why). Anything else is refused with a message that says which moves exist.

Submission::

    draft ──submit──▶ submitted ──start_review──▶ in_review ──award──▶ awarded
      │                  │  │                        │  ▲
      └──withdraw──▶ withdrawn ◀──withdraw──┘       │  └─advance (next round, same status)
                         └────reject──▶ rejected ◀──reject─┘

Review:  draft ──submit──▶ submitted ──reopen (manager, reason)──▶ draft
"""

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ecotone.accounts.audit import record_audit
from ecotone.core.refusals import Refused

from ..models import Review, ReviewStatus, Submission, SubmissionStatus

S = SubmissionStatus
SUBMISSION_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "submit": ({S.DRAFT}, S.SUBMITTED),
    "withdraw": ({S.DRAFT, S.SUBMITTED}, S.WITHDRAWN),
    "start_review": ({S.SUBMITTED}, S.IN_REVIEW),
    "advance": ({S.IN_REVIEW}, S.IN_REVIEW),
    "reject": ({S.SUBMITTED, S.IN_REVIEW}, S.REJECTED),
    "award": ({S.IN_REVIEW}, S.AWARDED),
}
REVIEW_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "submit": ({ReviewStatus.DRAFT}, ReviewStatus.SUBMITTED),
    "reopen": ({ReviewStatus.SUBMITTED}, ReviewStatus.DRAFT),
}
ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "withdraw": gettext_lazy("withdraw"),
    "start_review": gettext_lazy("start review"),
    "advance": gettext_lazy("advance"),
    "reject": gettext_lazy("reject"),
    "award": pgettext_lazy("decision", "award"),
    "reopen": gettext_lazy("reopen"),
}


class TransitionRefused(Refused):
    """A move the state machine does not allow from the current status."""

    code = "invalid_transition"
    status = 409


def _allowed_from(table: dict, status: str) -> list[str]:
    return [
        str(ACTION_LABELS[action]) for action, (sources, _to) in table.items() if status in sources
    ]


def _check(table: dict, action: str, status: str, status_label: str, thing: str) -> str:
    if action not in table:
        raise TransitionRefused(_("Unknown action: %(action)s.") % {"action": action})
    sources, target = table[action]
    if status not in sources:
        allowed = ", ".join(_allowed_from(table, status)) or _("none")
        raise TransitionRefused(
            _("A %(thing)s that is %(status)s cannot %(action)s (possible: %(allowed)s).")
            % {
                "thing": thing,
                "status": status_label,
                "action": ACTION_LABELS[action],
                "allowed": allowed,
            }
        )
    return target


def transition_submission(
    submission: Submission,
    action: str,
    *,
    actor: User | AnonymousUser | None,
    reason: str = "",
    changes: dict | None = None,
) -> Submission:
    """Move ``submission`` by ``action``; saves the fields ``changes`` names too."""
    before = submission.status
    label = str(submission.get_status_display()).lower()
    submission.status = _check(SUBMISSION_TRANSITIONS, action, before, label, _("submission"))
    submission.save()
    record_audit(
        actor=actor,
        action=f"submission_{action}",
        record=submission,
        from_status=before,
        to_status=submission.status,
        changes=changes or {},
        reason=reason,
    )
    return submission


def transition_review(
    review: Review, action: str, *, actor: User | AnonymousUser | None, reason: str = ""
) -> Review:
    before = review.status
    label = str(review.get_status_display()).lower()
    review.status = _check(REVIEW_TRANSITIONS, action, before, label, _("review"))
    review.save()
    record_audit(
        actor=actor,
        action=f"review_{action}",
        record=review,
        from_status=before,
        to_status=review.status,
        reason=reason,
    )
    return review
