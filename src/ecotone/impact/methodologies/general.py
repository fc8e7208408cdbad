"""Any activity times a factor, and a baseline-minus-project balance of emission lines."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import CalculationError, InputSpec, Trace, Values, methodology

T = "t CO2e"


@methodology(
    "activity_factor",
    version="1.0",
    title=_("Activity × emission factor"),
    description=_(
        "Any activity (energy, fuel, distance, mass …) times an emission factor per unit "
        "of that activity. The units must cancel to a mass of CO2e."
    ),
    formula="E = A × EF",
    result_unit=T,
    period="as_input",
    inputs=[
        InputSpec("activity", _("Activity"), unit="MWh", any_dimension=True),
        InputSpec(
            "factor", _("Emission factor"), unit="t CO2e / MWh", any_dimension=True, is_factor=True
        ),
    ],
)
def activity_factor(values: Values, trace: Trace):
    activity, factor = values["activity"], values["factor"]
    result = activity * factor
    if result.dimensionality != result._REGISTRY.parse_units(T).dimensionality:
        raise CalculationError(
            "factor",
            f"factor in {values.unit('factor')} does not turn {values.unit('activity')} into "
            f"a mass of CO2e: use a factor in CO2e per {values.unit('activity')}",
        )
    trace.add(
        N_("Emissions = activity × factor = %(activity)s × %(factor)s = %(result)s."),
        activity=values.shown("activity"),
        factor=values.shown("factor"),
        result=(result, T),
    )
    return result


def _line_total(lines, trace: Trace, message: str):
    total = None
    for label, value in lines:
        trace.add(message, label=label, value=(value, T))
        total = value if total is None else total + value
    return total


@methodology(
    "baseline_minus_project",
    version="1.0",
    title=_("Baseline minus project emissions"),
    description=_(
        "Emission lines you define for the baseline (what would have happened) and for "
        "the project (what happens). Each line is a mass of CO2e, or an activity and a "
        "factor. The reduction is the baseline total minus the project total."
    ),
    formula="ER = Σ BE_i − Σ PE_j",
    result_unit=T,
    period="as_input",
    inputs=[
        InputSpec("baseline", _("Baseline emission lines"), unit=T, kind="lines"),
        InputSpec(
            "project", _("Project emission lines"), unit=T, kind="lines", required=False, default=[]
        ),
    ],
)
def baseline_minus_project(values: Values, trace: Trace):
    baseline = _line_total(values["baseline"], trace, N_("Baseline line “%(label)s”: %(value)s."))
    if baseline is None:
        raise CalculationError("baseline", "baseline needs at least one emission line")
    project = _line_total(values["project"], trace, N_("Project line “%(label)s”: %(value)s."))
    result = baseline if project is None else baseline - project
    trace.add(
        N_("Baseline total %(baseline)s − project total %(project)s = %(result)s."),
        baseline=(baseline, T),
        project=(project if project is not None else baseline * 0, T),
        result=(result, T),
    )
    return result
