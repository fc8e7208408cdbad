"""Conflicts of interest: what a reviewer declares, and a manager's override of a detected
one (with a reason, audited). Detection itself is ``programs.conflicts``."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.catalog.models import Organisation

from ..conflicts import conflict_reasons
from ..models import (
    ConflictKind,
    ConflictNote,
    Reviewer,
    Submission,
)
from .checks import ProgrammeRefused, clean_reason, require_manager


@transaction.atomic
def _own_reviewer(user, reviewer: Reviewer) -> None:
    if not (user and user.is_authenticated and reviewer.user_id == user.pk):
        raise PermissionDenied(_("Only the reviewer may declare their own conflicts."))


@transaction.atomic
def declare_organisation_conflicts(
    *, user: User | AnonymousUser, reviewer: Reviewer, organisations: Iterable[Organisation]
) -> Reviewer:
    _own_reviewer(user, reviewer)
    reviewer.declared_organisations.set(organisations)
    record_audit(
        actor=user,
        action="conflict_declare",
        record=reviewer,
        changes={"organisations": ", ".join(str(o.pk) for o in organisations)},
    )
    return reviewer


@transaction.atomic
def declare_submission_conflict(
    *, user: User, reviewer: Reviewer, submission: Submission, reason: str
) -> ConflictNote:
    """From the queue: "I have a conflict with this one." The submission disappears from
    the reviewer's view at once; the next assignment run replaces them."""
    _own_reviewer(user, reviewer)
    note, _created = ConflictNote.objects.update_or_create(
        reviewer=reviewer,
        submission=submission,
        kind=ConflictKind.DECLARED,
        defaults={"reason": clean_reason(reason), "created_by": user},
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
def override_conflict(
    *, user: User, reviewer: Reviewer, submission: Submission, reason: str
) -> ConflictNote:
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
        defaults={"reason": clean_reason(reason), "created_by": user},
    )
    record_audit(
        actor=user,
        action="conflict_override",
        record=reviewer,
        reason=note.reason,
        changes={"submission": submission.pk, "overridden": "; ".join(r.text for r in detected)},
    )
    return note
