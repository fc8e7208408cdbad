"""The pure calculation core: methodologies, their inputs, the trace and the range.

Nothing here touches the database. A methodology is a plain function registered with
``@methodology(...)``; it declares its inputs (``InputSpec``: dimension, allowed range,
whether it is an emission factor) and receives checked values plus a ``Trace``::

    @methodology("grid_electricity_displacement", version="1.0", ...,
                 inputs=[InputSpec("electricity", ...), InputSpec("grid_factor", ...)])
    def grid_displacement(values: Values, trace: Trace) -> Quantity: ...

``calculate(methodology_id, inputs, context)`` checks the inputs (refusing only the
impossible, warning about the implausible: see ``check_inputs``), runs the function once
with a trace and again at every corner of the inputs' uncertainty ranges (the vertex
method: exact for formulas that are monotonic in each input, which sums, differences and
products of non-negative quantities are), and returns a ``CalculationOutcome``.

Trace lines are stored as an English message id with parameters (``TraceStep``) and
rendered through gettext in the reader's language, so one stored calculation reads in
both languages.
"""

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pint
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from ecotone.core.refusals import Refused

from .units import (
    Quantity,
    format_number,
    format_quantity,
    format_unit,
    parse_unit,
    without_multipliers,
)

MAX_RANGED_INPUTS = 10  # 2**10 corner evaluations at most; every formula here is cheap

#: What a calculation is about, smallest first. An ``extensive`` input (an amount that
#: grows with the subject: electricity, fuel, distance, tonnes) has its ``maximum`` set for
#: one case (a plant, a project) and is multiplied by these for bigger subjects. The
#: ratios follow electricity: one plant up to 10 TWh/yr; a city up to 200 TWh (Shenzhen
#: uses about 100 TWh); a country up to 15,000 TWh (China, the largest, about 9,000 TWh);
#: the world up to 50,000 TWh (about 30,000 TWh).
SCALES = {"case": 1.0, "city": 20.0, "country": 1500.0, "world": 5000.0}
SCALE_NAMES = {
    "case": N_("case"),
    "city": N_("city"),
    "country": N_("national"),
    "world": N_("global"),
    "beyond": N_("beyond global"),
}


class CalculationError(Refused, ValueError):
    """Bad input. ``field`` names the input (or ``methodology``) at fault."""

    code = "invalid_input"
    field: str  # always named, unlike a plain ``Refused``

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)
        self.args = (message,)


@dataclass(frozen=True)
class InputSpec:
    """One declared input. ``unit`` is the unit the form offers and limits are written in;
    any unit of the same dimension is accepted (``dimension`` overrides it when the
    methodology accepts several)."""

    name: str
    label: str
    unit: str = ""
    kind: str = "quantity"  # quantity | series | lines | count | choice
    minimum: float | None = 0.0
    maximum: float | None = None
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()
    is_factor: bool = False
    any_dimension: bool = False
    extensive: bool = False  # an amount that grows with the subject (see SCALES)
    help: str = ""

    @property
    def sign(self) -> str:
        """Which sign a value may have: ``any`` (a reduction or net change), else
        ``non-negative`` or ``positive``."""
        if self.minimum is None:
            return "any"
        return "positive" if self.minimum > 0 else "non-negative"

    def maximum_for(self, scale: str) -> float | None:
        """The largest plausible value for a subject of ``scale`` (in ``unit``)."""
        if self.maximum is None:
            return None
        return self.maximum * SCALES[scale] if self.extensive else self.maximum

    @property
    def dimension(self) -> str:
        if self.any_dimension or self.kind in ("count", "choice"):
            return ""
        return str(parse_unit(self.unit).dimensionality)


@dataclass(frozen=True)
class FactorSource:
    """Where a factor value came from: shown in the trace and stored with a calculation."""

    input: str
    key: str
    version: int
    value: str
    unit: str
    region: str = ""
    year: int | None = None
    citation: str = ""
    url: str = ""
    factor_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "input": self.input,
            "id": self.factor_id,
            "key": self.key,
            "version": self.version,
            "value": self.value,
            "unit": self.unit,
            "region": self.region,
            "year": self.year,
            "citation": self.citation,
            "url": self.url,
        }


