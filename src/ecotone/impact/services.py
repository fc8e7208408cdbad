"""Calculations: evaluate inputs (resolving library factors), save, recalculate.

The API's ``POST /impact/calculate``, ``ecotone impact calc`` and the calculator page all
call ``evaluate`` with the same JSON-shaped inputs, so they give the same answer.
An input is either ``{"value", "unit", "low"?, "high"?}`` or ``{"factor": "<key>"}``
(the current version of a library factor) or ``{"factor": <id>}`` (that exact version).
"""

from dataclasses import dataclass
from typing import Any

import pint
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import can_edit
from ecotone.core.bounds import MAX_YEAR, MIN_YEAR

from .calculator import (
    SCALES,
    CalculationError,
    CalculationOutcome,
    FactorSource,
    InputValue,
    calculate,
    get_methodology,
    render_warnings,
)
from .inputs import parse_input
from .models import Basis, Calculation, EmissionFactor, Evidence, Period
from .units import Quantity, parse_unit, quantity


class UnacknowledgedWarnings(CalculationError):
    """The result has warnings nobody has confirmed. ``warnings`` lists them rendered,
    ``{"field", "message"}``; ``field`` is the first one's. The API's body lists them all
    in ``errors``."""

    code = "unconfirmed_warnings"

    def __init__(self, warnings: list[dict]):
        listed = "; ".join(row["message"] for row in warnings)
        super().__init__(
            warnings[0]["field"],
            f"{len(warnings)} value(s) need confirming (acknowledge_warnings): {listed}",
        )
        self.warnings = warnings

    def body(self) -> dict:
        return {**super().body(), "errors": self.warnings}


def require_acknowledgement(outcome: CalculationOutcome, acknowledged: bool) -> None:
    """Raise ``UnacknowledgedWarnings`` when ``outcome`` has warnings not acknowledged."""
    if outcome.warnings and not acknowledged:
        raise UnacknowledgedWarnings(render_warnings([w.as_dict() for w in outcome.warnings]))


def factor_source(factor: EmissionFactor, input_name: str) -> FactorSource:
    return FactorSource(
        input=input_name,
        key=factor.key,
        version=factor.version,
        value=f"{factor.value:g}",
        unit=factor.unit,
        region=factor.region,
        year=factor.year,
        citation=factor.source_citation,
        url=factor.source_url,
        factor_id=factor.pk,
    )


def find_factor(reference: Any, input_name: str) -> EmissionFactor:
    """By id (that version) or by key (its current version)."""
    queryset = EmissionFactor.objects.all()
    if isinstance(reference, int) and not isinstance(reference, bool):
        factor = queryset.filter(pk=reference).first()
    elif isinstance(reference, str) and reference.strip():
        factor = queryset.filter(key=reference.strip(), superseded_by__isnull=True).first()
    else:
        raise CalculationError(input_name, f"{input_name}: factor must be a key or an id")
    if factor is None:
        raise CalculationError(input_name, f"{input_name}: no emission factor {reference!r}")
    return factor


def _factor_input(factor: EmissionFactor, name: str) -> InputValue:
    try:
        value = quantity(factor.value, factor.unit)
    except ValueError as error:
        raise CalculationError(name, f"{name}: factor {factor.key} has {error}") from None
    bound = lambda v: None if v is None else quantity(v, factor.unit)  # noqa: E731
    return InputValue(
        value, bound(factor.low), bound(factor.high), factor.unit, factor_source(factor, name)
    )


def resolve_inputs(methodology_id: str, raw: Any) -> tuple[dict[str, InputValue], list]:
    method = get_methodology(methodology_id)
    if not isinstance(raw, dict):
        raise CalculationError("inputs", "inputs must be an object of named inputs")
    values, used = {}, []
    for name, body in raw.items():
        spec = method.spec(name)
        if spec is None:
            raise CalculationError(name, f"{method.id} has no input called {name!r}")
        if isinstance(body, dict) and "factor" in body:
            factor = find_factor(body["factor"], name)
            values[name] = _factor_input(factor, name)
            used.append(factor)
        else:
            values[name] = parse_input(spec, body)
    return values, used


