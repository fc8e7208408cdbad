"""City-scale totals in the units a city reports, and the page of calculations behind one."""

import pytest
from django.utils import translation

from ecotone.catalog.models import Case
from ecotone.core.testing import logged_in
from ecotone.impact.models import Calculation
from ecotone.impact.services import Subject, save_calculation
from ecotone.impact.units import format_reported


@pytest.mark.parametrize(
    ("tonnes", "language", "shown"),
    [
        (64_456_928.6, "zh-hans", "6,445.7 万吨CO2e"),
        (1200, "zh-hans", "1,200 吨CO2e"),
        (190_830, "zh-hans", "19.083 万吨CO2e"),
        (64_456_928.6, "en", "64.457 Mt CO2e"),
        (190_830, "en", "190,830 t CO2e"),
        (-1000, "en", "-1,000 t CO2e"),
    ],
)
def test_a_total_in_the_unit_a_city_reports(tonnes, language, shown):
    assert format_reported(tonnes, language) == shown


def save(case, member, value):
    return save_calculation(
        actor=member,
        subject=Subject(case=case),
        methodology_id="grid_electricity_displacement",
        inputs={
            "electricity": {"value": value, "unit": "MWh"},
            "grid_factor": {"value": 1, "unit": "t CO2e / MWh"},
        },
        year=2023,
    )


def test_the_calculations_behind_a_figure_in_both_languages(client, case, member):
    first, second = save(case, member, 120_000), save(case, member, 80_000)
    url = f"/en/impact/calculations/?ids={first.pk},{second.pk}"
    page = client.get(url).content.decode()
    assert 'data-total="200000.0">200,000 t CO2e' in page
    assert page.index(f'data-calculation="{first.pk}"') < page.index(
        f'data-calculation="{second.pk}"'
    )
    assert f'href="/en/impact/calculations/{first.pk}/"' in page
    chinese = client.get(url.replace("/en/", "/zh-hans/")).content.decode()
    assert "20 万吨CO2e" in chinese


def test_the_list_shows_only_what_the_reader_may_see(client, case, member):
    calculation = save(case, member, 1000)
    Case.objects.filter(pk=case.pk).update(status="draft")
    page = client.get(f"/en/impact/calculations/?ids={calculation.pk}").content.decode()
    assert f'data-calculation="{calculation.pk}"' not in page
    assert "1 calculation is not shown" in page
    member_page = logged_in(member).get(f"/en/impact/calculations/?ids={calculation.pk}")
    assert f'data-calculation="{calculation.pk}"' in member_page.content.decode()


@pytest.mark.parametrize("ids", ["1,x", "0", ",".join(["1"] * 1001)])
def test_bad_ids_are_a_400(client, db, ids):
    assert client.get("/en/impact/calculations/", {"ids": ids}).status_code == 400
    assert not Calculation.objects.exists()


# --- the double-counting rule for shared cases in city totals -----------------------------


def stored(case, value, *, year=2023, evidence="reported", **fields):
    """A counted calculation stored as it is (the arithmetic is not under test here)."""
    return Calculation.objects.create(
        case=case,
        basis="achieved",
        methodology_id="activity_factor",
        methodology_version="1.0",
        period="annual",
        year=year,
        value=value,
        low=value,
        high=value,
        unit="t CO2e",
        evidence=evidence,
        **fields,
    )


