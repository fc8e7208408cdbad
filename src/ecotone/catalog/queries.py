"""Reads of the catalogue, permission-aware, with their related rows fetched up front."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Prefetch, Q, QuerySet

from ecotone.accounts.permissions import visible_records
from ecotone.core.refusals import Refused

from .kinds import KINDS, Kind
from .models import Case, CatalogueRecord, Event, Organisation, Person, Sector, Solution


class InvalidFilter(Refused, ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def filtered_records(kind: Kind, user: User | AnonymousUser, params: Mapping[str, Any]) -> QuerySet:
    """The kind's records that ``user`` may see, narrowed by the kind's filter set: what the
    list page shows, the API lists and the list's download exports."""
    return narrowed(kind, visible_records(user, kind.queryset()), params)


def narrowed(kind: Kind, queryset: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    """``queryset`` narrowed by the kind's filter set; a bad filter is refused naming it."""
    if kind.filterset is None:
        raise LookupError(f"{kind.name} records have no list to filter")
    filterset = kind.filterset(data=params, queryset=queryset)
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise InvalidFilter(field, str(messages[0]))
    return filterset.qs


def filter_names(kind: Kind) -> list[str]:
    return list(kind.filterset.base_filters) if kind.filterset else []


def all_sectors() -> QuerySet:
    return Sector.objects.select_related("parent").order_by("position")


def sector_tree() -> list[tuple[Sector, list[Sector]]]:
    sectors = list(all_sectors())
    children: dict[int, list[Sector]] = {}
    for sector in sectors:
        if sector.parent_id:
            children.setdefault(sector.parent_id, []).append(sector)
    return [(s, children.get(s.pk, [])) for s in sectors if s.parent_id is None]


def published_counts() -> dict[str, int]:
    return {
        kind.plural: kind.model._default_manager.filter(status="published").count()
        for kind in KINDS.values()
        if kind.browsable
    }


def sector_record_counts(sector: Sector, user: User | AnonymousUser) -> dict[str, int]:
    ids = [sector.pk, *sector.children.values_list("pk", flat=True)]
    counts = {}
    for kind in KINDS.values():
        if kind.browsable and hasattr(kind.model, "sectors"):
            counts[kind.plural] = (
                visible_records(user, kind.model._default_manager.filter(sectors__in=ids))
                .distinct()
                .count()
            )
    return counts


def latest(kind: Kind, user: User | AnonymousUser, count: int = 6) -> list:
    return list(
        visible_records(user, kind.queryset()).filter(status="published").order_by("-pk")[:count]
    )


def organisation_relations(organisation: Organisation, user: User | AnonymousUser) -> dict:
    def visible(queryset):
        return visible_records(user, queryset)

    return {
        "solutions": visible(organisation.solutions.prefetch_related("sectors")),
        "cases": visible(organisation.cases.all()),
        "needs": visible(organisation.needs.all()),
        "awards": visible(organisation.awards.select_related("case")),
        "events": visible(organisation.events.all()),
        "people": organisation.affiliations.select_related("person").filter(
            Q(person__public_consent=True) & Q(person__status="published")
        ),
    }


def sectors_with_counts() -> QuerySet:
    return all_sectors().annotate(
        n_solutions=Count("solutions", filter=Q(solutions__status="published"), distinct=True),
        n_cases=Count("cases", filter=Q(cases__status="published"), distinct=True),
    )


def sector_records(kind_name: str, sector: Sector, user: User | AnonymousUser) -> QuerySet:
    kind = KINDS[kind_name]
    ids = [sector.pk, *sector.children.values_list("pk", flat=True)]
    return visible_records(user, kind.queryset().filter(sectors__in=ids)).distinct()


def related_records(record: CatalogueRecord, user: User | AnonymousUser) -> dict:
    """What a detail page lists beside the record, each list permission-filtered."""
    if isinstance(record, Organisation):
        return organisation_relations(record, user)
    if isinstance(record, Case):
        return {
            "organisations": visible_records(user, record.organisations.all()),
            "solutions": visible_records(user, record.solutions.all()),
            "awards": visible_records(user, record.awards.select_related("organisation")),
        }
    if isinstance(record, Solution):
        return {"cases": visible_records(user, record.cases.all())}
    if isinstance(record, Person):
        return {
            "affiliations": record.affiliations.select_related("organisation").filter(
                organisation__in=visible_records(user, Organisation.objects.all())
            ),
            "sessions": record.sessions.select_related("event").filter(
                event__in=visible_records(user, Event.objects.all())
            ),
        }
    if isinstance(record, Event):
        return {
            "organisers": visible_records(user, record.organisers.all()),
            "sessions": record.sessions.prefetch_related(
                Prefetch("speakers", queryset=visible_records(user, Person.objects.all()))
            ),
        }
    return {}