def gwp_context() -> dict:
    """GWP100 values from the library's current ``gwp`` factors (the shipped table when
    the library is not loaded yet)."""
    table: dict[str, dict[str, float]] = {}
    sources = {}
    for factor in EmissionFactor.objects.filter(kind="gwp", superseded_by__isnull=True):
        table.setdefault(factor.gwp_basis, {})[factor.gas] = factor.value
        sources[(factor.gwp_basis, factor.gas)] = factor_source(factor, "gwp_set")
    if not table:
        from .seed import gwp100

        for row in gwp100(settings.DATA_DIR / "sources" / "gwp100.csv"):
            table.setdefault(row["gwp_basis"], {})[row["gas"]] = row["value"]
    return {"gwp": table, "gwp_sources": sources}


def evaluate(
    methodology_id: str, raw_inputs: Any, context: dict | None = None
) -> tuple[CalculationOutcome, list[EmissionFactor]]:
    """(outcome, library factors used) for JSON-shaped inputs. Raises CalculationError."""
    values, used = resolve_inputs(methodology_id, raw_inputs)
    full_context = {**gwp_context(), **_clean_context(context or {})}
    outcome = calculate(methodology_id, values, full_context)
    cited = [s.factor_id for s in outcome.factors if s.factor_id]
    used += list(EmissionFactor.objects.filter(pk__in=set(cited) - {f.pk for f in used}))
    return outcome, used


