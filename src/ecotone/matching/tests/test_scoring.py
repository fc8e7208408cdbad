"""Score components and constraints on their own: the arithmetic and the wording."""

from decimal import Decimal

import pytest

from ecotone.catalog.models import Need, Sector
from ecotone.matching import scoring

pytestmark = pytest.mark.django_db


def sectors(*slugs):
    return [Sector.objects.get(slug=slug) for slug in slugs]


def test_exact_sectors_count_fully_and_parent_or_child_by_half():
    wanted = sectors("energy-storage", "hydrogen")
    raw, exact, related = scoring.sector_overlap(wanted, sectors("energy-storage"))
    assert (raw, [s.slug for s in exact], related) == (0.5, ["energy-storage"], [])
    raw, exact, related = scoring.sector_overlap(wanted, sectors("energy"))
    assert raw == 0.5 / 2 and [s.slug for s in related] == ["energy"]
    raw, _exact, _related = scoring.sector_overlap(wanted, sectors("green-building"))
    assert raw == 0.0


def test_sector_reason_names_the_shared_sectors():
    component = scoring.sectors_component(
        0.2, sectors("energy-storage"), sectors("energy-storage", "solar-power"), side="need"
    )
    assert component.reason == "shares sector Energy storage"
    assert component.value == pytest.approx(0.2)
    none = scoring.sectors_component(0.2, [], sectors("energy-storage"), side="need")
    assert none.value == 0 and none.reason == "the need names no sector"


def test_a_component_adds_weight_times_its_measure():
    component = scoring.Component("text", 0.35, 0.5, "some words")
    assert component.value == pytest.approx(0.175)
    match = scoring.make_match(
        "solution", object(), [component, scoring.Component("sectors", 0.2, 1.0, "x")], []
    )
    assert match.score == pytest.approx(0.375)


@pytest.mark.parametrize(
    ("relevant", "not_relevant", "expected"),
    [(0, 0, 0.0), (1, 0, 0.5), (2, 0, 2 / 3), (0, 1, -0.5), (50, 0, 50 / 51), (3, 3, 0.0)],
)
def test_feedback_is_net_votes_bounded_below_one(relevant, not_relevant, expected):
    component = scoring.feedback_component(0.1, relevant, not_relevant)
    assert component.raw == pytest.approx(expected, abs=1e-4)
    assert -0.1 < component.value < 0.1


def test_text_relevance_falls_with_the_search_place():
    assert scoring.rank_relevance(1) == 1.0
    assert scoring.rank_relevance(scoring.TEXT_HALF_PLACE) == pytest.approx(0.5)
    assert scoring.rank_relevance(2) > scoring.rank_relevance(3) > scoring.rank_relevance(100) > 0
    assert scoring.rank_relevance(None) == 0.0
    assert scoring.text_component(0.35, 1).reason == "the best text match"
    assert scoring.text_component(0.35, 4).reason == "text match, ranked 4 by the search"
    sector_only = scoring.text_component(0.35, None)
    assert sector_only.value == 0 and "through its sectors" in sector_only.reason


def test_a_case_is_as_ready_as_the_solutions_it_names():
    assert scoring.case_readiness_component(0.1, [9, 6]).raw == 1.0
    unnamed = scoring.case_readiness_component(0.1, [])
    assert unnamed.raw == scoring.trl_component(0.1, None).raw  # no bias between kinds
    # a case naming no solution may be a plan: whether it runs is the evidence part's to say
    assert "deployed" not in unnamed.reason
    assert unnamed.reason == "no readiness level stated: the case names no solution"


def test_missing_values_make_constraints_unknown_never_failed():
    assert scoring.min_trl_constraint(6, None).status == scoring.UNKNOWN
    assert scoring.min_trl_constraint(6, 5).status == scoring.FAILED
    assert scoring.min_trl_constraint(6, 6).status == scoring.PASSED
    assert scoring.min_trl_constraint(None, 2) is None
    need = Need(budget_max=Decimal("2000000"), currency="CNY")
    budget = scoring.budget_constraint(need)
    assert budget.status == scoring.UNKNOWN and "2,000,000 CNY" in budget.reason
    assert scoring.budget_constraint(Need()) is None


def test_a_case_fails_minimum_readiness_only_through_the_solutions_it_names():
    assert scoring.min_trl_constraint_for_case(7, []).status == scoring.PASSED
    assert scoring.min_trl_constraint_for_case(7, [4, 8]).status == scoring.PASSED
    assert scoring.min_trl_constraint_for_case(7, [4, 5]).status == scoring.FAILED


def test_investment_stage_is_inferred_from_readiness():
    assert scoring.stage_component(0.2, ["seed"], 2).raw == 1.0
    assert scoring.stage_component(0.2, ["growth"], 2).raw == 0.0
    assert scoring.stage_component(0.2, ["growth"], 8).raw == 1.0
    unknown = scoring.stage_component(0.2, ["growth"], None)
    assert 0 < unknown.raw < 1 and "not given" in unknown.reason


def test_cities_match_in_either_language():
    assert scoring.same_city("Shenzhen ", "", "shenzhen", "")
    assert scoring.same_city("", "深圳", "Shenzhen", "深圳")
    assert not scoring.same_city("", "", "", "")
    assert not scoring.same_city("Shenzhen", "", "Beijing", "")


def test_a_chinese_list_of_names_holding_a_dun_comma_is_not_split_by_one():
    from django.utils.translation import override

    with override("zh-hans"):
        assert scoring.listed(["低碳交通", "电动汽车与充电"]) == "低碳交通、电动汽车与充电"
        assert (
            scoring.listed(["钢铁、水泥与化工", "碳捕集、利用与封存"])
            == "钢铁、水泥与化工，碳捕集、利用与封存"
        )
    with override("en"):
        assert scoring.listed(["Cement", "CCUS"]) == "Cement, CCUS"
