"""The dashboard figures: aggregate queries over the scoped records, shaped as charts.

Each function runs a fixed number of grouped queries (never one per record or per
sector), so the dashboard costs the same on the demo's 4,600 records as on 100,000.
"""

from urllib.parse import urlencode

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries

from ecotone.catalog.choices import NeedStatus
from ecotone.catalog.models import Award, Sector
from ecotone.core.models import active_language_is_chinese

from .charts import Chart, ChartRow
from .scope import SCOPED_QUERIES, ReportScope

TOP_PLACES = 12
MAX_YEARS = 20
NO_SECTOR = "none"


def records_url(kind: str, scope: ReportScope, **facets) -> str:
    """The page listing the records a figure counts (a path; reports prefix their base URL)."""
    params = {**scope.as_params(), **{k: v for k, v in facets.items() if v not in (None, "")}}
    url = reverse("reports:records", args=[kind])
    return f"{url}?{urlencode(params)}" if params else url


def scoped(kind: str, scope: ReportScope) -> QuerySet:
    return SCOPED_QUERIES[kind](scope)


def count_by_top_sector(queryset: QuerySet) -> dict[int | None, int]:
    """Records per top-level sector: a record in two sub-sectors of one sector counts once."""
    model_name = queryset.model._meta.model_name
    through = queryset.model.sectors.through
    rows = (
        through.objects.filter(**{f"{model_name}__in": queryset.values("pk")})
        .annotate(top=Coalesce("sector__parent_id", "sector_id"))
        .values("top")
        .annotate(n=Count(f"{model_name}_id", distinct=True))
    )
    counts: dict[int | None, int] = {row["top"]: row["n"] for row in rows}
    counts[None] = queryset.filter(sectors=None).count()
    return counts


def sector_chart(scope: ReportScope, kinds: tuple[str, ...] = ("cases", "solutions")) -> Chart:
    counts = {kind: count_by_top_sector(scoped(kind, scope)) for kind in kinds}
    rows = []
    for sector in Sector.objects.filter(parent=None).order_by("position", "slug"):
        values = tuple(counts[kind].get(sector.pk, 0) for kind in kinds)
        if any(values):
            links = tuple(records_url(kind, scope, sector=sector.slug) for kind in kinds)
            rows.append(ChartRow(sector.name, values, links))
    unsorted = tuple(counts[kind][None] for kind in kinds)
    if any(unsorted):
        links = tuple(records_url(kind, scope, sector=NO_SECTOR) for kind in kinds)
        rows.append(ChartRow(_("No sector given"), unsorted, links))
    return Chart(
        slug="sectors",
        title=_("Cases and solutions by sector") if len(kinds) > 1 else _("Cases by sector"),
        category=_("Sector"),
        series=tuple(kind_label(kind) for kind in kinds),
        rows=tuple(rows),
        note=_("Top-level sectors. A record listed under several sectors is counted once in each."),
    )


def kind_label(kind: str) -> str:
    return {
        "cases": _("Cases"),
        "organisations": _("Organisations"),
        "solutions": _("Solutions"),
        "needs": _("Needs"),
        "events": _("Events"),
        "awards": _("Awards"),
        "resources": _("Resources"),
    }[kind]


def country_chart(scope: ReportScope, kinds: tuple[str, ...] = ("cases", "organisations")) -> Chart:
    counts = {
        kind: {
            row["country"]: row["n"]
            for row in scoped(kind, scope).values("country").annotate(n=Count("pk")).order_by()
        }
        for kind in kinds
    }
    codes = {code for per_kind in counts.values() for code in per_kind if code}
    ranked = sorted(codes, key=lambda code: (-sum(c.get(code, 0) for c in counts.values()), code))
    rows = tuple(
        ChartRow(
            str(countries.name(code)) or code,
            tuple(counts[kind].get(code, 0) for kind in kinds),
            tuple(records_url(kind, scope, country=code) for kind in kinds),
        )
        for code in ranked[:TOP_PLACES]
    )
    return Chart(
        slug="countries",
        title=_("Cases and organisations by country"),
        category=_("Country"),
        series=tuple(kind_label(kind) for kind in kinds),
        rows=rows,
        note=_("The %(n)s countries with the most records; records with no country are left out.")
        % {"n": TOP_PLACES},
    )


