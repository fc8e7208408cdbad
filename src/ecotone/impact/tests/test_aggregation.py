"""Totals without double counting, labelled by basis and period."""

import pytest

from ecotone.catalog.models import Award, Sector
from ecotone.core.testing import CaseFactory, OrganisationFactory, SolutionFactory
from ecotone.impact import aggregation
from ecotone.impact.models import CaseShare
from ecotone.impact.services import Subject, save_calculation


def tonnes(subject, value, year=2023, period="annual", evidence="reported"):
    inputs = {"baseline": [{"label": "x", "value": value, "unit": "t CO2e"}]}
    return save_calculation(
        actor=None,
        subject=subject,
        methodology_id="baseline_minus_project",
        inputs=inputs,
        year=year if period == "annual" else None,
        period=period,
        evidence=evidence,
        check_permission=False,
    )


@pytest.fixture
def sectors(db):
    energy = Sector.objects.create(slug="t-energy", name_en="Energy", name_zh="能源")
    solar = Sector.objects.create(slug="t-solar", name_en="Solar", name_zh="光伏", parent=energy)
    wind = Sector.objects.create(slug="t-wind", name_en="Wind", name_zh="风电", parent=energy)
    transport = Sector.objects.create(slug="t-transport", name_en="Transport", name_zh="交通")
    return solar, wind, transport


def test_a_case_counts_once_and_recalculation_replaces_it(sectors):
    solar, wind, transport = sectors
    case = CaseFactory()
    case.sectors.set([solar, wind, transport])
    tonnes(Subject(case=case), 100)
    newer = tonnes(Subject(case=case), 120)  # a second calculation for the same year
    total = aggregation.grand_total("achieved", "annual", 2023)
    assert total.value == 120 and total.calculation_ids == [newer.pk]
    by_sector = {t.key: t.value for t in aggregation.totals_by_sector("achieved", "annual", 2023)}
    assert by_sector == {"t-energy": 60, "t-transport": 60}
    fine = {
        t.key: t.value
        for t in aggregation.totals_by_sector("achieved", "annual", 2023, level="sector")
    }
    assert fine == {"t-solar": 40, "t-wind": 40, "t-transport": 40}


def test_potential_never_mixes_with_achieved_and_illustrative_is_left_out(db):
    tonnes(Subject(case=CaseFactory()), 10)
    tonnes(Subject(solution=SolutionFactory()), 1000)
    tonnes(Subject(case=CaseFactory()), 5, evidence="illustrative")
    assert aggregation.grand_total("achieved", "annual", 2023).value == 10
    assert aggregation.grand_total("potential", "annual", 2023).value == 1000
    assert (
        aggregation.grand_total("achieved", "annual", 2023, include_illustrative=True).value == 15
    )
    with pytest.raises(ValueError):
        aggregation.grand_total("achieved", "annual")


def test_shares_split_a_case_between_organisations(db):
    a, b = OrganisationFactory(), OrganisationFactory()
    case = CaseFactory()
    case.organisations.set([a, b])
    tonnes(Subject(case=case), 100)
    equal = {t.key: t.value for t in aggregation.totals_by_organisation("achieved", "annual", 2023)}
    assert equal == {str(a.pk): 50, str(b.pk): 50}
    CaseShare.objects.create(case=case, organisation=a, share="0.75")
    CaseShare.objects.create(case=case, organisation=b, share="0.25")
    declared = {
        t.key: t.value for t in aggregation.totals_by_organisation("achieved", "annual", 2023)
    }
    assert declared == {str(a.pk): 75, str(b.pk): 25}


def test_years_programmes_regions_cumulative_and_top_cases(db):
    org = OrganisationFactory()
    first, second = CaseFactory(country="CN"), CaseFactory(country="IN")
    Award.objects.create(
        programme_en="Top Ten", year=2023, case=first, organisation=org, status="published"
    )
    tonnes(Subject(case=first), 30, year=2022)
    tonnes(Subject(case=first), 40, year=2023)
    tonnes(Subject(case=second), 50, year=2023)
    tonnes(Subject(case=first), 70, period="cumulative")
    assert [(t.key, t.value) for t in aggregation.totals_by_year("achieved")] == [
        ("2022", 30),
        ("2023", 90),
    ]
    assert {t.key: t.value for t in aggregation.totals_by_region("achieved", "annual", 2023)} == {
        "CN": 40,
        "IN": 50,
    }
    programme = aggregation.totals_by_programme("annual", 2023)
    assert [(t.key, t.value) for t in programme] == [("Top Ten 2023", 40)]
    cumulative = aggregation.grand_total("achieved", "cumulative")
    assert (cumulative.value, cumulative.period) == (70, "cumulative")
    assert [c.case for c in aggregation.top_cases(limit=1, year=2023)] == [second]


def queries_for(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_groupings_read_the_same_number_of_queries_for_any_number_of_cases(sectors):
    solar, wind, _transport = sectors

    def add_cases(count: int) -> None:
        for _ in range(count):
            case = CaseFactory()
            case.sectors.set([solar, wind])
            case.organisations.set([OrganisationFactory(), OrganisationFactory()])
            tonnes(Subject(case=case), 10)

    groupings = {
        "sector": lambda: aggregation.totals_by_sector("achieved", "annual", 2023),
        "organisation": lambda: aggregation.totals_by_organisation("achieved", "annual", 2023),
        "region": lambda: aggregation.totals_by_region("achieved", "annual", 2023),
    }
    add_cases(2)
    few = {name: queries_for(run) for name, run in groupings.items()}
    add_cases(6)
    many = {name: queries_for(run) for name, run in groupings.items()}
    assert many == few
    assert sum(t.value for t in groupings["organisation"]()) == pytest.approx(80)
