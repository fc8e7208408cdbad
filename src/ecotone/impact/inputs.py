"""Reading raw inputs: JSON from the API, the CLI and the calculator form."""

from collections.abc import Mapping
from typing import Any

import pint

from ecotone.core.bounds import MAX_YEAR, MIN_YEAR

from .calculator import CalculationError, InputSpec, InputValue, Methodology
from .units import quantity


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
    unit = body.get("unit", "")
    return InputValue(
        _quantity(spec.name, body["value"], unit),
        low=_quantity(spec.name, body["low"], unit) if body.get("low") is not None else None,
        high=_quantity(spec.name, body["high"], unit) if body.get("high") is not None else None,
        unit=str(unit),
    )


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
    return int(year), _quantity(name, row.get("value"), row.get("unit", ""))


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
        value = _quantity(name, row.get("value"), row.get("unit", ""))
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