def city_chart(scope: ReportScope, kinds: tuple[str, ...] = ("cases", "organisations")) -> Chart:
    counts: dict[str, dict[str, int]] = {kind: {} for kind in kinds}
    names: dict[str, str] = {}
    for kind in kinds:
        grouped = (
            scoped(kind, scope)
            .exclude(city="")
            .values("city", "city_zh")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            counts[kind][row["city"]] = counts[kind].get(row["city"], 0) + row["n"]
            names.setdefault(row["city"], _in_language(row["city"], row["city_zh"]))
    ranked = sorted(names, key=lambda city: (-sum(c.get(city, 0) for c in counts.values()), city))
    rows = tuple(
        ChartRow(
            names[city],
            tuple(counts[kind].get(city, 0) for kind in kinds),
            tuple(records_url(kind, scope, city=city) for kind in kinds),
        )
        for city in ranked[:TOP_PLACES]
    )
    return Chart(
        slug="cities",
        title=_("Cases and organisations by city"),
        category=_("City"),
        series=tuple(kind_label(kind) for kind in kinds),
        rows=rows,
        note=_("The %(n)s cities with the most records; many records name no city.")
        % {"n": TOP_PLACES},
    )


def _in_language(english: str, chinese: str) -> str:
    if active_language_is_chinese():
        return chinese or english
    return english or chinese


YEAR_SERIES = (
    ("cases", ExtractYear("start_date")),
    ("events", ExtractYear("start_date")),
    ("awards", F("year")),
    ("resources", ExtractYear("published")),
)


def year_chart(scope: ReportScope) -> Chart:
    """Records per calendar year. The year filter does not apply: this chart is the years."""
    undated = ReportScope(year=None, region=scope.region)
    counts: dict[str, dict[int, int]] = {}
    for kind, year_expression in YEAR_SERIES:
        queryset = scoped(kind, undated).annotate(in_year=year_expression)
        grouped = queryset.exclude(in_year=None).values("in_year").annotate(n=Count("pk"))
        counts[kind] = {row["in_year"]: row["n"] for row in grouped.order_by()}
    years = sorted({year for per_kind in counts.values() for year in per_kind})[-MAX_YEARS:]
    rows = tuple(
        ChartRow(
            str(year),
            tuple(counts[kind].get(year, 0) for kind, _expr in YEAR_SERIES),
            tuple(records_url(kind, undated, in_year=year) for kind, _expr in YEAR_SERIES),
        )
        for year in years
    )
    return Chart(
        slug="years",
        title=_("Records by year"),
        category=_("Year"),
        series=tuple(kind_label(kind) for kind, _expr in YEAR_SERIES),
        rows=rows,
        horizontal=False,
        note=_(
            "Cases by the year they started (planned starts included), events by their "
            "date, awards by their year, resources by publication. The %(n)s latest years "
            "with records."
        )
        % {"n": MAX_YEARS},
    )


def needs_funnel_chart(scope: ReportScope) -> Chart:
    grouped = scoped("needs", scope).values("need_status").annotate(n=Count("pk")).order_by()
    counts = {row["need_status"]: row["n"] for row in grouped}
    rows = tuple(
        ChartRow(
            str(label),
            (counts.get(status, 0),),
            (records_url("needs", scope, need_status=status),),
        )
        for status, label in NeedStatus.choices
    )
    return Chart(
        slug="needs-funnel",
        title=_("Needs: open → in discussion → matched → closed"),
        category=_("Stage"),
        series=(_("Needs"),),
        rows=rows,
        note=_("Published needs by their current stage, as their maintainers set it."),
    )


def introductions_chart(scope: ReportScope) -> Chart:
    """Introductions asked about the scoped needs, by answer. Shown to staff only."""
    from ecotone.matching.models import Introduction, IntroductionStatus

    grouped = (
        Introduction.objects.filter(need__in=scoped("needs", scope).values("pk"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["status"]: row["n"] for row in grouped}
    rows = tuple(
        ChartRow(str(label), (counts.get(status, 0),))
        for status, label in IntroductionStatus.choices
    )
    return Chart(
        slug="introductions",
        title=_("Introductions asked about these needs"),
        category=_("Answer"),
        series=(_("Introductions"),),
        rows=rows,
        note=_("Visible to staff only: introductions are private to the two organisations."),
    )


def programme_chart(scope: ReportScope) -> Chart:
    grouped = (
        scoped("awards", scope)
        .values("programme_en", "programme_zh", "year")
        .annotate(n=Count("pk"))
        .order_by("-year", "programme_en")
    )
    rows = tuple(
        ChartRow(
            f"{_in_language(row['programme_en'], row['programme_zh'])} ({row['year']})",
            (row["n"],),
            (records_url("awards", scope, programme=row["programme_en"], in_year=row["year"]),),
        )
        for row in grouped
    )
    return Chart(
        slug="programmes",
        title=_("Award programmes and their winners"),
        category=_("Programme"),
        series=(_("Awards"),),
        rows=rows,
    )


def award_winners(scope: ReportScope, limit: int = 50) -> list[Award]:
    """Published awards with their case and organisation (each shown only if published)."""
    return list(
        scoped("awards", scope)
        .select_related("case", "organisation", "awarded_by")
        .order_by("-year", "programme_en", "title_en", "pk")[:limit]
    )


def events(scope: ReportScope, limit: int = 20) -> list:
    return list(scoped("events", scope).order_by("-start_date", "pk")[:limit])


def kind_counts(scope: ReportScope) -> dict[str, int]:
    return {kind: query(scope).count() for kind, query in SCOPED_QUERIES.items()}


def dashboard_charts(scope: ReportScope, *, staff: bool = False) -> list[Chart]:
    charts = [
        sector_chart(scope),
        country_chart(scope),
        city_chart(scope),
        year_chart(scope),
        needs_funnel_chart(scope),
    ]
    if staff:
        charts.append(introductions_chart(scope))
    charts.append(programme_chart(scope))
    return charts


CHART_BUILDERS = {
    "sectors": sector_chart,
    "countries": country_chart,
    "cities": city_chart,
    "years": year_chart,
    "needs-funnel": needs_funnel_chart,
    "programmes": programme_chart,
}


def region_choices(limit: int = 30) -> list[tuple[str, str]]:
    """Cities and countries that have published cases or organisations, the busiest first."""
    place_counts: dict[tuple[str, str], int] = {}
    for kind in ("cases", "organisations"):
        queryset = scoped(kind, ReportScope())
        for row in queryset.exclude(city="").values("city", "city_zh").annotate(n=Count("pk")):
            key = (row["city"], _in_language(row["city"], row["city_zh"]))
            place_counts[key] = place_counts.get(key, 0) + row["n"]
        for row in queryset.exclude(country="").values("country").annotate(n=Count("pk")):
            key = (row["country"], str(countries.name(row["country"])))
            place_counts[key] = place_counts.get(key, 0) + row["n"]
    ranked = sorted(place_counts, key=lambda key: (-place_counts[key], key[1]))
    return ranked[:limit]


def year_choices() -> list[int]:
    """Years that have awards, events or resources, the latest first."""
    years: set[int] = set()
    years.update(scoped("awards", ReportScope()).values_list("year", flat=True).distinct())
    for kind, field in (("events", "start_date"), ("resources", "published")):
        dates = scoped(kind, ReportScope()).exclude(**{field: None}).dates(field, "year")
        years.update(date.year for date in dates)
    return sorted(years, reverse=True)
