"""``/api/v1/impact/…``: methodologies, calculate, factors and stored calculations.

``GET /impact/methodologies`` and ``POST /impact/calculate`` are a contract with
verification tools outside the project: add fields, never rename or remove them.
"""

from typing import TYPE_CHECKING

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.responses import Status

from ecotone.accounts.api_auth import reading_user
from ecotone.accounts.permissions import can_view
from ecotone.catalog.schemas import filterset_schema
from ecotone.core.bounds import Id, OptionalId, PageLimit
from ecotone.core.pagination import cursor_page

from .calculator import methodologies, render_trace, render_warnings
from .claims import coal_factor, compare
from .filters import EmissionFactorFilterSet, filtered_factors
from .models import Calculation, EmissionFactor
from .schemas import (
    CalculateIn,
    CalculateOut,
    CalculationOut,
    CalculationPageOut,
    ErrorOut,
    FactorOut,
    FactorPageOut,
    MethodologyOut,
)
from .services import (
    evaluate,
    express,
    outcome_payload,
    require_acknowledgement,
)

router = Router(tags=["impact"])


def methodology_out(method) -> dict:
    return {
        "id": method.id,
        "version": method.version,
        "title": str(method.title),
        "description": str(method.description),
        "formula": method.formula,
        "result_unit": method.result_unit,
        "period": method.period,
        "references": list(method.references),
        "inputs": [
            {
                "name": s.name,
                "label": str(s.label),
                "kind": s.kind,
                "unit": s.unit,
                "dimension": s.dimension,
                "required": s.required and s.default is None,
                "minimum": s.minimum,
                "maximum": s.maximum,
                "choices": list(s.choices),
                "default": s.default,
                "is_factor": s.is_factor,
                "sign": s.sign,
                "scales": s.extensive,
            }
            for s in method.inputs
        ],
    }


@router.get(
    "/impact/methodologies", response=list[MethodologyOut], operation_id="impact_methodologies"
)
def list_methodologies(request):
    """Every methodology with its inputs, units, allowed ranges and version."""
    return [methodology_out(m) for m in methodologies()]


@router.post(
    "/impact/calculate",
    response={200: CalculateOut, 422: ErrorOut},
    operation_id="impact_calculate",
    summary="Run a methodology on the given inputs (nothing is stored)",
)
def calculate(request, body: CalculateIn, unit: str | None = None):
    """Inputs are ``{"value", "unit"}`` (optionally ``low``/``high``), a list of
    ``{"year", "value", "unit"}`` for a series, or ``{"factor": "<key>"}`` to use the
    current version of a library factor. A bad input gives 422 naming it in ``field``.
    Values implausible for ``context.scale`` give 422 ``unconfirmed_warnings`` (each in
    ``errors``) unless ``acknowledge_warnings``; then the result carries them in
    ``warnings``. ``?unit=`` gives the result in another unit (``Mt CO2e/yr``)."""
    outcome, _ = evaluate(body.methodology, body.inputs, body.context)
    require_acknowledgement(outcome, body.acknowledge_warnings)
    return Status(200, outcome_payload(outcome, unit))


def factor_out(factor: EmissionFactor) -> dict:
    fields = FactorOut.model_fields
    body = {name: getattr(factor, name) for name in fields if hasattr(factor, name)}
    body.update(name=factor.name, superseded_by=factor.superseded_by_id)
    return body


if TYPE_CHECKING:
    # Built at run time from the filter set's fields, so mypy cannot see them; all this
    # module relies on is that it is a schema (``.dict()``).
    FactorFilters = Schema
else:
    FactorFilters = filterset_schema(EmissionFactorFilterSet)


@router.get(
    "/impact/factors", response={200: FactorPageOut, 422: ErrorOut}, operation_id="impact_factors"
)
def list_factors(
    request, filters: Query[FactorFilters], cursor: str | None = None, limit: PageLimit = 50
):
    """The emission-factor library, current versions unless ``all_versions``: the filters of
    the library page (``EmissionFactorFilterSet``)."""
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    queryset = filtered_factors(params)  # a bad filter is a 422 naming it
    items, next_cursor = cursor_page(queryset, cursor=cursor, limit=limit)
    return Status(200, {"items": [factor_out(f) for f in items], "next": next_cursor})


