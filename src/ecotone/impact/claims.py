"""A publisher's claim beside the platform's own calculation: the ratio and the reasons a
difference can arise.

A stored calculation may carry the publisher's claim (``claim_value`` in ``claim_unit``,
and ``claim_coal_saved``, standard coal saved in t ce, when published). ``compare`` gives
claim ÷ calculation and the reasons, each a translatable message with parameters, so the
case page, the calculation page, the staff list and ``ecotone impact claims`` say the same.

The coal reading: press releases in China often state "coal saved" and an emission
derived from it. Coal saved × 29.3076 GJ/tce (GB/T 2589-2020) × the IPCC 2006 default CO2
factor of other bituminous coal (library key below) shows whether the claim is that
conversion rather than generation × a grid factor.
"""

from dataclasses import dataclass, field

import pint
from django.utils.translation import gettext_noop as N_

from .calculator import TraceStep
from .models import Calculation, EmissionFactor
from .units import Quantity, format_number, parse_unit

#: claims differing from the calculation by more than this share are listed for staff
DEFAULT_MARGIN = 0.25
COAL_FACTOR_KEY = "ipcc2006-stationary-co2-other-bituminous-coal"


@dataclass
class ClaimCheck:
    calculation: Calculation
    claim: float  # in the calculation's unit
    ratio: float | None  # claim ÷ calculation; None when the calculation is 0
    reasons: list[TraceStep] = field(default_factory=list)

    def differs(self, margin: float = DEFAULT_MARGIN) -> bool:
        return self.ratio is None or abs(self.ratio - 1) > margin

    def rendered_reasons(self) -> list[str]:
        return [reason.render() for reason in self.reasons]

    def as_dict(self) -> dict:
        return {
            "claim": {"value": self.claim, "unit": self.calculation.unit},
            "calculated": {"value": self.calculation.value, "unit": self.calculation.unit},
            "ratio": self.ratio,
            "reasons": self.rendered_reasons(),
        }


def compare(calculation: Calculation, coal: EmissionFactor | None = None) -> ClaimCheck | None:
    """The claim beside ``calculation``, or None when it has no claim in a comparable unit.
    ``coal`` is the coal CO2 factor (looked up in the library when not given)."""
    if calculation.claim_value is None:
        return None
    if coal is None and calculation.claim_coal_saved:
        coal = coal_factor()
    try:
        claim = Quantity(calculation.claim_value, parse_unit(calculation.claim_unit or "t CO2e"))
        claim_value = float(claim.to(parse_unit(calculation.unit)).magnitude)
    except (ValueError, pint.errors.DimensionalityError):
        return None
    ratio = claim_value / calculation.value if calculation.value else None
    check = ClaimCheck(calculation, claim_value, ratio)
    check.reasons = _reasons(calculation, claim_value, coal)
    return check


def _reasons(calculation: Calculation, claim: float, coal: EmissionFactor | None) -> list:
    reasons = []
    grids = [f for f in calculation.factors if f.get("input") == "grid_factor"]
    if grids:
        grid = grids[0]
        reasons.append(
            TraceStep(
                N_(
                    "Grid factor vintage: this calculation uses %(factor)s (%(year)s); the "
                    "publisher may have used another year's factor or another grid's."
                ),
                {"factor": f"{grid['value']} {grid['unit']}", "year": grid.get("year") or "?"},
            )
        )
        reasons.append(
            TraceStep(
                N_(
                    "Accounting basis: a grid average (consumption accounting) is lower than "
                    "the combined-margin factor a crediting methodology (CDM, CCER) uses for "
                    "generation that displaces fossil plants."
                )
            )
        )
    saved = calculation.claim_coal_saved
    if saved and coal is not None:
        co2 = Quantity(saved, "tce") * Quantity(coal.value, parse_unit(coal.unit))
        from_coal = float(co2.to(parse_unit(calculation.unit)).magnitude)
        reasons.append(
            TraceStep(
                N_(
                    "Coal-saved conversion: the publisher also claims %(coal)s t of standard "
                    "coal saved; × 29.3076 GJ/tce (GB/T 2589) × %(factor)s (IPCC 2006, "
                    "bituminous coal) = %(co2)s %(unit)s, %(share)s of the claim."
                ),
                {
                    "coal": format_number(saved),
                    "factor": f"{format_number(coal.value)} {coal.unit}",
                    "co2": format_number(from_coal),
                    "unit": calculation.unit,
                    "share": f"{from_coal / claim:.0%}" if claim else "—",
                },
            )
        )
    return reasons


def claim_ratio(calculation: Calculation) -> float | None:
    """Claim ÷ calculation alone (no reasons, no query), or None without a comparable claim."""
    if calculation.claim_value is None or not calculation.value:
        return None
    try:
        claim = Quantity(calculation.claim_value, parse_unit(calculation.claim_unit or "t CO2e"))
        return float(claim.to(parse_unit(calculation.unit)).magnitude) / calculation.value
    except (ValueError, pint.errors.DimensionalityError):
        return None


def coal_factor() -> EmissionFactor | None:
    return EmissionFactor.objects.filter(key=COAL_FACTOR_KEY, superseded_by__isnull=True).first()


def claim_checks(calculations) -> list[ClaimCheck]:
    factor = coal_factor()
    checks = (compare(calculation, factor) for calculation in calculations)
    return [check for check in checks if check is not None]


def differing_claims(margin: float = DEFAULT_MARGIN) -> list[ClaimCheck]:
    """Current calculations whose publisher's claim differs by more than ``margin``,
    largest difference first."""
    current = Calculation.objects.filter(
        superseded_by__isnull=True, claim_value__isnull=False
    ).select_related("case", "solution")
    checks = [check for check in claim_checks(current) if check.differs(margin)]
    return sorted(checks, key=lambda c: -abs((c.ratio or float("inf")) - 1))
