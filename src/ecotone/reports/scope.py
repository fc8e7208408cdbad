"""Which published records a dashboard, a report or a drill-down page is about.

Every figure the reports app shows is a count over one of the querysets built here, and
every figure links to a page listing that same queryset (``records_behind``). Counting and
listing share the code, so a figure and its records cannot disagree.

Only published records count, whoever is looking: dashboards, reports and open data are
public documents, and a member's drafts do not belong in them.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ecotone.catalog.filters import city_names, in_city, sector_and_descendants
from ecotone.catalog.models import Award, Case, Event, Need, Organisation, Resource, Solution
from ecotone.core.models import active_language_is_chinese
from ecotone.core.refusals import Refused

#: the kinds a figure can count, by their URL name
SCOPED_KINDS = {
    "cases": Case,
    "organisations": Organisation,
    "solutions": Solution,
    "needs": Need,
    "events": Event,
    "awards": Award,
    "resources": Resource,
}

#: the date each kind is placed in a year by (documented on the dashboard and in docs)
YEAR_LOOKUPS = {
    "cases": "start_date__year",
    "needs": "created_at__year",
    "events": "start_date__year",
    "awards": "year",
    "resources": "published__year",
}


class ScopeError(Refused, ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Region:
    """A country (ISO 3166-1 alpha-2 code) or a city (English or Chinese name)."""

    country: str = ""
    city: str = ""
    city_zh: str = ""

    @property
    def key(self) -> str:
        return self.country or self.city or self.city_zh

    @property
    def label(self) -> str:
        if self.country:
            return str(countries.name(self.country)) or self.country
        if active_language_is_chinese():
            return self.city_zh or self.city
        return self.city or self.city_zh

    @property
    def names(self) -> list[str]:
        if self.country:
            return [str(countries.name(self.country))]
        return [name for name in (self.city, self.city_zh) if name]

    def place_q(self, prefix: str = "") -> Q:
        """Records whose own country or city is this region."""
        if self.country:
            return Q(**{f"{prefix}country": self.country})
        return in_city(self.city, self.city_zh, prefix)  # the catalogue's city filter


def parse_region(text: str | None) -> Region | None:
    """``CN`` is a country; anything else is a city, matched in either language."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        if code not in dict(countries):
            raise ScopeError("region", str(_("%(code)s is not a country code") % {"code": code}))
        return Region(country=code)
    if len(text) > 120:
        raise ScopeError("region", str(_("A city name has at most 120 characters.")))
    return _city_region(text)


def _city_region(text: str) -> Region:
    """The city in both languages, as the catalogue's city filter reads it."""
    english, chinese = city_names(text)
    return Region(city=english, city_zh=chinese)


