"""Matchmaking's public functions: ranked matches to read, and the writes of this context.

``matches_for_need`` is the contract other code (pages, the API, benchmarks) relies on.
Every write (introductions, feedback, criteria) checks permission first, runs in one
transaction, leaves an audit entry, and sends its e-mails only once the transaction has
committed, so a rolled-back request never notifies anyone.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Case, Need, Organisation, Solution
from ecotone.core.refusals import Refused

from . import brokers, emails
from .models import (
    FeedbackVote,
    Introduction,
    IntroductionRoute,
    IntroductionStatus,
    MatchFeedback,
    MatchImpression,
    NeedCriteria,
)
from .permissions import (
    can_give_feedback,
    can_respond,
    can_set_criteria,
    can_withdraw,
)
from .ranking import (
    CounterpartGroup,
    NeedMatches,
    counterparts_for_venture,
    need_matches,
    register_counterpart_finder,
)
from .scoring import Component, Constraint, Match

__all__ = [
    "Component",
    "Constraint",
    "CounterpartGroup",
    "Match",
    "MatchingRefused",
    "NeedMatches",
    "counterparts_for_venture",
    "matches_for_need",
    "need_matches",
    "record_feedback",
    "record_impression",
    "record_impression_of",
    "register_counterpart_finder",
    "request_introduction",
    "respond_to_introduction",
    "set_need_criteria",
    "withdraw_introduction",
]

MAX_MESSAGE_CHARS = 2000


#: the project's one refusal type (``core.refusals``), under the name this app has used:
#: 422 for bad input, 409 when the state forbids it (a duplicate, an answered request)
MatchingRefused = Refused


def matches_for_need(need: Need, limit: int = 10) -> list[Match]:
    """The best published solutions and cases for ``need``, best first.

    Each ``Match`` carries its ``kind`` ("solution" or "case"), the ``record``, the
    ``score`` (the sum of its ``components``' values) and the constraints it was checked
    against. Candidates failing a hard constraint are left out (``need_matches`` returns
    them separately); a need past its deadline or closed gets none.
    """
    return need_matches(need, limit).matches


# --- introductions ------------------------------------------------------------------------


def _as_id(value, *, field: str) -> int:
    """Ids arrive as form strings too; anything but a positive whole number is refused."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise MatchingRefused(_("Give the id as a whole number."), field=field)
    return number


def _published(models: dict, kind: str, pk, *, wrong_kind: str, kind_field: str, id_field: str):
    """The published record of ``kind`` with this id, or a refusal naming the field."""
    if kind not in models:
        raise MatchingRefused(wrong_kind, field=kind_field)
    pk = _as_id(pk, field=id_field)
    record = models[kind].objects.filter(models[kind].public_condition(), pk=pk).first()
    if record is None:
        raise MatchingRefused(
            _("There is no published %(kind)s with this id.") % {"kind": kind}, field=id_field
        )
    return record


def resolve_about(kind: str, pk: object) -> Need | Solution:
    """The published need or solution an introduction is about, or a refusal naming it."""
    return _published(
        {"need": Need, "solution": Solution},
        kind,
        pk,
        wrong_kind=_("Choose a need or a solution."),
        kind_field="about_kind",
        id_field="about_id",
    )


def resolve_organisation(pk: object, *, field: str) -> Organisation:
    pk = _as_id(pk, field=field)
    organisation = Organisation.objects.filter(Organisation.public_condition(), pk=pk).first()
    if organisation is None:
        raise MatchingRefused(_("There is no published organisation with this id."), field=field)
    return organisation


def _owning_organisation_id(about: Need | Solution) -> int | None:
    return about.organisation_id if isinstance(about, Need) else about.provider_id


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise MatchingRefused(
            _("Write a short message: who you are and why you want to meet."), field="message"
        )
    if len(message) > MAX_MESSAGE_CHARS:
        raise MatchingRefused(
            _("Keep the message under %(limit)s characters.") % {"limit": MAX_MESSAGE_CHARS},
            field="message",
        )
    return message


def _check_sides(user, requesting: Organisation, target: Organisation, about) -> None:
    if requesting.pk not in member_organisation_ids(user):
        raise PermissionDenied(_("You can only ask on behalf of an organisation you belong to."))
    # Both sides see the organisations and the subject: none of them may be unpublished.
    for record, field in ((requesting, "requesting_organisation"), (target, "target_organisation")):
        if not record.is_public:
            raise MatchingRefused(_("This organisation is not published yet."), field=field)
    if not about.is_public:
        raise MatchingRefused(_("This need or solution is not published yet."), field="about_id")
    if requesting.pk == target.pk:
        raise MatchingRefused(
            _("An organisation cannot ask to be introduced to itself."),
            field="target_organisation",
        )
    if target.pk in member_organisation_ids(user):
        raise MatchingRefused(
            _("You are a member of %(org)s yourself.") % {"org": target.label},
            field="target_organisation",
        )
    if _owning_organisation_id(about) not in {requesting.pk, target.pk}:
        raise MatchingRefused(
            _("An introduction is about a need or solution of one of the two organisations."),
            field="about_id",
        )


def _open_duplicate(requesting: Organisation, target: Organisation, about):
    about_field = "need" if isinstance(about, Need) else "solution"
    return Introduction.objects.filter(
        requesting_organisation=requesting,
        target_organisation=target,
        status=IntroductionStatus.REQUESTED,
        **{about_field: about},
    ).first()


def _duplicate_refusal(existing: Introduction | None) -> MatchingRefused:
    when = timezone.localtime(existing.created_at).date().isoformat() if existing else ""
    return MatchingRefused(
        _(
            "%(org)s already has an open request to %(target)s about this (sent %(date)s). "
            "Wait for their answer or withdraw it first."
        )
        % {
            "org": existing.requesting_organisation.label if existing else "",
            "target": existing.target_organisation.label if existing else "",
            "date": when,
        },
        code="duplicate",
        status=409,
    )


@transaction.atomic
def request_introduction(
    *,
    user: User | AnonymousUser,
    requesting_organisation: Organisation,
    target_organisation: Organisation,
    about: Need | Solution,
    message: str,
) -> Introduction:
    """A member asks, for their organisation, to meet another one about a need or solution."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to ask for an introduction."))
    _check_sides(user, requesting_organisation, target_organisation, about)
    message = _clean_message(message)
    existing = _open_duplicate(requesting_organisation, target_organisation, about)
    if existing is not None:
        raise _duplicate_refusal(existing)
    # Nobody at the target to answer: the platform's brokers take it from the start.
    route = (
        IntroductionRoute.MEMBERS
        if brokers.has_active_members(target_organisation)
        else IntroductionRoute.BROKERS
    )
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                route=route,
                requester=user,
                requesting_organisation=requesting_organisation,
                target_organisation=target_organisation,
                need=about if isinstance(about, Need) else None,
                solution=about if isinstance(about, Solution) else None,
                message=message,
            )
    except IntegrityError:
        # Two submissions raced past the check above; the partial unique index caught it.
        raise _duplicate_refusal(
            _open_duplicate(requesting_organisation, target_organisation, about)
        ) from None
    record_audit(
        actor=user,
        action="introduction_request",
        record=introduction,
        to_status=introduction.status,
        changes={"about": f"{introduction.about_kind}:{about.pk}", "route": route},
    )
    transaction.on_commit(lambda: emails.introduction_requested(introduction), robust=True)
    return introduction


def _locked(introduction: Introduction) -> Introduction:
    """The row again, locked (PostgreSQL) so that two answers cannot both win."""
    return Introduction.objects.select_for_update().get(pk=introduction.pk)


def _check_open(introduction: Introduction) -> None:
    if introduction.status != IntroductionStatus.REQUESTED:
        raise MatchingRefused(
            _("This request is already %(status)s.")
            % {"status": introduction.get_status_display().lower()},
            code="not_open",
            status=409,
        )


@transaction.atomic
def respond_to_introduction(
    *, user: User, introduction: Introduction, accept: bool, note: str = ""
) -> Introduction:
    """A member of the target organisation accepts (sharing contact details) or declines."""
    if not can_respond(user, introduction):
        raise PermissionDenied(_("Only members of the organisation asked can answer."))
    introduction = _locked(introduction)
    _check_open(introduction)
    note = (note or "").strip()
    if len(note) > MAX_MESSAGE_CHARS:
        raise MatchingRefused(
            _("Keep the note under %(limit)s characters.") % {"limit": MAX_MESSAGE_CHARS},
            field="note",
        )
    from_status = introduction.status
    introduction.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    introduction.responded_by = user
    introduction.responded_at = timezone.now()
    introduction.response_note = note
    introduction.save(
        update_fields=["status", "responded_by", "responded_at", "response_note", "updated_at"]
    )
    record_audit(
        actor=user,
        action="introduction_accept" if accept else "introduction_decline",
        record=introduction,
        from_status=from_status,
        to_status=introduction.status,
        reason=note,
    )
    transaction.on_commit(lambda: emails.introduction_answered(introduction), robust=True)
    return introduction


@transaction.atomic
def withdraw_introduction(
    *, user: User | AnonymousUser, introduction: Introduction
) -> Introduction:
    if not can_withdraw(user, introduction):
        raise PermissionDenied(_("Only members of the requesting organisation can withdraw."))
    introduction = _locked(introduction)
    _check_open(introduction)
    introduction.status = IntroductionStatus.WITHDRAWN
    introduction.withdrawn_at = timezone.now()
    introduction.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record_audit(
        actor=user,
        action="introduction_withdraw",
        record=introduction,
        from_status=IntroductionStatus.REQUESTED,
        to_status=introduction.status,
    )
    return introduction


# --- feedback and criteria ----------------------------------------------------------------


def resolve_candidate(kind: str, pk: object) -> Solution | Case:
    """The published solution or case a feedback is about, or a refusal naming it."""
    return _published(
        {"solution": Solution, "case": Case},
        kind,
        pk,
        wrong_kind=_("Feedback is on a solution or a case."),
        kind_field="kind",
        id_field="id",
    )


@transaction.atomic
def record_feedback(
    *, user: User, need: Need, candidate: Solution | Case, relevant: bool
) -> MatchFeedback:
    """One person's verdict on one match; a second verdict replaces the first."""
    if not can_give_feedback(user, need):
        raise PermissionDenied(_("Only the need's maintainers can give feedback on its matches."))
    about = {"solution": candidate} if isinstance(candidate, Solution) else {"case": candidate}
    vote = FeedbackVote.RELEVANT if relevant else FeedbackVote.NOT_RELEVANT
    feedback, _created = MatchFeedback.objects.update_or_create(
        need=need, user=user, **about, defaults={"vote": vote}
    )
    record_audit(
        actor=user,
        action="match_feedback",
        record=feedback,
        changes={"vote": "relevant" if relevant else "not_relevant", "need": str(need.pk)},
    )
    return feedback


@transaction.atomic
def set_need_criteria(
    *,
    user: User | AnonymousUser,
    need: Need,
    min_trl: object,
    regions: Iterable[object] | None = None,
) -> NeedCriteria:
    """The limits the need's maintainers state: its minimum readiness (``None`` or ""
    removes it) and the countries its solutions and cases must come from (country codes;
    empty removes the limit, ``None`` leaves it as it is)."""
    if not can_set_criteria(user, need):
        raise PermissionDenied(_("You may not change this need's matching criteria."))
    min_trl = _parse_trl(min_trl)
    criteria, _created = NeedCriteria.objects.get_or_create(need=need)
    before = {"min_trl": criteria.min_trl, "regions": _codes(criteria.regions)}
    criteria.min_trl = min_trl
    if regions is not None:
        # django-countries' CountryField(multiple=True) takes a list of codes; its stubs
        # type every CountryField as one text value
        criteria.regions = _parse_regions(regions)  # type: ignore[assignment]
    criteria.save(update_fields=["min_trl", "regions", "updated_at"])
    regions_after = _codes(criteria.regions)
    after = {"min_trl": criteria.min_trl, "regions": regions_after}
    record_audit(
        actor=user,
        action="match_criteria",
        record=need,
        changes={
            "min_trl": "" if min_trl is None else str(min_trl),
            "regions": ",".join(regions_after),
        },
        reason="; ".join(
            f"{name}: {_shown(before[name])} → {_shown(after[name])}"
            for name in ("min_trl", "regions")
            if before[name] != after[name]
        ),
    )
    return criteria


def _codes(countries) -> list[str]:
    return sorted(str(getattr(c, "code", c)) for c in countries or [])


def _shown(value) -> str:
    if isinstance(value, list):
        return ",".join(value) or "—"
    return "—" if value is None else str(value)


def _parse_regions(values) -> list[str]:
    """Country codes, upper-cased and de-duplicated; an unknown one is refused by name."""
    codes = sorted({str(v).strip().upper() for v in values if str(v).strip()})
    unknown = [code for code in codes if code not in dict(countries)]
    if unknown:
        raise MatchingRefused(
            _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="regions",
        )
    return codes


def _parse_trl(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        trl = int(value)
    except (TypeError, ValueError):
        trl = 0
    if not 1 <= trl <= 9:
        raise MatchingRefused(
            _("A technology readiness level is a whole number from 1 to 9."), field="min_trl"
        )
    return trl


def record_impression(need: Need, surface: str, shown: int) -> None:
    """Count one showing of ``need``'s matches (``shown`` of them) on ``surface`` today. A
    list with nothing in it is not counted. Two requests at once never lose a count: the
    row is incremented in the database, and a lost race to create it increments instead."""
    record_impression_of(need.pk, surface, shown)


def record_impression_of(need_id: int, surface: str, shown: int) -> None:
    """``record_impression`` by the need's id: what a cached page repeats on each showing
    (``core.page_cache``)."""
    if shown <= 0:
        return
    key = {"need_id": need_id, "day": timezone.localdate(), "surface": surface}
    increment = {"views": F("views") + 1, "matches_shown": F("matches_shown") + shown}
    if MatchImpression.objects.filter(**key).update(**increment):
        return
    try:
        with transaction.atomic():
            MatchImpression.objects.create(**key, views=1, matches_shown=shown)
    except IntegrityError:
        MatchImpression.objects.filter(**key).update(**increment)
