"""Electricity: renewable generation displacing grid power, and electricity saved."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import InputSpec, Trace, Values, methodology

T = "t CO2e"
GRID_FACTOR_MAX = 2.0  # t CO2e/MWh: above any real grid (coal-only grids are near 1.1)
ELECTRICITY_MAX = 1e7  # MWh per year (10 TWh) for one case: above the largest single plants


def grid_factor_input(help_text: str = "") -> InputSpec:
    return InputSpec(
        "grid_factor",
        _("Grid emission factor"),
        unit="t CO2e / MWh",
        maximum=GRID_FACTOR_MAX,
        is_factor=True,
        help=help_text,
    )


@methodology(
    "grid_electricity_displacement",
    version="1.0",
    title=_("Renewable electricity displacing grid electricity"),
    description=_(
        "Electricity a renewable plant supplies to the grid replaces the same amount of "
        "grid electricity, whose emissions the grid factor gives (as in CDM ACM0002 / "
        "AMS-I.D and CCER CM-001, with project and leakage emissions taken as zero)."
    ),
    formula="ER = EG × EF_grid",
    result_unit=T,
    inputs=[
        InputSpec(
            "electricity",
            _("Net electricity supplied to the grid"),
            unit="MWh",
            maximum=ELECTRICITY_MAX,
            extensive=True,
        ),
        grid_factor_input(_("Combined-margin factor for crediting; grid average for reporting")),
    ],
    references=("CDM ACM0002; AMS-I.D; CCER CM-001-V01",),
)
def grid_electricity_displacement(values: Values, trace: Trace):
    electricity, factor = values["electricity"], values["grid_factor"]
    result = electricity * factor
    trace.add(
        N_("Electricity supplied to the grid: %(electricity)s."),
        electricity=values.shown("electricity"),
    )
    trace.add(N_("Grid emission factor: %(factor)s."), factor=values.shown("grid_factor"))
    trace.add(
        N_(
            "Emission reduction = electricity × grid factor = %(electricity)s × %(factor)s "
            "= %(result)s."
        ),
        electricity=(electricity, "MWh"),
        factor=(factor, "t CO2e / MWh"),
        result=(result, T),
    )
    return result


@methodology(
    "electricity_efficiency",
    version="1.0",
    title=_("Electricity saved by efficiency"),
    description=_(
        "Electricity no longer drawn from the grid, because equipment or a building "
        "became more efficient, avoids the grid's emissions for that electricity."
    ),
    formula="ER = (E_baseline − E_project) × EF_grid",
    result_unit=T,
    inputs=[
        InputSpec(
            "baseline_consumption",
            _("Consumption before"),
            unit="MWh",
            maximum=ELECTRICITY_MAX,
            extensive=True,
        ),
        InputSpec(
            "project_consumption",
            _("Consumption after"),
            unit="MWh",
            maximum=ELECTRICITY_MAX,
            extensive=True,
        ),
        grid_factor_input(),
    ],
)
def electricity_efficiency(values: Values, trace: Trace):
    before, after = values["baseline_consumption"], values["project_consumption"]
    saved = before - after
    result = saved * values["grid_factor"]
    trace.add(
        N_("Electricity saved = %(before)s − %(after)s = %(saved)s."),
        before=values.shown("baseline_consumption"),
        after=values.shown("project_consumption"),
        saved=(saved, "MWh"),
    )
    trace.add(
        N_(
            "Emission reduction = electricity saved × grid factor = %(saved)s × %(factor)s "
            "= %(result)s."
        ),
        saved=(saved, "MWh"),
        factor=(values["grid_factor"], "t CO2e / MWh"),
        result=(result, T),
    )
    if saved.magnitude < 0:
        trace.add(N_("Consumption went up: the result is an increase in emissions."))
    return result
