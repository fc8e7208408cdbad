"""The impact parts of the dashboard and the report, read from ``ecotone.impact.aggregation``.

The impact app owns the arithmetic (no double counting, shares, annual versus cumulative,
potential never added to achieved). This module only shapes its totals as charts and lists,
and labels each one with its basis and period. Achieved (cases) and potential (solutions)
are always separate charts: they are never added up, not even side by side in one table.

For a region, every figure counts only the region's published cases and solutions (the
aggregation's ``case_ids`` / ``solution_ids``), like the rest of the report.
"""

from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from .charts import Chart, ChartRow, with_svg
from .scope import ReportScope, scoped_cases, scoped_solutions

TOP_CASES = 10
TOP_CITIES = 12
#: the most calculations one link lists (``impact:calculation_list`` refuses more)
MAX_LINKED_CALCULATIONS = 1000


def aggregation_module():
    """The impact app's aggregation module, or None while it is not installed."""
    try:
        return import_module("ecotone.impact.aggregation")
    except ImportError:
        return None


@dataclass
class ImpactSection:
    charts: list[dict]
    top_cases: list  #: ``CaseImpact`` (case, calculation), largest first
    region_total: float | None = None
    #: the calculations the region total adds up (the report links the figure to them)
    region_calculation_ids: list[int] = field(default_factory=list)
    period_label: str = ""
    notes: list[str] = field(default_factory=list)


def _period(scope: ReportScope) -> tuple[str, int | None, str]:
    """Annual figures for a chosen year, otherwise each record's cumulative figure."""
    if scope.year:
        return "annual", scope.year, _("annual, %(year)s, t CO2e") % {"year": scope.year}
    return "cumulative", None, _("cumulative to date, t CO2e")


def _total_chart(slug: str, title: str, category: str, totals, unit_label: str) -> Chart:
    rows = tuple(ChartRow(str(total.label), (round(total.value, 1),)) for total in totals)
    return Chart(
        slug=slug,
        title=title,
        category=category,
        series=(unit_label,),
        rows=rows,
        unit="t CO2e",
    )


def calculations_url(calculation_ids) -> str:
    """The page listing the calculations a figure adds up ("" when there are too many)."""
    ids = sorted(calculation_ids)
    if not ids or len(ids) > MAX_LINKED_CALCULATIONS:
        return ""
    return f"{reverse('impact:calculation_list')}?ids={','.join(map(str, ids))}"


def city_total_url(city_key: str, year) -> str:
    """The dashboard for one city: its total in the unit a city reports, and its records."""
    params = {"region": city_key, **({"year": year} if year else {})}
    return f"{reverse('reports:dashboard')}?{urlencode(params)}"


def city_chart(totals, year, label: str) -> Chart:
    """Achieved reductions by city: each value links to its calculations, each city to
    its own dashboard (the city total)."""
    rows = tuple(
        ChartRow(
            str(total.label),
            (round(total.value, 1),),
            (calculations_url(total.calculation_ids) or city_total_url(total.key, year),),
            label_link=city_total_url(total.key, year),
        )
        for total in totals[:TOP_CITIES]
    )
    return Chart(
        slug="impact-cities",
        title=_("Achieved reductions by city (%(period)s)") % {"period": label},
        category=_("City"),
        series=(label,),
        rows=rows,
        unit="t CO2e",
        note=_(
            "The %(n)s cities with the largest achieved reductions. A case counts whole, "
            "once, in the city where it is, however many organisations share it; cases "
            "with no city are left out. Each figure links to its calculations, each city "
            "to its total."
        )
        % {"n": TOP_CITIES},
    )


def _breakdowns(aggregation, period: str, year, label: str, cases, solutions) -> list[Chart]:
    """``cases`` / ``solutions``: the aggregation's record filters (dicts of keywords)."""
    achieved, potential = "achieved", "potential"
    return [
        _total_chart(
            "impact-sectors",
            _("Achieved reductions by sector (%(period)s)") % {"period": label},
            _("Sector"),
            aggregation.totals_by_sector(achieved, period, year, **cases),
            label,
        ),
        _total_chart(
            "impact-countries",
            _("Achieved reductions by country (%(period)s)") % {"period": label},
            _("Country"),
            aggregation.totals_by_region(achieved, period, year, **cases),
            label,
        ),
        city_chart(aggregation.totals_by_city(achieved, period, year, **cases), year, label),
        _total_chart(
            "impact-programmes",
            _("Achieved reductions of award-winning cases by programme (%(period)s)")
            % {"period": label},
            _("Programme"),
            aggregation.totals_by_programme(period, year, **cases),
            label,
        ),
        _total_chart(
            "impact-years",
            _("Achieved reductions by year (annual, t CO2e)"),
            _("Year"),
            aggregation.totals_by_year(achieved, **cases),
            _("annual, t CO2e"),
        ),
        _total_chart(
            "impact-potential",
            _("Potential reductions of solutions by sector (%(period)s; never added to achieved)")
            % {"period": label},
            _("Sector"),
            aggregation.totals_by_sector(potential, period, year, **solutions),
            label,
        ),
    ]


def impact_section(scope: ReportScope) -> ImpactSection | None:
    aggregation = aggregation_module()
    if aggregation is None:
        return None
    period, year, label = _period(scope)
    cases, solutions = _record_filters(scope)
    top = aggregation.top_cases(limit=TOP_CASES, period=period, year=year, **cases)
    section = ImpactSection(charts=[], top_cases=top, period_label=label)
    if scope.region:
        total = aggregation.grand_total("achieved", period, year, **cases)
        section.region_total = round(total.value, 1)
        section.region_calculation_ids = sorted(total.calculation_ids)
    section.charts = with_svg(_breakdowns(aggregation, period, year, label, cases, solutions))
    return section


def _record_filters(scope: ReportScope) -> tuple[dict, dict]:
    """Keywords limiting the aggregation to the region's cases and solutions (all without
    a region; the year is the aggregation's own argument)."""
    if not scope.region:
        return {}, {}
    place = ReportScope(region=scope.region)
    return (
        {"case_ids": scoped_cases(place).values_list("pk", flat=True)},
        {"solution_ids": scoped_solutions(place).values_list("pk", flat=True)},
    )


def dashboard_impact(scope: ReportScope) -> ImpactSection | None:
    return impact_section(scope)


def report_impact(scope: ReportScope) -> ImpactSection | None:
    return impact_section(scope)
