"""One Pint unit registry for every calculation, with greenhouse-gas units registered.

``CO2e`` is a dimension of its own, so ``kg CO2e / kWh`` times ``MWh`` gives a mass of
CO2e and a plain ``kg`` can never be mistaken for an emission. ``CO2`` is the same unit
as ``CO2e`` (its GWP is 1 by definition); ``CH4`` and ``N2O`` are dimensions of their
own and become CO2e only through a GWP weighting (``kg CO2e / kg CH4``).
"""

import math
from decimal import Decimal

import pint

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("CO2e = [co2e] = CO2eq = CO2_eq")
ureg.define("CO2 = CO2e")
ureg.define("CH4 = [ch4]")
ureg.define("N2O = [n2o]")
# Spellings common in emission-factor tables ("tCO2/MWh", "kgCO2e/kWh").
for prefix, mass in (("t", "metric_ton"), ("kg", "kilogram"), ("g", "gram")):
    ureg.define(f"{prefix}CO2e = {mass} * CO2e")
    ureg.define(f"{prefix}CO2 = {mass} * CO2e")
# Vehicle and transport activity units.
ureg.define("vehicle_km = kilometer = vkm")
ureg.define("passenger_km = kilometer = pkm")
# "L / hkm" reads as litres per 100 km; "L / 100 km" would silently mean L × km / 100.
ureg.define("hundred_km = 100 * kilometer = hkm")
ureg.define("MMBtu = 1e6 * Btu = MMBTU")

Quantity = ureg.Quantity


def parse_unit(text: str) -> pint.Unit:
    """The unit written in ``text``; raises ``ValueError`` for anything Pint cannot read."""
    if not isinstance(text, str):
        raise ValueError("a unit must be text")
    try:
        unit = ureg.parse_units(text.strip()) if text.strip() else ureg.dimensionless
    except Exception as error:  # Pint's parser raises many kinds (even AssertionError)
        raise ValueError(f"unknown unit {text!r}") from error
    return unit


def quantity(value: float | int | Decimal, unit: str) -> pint.Quantity:
    return Quantity(float(value), parse_unit(unit))


def dimension_of(expression: str) -> pint.util.UnitsContainer:
    """The dimensionality of a unit expression such as ``t CO2e / MWh``."""
    return parse_unit(expression).dimensionality


def format_number(value: float, digits: int = 6) -> str:
    """A plain, language-neutral number: thousands separators, ``digits`` significant."""
    if value == 0:
        return "0"
    if not 1e-4 <= abs(value) < 1e15:
        return f"{value:.{digits - 1}e}"
    rounded = float(f"{value:.{digits}g}")
    if rounded.is_integer():
        return f"{int(rounded):,}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:,.{decimals}f}".rstrip("0").rstrip(".")


def format_quantity(value: pint.Quantity, unit: str) -> str:
    """``value`` in ``unit``, with ``unit`` written as the caller wrote it."""
    return f"{format_number(value.to(unit).magnitude)} {unit}".strip()