@dataclass(frozen=True)
class InputValue:
    """A checked input: a Quantity (with optional low/high), a count, a choice, a series
    of ``(year, Quantity)`` or lines of ``(label, Quantity)``."""

    value: Any
    low: Any = None
    high: Any = None
    unit: str = ""
    source: FactorSource | None = None
    given: str = ""  # as written, when the unit was read in a way worth showing
    reading: str = ""  # "per_year" or "gas:<GAS>": how the written unit was read

    @property
    def is_ranged(self) -> bool:
        return self.low is not None or self.high is not None


@dataclass(frozen=True)
class TraceStep:
    message: str  # an English msgid with %(name)s placeholders
    params: dict = field(default_factory=dict)

    def render(self) -> str:
        params = {
            name: gettext(value["msgid"]) if isinstance(value, dict) and "msgid" in value else value
            for name, value in self.params.items()
        }
        # A translation that does not fit the stored parameters (a row from an older
        # version, or a catalogue entry with a wrong placeholder) reads in English, and
        # English that does not fit either reads as stored, rather than failing the page.
        for message in (gettext(self.message), self.message):
            try:
                return message % params
            except (KeyError, TypeError, ValueError):
                continue
        return self.message

    def as_dict(self) -> dict:
        return {"message": self.message, "params": self.params}


def render_trace(steps: list) -> list[str]:
    """Stored trace rows (``{"message", "params"}``) in the active language. A row stored
    as plain text (written by hand or by an older version) is shown as it is."""
    return [
        TraceStep(row["message"], row.get("params") or {}).render()
        if isinstance(row, dict) and "message" in row
        else str(row)
        for row in steps
    ]


@dataclass(frozen=True)
class InputWarning:
    """A value that is possible but implausible for the subject: shown beside the result,
    stored with the calculation, and needing an explicit acknowledgement to save."""

    field: str
    message: str  # an English msgid with %(name)s placeholders, like a trace step
    params: dict = dataclasses.field(default_factory=dict)

    def render(self) -> str:
        return TraceStep(self.message, self.params).render()

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "params": self.params}


def render_warnings(rows: list[dict]) -> list[dict]:
    """Stored warnings as ``{"field", "message"}`` in the active language."""
    return [
        {"field": row["field"], "message": InputWarning(**row).render()}
        for row in rows
        if isinstance(row, dict) and "field" in row and "message" in row
    ]


class Trace:
    def __init__(self, recording: bool = True):
        self.recording = recording
        self.steps: list[TraceStep] = []
        self.cited: list[FactorSource] = []

    def cite(self, source: "FactorSource | None") -> None:
        """A factor the formula used that is not one of the inputs (a GWP value)."""
        if self.recording and source is not None and source not in self.cited:
            self.cited.append(source)

    def add(self, message: str, **params: Any) -> None:
        if self.recording:
            self.steps.append(TraceStep(message, {k: _param(v) for k, v in params.items()}))


def _param(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], pint.Quantity):
        return format_quantity(*value)
    if isinstance(value, float):
        return format_number(value)
    return value


class Values:
    """What a methodology function reads: ``values["electricity"]`` → a Quantity."""

    def __init__(self, inputs: Mapping[str, InputValue], context: Mapping[str, Any]):
        self._inputs = inputs
        self.context = context

    def __getitem__(self, name: str) -> Any:
        return self._inputs[name].value

    def get(self, name: str, default: Any = None) -> Any:
        item = self._inputs.get(name)
        return default if item is None else item.value

    def unit(self, name: str) -> str:
        return self._inputs[name].unit

    def shown(self, name: str) -> str:
        """The input as the user gave it: ``300,000 MWh``."""
        item = self._inputs[name]
        return format_quantity(item.value, item.unit) if item.unit else str(item.value)


Compute = Callable[[Values, Trace], pint.Quantity]


@dataclass(frozen=True)
class Methodology:
    id: str
    version: str
    title: str
    description: str
    formula: str
    result_unit: str
    period: str  # annual | cumulative | as_input
    inputs: tuple[InputSpec, ...]
    compute: Compute
    references: tuple[str, ...] = ()

    def spec(self, name: str) -> InputSpec | None:
        return next((spec for spec in self.inputs if spec.name == name), None)


_REGISTRY: dict[str, Methodology] = {}


