"""Dashboard figures against the records of ``world`` (expected counts written by hand)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import resolve

from ecotone.reports import dashboards
from ecotone.reports.scope import (
    FACETS,
    Region,
    ReportScope,
    ScopeError,
    parse_region,
    records_behind,
)

SHENZHEN_2023 = ReportScope(year=2023, region=Region(city="Shenzhen", city_zh="深圳"))


def rows_by_label(chart) -> dict[str, tuple]:
    return {row.label: row.values for row in chart.rows}


def test_cases_by_top_sector_count_a_case_once_per_sector(world):
    chart = dashboards.sector_chart(ReportScope(), kinds=("cases",))
    # bus has two transport sub-sectors and counts once; the draft case never counts
    assert rows_by_label(chart) == {"Energy": (4,), "Transport": (2,)}


def test_shenzhen_2023_counts_cases_started_or_awarded_that_year(world):
    assert set(dashboards.scoped("cases", SHENZHEN_2023)) == {
        world["bus"],
        world["metro_case"],
        world["solar_2023"],
    }
    chart = dashboards.sector_chart(SHENZHEN_2023, kinds=("cases",))
    assert rows_by_label(chart) == {"Energy": (2,), "Transport": (2,)}


def test_headline_counts_for_shenzhen_2023(world):
    counts = dashboards.kind_counts(SHENZHEN_2023)
    assert counts == {
        "cases": 3,
        "organisations": 3,  # the draft organisation is not counted
        "solutions": 1,  # nor the draft solution
        "needs": 0,  # needs are dated by when they were posted: this year, not 2023
        "events": 1,  # held in Dubai, organised from Shenzhen; the draft event is not
        "awards": 2,
        "resources": 1,  # names Shenzhen in its title
    }


def test_countries_and_cities(world):
    assert rows_by_label(dashboards.country_chart(ReportScope())) == {
        "China": (4, 3),
        "Germany": (1, 1),
    }
    assert rows_by_label(dashboards.city_chart(ReportScope())) == {
        "Shenzhen": (4, 3),
        "Berlin": (1, 1),
    }


def test_needs_funnel_counts_published_needs_by_stage(world):
    chart = dashboards.needs_funnel_chart(ReportScope())
    assert [row.values[0] for row in chart.rows] == [1, 0, 1, 0]


def test_year_chart_ignores_the_year_filter_and_counts_each_kind_by_its_date(world):
    chart = dashboards.year_chart(ReportScope(year=2021))
    rows = rows_by_label(chart)
    # series: cases (start), events, awards, resources
    assert rows["2021"] == (1, 0, 0, 0)
    assert rows["2022"] == (0, 0, 1, 0)
    assert rows["2023"] == (2, 1, 2, 2)


def test_programmes_and_winners_leave_out_drafts(world):
    chart = dashboards.programme_chart(SHENZHEN_2023)
    assert rows_by_label(chart) == {"Top Ten Green Cases (2023)": (2,)}
    winners = dashboards.award_winners(SHENZHEN_2023)
    assert {award.external_id for award in winners} == {"aw-bus", "aw-metro"}


@pytest.mark.parametrize("scope", [ReportScope(), SHENZHEN_2023])
def test_every_figure_links_to_exactly_the_records_it_counts(world, scope):
    charts = [*dashboards.dashboard_charts(scope), dashboards.sector_chart(scope)]
    checked = 0
    for chart in charts:
        for row in chart.rows:
            for value, link in row.cells():
                if not link:
                    continue
                url = urlsplit(link)
                kind = resolve(url.path).kwargs["kind"]
                params = {key: values[0] for key, values in parse_qs(url.query).items()}
                linked_scope = ReportScope.from_params(params)
                facets = {name: params.get(name, "") for name in FACETS}
                assert records_behind(kind, linked_scope, facets).count() == value, (chart, row)
                checked += 1
    assert checked > 10


def test_region_parsing_names_the_bad_field(db):
    assert parse_region("cn") == Region(country="CN")
    with pytest.raises(ScopeError) as error:
        parse_region("XX")
    assert error.value.field == "region"
    with pytest.raises(ScopeError) as error:
        ReportScope.from_params({"year": "20x3"})
    assert error.value.field == "year"


def test_a_chinese_city_name_finds_the_english_one(world):
    assert parse_region("深圳") == Region(city="Shenzhen", city_zh="深圳")
    assert dashboards.kind_counts(ReportScope(region=parse_region("深圳")))["cases"] == 4
