"""Fuel combustion with GWP weighting, and switching fuels by energy content."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import CalculationError, InputSpec, Trace, Values, methodology
from ..units import Quantity

T = "t CO2e"
GWP_SETS = ("AR4", "AR5", "AR6")


def gwp(values: Values, trace: Trace, gas: str) -> Quantity:
    """The GWP100 of ``gas`` in the chosen set, as kg CO2e per kg of the gas."""
    chosen = values["gwp_set"]
    table = values.context.get("gwp") or {}
    try:
        weight = float(table[chosen][gas])
    except (KeyError, TypeError, ValueError):
        raise CalculationError("gwp_set", f"no {chosen} GWP value for {gas} is loaded") from None
    trace.cite((values.context.get("gwp_sources") or {}).get((chosen, gas)))
    return Quantity(weight, f"kg CO2e / (kg {gas})")


def _gas(values: Values, trace: Trace, energy, gas: str):
    factor = values.get(f"{gas.lower()}_factor")
    if factor is None:
        return None
    emitted = energy * factor
    weighted = emitted * gwp(values, trace, gas)
    trace.add(
        N_(
            "%(gas)s = energy × %(gas)s factor = %(energy)s × %(factor)s = %(emitted)s; "
            "× GWP %(gwp)s (%(set)s) = %(weighted)s."
        ),
        gas=gas,
        energy=(energy, "TJ"),
        factor=(factor, f"kg {gas} / TJ"),
        emitted=(emitted, f"kg {gas}"),
        gwp=float(gwp(values, Trace(False), gas).magnitude),
        set=values["gwp_set"],
        weighted=(weighted, T),
    )
    return weighted


@methodology(
    "fuel_combustion",
    version="1.0",
    title=_("Fuel combustion (IPCC Tier 1)"),
    description=_(
        "Emissions from burning a fuel: mass × net calorific value gives the energy; "
        "energy × the CO2 factor gives CO2; CH4 and N2O, when given, are weighted by "
        "their 100-year global warming potential."
    ),
    formula="E = m × NCV × (EF_CO2 + EF_CH4 × GWP_CH4 + EF_N2O × GWP_N2O)",
    result_unit=T,
    period="as_input",
    inputs=[
        InputSpec("fuel_mass", _("Fuel burned"), unit="t", maximum=1e9, extensive=True),
        InputSpec("ncv", _("Net calorific value"), unit="TJ / Gg", maximum=100.0, is_factor=True),
        InputSpec(
            "co2_factor",
            _("CO2 emission factor"),
            unit="kg CO2 / TJ",
            maximum=200000.0,
            is_factor=True,
        ),
        InputSpec(
            "ch4_factor",
            _("CH4 emission factor"),
            unit="kg CH4 / TJ",
            maximum=1000.0,
            required=False,
            is_factor=True,
        ),
        InputSpec(
            "n2o_factor",
            _("N2O emission factor"),
            unit="kg N2O / TJ",
            maximum=100.0,
            required=False,
            is_factor=True,
        ),
        InputSpec("gwp_set", _("GWP values"), kind="choice", choices=GWP_SETS, default="AR5"),
    ],
    references=("IPCC 2006 Guidelines Vol. 2 Ch. 1–2 (Equation 2.1)",),
)
def fuel_combustion(values: Values, trace: Trace):
    energy = values["fuel_mass"] * values["ncv"]
    trace.add(
        N_("Energy = fuel mass × net calorific value = %(mass)s × %(ncv)s = %(energy)s."),
        mass=values.shown("fuel_mass"),
        ncv=values.shown("ncv"),
        energy=(energy, "TJ"),
    )
    co2 = (energy * values["co2_factor"]).to(T)
    trace.add(
        N_("CO2 = energy × CO2 factor = %(energy)s × %(factor)s = %(co2)s."),
        energy=(energy, "TJ"),
        factor=values.shown("co2_factor"),
        co2=(co2, T),
    )
    total = co2
    for gas in ("CH4", "N2O"):
        weighted = _gas(values, trace, energy, gas)
        if weighted is not None:
            total = total + weighted
    trace.add(N_("Total = %(total)s."), total=(total, T))
    return total


def _energy_factor_input(name: str, label) -> InputSpec:
    return InputSpec(name, label, unit="kg CO2 / TJ", maximum=200000.0, is_factor=True)


@methodology(
    "fuel_switching",
    version="1.0",
    title=_("Fuel switching by energy content"),
    description=_(
        "The same useful energy comes from a lower-carbon fuel. The baseline fuel's mass "
        "× its net calorific value gives the energy; the reduction is that energy × the "
        "difference between the two fuels' CO2 factors. The project fuel's mass, if "
        "given, sets the project energy instead."
    ),
    formula="ER = m_b × NCV_b × EF_b − E_p × EF_p, with E_p = m_p × NCV_p or m_b × NCV_b",
    result_unit=T,
    period="as_input",
    inputs=[
        InputSpec(
            "baseline_fuel_mass", _("Baseline fuel mass"), unit="t", maximum=1e9, extensive=True
        ),
        InputSpec(
            "baseline_ncv", _("Baseline fuel NCV"), unit="TJ / Gg", maximum=100.0, is_factor=True
        ),
        _energy_factor_input("baseline_co2_factor", _("Baseline fuel CO2 factor")),
        InputSpec(
            "project_ncv",
            _("Project fuel NCV"),
            unit="TJ / Gg",
            minimum=0.001,
            maximum=100.0,
            is_factor=True,
        ),
        _energy_factor_input("project_co2_factor", _("Project fuel CO2 factor")),
        InputSpec(
            "project_fuel_mass",
            _("Project fuel mass (measured)"),
            unit="t",
            maximum=1e9,
            extensive=True,
            required=False,
        ),
    ],
)
def fuel_switching(values: Values, trace: Trace):
    energy = values["baseline_fuel_mass"] * values["baseline_ncv"]
    trace.add(
        N_("Baseline energy = %(mass)s × %(ncv)s = %(energy)s."),
        mass=values.shown("baseline_fuel_mass"),
        ncv=values.shown("baseline_ncv"),
        energy=(energy, "TJ"),
    )
    project_mass = values.get("project_fuel_mass")
    if project_mass is None:
        project_energy = energy
        trace.add(
            N_("Project fuel needed for the same energy = %(energy)s ÷ %(ncv)s = %(mass)s."),
            energy=(energy, "TJ"),
            ncv=values.shown("project_ncv"),
            mass=(energy / values["project_ncv"], "t"),
        )
    else:
        project_energy = project_mass * values["project_ncv"]
        trace.add(
            N_("Project energy = %(mass)s × %(ncv)s = %(energy)s."),
            mass=values.shown("project_fuel_mass"),
            ncv=values.shown("project_ncv"),
            energy=(project_energy, "TJ"),
        )
    baseline = energy * values["baseline_co2_factor"]
    project = project_energy * values["project_co2_factor"]
    result = baseline - project
    trace.add(
        N_("Reduction = baseline %(baseline)s − project %(project)s = %(result)s."),
        baseline=(baseline, T),
        project=(project, T),
        result=(result, T),
    )
    return result