def methodology(
    id: str,
    *,
    version: str,
    title: str,
    description: str,
    formula: str,
    result_unit: str,
    inputs: list[InputSpec],
    period: str = "annual",
    references: tuple[str, ...] = (),
) -> Callable[[Compute], Compute]:
    """Register a methodology function under ``id``."""

    def register(compute: Compute) -> Compute:
        _REGISTRY[id] = Methodology(
            id,
            version,
            title,
            description,
            formula,
            result_unit,
            period,
            tuple(inputs),
            compute,
            references,
        )
        return compute

    return register


def methodologies() -> list[Methodology]:
    from . import methodologies as _definitions  # noqa: F401  (registers on import)

    return sorted(_REGISTRY.values(), key=lambda m: m.id)


def get_methodology(methodology_id: str) -> Methodology:
    methodologies()
    try:
        return _REGISTRY[methodology_id]
    except (KeyError, TypeError):
        raise CalculationError("methodology", f"unknown methodology {methodology_id!r}") from None


@dataclass(frozen=True)
class CalculationOutcome:
    methodology: Methodology
    value: pint.Quantity
    low: pint.Quantity
    high: pint.Quantity
    trace: list[TraceStep]
    inputs: dict[str, InputValue]
    factors: list[FactorSource]
    warnings: list[InputWarning] = field(default_factory=list)
    scale: str = "case"

    @property
    def unit(self) -> str:
        return self.methodology.result_unit

    def magnitude(self, which: str = "value") -> float:
        return float(getattr(self, which).to(self.unit).magnitude)


def calculate(
    methodology_id: str,
    inputs: Mapping[str, InputValue],
    context: Mapping[str, Any] | None = None,
) -> CalculationOutcome:
    """Check ``inputs`` against the methodology, compute, trace and bound the result.

    ``context`` may hold ``region`` and ``year`` (a factor from another region or year is
    refused, naming the input), ``scale`` (``case``, ``city``, ``country`` or ``world``:
    what the subject is, which sets the plausible maxima of amounts; ``case`` by default)
    and ``gwp`` (``{set: {gas: value}}``, with ``gwp_source``).
    """
    method = get_methodology(methodology_id)
    context = dict(context or {})
    scale = context.get("scale") or "case"
    if scale not in SCALES:
        raise CalculationError("scale", f"scale must be one of {', '.join(SCALES)}")
    checked, warnings = check_inputs(method, inputs, context, scale)
    trace = Trace()
    _trace_readings(method, checked, trace)
    central = _run(method, checked, context, trace)
    low, high = _bounds(method, checked, context, central)
    factors = [item.source for item in checked.values() if item.source is not None]
    factors += trace.cited
    return CalculationOutcome(
        method, central, low, high, trace.steps, checked, factors, warnings, scale
    )


def _trace_readings(method: Methodology, checked: dict, trace: Trace) -> None:
    """One step per input whose unit was not the methodology's own: 1.2 亿千瓦时 = 120,000 MWh."""
    for spec in method.inputs:
        item = checked.get(spec.name)
        if item is None or not isinstance(item.value, pint.Quantity) or not item.given:
            continue
        if spec.any_dimension:
            plain = without_multipliers(item.value)
            normalised = f"{format_number(plain.magnitude)} {format_unit(plain.units)}"
        else:
            normalised = format_quantity(item.value, spec.unit)
        trace.add(
            N_("%(name)s: %(given)s = %(normalised)s."),
            name=spec.name,
            given=item.given,
            normalised=normalised,
        )
        if item.reading == "per_year":
            trace.add(
                N_("%(name)s is given per year: the calculation uses the amount in one year."),
                name=spec.name,
            )
        elif item.reading.startswith("gas:"):
            trace.add(
                N_("%(name)s is given without a gas: its mass is read as %(gas)s."),
                name=spec.name,
                gas=item.reading[4:],
            )


def _run(method: Methodology, checked, context, trace: Trace) -> pint.Quantity:
    result = method.compute(Values(checked, context), trace)
    try:
        result = result.to(method.result_unit)
    except pint.errors.DimensionalityError:
        raise CalculationError(
            _last_factor(method), f"the inputs give {result.units}, not {method.result_unit}"
        ) from None
    except OverflowError:
        result = Quantity(float("inf"), method.result_unit)
    magnitude = result.magnitude
    if magnitude != magnitude or abs(magnitude) == float("inf"):
        name = _largest_input(method, checked)
        raise CalculationError(
            name, f"the result overflows (is too large to compute): check {name}"
        )
    return result