def _clean_context(context: dict) -> dict:
    clean = {}
    if context.get("scale"):
        if context["scale"] not in SCALES:
            raise CalculationError("scale", f"scale must be one of {', '.join(SCALES)}")
        clean["scale"] = context["scale"]
    if context.get("region"):
        clean["region"] = str(context["region"])
    if context.get("year") not in (None, ""):
        try:
            clean["year"] = int(context["year"])
        except (TypeError, ValueError, OverflowError):
            raise CalculationError("year", "year must be a whole number") from None
        if not MIN_YEAR <= clean["year"] <= MAX_YEAR:
            raise CalculationError("year", f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return clean


def outcome_payload(outcome: CalculationOutcome, unit: str | None = None) -> dict:
    """The API's response body (``trace`` and ``warnings`` rendered in the active
    language), the result in ``unit`` when asked (see ``express``)."""
    period = outcome.methodology.period
    values = [outcome.magnitude(which) for which in ("value", "low", "high")]
    (value, low, high), shown = express(values, outcome.unit, period, unit)
    return {
        "methodology": {"id": outcome.methodology.id, "version": outcome.methodology.version},
        "result": {"value": value, "unit": shown},
        "range": {"low": low, "high": high, "unit": shown},
        "period": period,
        "trace": [step.render() for step in outcome.trace],
        "factors": [source.as_dict() for source in outcome.factors],
        "scale": outcome.scale,
        "warnings": render_warnings([w.as_dict() for w in outcome.warnings]),
    }


def express(
    values: list[float], unit: str, period: str, asked: str | None
) -> tuple[list[float], str]:
    """``values`` (in ``unit``) in the ``asked`` unit, and the unit's text. An annual
    result (``period`` annual, or as_input: the inputs' own period) may be asked for per
    unit of time (``Mt CO2e/yr``, ``万吨CO2/年``); a cumulative one may not."""
    if not asked or not asked.strip() or asked.strip() == unit:
        return values, unit
    try:
        target = parse_unit(asked)
    except ValueError as error:
        raise CalculationError("unit", f"unit: {error}") from None
    per_time = Quantity(1, "year")
    amounts = [Quantity(v, unit) for v in values]
    if target.dimensionality == (amounts[0] / per_time).dimensionality:
        if period == Period.CUMULATIVE:
            raise CalculationError(
                "unit", f"a cumulative result is a total, not a rate: ask for {unit}, not {asked}"
            )
        amounts = [amount / per_time for amount in amounts]
    try:
        return [float(amount.to(target).magnitude) for amount in amounts], asked.strip()
    except pint.errors.DimensionalityError:
        raise CalculationError(
            "unit", f"a result in {unit} cannot be expressed in {asked.strip()}"
        ) from None


def resolved_inputs(outcome: CalculationOutcome) -> dict:
    """The values actually used, JSON-ready, for the stored calculation."""
    return {name: _json_value(item) for name, item in outcome.inputs.items()}


def _json_value(item: InputValue) -> Any:
    value = item.value
    if isinstance(value, list):
        return [[label, f"{q.magnitude:g} {q.units:~}"] for label, q in value]
    if hasattr(value, "magnitude"):
        shown = {"value": value.magnitude, "unit": item.unit or f"{value.units:~}"}
        if item.is_ranged:
            shown.update(low=_mag(item.low), high=_mag(item.high))
        if item.source:
            shown["factor"] = {"key": item.source.key, "version": item.source.version}
        return shown
    return {"value": value}


def _mag(value):
    return None if value is None else value.magnitude


# --- stored calculations ------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    case: Any = None
    solution: Any = None

    @property
    def record(self):
        return self.case or self.solution

    @property
    def basis(self) -> str:
        return Basis.ACHIEVED if self.case is not None else Basis.POTENTIAL


def _period_fields(outcome: CalculationOutcome, period: str | None, year, values) -> dict:
    declared = outcome.methodology.period
    chosen = period or (declared if declared != "as_input" else Period.ANNUAL)
    if chosen not in Period.values:
        raise CalculationError("period", "period must be annual or cumulative")
    fields = {"period": chosen, "year": year}
    if outcome.methodology.id == "cumulative_total":
        fields.update(from_year=values["from_year"], to_year=values["to_year"])
    if chosen == Period.ANNUAL and not year:
        raise CalculationError("year", "an annual result needs the year it is for")
    return fields


@transaction.atomic
def save_calculation(
    *,
    actor: User | None,
    subject: Subject,
    methodology_id: str,
    inputs: dict,
    context: dict | None = None,
    period: str | None = None,
    year: int | None = None,
    label_en: str = "",
    label_zh: str = "",
    evidence: str = Evidence.ILLUSTRATIVE,
    illustrative_inputs: list[str] | None = None,
    extra: dict | None = None,
    check_permission: bool = True,
    acknowledge_warnings: bool = False,
) -> Calculation:
    """Evaluate and store a new calculation (version 1 of a new lineage). A result with
    warnings is stored only when ``acknowledge_warnings`` (the warnings go with it)."""
    if check_permission and not can_edit(actor, subject.record):
        raise PermissionDenied("you may not add calculations to this record")
    context = dict(context or {})
    context.setdefault("scale", "case" if subject.case is not None else "world")
    outcome, used = evaluate(methodology_id, inputs, context)
    require_acknowledgement(outcome, acknowledge_warnings)
    checked = {k: v.value for k, v in outcome.inputs.items()}
    calculation = Calculation(
        case=subject.case,
        solution=subject.solution,
        basis=subject.basis,
        label_en=label_en,
        label_zh=label_zh,
        inputs=inputs,
        context=context or {},
        evidence=evidence,
        illustrative_inputs=illustrative_inputs or [],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **_period_fields(outcome, period, year, checked),
        **_outcome_fields(outcome),
        **(extra or {}),
    )
    calculation.save()
    calculation.factor_versions.set(used)
    record_audit(actor=actor, action="calculate", record=calculation)
    return calculation


def _outcome_fields(outcome: CalculationOutcome) -> dict:
    return {
        "methodology_id": outcome.methodology.id,
        "methodology_version": outcome.methodology.version,
        "value": outcome.magnitude(),
        "low": outcome.magnitude("low"),
        "high": outcome.magnitude("high"),
        "unit": outcome.unit,
        "trace": [step.as_dict() for step in outcome.trace],
        "factors": [source.as_dict() for source in outcome.factors],
        "resolved_inputs": resolved_inputs(outcome),
        "warnings": [warning.as_dict() for warning in outcome.warnings],
    }


def _by_key(inputs: dict) -> dict:
    """Factor references by key, so a recalculation picks up each factor's current version."""
    stored = {f.pk: f.key for f in EmissionFactor.objects.filter(pk__in=_ids(inputs))}
    return {
        name: {**body, "factor": stored.get(body["factor"], body["factor"])}
        if isinstance(body, dict) and isinstance(body.get("factor"), int)
        else body
        for name, body in inputs.items()
    }


def _ids(inputs: dict) -> list[int]:
    return [
        b["factor"]
        for b in inputs.values()
        if isinstance(b, dict) and isinstance(b.get("factor"), int)
    ]


@transaction.atomic
def recalculate(
    calculation: Calculation,
    *,
    actor: User | AnonymousUser | None,
    reason: str,
    inputs: dict | None = None,
    check_permission: bool = True,
    acknowledge_warnings: bool | None = None,
) -> Calculation:
    """A new version of ``calculation`` with current factors (and new inputs, if given).
    New inputs with warnings need ``acknowledge_warnings``; the same inputs were confirmed
    when first saved, so a factor update recalculates them (its warnings are stored)."""
    current = Calculation.objects.select_for_update().get(pk=calculation.pk)
    if current.superseded_by_id:
        raise CalculationError("calculation", "only the newest version can be recalculated")
    if check_permission and not can_edit(actor, current.subject):
        raise PermissionDenied("you may not recalculate this record's calculations")
    new_inputs = _by_key(inputs if inputs is not None else current.inputs)
    outcome, used = evaluate(current.methodology_id, new_inputs, current.context)
    if acknowledge_warnings is None:
        acknowledge_warnings = inputs is None
    require_acknowledgement(outcome, acknowledge_warnings)
    successor = _copy(current, outcome, new_inputs, actor, reason)
    successor.factor_versions.set(used)
    Calculation.objects.filter(pk=current.pk).update(superseded_by=successor)
    record_audit(
        actor=actor,
        action="recalculate",
        record=successor,
        reason=reason,
        changes=difference(current, successor),
    )
    return successor


_COPIED = (
    "lineage",
    "case",
    "solution",
    "basis",
    "label_en",
    "label_zh",
    "context",
    "period",
    "year",
    "from_year",
    "to_year",
    "evidence",
    "illustrative_inputs",
    "note_en",
    "note_zh",
    "claim_value",
    "claim_unit",
    "claim_source_url",
    "claim_coal_saved",
    "demo_key",
)


def _copy(current, outcome, inputs, actor, reason) -> Calculation:
    successor = Calculation(
        **{name: getattr(current, name) for name in _COPIED},
        version=current.version + 1,
        previous=current,
        inputs=inputs,
        change_reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **_outcome_fields(outcome),
    )
    successor.save()
    return successor


def difference(old: Calculation, new: Calculation) -> dict:
    """What changed between two versions: result, range, factors and inputs."""
    changes = {}
    for name in ("value", "low", "high", "methodology_version"):
        if getattr(old, name) != getattr(new, name):
            changes[name] = [getattr(old, name), getattr(new, name)]
    old_factors = {f["input"]: f for f in old.factors}
    for row in new.factors:
        before = old_factors.get(row["input"])
        if before is None or (before["key"], before["version"]) != (row["key"], row["version"]):
            changes[f"factor:{row['input']}"] = [_factor_label(before), _factor_label(row)]
    for name in set(old.resolved_inputs) | set(new.resolved_inputs):
        a, b = old.resolved_inputs.get(name), new.resolved_inputs.get(name)
        if a != b and not (isinstance(a, dict) and "factor" in a):
            changes[f"input:{name}"] = [a, b]
    return changes


def _factor_label(row: dict | None) -> str:
    if row is None:
        return ""
    return f"{row['key']} v{row['version']} = {row['value']} {row['unit']}"


def stale_calculations() -> QuerySet[Calculation]:
    """Current calculations that used a factor version that has since been superseded."""
    return (
        Calculation.objects.filter(
            superseded_by__isnull=True, factor_versions__superseded_by__isnull=False
        )
        .distinct()
        .order_by("id")
    )


def recalculate_stale(
    *, actor: User | AnonymousUser | None = None, reason: str = "factor update"
) -> list[tuple]:
    """Recalculate every stale calculation; returns ``(old, new, difference)`` per one."""
    changed = []
    for calculation in list(stale_calculations()):
        new = recalculate(calculation, actor=actor, reason=reason, check_permission=False)
        changed.append((calculation, new, difference(calculation, new)))
    return changed