#: the years a report may cover
FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_year(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ScopeError("year", str(_("The year must be a whole number."))) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScopeError("year", str(_("The year must be between 1900 and 2100.")))
    return year


@dataclass(frozen=True)
class ReportScope:
    year: int | None = None
    region: Region | None = None

    @classmethod
    def from_params(cls, params) -> "ReportScope":
        return cls(year=parse_year(params.get("year")), region=parse_region(params.get("region")))

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.year:
            params["year"] = str(self.year)
        if self.region:
            params["region"] = self.region.key
        return params


def published(model) -> QuerySet:
    return model.objects.filter(model.public_condition())


def _organisations_in(region: Region) -> QuerySet:
    return published(Organisation).filter(region.place_q()).values("pk")


def scoped_cases(scope: ReportScope) -> QuerySet:
    """Cases in the region; for a year, those started in it or awarded in it."""
    queryset = published(Case)
    if scope.region:
        queryset = queryset.filter(scope.region.place_q())
    if scope.year:
        awarded = published(Award).filter(year=scope.year).values("case_id")
        queryset = queryset.filter(Q(start_date__year=scope.year) | Q(pk__in=awarded))
    return queryset


def scoped_organisations(scope: ReportScope) -> QuerySet:
    """Organisations based in the region (not limited by year: they are listed, not dated)."""
    queryset = published(Organisation)
    return queryset.filter(scope.region.place_q()) if scope.region else queryset


def scoped_solutions(scope: ReportScope) -> QuerySet:
    """Solutions whose provider is based in the region (solutions carry no date)."""
    queryset = published(Solution)
    if scope.region:
        queryset = queryset.filter(provider__in=_organisations_in(scope.region))
    return queryset


def scoped_needs(scope: ReportScope) -> QuerySet:
    queryset = published(Need)
    if scope.region:
        queryset = queryset.filter(scope.region.place_q())
    if scope.year:
        queryset = queryset.filter(created_at__year=scope.year)
    return queryset


def scoped_events(scope: ReportScope) -> QuerySet:
    """Events held in the region or organised by an organisation based there."""
    queryset = published(Event)
    if scope.region:
        organised = Event.objects.filter(organisers__in=_organisations_in(scope.region))
        queryset = queryset.filter(Q(scope.region.place_q()) | Q(pk__in=organised.values("pk")))
    if scope.year:
        queryset = queryset.filter(start_date__year=scope.year)
    return queryset


def scoped_awards(scope: ReportScope) -> QuerySet:
    """Awards to a case or organisation in the region, or given by one based there."""
    queryset = published(Award)
    if scope.region:
        local = _organisations_in(scope.region)
        local_cases = published(Case).filter(scope.region.place_q()).values("pk")
        queryset = queryset.filter(
            Q(case__in=local_cases) | Q(organisation__in=local) | Q(awarded_by__in=local)
        )
    if scope.year:
        queryset = queryset.filter(year=scope.year)
    return queryset


def scoped_resources(scope: ReportScope) -> QuerySet:
    """Resources published in the year; for a region, those naming it in title or publisher.

    Resources have no place of their own, so the region is matched by name.
    """
    queryset = published(Resource)
    if scope.region:
        named = Q()
        for name in scope.region.names:
            named |= (
                Q(title_en__icontains=name)
                | Q(title_zh__icontains=name)
                | Q(publisher__icontains=name)
                | Q(publisher_zh__icontains=name)
            )
        queryset = queryset.filter(named)
    if scope.year:
        queryset = queryset.filter(published__year=scope.year)
    return queryset


SCOPED_QUERIES = {
    "cases": scoped_cases,
    "organisations": scoped_organisations,
    "solutions": scoped_solutions,
    "needs": scoped_needs,
    "events": scoped_events,
    "awards": scoped_awards,
    "resources": scoped_resources,
}

#: the facets a figure may narrow its records by, beyond the scope
FACETS = ("sector", "country", "city", "in_year", "need_status", "programme")


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def narrow(kind: str, queryset: QuerySet, facets: dict[str, str]) -> QuerySet:
    """Apply the facets of one chart row (a sector, a country, a year, a funnel stage …).

    A facet a kind does not have (a solution's city) matches nothing rather than failing.
    """
    model = queryset.model
    for name, field_name in (("sector", "sectors"), ("country", "country"), ("city", "city")):
        lacks = not _has_field(model, field_name) and not (kind == "awards" and name == "sector")
        if facets.get(name) and lacks:
            return queryset.none()
    if facets.get("sector") == "none":
        queryset = queryset.filter(sectors=None)
    elif facets.get("sector"):
        ids = sector_and_descendants(facets["sector"])
        field = "case__sectors__in" if kind == "awards" else "sectors__in"
        queryset = queryset.filter(
            pk__in=queryset.model.objects.filter(**{field: ids}).values("pk")
        )
    if facets.get("country"):
        queryset = queryset.filter(country=facets["country"])
    if facets.get("city"):
        # A chart row, not a region: the city chart counts records by their exact city
        # value, and its link must list exactly what the row counts (a city as a region
        # uses the catalogue's filter, ``Region.place_q``).
        queryset = queryset.filter(city=facets["city"])
    if facets.get("in_year") and kind in YEAR_LOOKUPS:
        queryset = queryset.filter(**{YEAR_LOOKUPS[kind]: int(facets["in_year"])})
    if facets.get("need_status") and kind == "needs":
        queryset = queryset.filter(need_status=facets["need_status"])
    if facets.get("programme") and kind == "awards":
        queryset = queryset.filter(programme_en=facets["programme"])
    return queryset


def records_behind(kind: str, scope: ReportScope, facets: dict[str, str]) -> QuerySet:
    """The records one figure counts: what its link lists."""
    if kind not in SCOPED_QUERIES:
        raise ScopeError("kind", str(_("Unknown kind of record: %(kind)s") % {"kind": kind}))
    clean = {name: str(facets.get(name) or "") for name in FACETS}
    if clean["in_year"]:
        clean["in_year"] = str(parse_year(clean["in_year"]))
    return narrow(kind, SCOPED_QUERIES[kind](scope), clean)