def _largest_input(method: Methodology, checked: dict) -> str:
    """The quantity input furthest from 1 in its own unit: the likeliest cause of overflow."""
    sizes = {}
    for spec in method.inputs:
        item = checked.get(spec.name)
        if item is not None and isinstance(item.value, pint.Quantity):
            magnitude = abs(item.value.magnitude)
            sizes[spec.name] = abs(math.log10(magnitude)) if magnitude else 0.0
    return max(sizes, key=lambda name: sizes[name]) if sizes else method.inputs[0].name


def _last_factor(method: Methodology) -> str:
    factors = [spec.name for spec in method.inputs if spec.is_factor]
    return factors[-1] if factors else method.inputs[-1].name


def _bounds(method, checked, context, central) -> tuple[pint.Quantity, pint.Quantity]:
    ranged = [name for name, item in checked.items() if item.is_ranged]
    if not ranged:
        return central, central
    ranged = ranged[:MAX_RANGED_INPUTS]
    results = [central]
    for corner in itertools.product(("low", "high"), repeat=len(ranged)):
        varied = dict(checked)
        for name, side in zip(ranged, corner, strict=True):
            item = checked[name]
            bound = getattr(item, side)
            varied[name] = replace(item, value=item.value if bound is None else bound)
        results.append(_run(method, varied, context, Trace(recording=False)))
    unit = method.result_unit
    ordered = sorted(results, key=lambda q: q.to(unit).magnitude)
    return ordered[0], ordered[-1]


# --- checking inputs ---------------------------------------------------------------------


def check_inputs(
    method: Methodology, inputs: Mapping[str, InputValue], context, scale: str = "case"
) -> tuple[dict, list[InputWarning]]:
    """The checked inputs and the warnings about them. Only the impossible is refused
    (``CalculationError``): a missing or unknown input, a wrong dimension, a value that is
    not a finite number, a negative amount where the methodology needs a quantity. A value
    above what the subject's ``scale`` plausibly reaches (a typing error, or a bigger
    subject than declared) is a warning."""
    unknown = sorted(set(inputs) - {spec.name for spec in method.inputs})
    if unknown:
        raise CalculationError(unknown[0], f"{method.id} has no input called {unknown[0]!r}")
    checked: dict[str, InputValue] = {}
    warnings: list[InputWarning] = []
    for spec in method.inputs:
        item = inputs.get(spec.name)
        if item is None and spec.default is not None:
            item = InputValue(spec.default)
        if item is None:
            if spec.required:
                raise CalculationError(spec.name, f"{spec.name} is required")
            continue
        checked[spec.name] = _check_one(spec, item, context, _Checker(scale, warnings))
    return checked, warnings


@dataclass(frozen=True)
class _Checker:
    scale: str
    warnings: list


def _check_one(spec: InputSpec, item: InputValue, context, checker: _Checker) -> InputValue:
    if spec.kind == "choice":
        if item.value not in spec.choices:
            raise CalculationError(
                spec.name, f"{spec.name} must be one of {', '.join(spec.choices)}"
            )
        return item
    if spec.kind == "count":
        return _check_count(spec, item)
    if spec.kind == "series":
        return _check_series(spec, item, checker)
    if spec.kind == "lines":
        return _check_lines(spec, item, checker)
    _check_quantity(spec, item.value, spec.name, checker)
    for bound in (item.low, item.high):
        if bound is not None:
            _check_quantity(spec, bound, spec.name, None)
    if item.low is not None and item.high is not None and item.low > item.high:
        raise CalculationError(spec.name, f"{spec.name}: low is above high")
    _check_context(spec, item, context)
    return item


