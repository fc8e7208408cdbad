"""Totals over time: a sum of annual values, and a part year pro-rated by days."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import CalculationError, InputSpec, Trace, Values, methodology

T = "t CO2e"


@methodology(
    "cumulative_total",
    version="1.0",
    title=_("Cumulative total over years"),
    description=_(
        "The sum of annual reductions from one year to another, both included. Every "
        "year in between needs a value."
    ),
    formula="Σ ER_y for y = from_year … to_year",
    result_unit=T,
    period="cumulative",
    inputs=[
        InputSpec("annual", _("Annual values"), unit=T, kind="series", maximum=1e10),
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
        trace.add(N_("%(year)s: %(value)s."), year=year, value=(by_year[year], T))
        total = by_year[year] if total is None else total + by_year[year]
    trace.add(
        N_("Total %(first)s–%(last)s (%(count)s years) = %(total)s."),
        first=first,
        last=last,
        count=last - first + 1,
        total=(total, T),
    )
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
        InputSpec("annual", _("Annual value"), unit=T, maximum=1e10),
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
    return result