@pytest.fixture
def shared_cases(db):
    """A Shenzhen case shared by a Shenzhen and a Guangzhou organisation (declared 60/40),
    in two sectors, recalculated once and with a second, newer calculation for 2023; a
    Guangzhou case of the Guangzhou organisation; a Chinese case with no city."""
    from ecotone.catalog.models import Sector
    from ecotone.core.testing import CaseFactory, OrganisationFactory
    from ecotone.impact.models import CaseShare

    shenzhen_org = OrganisationFactory(city="Shenzhen", city_zh="深圳", country="CN")
    guangzhou_org = OrganisationFactory(city="Guangzhou", city_zh="广州", country="CN")

    def case(city, city_zh, *organisations):
        record = CaseFactory(
            city=city, city_zh=city_zh, country="CN", status="published", owner=organisations[0]
        )
        record.organisations.set(organisations)
        return record

    shared = case("Shenzhen", "深圳", shenzhen_org, guangzhou_org)
    shared.sectors.set(Sector.objects.filter(parent=None).order_by("pk")[:2])
    assert shared.sectors.count() == 2
    CaseShare.objects.create(case=shared, organisation=shenzhen_org, share="0.6")
    CaseShare.objects.create(case=shared, organisation=guangzhou_org, share="0.4")
    first = stored(shared, 999.0)
    replaced = stored(shared, 500.0)
    Calculation.objects.filter(pk=first.pk).update(superseded_by=replaced)
    newest = stored(shared, 1000.0)  # another lineage for the same year: the newest counts
    guangzhou = case("Guangzhou", "广州", guangzhou_org)
    nowhere = case("", "", shenzhen_org)
    return {
        "shared": newest,
        "guangzhou": stored(guangzhou, 300.0),
        "nowhere": stored(nowhere, 20.0),
        "organisations": (shenzhen_org, guangzhou_org),
    }


def region_total(region: str):
    from ecotone.reports.impact_section import impact_section
    from ecotone.reports.scope import ReportScope, parse_region

    section = impact_section(ReportScope(year=2023, region=parse_region(region)))
    return section.region_total, section.region_calculation_ids, section


def test_a_shared_case_counts_whole_and_once_in_its_citys_total(shared_cases):
    shared = shared_cases["shared"]
    for name in ("Shenzhen", "shenzhen", "深圳"):  # the city in either language
        total, ids, _section = region_total(name)
        assert (total, ids) == (1000.0, [shared.pk]), name


def test_a_case_is_not_counted_in_the_city_of_an_organisation_that_shares_it(shared_cases):
    total, ids, _section = region_total("Guangzhou")
    assert (total, ids) == (300.0, [shared_cases["guangzhou"].pk])


def test_each_case_counts_once_in_its_city_and_once_in_the_country(shared_cases):
    from ecotone.impact import aggregation

    total, ids, section = region_total("CN")
    assert total == 1320.0
    assert sorted(ids) == sorted(shared_cases[k].pk for k in ("shared", "guangzhou", "nowhere"))
    cities = aggregation.totals_by_city("achieved", "annual", 2023)
    assert {(t.key, t.value, tuple(t.calculation_ids)) for t in cities} == {
        ("shenzhen", 1000.0, (shared_cases["shared"].pk,)),
        ("guangzhou", 300.0, (shared_cases["guangzhou"].pk,)),
    }
    assert sum(t.value for t in cities) + shared_cases["nowhere"].value == total
    with translation.override("zh-hans"):
        labels = [t.label for t in aggregation.totals_by_city("achieved", "annual", 2023)]
    assert labels == ["深圳", "广州"]
    chart = next(i["chart"] for i in section.charts if i["chart"].slug == "impact-cities")
    assert [(row.label, row.values) for row in chart.rows] == [
        ("Shenzhen", (1000.0,)),
        ("Guangzhou", (300.0,)),
    ]


def test_sharing_splits_a_case_between_organisations_and_sectors_without_adding_to_it(
    shared_cases,
):
    from ecotone.impact import aggregation

    grand = aggregation.grand_total("achieved", "annual", 2023).value
    by_organisation = aggregation.totals_by_organisation("achieved", "annual", 2023)
    shenzhen_org, guangzhou_org = shared_cases["organisations"]
    values = {t.key: t.value for t in by_organisation}
    assert values[str(shenzhen_org.pk)] == pytest.approx(600.0 + 20.0)
    assert values[str(guangzhou_org.pk)] == pytest.approx(400.0 + 300.0)
    assert sum(values.values()) == pytest.approx(grand)
    by_sector = aggregation.totals_by_sector("achieved", "annual", 2023)
    assert sum(t.value for t in by_sector) == pytest.approx(grand)
