"""API bodies of impact accounting. Field names here are a contract: add, never rename."""

from datetime import datetime
from typing import Any

from ninja import Schema

from ecotone.core.schemas import ErrorOut  # noqa: F401  (re-exported)


class InputOut(Schema):
    name: str
    label: str
    kind: str  #: quantity, series, lines, count or choice
    unit: str  #: the unit limits are written in; any unit of the same dimension is accepted
    dimension: str
    required: bool
    minimum: float | None
    maximum: float | None
    choices: list[str]
    default: Any = None
    is_factor: bool
    sign: str = "non-negative"  #: any (a reduction or net change), non-negative or positive
    scales: bool = False  #: whether ``maximum`` (for one case) grows with the subject's scale


class MethodologyOut(Schema):
    id: str
    version: str
    title: str
    description: str
    formula: str
    result_unit: str
    period: str  #: annual, cumulative, or as_input (the inputs' own period)
    inputs: list[InputOut]
    references: list[str]


class CalculateIn(Schema):
    methodology: str
    inputs: dict[str, Any]
    #: optional {"region", "year"} the factors must fit, and "scale": case (default),
    #: city, country or world — what the calculation is about, which sets the warnings
    context: dict[str, Any] | None = None
    #: confirm values flagged as implausible for the scale; without it such a result is
    #: a 422 (code ``unconfirmed_warnings``) listing each warning with its field
    acknowledge_warnings: bool = False


class QuantityOut(Schema):
    value: float
    unit: str


class RangeOut(Schema):
    low: float
    high: float
    unit: str


class MethodologyRefOut(Schema):
    id: str
    version: str


class WarningOut(Schema):
    field: str
    message: str


class CalculateOut(Schema):
    methodology: MethodologyRefOut
    result: QuantityOut
    range: RangeOut
    period: str
    trace: list[str]
    factors: list[dict[str, Any]]
    scale: str = "case"
    warnings: list[WarningOut] = []  #: acknowledged values implausible for the scale


class FactorOut(Schema):
    id: int
    key: str
    version: int
    is_current: bool
    superseded_by: int | None
    name: str
    kind: str
    value: float
    low: float | None
    high: float | None
    unit: str
    gas: str
    gwp_basis: str
    region: str
    year: int | None
    dataset: str
    source_citation: str
    source_url: str
    verification_note: str
    licence: str
    created_at: datetime


class FactorPageOut(Schema):
    items: list[FactorOut]
    next: str | None


class CalculationOut(Schema):
    id: int
    lineage: str
    version: int
    is_current: bool
    previous: int | None
    superseded_by: int | None
    basis: str  #: achieved (a case) or potential (a solution)
    case: int | None
    solution: int | None
    label: str
    methodology: MethodologyRefOut
    period: str
    year: int | None
    result: QuantityOut
    range: RangeOut
    evidence: str
    illustrative_inputs: list[str]
    inputs: dict[str, Any]
    resolved_inputs: dict[str, Any]
    factors: list[dict[str, Any]]
    trace: list[str]
    warnings: list[WarningOut] = []
    claim: QuantityOut | None
    #: the claim in the result's unit, the calculation, claim ÷ calculation and the reasons
    #: a difference can arise ({"claim", "calculated", "ratio", "reasons"})
    claim_check: dict[str, Any] | None = None
    created_at: datetime
    page_url: str


class CalculationPageOut(Schema):
    items: list[CalculationOut]
    next: str | None