@router.get(
    "/impact/factors/{factor_id}",
    response={200: FactorOut, 404: ErrorOut},
    operation_id="impact_factor",
)
def get_factor(request, factor_id: Id):
    factor = EmissionFactor.objects.filter(pk=factor_id).first()
    if factor is None:
        raise Http404
    return factor_out(factor)


def calculation_out(calculation: Calculation, unit: str | None = None) -> dict:
    values = [calculation.value, calculation.low, calculation.high]
    (value, low, high), unit = express(values, calculation.unit, calculation.period, unit)
    claim = None
    if calculation.claim_value is not None:
        claim = {"value": calculation.claim_value, "unit": calculation.claim_unit}
    return {
        "id": calculation.pk,
        "lineage": str(calculation.lineage),
        "version": calculation.version,
        "is_current": calculation.is_current,
        "previous": calculation.previous_id,
        "superseded_by": calculation.superseded_by_id,
        "basis": calculation.basis,
        "case": calculation.case_id,
        "solution": calculation.solution_id,
        "label": calculation.label,
        "methodology": {
            "id": calculation.methodology_id,
            "version": calculation.methodology_version,
        },
        "period": calculation.period,
        "year": calculation.year,
        "result": {"value": value, "unit": unit},
        "range": {"low": low, "high": high, "unit": unit},
        "evidence": calculation.evidence,
        "illustrative_inputs": calculation.illustrative_inputs,
        "inputs": calculation.inputs,
        "resolved_inputs": calculation.resolved_inputs,
        "factors": calculation.factors,
        "trace": render_trace(calculation.trace),
        "warnings": render_warnings(calculation.warnings),
        "claim": claim,
        "claim_check": _claim_check(calculation),
        "created_at": calculation.created_at,
        "page_url": calculation.get_absolute_url(),
    }


def _claim_check(calculation: Calculation) -> dict | None:
    if calculation.claim_value is None:
        return None
    check = compare(calculation, coal_factor())
    return check.as_dict() if check else None


def visible_calculation(user, calculation: Calculation) -> bool:
    return can_view(user, calculation.subject)


class CalculationFilter(Schema):
    case: OptionalId = None  #: the case's id
    solution: OptionalId = None  #: the solution's id
    all_versions: bool = False


@router.get(
    "/impact/calculations",
    response={200: CalculationPageOut, 401: ErrorOut, 422: ErrorOut},
    operation_id="impact_calculations",
)
def list_calculations(
    request,
    filters: Query[CalculationFilter],
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Stored calculations of records you may see; current versions unless ``all_versions``."""
    user = reading_user(request)
    queryset = Calculation.objects.select_related("case", "solution")
    if not filters.all_versions:
        queryset = queryset.filter(superseded_by__isnull=True)
    if filters.case is not None:
        queryset = queryset.filter(case_id=filters.case)
    if filters.solution is not None:
        queryset = queryset.filter(solution_id=filters.solution)
    items, next_cursor = cursor_page(queryset, cursor=cursor, limit=limit)
    shown = [calculation_out(c) for c in items if visible_calculation(user, c)]
    return Status(200, {"items": shown, "next": next_cursor})


@router.get(
    "/impact/calculations/{calculation_id}",
    response={200: CalculationOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="impact_calculation",
)
def get_calculation(request, calculation_id: Id, unit: str | None = None):
    """One stored calculation; ``?unit=`` gives the result in another unit (an annual
    result also per year: ``Mt CO2e/yr``)."""
    user = reading_user(request)
    calculation = (
        Calculation.objects.select_related("case", "solution").filter(pk=calculation_id).first()
    )
    if calculation is None or not visible_calculation(user, calculation):
        raise Http404
    return Status(200, calculation_out(calculation, unit))
