"""Applications: drafts, submission before the deadline, withdrawal. Every check of the
applicant's input is here (``_text``, ``_track``, ``_applicant``, ``_linked``, ``_answers``)."""

import re
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Case, Organisation, Solution
from ecotone.core.bounds import parse_id

from .. import emails
from ..models import (
    Programme,
    Submission,
    SubmissionStatus,
)
from .checks import ProgrammeRefused, clean_text
from .states import TransitionRefused, transition_submission


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


def _track(programme: Programme, value):
    track = programme.tracks.filter(key=str(value or "")).first()
    track_id = parse_id(value)
    if track is None and track_id is not None:
        track = programme.tracks.filter(pk=track_id).first()
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


#: how a solution is named in the apply form's box and its suggestions: "Title (#12)"
SOLUTION_LABEL = re.compile(r".*\(#(\d+)\)\s*$", re.DOTALL)
MAX_SOLUTION_NAME = 300


def solution_label(solution: Solution) -> str:
    return f"{solution.label} (#{solution.pk})"


def find_solutions(text: str, *, limit: int = 8) -> list[Solution]:
    """Published solutions whose English or Chinese title contains ``text``, exact titles
    first (the apply form's search box and its suggestions)."""
    text = " ".join(str(text or "").split())[:MAX_SOLUTION_NAME]
    if not text:
        return []
    public = Solution.objects.filter(Solution.public_condition())
    exact = list(public.filter(Q(title_en__iexact=text) | Q(title_zh__iexact=text))[: limit + 1])
    if exact:
        return exact
    return list(
        public.filter(Q(title_en__icontains=text) | Q(title_zh__icontains=text))[: limit + 1]
    )


def _solution(value):
    """A published solution by id (the API), by "Title (#id)" (a suggestion picked in the
    form) or by its name: one match is taken, none or several are refused."""
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) or str(value).strip().isdigit():
        return _linked(Solution, value, "solution")
    labelled = SOLUTION_LABEL.fullmatch(str(value).strip())
    if labelled:
        return _linked(Solution, labelled.group(1), "solution")
    found = find_solutions(value, limit=5)
    if not found:
        raise ProgrammeRefused(
            _("No published solution is named like “%(name)s”.") % {"name": value},
            field="solution",
        )
    if len(found) > 1:
        names = ", ".join(solution_label(s) for s in found[:5])
        raise ProgrammeRefused(
            _("Several published solutions match: %(names)s. Give more of the name or pick one.")
            % {"names": names},
            field="solution",
        )
    return found[0]


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
    return {key: clean_text(given, key) for key in keys if given.get(key)}


@transaction.atomic
def save_draft(
    *,
    user: User | AnonymousUser,
    programme: Programme,
    data: dict,
    submission: Submission | None = None,
    now: datetime | None = None,
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
        "title": clean_text(data, "title", limit=300),
        "summary": clean_text(data, "summary"),
        "case": _linked(Case, data.get("case"), "case"),
        "solution": _solution(data.get("solution")),
        "answers": _answers(programme, data),
    }
    if not fields["title"]:
        raise ProgrammeRefused(_("Give the application a title."), field="title")
    created = submission is None
    if submission is None:
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
def submit_submission(
    *, user: User | AnonymousUser, submission: Submission, now: datetime | None = None
) -> Submission:
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
def save_application(
    *,
    user: User | AnonymousUser,
    programme: Programme,
    data: dict,
    submission: Submission | None = None,
    submit: bool = False,
) -> Submission:
    """The draft saved from ``data``, then submitted when ``submit``: one step for the apply
    page and the API alike, so a refused submission leaves no saved draft behind the error."""
    submission = save_draft(user=user, programme=programme, data=data, submission=submission)
    if submit:
        submission = submit_submission(user=user, submission=submission)
    return submission


@transaction.atomic
def withdraw_submission(
    *, user: User | AnonymousUser, submission: Submission, reason: str = ""
) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.applicant_id not in member_organisation_ids(user):
        raise PermissionDenied(_("Only members of the applicant may withdraw the application."))
    return transition_submission(submission, "withdraw", actor=user, reason=reason)
