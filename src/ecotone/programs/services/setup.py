"""Setting a programme up from a spec: the call, questions, tracks, rounds and their rubric.

``parse_spec`` (``spec.py``) reads a JSON object (the API body, or ``ecotone programmes
create --file``) into a ``ProgrammeSpec``; ``create_programme`` and ``update_programme``
write it in one transaction with an audit entry. Every refusal is a ``ProgrammeRefused``
whose ``field`` is the path in the spec, indices counted from 0 as in the JSON:
``rounds[1].criteria[0].weight``.

What may still change (``update_programme``; lists given are the whole new list):
- the slug never (addresses and award ids use it); the review mode not once reviewers are
  assigned (an open review cannot be made blind again);
- tracks are matched by key: a track with applications cannot be removed;
- rounds are matched by position (``rounds[0]`` is round 1): a round that has started,
  has assignments or decisions cannot be removed; a finished round's settings stay as they
  were decided; a rubric against which reviews were written keeps its criteria, weights and
  scales (names and level descriptors may still be reworded);
- questions may be added or reworded; one that applicants answered cannot be removed.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import is_staff, member_organisation_ids
from ecotone.catalog.models import Organisation

from ..models import (
    Assignment,
    Criterion,
    DecisionRule,
    Programme,
    Review,
    Round,
    RoundStatus,
    Submission,
    Track,
    Visibility,
)
from .calls import aware_in
from .checks import ProgrammeRefused, require_manager
from .spec import CriterionSpec, ProgrammeSpec, RoundSpec, TrackSpec, parse_spec, refuse

__all__ = [
    "ProgrammeSpec",
    "create_programme",
    "organisers_for",
    "parse_spec",
    "publish_call",
    "update_programme",
]

FROZEN_WHEN_FINISHED = (
    "kind",
    "reviewers_per_submission",
    "max_load",
    "min_affinity",
    "decision_rule",
    "decision_value",
    "disagreement_threshold",
)


# --- permission ---------------------------------------------------------------------------


def check_may_organise(user: User | AnonymousUser, organiser: Organisation | None) -> None:
    """Staff may organise anything; anyone else only for an organisation they belong to."""
    if is_staff(user):
        return
    if organiser is None:
        refuse("organiser", _("Choose the organising organisation (one you are a member of)."))
    if organiser.pk not in member_organisation_ids(user):
        raise ProgrammeRefused(
            _("You may only organise programmes for organisations you are an active member of."),
            field="organiser",
            code="forbidden",
            status=403,
        )


# --- writing ------------------------------------------------------------------------------

# First segments of the programme pages' fixed addresses (programs/urls.py): a programme
# with one of these short names could never be opened, its address taken by the fixed page.
RESERVED_SLUGS = frozenset(
    {"mine", "reviews", "bids", "submissions", "attachments", "new", "solutions"}
)


@transaction.atomic
def create_programme(*, user: User | AnonymousUser, spec: ProgrammeSpec) -> Programme:
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to set a programme up."))
    fields = spec.fields
    for name in ("slug", "year"):
        if name not in fields:
            refuse(name, _("This field is required."))
    if not (fields.get("title_en") or fields.get("title_zh")):
        refuse("title_en", _("Give a title in English or Chinese."))
    if not spec.tracks:
        refuse("tracks", _("Give at least one."))
    if not spec.rounds:
        refuse("rounds", _("Give at least one."))
    check_may_organise(user, fields.get("organiser"))
    if fields["slug"] in RESERVED_SLUGS:
        refuse("slug", _("This short name is taken by a page of the site; choose another."))
    if Programme.objects.filter(slug=fields["slug"]).exists():
        refuse("slug", _("Another programme has this short name."), status=409, code="duplicate")
    programme = Programme()
    _apply_programme_fields(programme, fields)
    _sync_tracks(programme, spec.tracks)
    _sync_rounds(programme, spec.rounds)
    record_audit(
        actor=user, action="programme_create", record=programme, changes=_summary(programme)
    )
    return programme


@transaction.atomic
def update_programme(
    *, user: User | AnonymousUser, programme: Programme, spec: ProgrammeSpec
) -> Programme:
    require_manager(user, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    fields = spec.fields
    if "slug" in fields and fields["slug"] != programme.slug:
        refuse("slug", _("The short name cannot change: addresses and awards use it."))
    if "organiser" in fields and fields["organiser"] != programme.organiser:
        check_may_organise(user, fields["organiser"])
    _check_review_mode(programme, fields.get("review_mode"))
    _check_questions_kept(programme, fields.get("questions"))
    if not (
        fields.get("title_en", programme.title_en) or fields.get("title_zh", programme.title_zh)
    ):
        refuse("title_en", _("Give a title in English or Chinese."))
    for name, items in (("tracks", spec.tracks), ("rounds", spec.rounds)):
        if items == []:
            refuse(name, _("Give at least one."))
    changed = _apply_programme_fields(programme, fields)
    if spec.tracks is not None:
        _sync_tracks(programme, spec.tracks)
        changed.append("tracks")
    if spec.rounds is not None:
        _sync_rounds(programme, spec.rounds)
        changed.append("rounds")
    record_audit(
        actor=user,
        action="programme_update",
        record=programme,
        changes={"changed": changed, **_summary(programme)},
    )
    return programme


def _summary(programme: Programme) -> dict:
    return {
        "slug": programme.slug,
        "tracks": [t.key for t in programme.tracks.all()],
        "rounds": programme.rounds.count(),
    }


def _apply_programme_fields(programme: Programme, fields: dict) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(programme, name) != value]
    for name, value in fields.items():
        setattr(programme, name, value)
    _full_clean(programme, "")
    for name in ("opens_at", "closes_at"):
        if getattr(programme, name) is not None:
            setattr(programme, name, aware_in(programme, getattr(programme, name)))
    if programme.opens_at and programme.closes_at and programme.closes_at <= programme.opens_at:
        refuse("closes_at", _("The call must close after it opens."))
    try:
        with transaction.atomic():  # a savepoint: the check above can lose a race
            programme.save()
    except IntegrityError:
        refuse("slug", _("Another programme has this short name."), status=409, code="duplicate")
    return changed


def _full_clean(instance, path: str, exclude=()) -> None:
    """The models' own validation (time zones, lengths, URLs), named by the spec's path."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        where = path if name == NON_FIELD_ERRORS else (f"{path}.{name}" if path else name)
        refuse(where, " ".join(messages))


