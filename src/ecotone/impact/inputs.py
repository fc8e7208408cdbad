"""Reading raw inputs: JSON from the API, the CLI and the calculator form.

A unit is read by ``units.parse_unit`` and then fitted to what the input needs, in two
ways a practitioner means and the trace states: a per-year amount (``MWh/a``,
``万吨CO2/年``) is the amount in one year, and a factor written without its gas
(``kg/TJ`` for a CO2 factor) is a mass of that gas.
"""

from collections.abc import Mapping
from typing import Any

import pint

from ecotone.core.bounds import MAX_YEAR, MIN_YEAR

from .calculator import CalculationError, InputSpec, InputValue, Methodology
from .units import Quantity, format_number, format_unit, parse_unit, per_year, quantity


def parse_inputs(method: Methodology, raw: Mapping[str, Any]) -> dict[str, InputValue]:
    """``{"name": {"value", "unit", "low"?, "high"?}}`` (a series: a list of
    ``{"year", "value", "unit"}``; lines: a list of ``{"label", "value", "unit"}``) into
    ``InputValue``s. Errors name the input."""
    if not isinstance(raw, Mapping):
        raise CalculationError("inputs", "inputs must be an object of named inputs")
    parsed = {}
    for name, body in raw.items():
        spec = method.spec(name)
        if spec is None:
            raise CalculationError(name, f"{method.id} has no input called {name!r}")
        parsed[name] = parse_input(spec, body)
    return parsed


def parse_input(spec: InputSpec, body: Any) -> InputValue:
    if spec.kind == "series":
        return InputValue([_series_item(spec, row) for row in _as_list(spec, body)])
    if spec.kind == "lines":
        return InputValue([_line_item(spec, i, row) for i, row in enumerate(_as_list(spec, body))])
    if not isinstance(body, Mapping):
        body = {"value": body}
    if "value" not in body:
        raise CalculationError(spec.name, f"{spec.name} needs a value")
    if spec.kind == "choice":
        return InputValue(str(body["value"]))
    if spec.kind == "count":
        return InputValue(_number(spec.name, body["value"]))
    unit = str(body.get("unit") or "")
    value, reading = read_quantity(spec, spec.name, body["value"], unit)

    def bound(name: str):
        if body.get(name) is None:
            return None
        return read_quantity(spec, spec.name, body[name], unit)[0]

    written = unit.strip()
    if reading:
        shown_unit = format_unit(value.units) if spec.any_dimension else spec.unit
    else:
        shown_unit = written
    given = ""
    if written and written != spec.unit and _differs(written, spec.unit):
        given = f"{format_number(_number(spec.name, body['value']))} {written}"
    return InputValue(
        value,
        low=bound("low"),
        high=bound("high"),
        unit=shown_unit,
        given=given,
        reading=reading,
    )


def read_quantity(spec: InputSpec, name: str, value: Any, unit: str) -> tuple[Any, str]:
    """``value`` in ``unit`` as the quantity ``spec`` needs, and how it was read:
    ``""`` (as written), ``"per_year"`` or ``"gas:<GAS>"``."""
    amount = _quantity(name, value, unit)
    wanted = parse_unit(spec.unit) if spec.unit else None
    if spec.kind in ("count", "choice") or wanted is None:
        return amount, ""
    if spec.any_dimension:
        if per_year(amount.units) and not per_year(wanted):
            return amount * Quantity(1, "year"), "per_year"
        return amount, ""
    if amount.dimensionality == wanted.dimensionality:
        return amount, ""
    reading = ""
    if per_year(amount.units) and not per_year(wanted):
        amount, reading = amount * Quantity(1, "year"), "per_year"
    gas = _gas_written(spec.unit)
    if gas and amount.dimensionality != wanted.dimensionality:
        with_gas = amount * Quantity(1, gas)
        if with_gas.dimensionality == wanted.dimensionality:
            amount, reading = with_gas, f"gas:{gas}"
    if amount.dimensionality == wanted.dimensionality:
        return amount, reading
    if (amount * Quantity(1, "year")).dimensionality == wanted.dimensionality:
        raise CalculationError(
            name,
            f"{name} is in {unit}, a rate (such as a capacity), not an amount: give the "
            f"amount in a year, in {spec.unit} or written per year (e.g. {spec.unit}/a)",
        )
    return amount, ""  # the check names the dimension that does not fit


def _differs(written: str, unit: str) -> bool:
    """Whether ``written`` is another unit than ``unit`` (not the same one spaced otherwise)."""
    try:
        return not unit or parse_unit(written) != parse_unit(unit)
    except ValueError:
        return True


def _gas_written(unit: str) -> str | None:
    """The gas named in a spec's unit (``kg CH4 / TJ`` → ``CH4``)."""
    for gas in ("CH4", "N2O", "CO2e", "CO2"):
        if gas in unit:
            return gas
    return None


def _as_list(spec: InputSpec, body: Any) -> list:
    if not isinstance(body, list):
        raise CalculationError(spec.name, f"{spec.name} must be a list")
    return body


def _series_item(spec: InputSpec, row: Any) -> tuple[int, pint.Quantity]:
    if not isinstance(row, Mapping) or "year" not in row:
        raise CalculationError(spec.name, f"each {spec.name} entry needs a year, value and unit")
    year = _number(spec.name, row["year"])
    if year != int(year) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalculationError(spec.name, f"{spec.name}: {year:g} is not a year")
    name = f"{spec.name}[{int(year)}]"
    return int(year), read_quantity(spec, name, row.get("value"), str(row.get("unit") or ""))[0]


def _line_item(spec: InputSpec, index: int, row: Any) -> tuple[str, pint.Quantity]:
    name = f"{spec.name}[{index}]"
    if not isinstance(row, Mapping):
        raise CalculationError(name, f"{name} must be an object with label, value and unit")
    if "activity" in row or "factor" in row:
        activity = row.get("activity") or {}
        factor = row.get("factor") or {}
        value = _quantity(f"{name}.activity", activity.get("value"), activity.get("unit", ""))
        value = value * _quantity(f"{name}.factor", factor.get("value"), factor.get("unit", ""))
    else:
        value = read_quantity(spec, name, row.get("value"), str(row.get("unit") or ""))[0]
    return str(row.get("label", "")).strip(), value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise CalculationError(name, f"{name} must be a number")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer of hundreds of digits
        raise CalculationError(name, f"{name} must be a finite number") from None
    except (TypeError, ValueError):
        raise CalculationError(name, f"{name} must be a number, not {value!r}") from None
    if number != number or abs(number) == float("inf"):
        raise CalculationError(name, f"{name} must be a finite number")
    return number


def _quantity(name: str, value: Any, unit: Any) -> pint.Quantity:
    number = _number(name, value)
    try:
        return quantity(number, str(unit or ""))
    except ValueError as error:
        raise CalculationError(name, f"{name}: {error}") from None
