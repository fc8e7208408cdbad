"""The calculator form: HTML fields → the same JSON inputs the API takes.

Each input ``x`` has fields ``x__value``, ``x__unit``, ``x__low``, ``x__high`` and
``x__factor`` (a library key); series and line inputs are a textarea with one
``year, value, unit`` (or ``label, value, unit``) per line.
"""

from typing import Any

from .calculator import CalculationError, InputSpec, Methodology


def form_inputs(method: Methodology, data) -> dict[str, Any]:
    raw = {}
    for spec in method.inputs:
        body = _one(spec, data)
        if body is not None:
            raw[spec.name] = body
    return raw


def _one(spec: InputSpec, data) -> Any:
    name = spec.name
    if spec.kind in ("series", "lines"):
        text = (data.get(f"{name}__rows") or "").strip()
        return _rows(spec, text) if text else None
    factor = (data.get(f"{name}__factor") or "").strip()
    if factor:
        return {"factor": factor}
    value = (data.get(f"{name}__value") or "").strip()
    if not value:
        return None
    body = {"value": value if spec.kind == "choice" else _number(name, value)}
    if spec.kind == "quantity":
        body["unit"] = (data.get(f"{name}__unit") or spec.unit).strip()
        for bound in ("low", "high"):
            text = (data.get(f"{name}__{bound}") or "").strip()
            if text:
                body[bound] = _number(name, text)
    return body


def _rows(spec: InputSpec, text: str) -> list[dict]:
    first = "year" if spec.kind == "series" else "label"
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",", 2)]
        if len(parts) < 2:
            raise CalculationError(
                spec.name, f"{spec.name}, line {number}: write {first}, value, unit"
            )
        rows.append(
            {
                first: parts[0],
                "value": _number(spec.name, parts[1]),
                "unit": parts[2] if len(parts) > 2 else spec.unit,
            }
        )
    return rows


def _number(name: str, text: str) -> float:
    try:
        return float(text.replace(",", "").replace("，", ""))
    except ValueError:
        raise CalculationError(name, f"{name}: {text!r} is not a number") from None


def form_context(data) -> dict:
    return {
        key: data.get(key, "").strip()
        for key in ("region", "year", "scale")
        if data.get(key, "").strip()
    }
