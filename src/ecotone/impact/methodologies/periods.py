"""Totals over time: a sum of annual values, and a part year pro-rated by days."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import CalculationError, InputSpec, Trace, Values, methodology

T = "t CO2e"
ANNUAL_MAX = 1e7  # t CO2e a year for one case (the largest single projects: a few Mt)


def _annual_step(trace: Trace, year, value) -> None:
    if value.magnitude < 0:
        trace.add(
            N_("%(year)s: %(value)s, a net increase in emissions of %(increase)s."),
            year=year,
            value=(value, T),
            increase=(-value, T),
        )
    else:
        trace.add(N_("%(year)s: %(value)s."), year=year, value=(value, T))


def _net_increase(trace: Trace, total) -> None:
    if total.magnitude < 0:
        trace.add(
            N_("The total is negative: a net increase in emissions of %(increase)s."),
            increase=(-total, T),
        )


@methodology(
    "cumulative_total",
    version="1.0",
    title=_("Cumulative total over years"),
    description=_(
        "The sum of annual reductions from one year to another, both included. Every "
        "year in between needs a value. A year may be negative: a net increase in "
        "emissions (early years of afforestation or bioenergy, for example)."
    ),
    formula="Σ ER_y for y = from_year … to_year",
    result_unit=T,
    period="cumulative",
    inputs=[
        InputSpec(
            "annual",
            _("Annual values"),
            unit=T,
            kind="series",
            minimum=None,
            maximum=ANNUAL_MAX,
            extensive=True,
        ),
        InputSpec("from_year", _("From year"), kind="count", minimum=1900, maximum=2200),
        InputSpec("to_year", _("To year"), kind="count", minimum=1900, maximum=2200),
    ],
)
def cumulative_total(values: Values, trace: Trace):
    first, last = values["from_year"], values["to_year"]
    if last < first:
        raise CalculationError("to_year", "to_year must not be before from_year")
    by_year = dict(values["annual"])
    missing = [year for year in range(first, last + 1) if year not in by_year]
    if missing:
        raise CalculationError("annual", f"annual has no value for {missing[0]}")
    total = None
    for year in range(first, last + 1):
        _annual_step(trace, year, by_year[year])
        total = by_year[year] if total is None else total + by_year[year]
    trace.add(
        N_("Total %(first)s–%(last)s (%(count)s years) = %(total)s."),
        first=first,
        last=last,
        count=last - first + 1,
        total=(total, T),
    )
    _net_increase(trace, total)
    return total


@methodology(
    "crediting_period",
    version="1.0",
    title=_("Part of a year, pro-rated by days"),
    description=_(
        "An annual reduction scaled to the days actually counted, for a crediting period "
        "that starts or ends within a year."
    ),
    formula="ER = ER_annual × days ÷ days_in_year",
    result_unit=T,
    period="cumulative",
    inputs=[
        InputSpec(
            "annual", _("Annual value"), unit=T, minimum=None, maximum=ANNUAL_MAX, extensive=True
        ),
        InputSpec("days", _("Days counted"), kind="count", minimum=0, maximum=36600),
        InputSpec(
            "days_in_year", _("Days in a year"), kind="count", minimum=365, maximum=366, default=365
        ),
    ],
)
def crediting_period(values: Values, trace: Trace):
    days, year = values["days"], values["days_in_year"]
    result = values["annual"] * days / year
    trace.add(
        N_("%(annual)s per year × %(days)s days ÷ %(year)s days = %(result)s."),
        annual=values.shown("annual"),
        days=days,
        year=year,
        result=(result, T),
    )
    _net_increase(trace, result)
    return result
