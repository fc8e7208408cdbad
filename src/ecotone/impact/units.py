"""One Pint unit registry and one parser for unit text, in the spellings people write.

``CO2e`` is a dimension of its own, so ``kg CO2e / kWh`` times ``MWh`` gives a mass of
CO2e and a plain ``kg`` can never be mistaken for an emission. ``CO2`` is the same unit
as ``CO2e`` (its GWP is 1 by definition); ``CH4`` and ``N2O`` are dimensions of their
own and become CO2e only through a GWP weighting (``kg CO2e / kg CH4``).

``parse_unit`` is the only way unit text becomes a unit. Besides what Pint reads it takes
``m3``, ``Nm3``, ``scf``, ``tce`` and Chinese: the multipliers 万 (10⁴) and 亿 (10⁸) and
the words of Chinese statistics (千瓦时, 万千瓦, 吨, 吨标准煤, 万吨标煤, 立方米, 标方, /年 …),
which are rewritten into registry units before Pint parses them.
"""

import math
import re
from decimal import Decimal

import pint
from pint.facets.plain import PlainUnit

#: a unit as pint hands it out (its registry's class, or the plain one)
Unit = pint.Unit | PlainUnit

ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("CO2e = [co2e] = CO2eq = CO2_eq")
ureg.define("CO2 = CO2e")
ureg.define("CH4 = [ch4]")
ureg.define("N2O = [n2o]")
GASES = {"[co2e]": "CO2e", "[ch4]": "CH4", "[n2o]": "N2O"}
# Spellings common in emission-factor tables ("tCO2/MWh", "kgCO2e/kWh").
for prefix, mass in (("Mt", "megametric_ton"), ("kt", "kilometric_ton")):
    ureg.define(f"{prefix}CO2e = 1 * {mass} * CO2e")
    ureg.define(f"{prefix}CO2 = 1 * {mass} * CO2e")
for prefix, mass in (("t", "metric_ton"), ("kg", "kilogram"), ("g", "gram")):
    ureg.define(f"{prefix}CO2e = {mass} * CO2e")
    ureg.define(f"{prefix}CO2 = {mass} * CO2e")
# Vehicle and transport activity units.
ureg.define("vehicle_km = kilometer = vkm")
ureg.define("passenger_km = kilometer = pkm")
# "L / hkm" reads as litres per 100 km; "L / 100 km" would silently mean L × km / 100.
ureg.define("hundred_km = 100 * kilometer = hkm")
ureg.define("MMBtu = 1e6 * Btu = MMBTU")
ureg.define("m3 = meter ** 3")
# A gas volume at reference conditions is an amount of gas, not a geometric volume: a
# normal cubic metre (0 °C, 101.325 kPa) and a standard cubic foot (60 °F, 101.325 kPa)
# differ by the temperature ratio 273.15 / 288.706, so they get a dimension of their own
# and convert into each other, never into a plain m3. (US EPA 40 CFR 98.6 takes standard
# conditions as 60 °F and 14.7 psia.)
ureg.define("Nm3 = [reference_gas_volume]")
ureg.define("scf = 0.0283168466 * 273.15 / 288.7055556 * Nm3 = standard_cubic_foot")
ureg.define("Mscf = 1000 * scf")  # oil-and-gas usage: M is a thousand, MM a million
ureg.define("MMscf = 1e6 * scf")
# Standard coal equivalent: 1 kgce = 29.3076 MJ (7,000 kcal), GB/T 2589-2020
# 综合能耗计算通则 (General rules for calculation of the comprehensive energy consumption).
ureg.define("kgce = 29.3076 * megajoule = _ = kg_ce")
ureg.define("tce = 1000 * kgce = _ = t_ce")
# Chinese number words used as multipliers of a unit.
ureg.define("wan = 1e4 = 万")
ureg.define("yi = 1e8 = 亿")

Quantity = ureg.Quantity

