"""Every write of a programme, one module per concern; pages, the API, the CLI, tasks and
the demo call these and nothing else writes.

- ``checks``: what every write shares (``require_manager``, ``clean_reason``, the refusal);
- ``states``: the state machines of submissions and reviews, each move checked and audited;
- ``setup`` (with ``spec``, which reads and checks a set-up spec): creating and changing a
  programme, its tracks, rounds and rubric;
- ``calls``: the call window and starting a round;
- ``applications`` (with ``attachments``): drafts, submission, withdrawal;
- ``pool``: the reviewer pool and reviewers' profiles;
- ``conflicts``: declared conflicts and a manager's override of a detected one;
- ``bidding`` and ``assigning``: reviewers' bids and the assignment of submissions;
- ``reviews``: scores against the rubric, revising after the applicant's response, reopening;
- ``discussion``: the reviewers' discussion of a submission (who reads it, blind numbers);
- ``responses``: a round's response window and the applicant's response to the reviews;
- ``reminders``: reminding reviewers of reviews due (a manager's, and the daily job);
- ``decisions``: proposals, decisions and publishing the results.

Every service checks permission and input first (the checks live here, never in a page or
a route), writes in one transaction, leaves an audit entry and sends its e-mails after the
commit. Refusals are ``ProgrammeRefused`` (``core.refusals.Refused``) naming the field at
fault, or ``states.TransitionRefused``; permission failures are ``PermissionDenied``.

The names below are those ``services`` has always offered.
"""

from .applications import (
    save_application,
    save_draft,
    submit_submission,
    withdraw_submission,
)
from .calls import aware_in, close_call, set_call_window, start_round
from .checks import ALLOWED_ATTACHMENT_TYPES, MAX_TEXT, ProgrammeRefused, require_manager
from .conflicts import (
    declare_organisation_conflicts,
    declare_submission_conflict,
    override_conflict,
)
from .reviews import reopen_review, rubric, save_review

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "MAX_TEXT",
    "ProgrammeRefused",
    "aware_in",
    "close_call",
    "declare_organisation_conflicts",
    "declare_submission_conflict",
    "override_conflict",
    "reopen_review",
    "require_manager",
    "rubric",
    "save_application",
    "save_draft",
    "save_review",
    "set_call_window",
    "start_round",
    "submit_submission",
    "withdraw_submission",
]