def _check_review_mode(programme: Programme, mode) -> None:
    if mode is None or mode == programme.review_mode:
        return
    if Assignment.objects.filter(round__programme=programme).exists():
        refuse(
            "review_mode",
            _("Reviewers are already assigned; the review mode cannot change any more."),
            status=409,
            code="frozen",
        )


def _check_questions_kept(programme: Programme, questions) -> None:
    if questions is None:
        return
    kept = {q["key"] for q in questions}
    for answers in Submission.objects.filter(programme=programme).values_list("answers", flat=True):
        answered = sorted(set(answers or {}) - kept)
        if answered:
            refuse(
                "questions",
                _("Applicants answered the question %(key)s; it cannot be removed.")
                % {"key": answered[0]},
                status=409,
                code="frozen",
            )


def _sync_tracks(programme: Programme, specs: list[TrackSpec]) -> None:
    existing = {t.key: t for t in programme.tracks.all()}
    given = {spec.key for spec in specs}
    for key, track in existing.items():
        if key in given:
            continue
        if track.submissions.exists():
            refuse(
                "tracks",
                _("Track %(key)s has applications; it cannot be removed.") % {"key": key},
                status=409,
                code="frozen",
            )
        track.delete()
    for position, spec in enumerate(specs, start=1):
        track = existing.get(spec.key) or Track(programme=programme, key=spec.key)
        for name, value in spec.fields.items():
            setattr(track, name, value)
        if not (track.name_en or track.name_zh):
            refuse(f"{spec.path}.name_en", _("Give a name in English or Chinese."))
        track.position = position
        _full_clean(track, spec.path, exclude=["programme"])
        track.save()
        if spec.sectors is not None:
            track.sectors.set(spec.sectors)


def _sync_rounds(programme: Programme, specs: list[RoundSpec]) -> None:
    existing = {r.position: r for r in programme.rounds.all()}
    for position, round in sorted(existing.items()):
        if position > len(specs):
            _check_removable(round)
            round.delete()
    for position, spec in enumerate(specs, start=1):
        round = existing.get(position) or Round(programme=programme, position=position)
        _apply_round(round, spec, programme)


def _check_removable(round: Round) -> None:
    used = (
        round.status != RoundStatus.PLANNED
        or round.assignments.exists()
        or round.decisions.exists()
        or Submission.objects.filter(current_round=round).exists()
    )
    if used:
        refuse(
            "rounds",
            _("Round %(position)s has started; it cannot be removed.")
            % {"position": round.position},
            status=409,
            code="frozen",
        )


