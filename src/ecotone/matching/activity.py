"""What happened around what one follows: the personal feed (``/<lang>/feed/``) and the
Atom feeds read the same events.

An event is a published need or solution added or changed, an award published, a
programme's call opening or closing (a closing in the next ``AHEAD_DAYS`` days is shown
ahead, so that one can still apply), or a new calculation of a published case's or
solution's impact. Nothing is stored: the events are read from the records themselves,
so the feed is always as true as the catalogue.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecotone.catalog.models import Award, Case, Need, Solution
from ecotone.impact.models import Calculation
from ecotone.programs.models import Programme, Submission, Visibility

from .models import Follow

FEED_DAYS = 60
FEED_LIMIT = 100
AHEAD_DAYS = 14

EVENT_LABELS = {
    "need": _("Need"),
    "solution": _("Solution"),
    "award": pgettext_lazy("feed event", "Award"),
    "call_opens": pgettext_lazy("feed event", "Call opens"),
    "call_closes": pgettext_lazy("feed event", "Call closes"),
    "calculation": _("New impact calculation"),
}


class FeedRecord(Protocol):
    """What an entry needs of its record: an id, a name and a page."""

    @property
    def pk(self) -> Any: ...

    @property
    def label(self) -> str: ...

    def get_absolute_url(self) -> str: ...


@dataclass
class FeedEntry:
    when: datetime
    kind: str  #: a key of ``EVENT_LABELS``
    record: FeedRecord  #: the need, solution, award, programme or calculation
    because: str  #: the followed organisation, sector or programme it is about
    title: str = ""

    def __post_init__(self):
        if not self.title:
            self.title = self.record.label or getattr(self.record, "external_id", "")

    @property
    def what(self) -> str:
        return str(EVENT_LABELS[self.kind])

    @property
    def url(self) -> str:
        return self.record.get_absolute_url()

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.record.pk)


@dataclass
class Followed:
    """What a person (or an Atom feed) follows, with the names to say why an event is
    listed."""

    organisations: dict  #: id → name
    sectors: dict  #: id → name
    programmes: dict  #: id → title

    @classmethod
    def of_user(cls, user) -> "Followed":
        follows = Follow.objects.filter(user=user).select_related(
            "organisation", "sector", "programme"
        )
        followed = cls({}, {}, {})
        for follow in follows:
            # a follow names exactly one of the three (a check constraint)
            if follow.organisation is not None:
                followed.organisations[follow.organisation_id] = follow.organisation.label
            elif follow.sector is not None:
                followed.sectors[follow.sector_id] = follow.sector.name
            elif follow.programme is not None:
                followed.programmes[follow.programme_id] = follow.programme.label
        return followed

    def __bool__(self) -> bool:
        return bool(self.organisations or self.sectors or self.programmes)

    def because(self, organisation_ids=(), sector_ids=(), programme_ids=()) -> str:
        """The first followed thing among these, by name."""
        for ids, names in (
            (organisation_ids, self.organisations),
            (sector_ids, self.sectors),
            (programme_ids, self.programmes),
        ):
            for pk in ids:
                if pk in names:
                    return names[pk]
        return ""


def _sector_ids(record) -> list[int]:
    return [s.pk for s in record.sectors.all()]


def record_events(followed: Followed, since) -> list[FeedEntry]:
    """Published needs and solutions of followed organisations or in followed sectors,
    added or changed since ``since``."""
    entries = []
    for kind, model, owner_field in (
        ("need", Need, "organisation_id"),
        ("solution", Solution, "provider_id"),
    ):
        condition = Q(**{f"{owner_field}__in": followed.organisations}) | Q(
            sectors__in=followed.sectors
        )
        rows = (
            model.objects.filter(model.public_condition(), condition, updated_at__gte=since)
            .prefetch_related("sectors")
            .distinct()
            .order_by("-updated_at")[:FEED_LIMIT]
        )
        for record in rows:
            because = followed.because([getattr(record, owner_field)], _sector_ids(record))
            entries.append(FeedEntry(record.updated_at, kind, record, because))
    return entries


def award_events(followed: Followed, since) -> list[FeedEntry]:
    """Published awards to or by followed organisations, for cases in followed sectors,
    or given by followed programmes."""
    by_programme = dict(
        Submission.objects.filter(
            programme_id__in=followed.programmes, award__isnull=False
        ).values_list("award_id", "programme_id")
    )
    condition = (
        Q(organisation_id__in=followed.organisations)
        | Q(awarded_by_id__in=followed.organisations)
        | Q(case__sectors__in=followed.sectors)
        | Q(pk__in=by_programme)
    )
    rows = (
        Award.objects.filter(Award.public_condition(), condition, created_at__gte=since)
        .select_related("case")
        .prefetch_related("case__sectors")
        .distinct()
        .order_by("-created_at")[:FEED_LIMIT]
    )
    entries = []
    for award in rows:
        because = followed.because(
            [award.organisation_id, award.awarded_by_id],
            _sector_ids(award.case) if award.case else [],
            [by_programme.get(award.pk)],
        )
        title = f"{award.label} — {award.organisation.label}"
        entries.append(FeedEntry(award.created_at, "award", award, because, title))
    return entries


def programme_events(followed: Followed, since, now) -> list[FeedEntry]:
    """Calls of public programmes followed, organised by followed organisations or with a
    track in a followed sector, that opened or closed since ``since``, or close within
    ``AHEAD_DAYS``."""
    until = now + timedelta(days=AHEAD_DAYS)
    rows = (
        Programme.objects.filter(
            Q(pk__in=followed.programmes)
            | Q(organiser_id__in=followed.organisations)
            | Q(tracks__sectors__in=followed.sectors),
            Q(opens_at__range=(since, now)) | Q(closes_at__range=(since, until)),
            visibility=Visibility.PUBLIC,
        )
        .prefetch_related("tracks__sectors")
        .distinct()
        .order_by("-opens_at")[:FEED_LIMIT]
    )
    entries = []
    for programme in rows:
        sectors = [s.pk for track in programme.tracks.all() for s in track.sectors.all()]
        because = followed.because([programme.organiser_id], sectors, [programme.pk])
        if programme.opens_at and since <= programme.opens_at <= now:
            entries.append(FeedEntry(programme.opens_at, "call_opens", programme, because))
        if programme.closes_at and since <= programme.closes_at <= until:
            entries.append(FeedEntry(programme.closes_at, "call_closes", programme, because))
    return entries


def calculation_events(followed: Followed, since) -> list[FeedEntry]:
    """New calculations (current versions) of the impact of published solutions and
    cases of followed organisations or in followed sectors."""
    solutions = Solution.objects.filter(
        Solution.public_condition(),
        Q(provider_id__in=followed.organisations) | Q(sectors__in=followed.sectors),
    )
    cases = Case.objects.filter(
        Case.public_condition(),
        Q(organisations__in=followed.organisations) | Q(sectors__in=followed.sectors),
    )
    rows = (
        Calculation.objects.filter(
            Q(solution__in=solutions) | Q(case__in=cases),
            superseded_by__isnull=True,
            created_at__gte=since,
        )
        .select_related("solution", "case")
        .prefetch_related("solution__sectors", "case__sectors", "case__organisations")
        .order_by("-created_at")[:FEED_LIMIT]
    )
    entries = []
    for calculation in rows:
        subject = calculation.subject
        owners = (
            [subject.provider_id]
            if calculation.solution_id
            else [o.pk for o in subject.organisations.all()]
        )
        because = followed.because(owners, _sector_ids(subject))
        title = f"{subject.label}: {calculation.value:,.4g} {calculation.unit}"
        entries.append(
            FeedEntry(calculation.created_at, "calculation", calculation, because, title)
        )
    return entries


def events(followed: Followed, now=None, days: int = FEED_DAYS) -> list[FeedEntry]:
    """Every event around what is followed, newest (or soonest) first."""
    if not followed:
        return []
    now = now or timezone.now()
    since = now - timedelta(days=days)
    found = (
        record_events(followed, since)
        + award_events(followed, since)
        + programme_events(followed, since, now)
        + calculation_events(followed, since)
    )
    unique = {entry.key: entry for entry in found}
    return sorted(unique.values(), key=lambda e: e.when, reverse=True)[:FEED_LIMIT]


def feed(user, now=None) -> list[FeedEntry]:
    """The person's feed: events around the organisations, sectors and programmes they
    follow in the last ``FEED_DAYS`` days."""
    return events(Followed.of_user(user), now)
