"""Vehicle electrification: fuel burned per km against grid electricity per km."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..calculator import CalculationError, InputSpec, Trace, Values, methodology

T = "t CO2e"
PER_KM = "kg CO2e / km"


@methodology(
    "vehicle_electrification",
    version="1.0",
    title=_("Vehicle electrification"),
    description=_(
        "An electric vehicle drives the distance a fuel vehicle would have driven. "
        "The reduction is the distance × (fuel per km × fuel factor − electricity per km "
        "× grid factor)."
    ),
    formula="ER = d × (FC × EF_fuel − EC × EF_grid)",
    result_unit=T,
    period="as_input",
    inputs=[
        InputSpec("distance", _("Distance driven"), unit="km", maximum=1e12, extensive=True),
        InputSpec(
            "fuel_per_km",
            _("Fuel use of the replaced vehicle"),
            unit="L / km",
            maximum=5.0,
            any_dimension=True,
        ),
        InputSpec(
            "fuel_factor",
            _("Fuel emission factor"),
            unit="kg CO2e / L",
            any_dimension=True,
            is_factor=True,
        ),
        InputSpec(
            "electricity_per_km",
            _("Electricity use of the electric vehicle"),
            unit="kWh / km",
            maximum=10.0,
        ),
        InputSpec(
            "grid_factor",
            _("Grid emission factor"),
            unit="kg CO2e / kWh",
            maximum=2.0,
            is_factor=True,
        ),
    ],
)
def vehicle_electrification(values: Values, trace: Trace):
    fuel = values["fuel_per_km"] * values["fuel_factor"]
    if fuel.dimensionality != fuel._REGISTRY.parse_units(PER_KM).dimensionality:
        raise CalculationError(
            "fuel_factor",
            f"fuel_factor in {values.unit('fuel_factor')} does not match fuel use in "
            f"{values.unit('fuel_per_km')}: give CO2e per unit of fuel",
        )
    electric = values["electricity_per_km"] * values["grid_factor"]
    trace.add(
        N_("Fuel vehicle: %(use)s × %(factor)s = %(per_km)s."),
        use=values.shown("fuel_per_km"),
        factor=values.shown("fuel_factor"),
        per_km=(fuel, PER_KM),
    )
    trace.add(
        N_("Electric vehicle: %(use)s × %(factor)s = %(per_km)s."),
        use=values.shown("electricity_per_km"),
        factor=values.shown("grid_factor"),
        per_km=(electric, PER_KM),
    )
    result = values["distance"] * (fuel - electric)
    trace.add(
        N_("Reduction = %(distance)s × (%(fuel)s − %(electric)s) = %(result)s."),
        distance=values.shown("distance"),
        fuel=(fuel, PER_KM),
        electric=(electric, PER_KM),
        result=(result, T),
    )
    return result
