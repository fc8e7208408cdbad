"""``ecotone demo`` step: load the factor library and compute the reductions of the demo
cases that publish their generation, beside the publisher's own claim.

Inputs: each project's published annual generation (data/demo/cases.jsonl, from
``project_cases_public_sources.csv``) and the 2023 regional average grid factor of the
grid the project feeds (MEE/NBS, in the factor library). Both are published, so the
figures are "calculated from published inputs"; which regional grid a project feeds is
Ecotone's reading of its location and is said in the note. Idempotent: a case that
already has its demo calculation is left alone (``ecotone impact recalc`` updates it
after a factor change).
"""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from ecotone.catalog.models import Case
from ecotone.core.demo import demo_step

from .factors import load_seed_factors
from .models import Calculation, Evidence
from .services import Subject, save_calculation

YEAR = 2023

# external id → (published MWh per year, grid region, claimed t CO2 per year or None)
DEMO_CASES = {
    "pcs-case-datang-alxa-lanshan-solar-farm": (300000, "North China", 370000),
    "pcs-case-yilan-county-wind-farm-phase-4": (570000, "Northeast China", 462000),
    "pcs-case-spic-northeast-400-mw-onshore-wind-project": (1130000, "Northeast China", 912000),
    "pcs-case-chifeng-wind-power-project": (130000, "Northeast China", 150000),
    "pcs-case-guyuan-wind-farm-hebei": (405685, "North China", None),
    "pcs-case-xilinguole-wind-farm-inner-mongolia": (124000, "North China", None),
    "pcs-case-jilin-baicheng-chaganhot-wind-power-project": (50635, "Northeast China", None),
}

# external id → the standard coal the publisher says is saved a year (t ce), from
# data/sources/project_cases_public_sources.csv (claimed_annual_standard_coal_saved_t)
DEMO_COAL_CLAIMS = {
    "pcs-case-datang-alxa-lanshan-solar-farm": 130000,
    "pcs-case-yilan-county-wind-farm-phase-4": 169000,
    "pcs-case-spic-northeast-400-mw-onshore-wind-project": 345000,
}

NOTE_EN = (
    "Published annual generation × the {year} average CO2 factor of the {region} grid "
    "(MEE/NBS, for consumption accounting). The grid is Ecotone's reading of the project's "
    "location. A crediting methodology (CCER CM-001) would use the combined-margin factor, "
    "which is higher, so the publisher's figure may differ."
)
NOTE_ZH = (
    "公开的年发电量 × {year}年{region_zh}电网平均二氧化碳排放因子（生态环境部、国家统计局，"
    "用于消费侧核算）。所属电网由 Ecotone 按项目地点判断。减排量核证方法学（如 CCER CM-001）"
    "使用组合边际排放因子，数值更高，因此与发布方数据可能不同。"
)
REGION_ZH = {"North China": "华北", "Northeast China": "东北"}


def _grid_key(region: str) -> str:
    return f"cn-regional-{region.lower().replace(' ', '-')}-average-{YEAR}"


def _calculate(case: Case, generation: float, region: str, claim: float | None) -> None:
    save_calculation(
        actor=None,
        subject=Subject(case=case),
        methodology_id="grid_electricity_displacement",
        inputs={
            "electricity": {"value": generation, "unit": "MWh"},
            "grid_factor": {"factor": _grid_key(region)},
        },
        context={"region": region, "year": YEAR},
        period="annual",
        year=YEAR,
        label_en=f"Annual reduction from grid electricity displaced ({YEAR} grid factor)",
        label_zh=f"替代电网电力的年减排量（{YEAR}年电网排放因子）",
        evidence=Evidence.REPORTED,
        extra={
            "note_en": NOTE_EN.format(year=YEAR, region=region),
            "note_zh": NOTE_ZH.format(year=YEAR, region_zh=REGION_ZH[region]),
            "claim_value": claim,
            "claim_unit": "t CO2" if claim is not None else "",
            "claim_source_url": case.source_url if claim is not None else "",
            "claim_coal_saved": DEMO_COAL_CLAIMS.get(case.external_id),
            "demo_key": f"demo:{case.external_id}:grid-{YEAR}",
        },
        check_permission=False,
    )


@demo_step(order=40, name="impact")
def load_demo_impact(data_dir: Path, out: Callable[[str], None]) -> None:
    report = load_seed_factors(Path(settings.DATA_DIR))
    out(f"factor library: {report.summary()}")
    added = compute_demo_calculations()
    out(f"calculations: {added} added, {len(DEMO_CASES) - added} already there or missing")


def compute_demo_calculations() -> int:
    """Calculate the demo cases present that have no demo calculation yet (the factor
    library must be loaded); return how many were added."""
    cases = {c.external_id: c for c in Case.objects.filter(external_id__in=DEMO_CASES)}
    done = set(
        Calculation.objects.filter(demo_key__startswith="demo:").values_list("demo_key", flat=True)
    )
    added = 0
    for external_id, (generation, region, claim) in DEMO_CASES.items():
        case = cases.get(external_id)
        if case is None or f"demo:{external_id}:grid-{YEAR}" in done:
            continue
        _calculate(case, generation, region, claim)
        added += 1
    return added
