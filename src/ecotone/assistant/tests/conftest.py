"""Documents with full text, as the assistant reads them: pages separated by form feeds."""

import pytest

from ecotone.catalog.models import Resource
from ecotone.core.testing import CaseFactory, NeedFactory, OrganisationFactory

HEAT_PUMP_REPORT = "\f".join(
    [
        "Heat pumps in cold regions. This report reviews air-source heat pumps in northern cities.",
        "Field results. Air-source heat pumps kept homes at 20 degrees at outdoor "
        "temperatures of minus 25 degrees in Harbin. Their seasonal coefficient of "
        "performance was 2.6 over the winter of 2022.",
        "Costs. The installed cost of a heat pump for a 90 square metre flat was about "
        "30,000 yuan, and subsidies covered a third of it.",
    ]
)
CCUS_POLICY_ZH = "\f".join(
    [
        "关于推进碳捕集利用与封存示范的指导意见。",
        "到2025年，建成若干个百万吨级碳捕集利用与封存示范项目。各地应当为示范项目提供用地和电价支持。",
    ]
)


@pytest.fixture(autouse=True)
def search_home(search_home):
    """Every test here indexes records: each gets an index of its own (root conftest)."""
    return search_home


@pytest.fixture
def documents(committed):
    """A published English report, a published Chinese policy, a case, a need, and a draft
    that must never be cited."""
    with committed():
        report = Resource.objects.create(
            external_id="res-heat-pumps",
            title_en="Heat pumps in cold regions",
            title_zh="寒冷地区的热泵",
            summary_en="Field results of air-source heat pumps in northern China.",
            text=HEAT_PUMP_REPORT,
            status="published",
        )
        policy = Resource.objects.create(
            external_id="res-ccus-policy",
            kind="policy",
            title_zh="关于推进碳捕集利用与封存示范的指导意见",
            title_en="Guidance on CCUS demonstration",
            language="zh",
            text=CCUS_POLICY_ZH,
            status="published",
        )
        draft = Resource.objects.create(
            external_id="res-draft-secret",
            title_en="Secret draft on heat pumps",
            text="Heat pumps in Harbin reached a secret coefficient of performance of 9.9.",
            status="draft",
        )
        case = CaseFactory(
            external_id="case-bus-depot",
            title_en="Electric bus depot in Shenzhen",
            description_en="Shenzhen replaced its whole bus fleet with electric buses by 2017. "
            "The depot charges 300 buses overnight.",
        )
        need = NeedFactory(
            external_id="need-cold-storage",
            title_en="Solar cold storage for farmers",
            problem_en="Farmers lose a quarter of their harvest because they have no cold "
            "storage near the fields.",
            organisation=OrganisationFactory(),
        )
    return {"report": report, "policy": policy, "draft": draft, "case": case, "need": need}