def _apply_round(round: Round, spec: RoundSpec, programme: Programme) -> None:
    if round.pk and round.status == RoundStatus.FINISHED:
        for name in FROZEN_WHEN_FINISHED:
            if name in spec.fields and spec.fields[name] != getattr(round, name):
                refuse(
                    f"{spec.path}.{name}",
                    _("This round is finished; what decided it cannot change."),
                    status=409,
                    code="frozen",
                )
    if not round.pk and "kind" not in spec.fields:
        refuse(f"{spec.path}.kind", _("This field is required."))
    for name, value in spec.fields.items():
        setattr(round, name, value)
    if round.reviews_due is not None:
        round.reviews_due = aware_in(programme, round.reviews_due)
    _check_decision_rule(round, spec.path)
    _full_clean(round, spec.path, exclude=["programme"])
    round.save()
    if spec.criteria is not None:
        _sync_criteria(round, spec.criteria, spec.path)
    elif not round.criteria.exists():
        refuse(f"{spec.path}.criteria", _("Give the round at least one criterion."))


def _check_decision_rule(round: Round, path: str) -> None:
    value = round.decision_value
    if (
        round.decision_rule == DecisionRule.TOP_N
        and value is not None
        and (value != int(value) or value < 1)
    ):
        refuse(f"{path}.decision_value", _("Top N needs a whole number N of at least 1."))
    if round.decision_rule == DecisionRule.THRESHOLD and value is not None and value > 100:
        refuse(f"{path}.decision_value", _("A threshold is a calibrated score from 0 to 100."))


def _sync_criteria(round: Round, specs: list[CriterionSpec], path: str) -> None:
    if not specs:
        refuse(f"{path}.criteria", _("Give the round at least one criterion."))
    existing = {c.key: c for c in round.criteria.all()}
    before = _shape(existing.values())
    criteria = []
    for position, spec in enumerate(specs):
        criterion = existing.get(spec.key) or Criterion(round=round, key=spec.key)
        for name, value in spec.fields.items():
            setattr(criterion, name, value)
        criterion.position = position
        criteria.append(criterion)
    if _rubric_frozen(round) and before != _shape(criteria):
        refuse(
            f"{path}.criteria",
            _(
                "Reviews were written against this rubric: its criteria, weights and scales "
                "stay; names and level descriptors may still change."
            ),
            status=409,
            code="frozen",
        )
    for spec, criterion in zip(specs, criteria, strict=True):
        _check_scale(criterion, spec.path)
    for key, criterion in existing.items():
        if key not in {spec.key for spec in specs}:
            criterion.delete()
    for spec, criterion in zip(specs, criteria, strict=True):
        _full_clean(criterion, spec.path, exclude=["round"])
        criterion.save()


def _rubric_frozen(round: Round) -> bool:
    return (
        round.status == RoundStatus.FINISHED
        or Review.objects.filter(assignment__round=round).exists()
    )


def _shape(criteria) -> list[tuple]:
    return sorted((c.key, float(c.weight), c.scale_min, c.scale_max) for c in criteria)


def _check_scale(criterion: Criterion, path: str) -> None:
    if criterion.scale_max <= criterion.scale_min:
        refuse(f"{path}.scale_max", _("The highest score must be above the lowest."))
    levels = criterion.scale_max - criterion.scale_min + 1
    if criterion.levels and len(criterion.levels) != levels:
        refuse(
            f"{path}.levels",
            _("Give one descriptor per level: %(count)s, lowest first.") % {"count": levels},
        )
    if not (criterion.name_en or criterion.name_zh):
        refuse(f"{path}.name_en", _("Give a name in English or Chinese."))


# --- the call page ------------------------------------------------------------------------


def organisers_for(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The organisations to offer ``user`` as organiser: those they are an active member of
    (``check_may_organise``), and for staff, who may name any, those organising a programme
    already (the API and the admin take any other)."""
    offered = Q(pk__in=member_organisation_ids(user))
    if is_staff(user):
        offered |= Q(programmes_organised__isnull=False)
    return Organisation.objects.filter(offered).distinct().order_by("name_en", "id")


@transaction.atomic
def publish_call(*, user: User | AnonymousUser, programme: Programme) -> Programme:
    """Show the call to everyone (visibility "public"). It needs its dates, a track and a
    round whose rubric has a criterion, so applicants see what they will be judged on."""
    require_manager(user, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.visibility == Visibility.PUBLIC:
        refuse(None, _("The call is already published."), status=409, code="published")
    for name in ("opens_at", "closes_at"):
        if getattr(programme, name) is None:
            refuse(name, _("Set the call's opening and closing times before publishing it."))
    if not programme.tracks.exists():
        refuse("tracks", _("Give at least one track before publishing the call."))
    first = programme.rounds_in_order().first()
    if first is None or not first.criteria.exists():
        refuse("rounds", _("Give the first round a rubric before publishing the call."))
    programme.visibility = Visibility.PUBLIC
    programme.save(update_fields=["visibility", "updated_at"])
    record_audit(
        actor=user,
        action="call_publish",
        record=programme,
        from_status=Visibility.PRIVATE,
        to_status=Visibility.PUBLIC,
    )
    return programme