#: Chinese unit words → registry units, longest first so 千瓦时 is not read as 千瓦 + 时.
CHINESE_WORDS = {
    "二氧化碳当量": "CO2e",
    "二氧化碳": "CO2",
    "标准立方米": "Nm3",
    "标立方米": "Nm3",
    "标方": "Nm3",
    "立方米": "m3",
    "千克标准煤": "kgce",
    "公斤标准煤": "kgce",
    "千克标煤": "kgce",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "标准煤": "tce",
    "标煤": "tce",
    "太瓦时": "TWh",
    "吉瓦时": "GWh",
    "兆瓦时": "MWh",
    "千瓦时": "kWh",
    "度电": "kWh",
    "吉瓦": "GW",
    "兆瓦": "MW",
    "千瓦": "kW",
    "吉焦": "GJ",
    "太焦": "TJ",
    "兆焦": "MJ",
    "千克": "kg",
    "公斤": "kg",
    "公里": "km",
    "千米": "km",
    "万": "wan",
    "亿": "yi",
    "吨": "t",
    "升": "L",
    "年": "year",
    "每": "/",
}
_CHINESE = re.compile("|".join(sorted(map(re.escape, CHINESE_WORDS), key=len, reverse=True)))
_PUNCTUATION = str.maketrans(
    {"／": "/", "·": "*", "⋅": "*", "（": "(", "）": ")", "　": " ", "³": "3"}
)
_MULTIPLIERS = {"wan", "yi"}


def _rewrite(text: str) -> str:
    """Chinese words and spellings Pint does not take, as registry units."""
    text = text.translate(_PUNCTUATION)
    text = _CHINESE.sub(lambda m: f" {CHINESE_WORDS[m.group(0)]} ", text)
    # "kt" is a kilotonne here, never Pint's knot.
    text = re.sub(r"(?<![A-Za-z_])kt(?![A-Za-z_0-9])", "kilometric_ton", text)
    # "t/a" and "MWh/a" are per year ("a" alone is already Pint's year).
    text = re.sub(r"\bper\s+(year|annum|yr|a)\b", "/ year", text)
    return " ".join(text.split())


def parse_unit(text: str) -> pint.Unit:
    """The unit written in ``text``; raises ``ValueError`` for anything not a unit."""
    if not isinstance(text, str):
        raise ValueError("a unit must be text")
    written = _rewrite(text.strip())
    if not written:
        return ureg.dimensionless
    try:
        unit = ureg.parse_units(written)
    except Exception as error:  # Pint's parser raises many kinds (even AssertionError)
        raise ValueError(f"unknown unit {text!r}") from error
    return unit


def quantity(value: float | int | Decimal, unit: str) -> pint.Quantity:
    return Quantity(float(value), parse_unit(unit))


def dimension_of(expression: str) -> pint.util.UnitsContainer:
    """The dimensionality of a unit expression such as ``t CO2e / MWh``."""
    return parse_unit(expression).dimensionality


def format_unit(unit: Unit) -> str:
    """Unit text that ``parse_unit`` reads back as the same unit."""
    return f"{unit:~C}" if unit != ureg.dimensionless else ""


def without_multipliers(value: pint.Quantity) -> pint.Quantity:
    """``value`` with 万 and 亿 folded into the number: 1.2 亿千瓦时 → 120,000,000 kWh."""
    kept = {name: power for name, power in value.unit_items() if name not in _MULTIPLIERS}
    unit = ureg.dimensionless
    for name, power in kept.items():
        unit = unit * ureg.Unit(name) ** power
    return value.to(unit)


def per_year(unit: Unit) -> bool:
    """Whether ``unit`` is written per year (``MWh/a``, ``tCO2/yr``, ``万吨/年``)."""
    return dict(unit._units).get("year") == -1


def gas_of(unit: pint.Unit) -> str | None:
    """The gas whose dimension ``unit`` carries (``kg CO2 / TJ`` → ``CO2e``), if one."""
    found = [GASES[d] for d in unit.dimensionality if d in GASES]
    return found[0] if len(found) == 1 else None


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


def format_reported(tonnes: float, language: str) -> str:
    """A total of t CO2e in the unit a city reports it in: 万吨CO2e in Chinese (吨CO2e below
    10,000 t), Mt CO2e in English from a million tonnes, t CO2e below."""
    if language.lower().startswith("zh"):
        if abs(tonnes) >= 1e4:
            return f"{format_number(tonnes / 1e4, 5)} 万吨CO2e"
        return f"{format_number(tonnes, 5)} 吨CO2e"
    if abs(tonnes) >= 1e6:
        return f"{format_number(tonnes / 1e6, 5)} Mt CO2e"
    return f"{format_number(tonnes, 6)} t CO2e"


def format_quantity(value: pint.Quantity, unit: str) -> str:
    """``value`` in ``unit``, with ``unit`` written as the caller wrote it."""
    return f"{format_number(value.to(parse_unit(unit)).magnitude)} {unit}".strip()