def _check_quantity(spec: InputSpec, value: Any, name: str, checker: _Checker | None) -> None:
    """Refuse the impossible; with a ``checker``, note the implausible as a warning."""
    if not isinstance(value, pint.Quantity):
        raise CalculationError(name, f"{name} must be a number with a unit")
    if value.magnitude != value.magnitude or abs(value.magnitude) == float("inf"):
        raise CalculationError(name, f"{name} must be a finite number")
    if not spec.any_dimension and value.dimensionality != parse_unit(spec.unit).dimensionality:
        raise CalculationError(
            name, f"{name} is in {value.units:~}, which cannot be converted to {spec.unit}"
        )
    if spec.any_dimension:
        if spec.minimum is not None and value.magnitude < spec.minimum:
            raise CalculationError(name, f"{name} must not be negative: it is an amount")
        return
    try:
        magnitude = float(value.to(spec.unit).magnitude)
    except OverflowError:
        raise CalculationError(name, f"{name} is too large to compute with") from None
    if magnitude != magnitude or abs(magnitude) == float("inf"):
        raise CalculationError(name, f"{name} is too large to compute with")
    if spec.minimum is not None and magnitude < spec.minimum:
        what = "an amount, never negative" if spec.minimum <= 0 else "a positive amount"
        raise CalculationError(
            name,
            f"{name} must be at least {format_number(spec.minimum)} {spec.unit}: "
            f"{spec.name} is {what}",
        )
    if checker is not None:
        _warn_if_implausible(spec, magnitude, name, checker)


def _warn_if_implausible(spec: InputSpec, magnitude: float, name: str, checker) -> None:
    maximum = spec.maximum_for(checker.scale)
    if maximum is None or abs(magnitude) <= maximum:
        return
    shown = {"value": f"{format_number(magnitude)} {spec.unit}"}
    shown["maximum"] = f"{format_number(maximum)} {spec.unit}"
    if not spec.extensive:
        checker.warnings.append(
            InputWarning(
                name,
                N_("%(name)s: %(value)s is above the plausible maximum of %(maximum)s: confirm."),
                {"name": name, **shown},
            )
        )
        return
    level = next(
        (s for s in SCALES if (top := spec.maximum_for(s)) is None or abs(magnitude) <= top),
        "beyond",
    )
    checker.warnings.append(
        InputWarning(
            name,
            N_(
                "%(name)s: %(value)s is %(level)s scale, above what a %(subject)s reaches "
                "(%(maximum)s): confirm."
            ),
            {
                "name": name,
                **shown,
                "level": {"msgid": SCALE_NAMES[level]},
                "subject": {"msgid": SCALE_NAMES[checker.scale]},
            },
        )
    )


def _check_count(spec: InputSpec, item: InputValue) -> InputValue:
    value = item.value.magnitude if isinstance(item.value, pint.Quantity) else item.value
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise CalculationError(spec.name, f"{spec.name} must be a whole number")
    value = int(value)
    if spec.minimum is not None and value < spec.minimum:
        raise CalculationError(spec.name, f"{spec.name} must be at least {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise CalculationError(spec.name, f"{spec.name} must be at most {spec.maximum:g}")
    return InputValue(value)


def _check_series(spec: InputSpec, item: InputValue, checker: _Checker) -> InputValue:
    series = item.value
    if not isinstance(series, list | tuple) or not series:
        raise CalculationError(spec.name, f"{spec.name} must be a non-empty list of years")
    years = [year for year, _ in series]
    if len(set(years)) != len(years):
        raise CalculationError(spec.name, f"{spec.name} lists a year twice")
    for year, value in series:
        _check_quantity(spec, value, f"{spec.name}[{year}]", checker)
    return item


def _check_lines(spec: InputSpec, item: InputValue, checker: _Checker) -> InputValue:
    lines = item.value
    if not isinstance(lines, list | tuple):
        raise CalculationError(spec.name, f"{spec.name} must be a list of emission lines")
    for index, (label, value) in enumerate(lines):
        name = f"{spec.name}[{index}]"
        if not str(label).strip():
            raise CalculationError(name, f"{name} needs a label")
        _check_quantity(spec, value, name, checker)
    return item


def _check_context(spec: InputSpec, item: InputValue, context) -> None:
    source = item.source
    if not (spec.is_factor and source):
        return
    region, year = context.get("region"), context.get("year")
    if region and source.region and _norm(region) != _norm(source.region):
        raise CalculationError(
            spec.name,
            f"{spec.name} is a factor for {source.region}, but this calculation is for {region}",
        )
    if year and source.year and int(year) != int(source.year):
        raise CalculationError(
            spec.name,
            f"{spec.name} is a factor for {source.year}, but this calculation is for {year}",
        )


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


__all__ = [
    "CalculationError",
    "CalculationOutcome",
    "FactorSource",
    "InputSpec",
    "InputValue",
    "InputWarning",
    "Quantity",
    "Trace",
    "TraceStep",
    "Values",
    "calculate",
    "get_methodology",
    "methodologies",
    "methodology",
    "render_trace",
    "render_warnings",
]
