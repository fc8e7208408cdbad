"""Impact figures on the dashboard and in the report, from the impact app's aggregation."""

import pytest
from django.test import Client

from ecotone.reports.impact_section import impact_section
from ecotone.reports.scope import Region, ReportScope

aggregation = pytest.importorskip("ecotone.impact.aggregation")


def calculation(subject, value: float, *, year=2023, basis="achieved", evidence="reported"):
    from ecotone.impact.models import Calculation

    target = {"case": subject} if basis == "achieved" else {"solution": subject}
    return Calculation.objects.create(
        **target,
        basis=basis,
        methodology_id="activity_factor",
        methodology_version="1",
        period="annual",
        year=year,
        value=value,
        low=value,
        high=value,
        unit="t CO2e",
        evidence=evidence,
    )


@pytest.fixture
def impacts(world):
    from ecotone.catalog.models import Solution

    return {
        "bus": calculation(world["bus"], 1200.0),
        "berlin": calculation(world["berlin_case"], 300.0),
        "draft": calculation(world["draft"], 9999.0),
        "guess": calculation(world["metro_case"], 5000.0, evidence="illustrative"),
        "potential": calculation(
            Solution.objects.get(title_en="Battery swap"), 7777.0, basis="potential"
        ),
    }


def test_region_total_and_top_cases_count_only_the_regions_published_cases(impacts, world):
    section = impact_section(ReportScope(year=2023, region=Region(city="Shenzhen")))
    assert section.region_total == 1200.0  # not the draft, not the illustrative guess
    assert [item.case for item in section.top_cases] == [world["bus"]]


def test_every_breakdown_of_a_region_counts_only_its_records(impacts, world):
    section = impact_section(ReportScope(year=2023, region=Region(city="Shenzhen")))
    charts = {item["chart"].slug: item["chart"] for item in section.charts}
    for slug in ("impact-sectors", "impact-countries", "impact-years"):
        assert sum(row.values[0] for row in charts[slug].rows) == 1200.0, slug  # not Berlin
    elsewhere = impact_section(ReportScope(year=2023, region=Region(city="Berlin")))
    charts = {item["chart"].slug: item["chart"] for item in elsewhere.charts}
    assert sum(row.values[0] for row in charts["impact-countries"].rows) == 300.0
    assert sum(row.values[0] for row in charts["impact-potential"].rows) == 0


def test_achieved_and_potential_stay_apart(impacts):
    section = impact_section(ReportScope(year=2023))
    charts = {item["chart"].slug: item["chart"] for item in section.charts}
    achieved = sum(row.values[0] for row in charts["impact-countries"].rows)
    assert achieved == 1500.0
    potential = sum(row.values[0] for row in charts["impact-potential"].rows)
    assert potential == 7777.0
    assert "annual, 2023" in charts["impact-sectors"].title


def test_report_links_each_figure_to_how_it_was_computed(impacts):
    html = Client().get("/en/reports/annual/?year=2023&region=Shenzhen").content.decode()
    assert f'href="{impacts["bus"].get_absolute_url()}"' in html
    assert "How this number was computed" in html
    assert 'data-value="1200.0"><strong>1,200 t CO2e</strong> achieved in this region' in html
    ids = ",".join(
        str(pk)
        for pk in impact_section(
            ReportScope(year=2023, region=Region(city="Shenzhen"))
        ).region_calculation_ids
    )
    assert f'href="/en/impact/calculations/?ids={ids}"' in html
    chinese = Client().get("/zh-hans/reports/annual/?year=2023&region=Shenzhen").content.decode()
    assert "<strong>1,200 吨CO2e</strong>" in chinese


def test_the_report_puts_the_publishers_claim_beside_the_calculation(impacts):
    from ecotone.impact.models import Calculation

    Calculation.objects.filter(pk=impacts["bus"].pk).update(claim_value=2400, claim_unit="t CO2")
    html = Client().get("/en/reports/annual/?year=2023&region=Shenzhen").content.decode()
    assert '<span data-claim-ratio="2.0">2,400 t CO2 (claim ÷ calculation = 2.00)</span>' in html
    chinese = Client().get("/zh-hans/reports/annual/?year=2023&region=Shenzhen").content.decode()
    assert "声称值 ÷ 计算值 = 2.00" in chinese


def chart_table(html: str, slug: str) -> str:
    start = html.index(f'data-chart="{slug}"')
    return html[start : html.index("</table>", start)]


def test_the_dashboard_charts_reductions_by_city_with_a_linked_table(impacts):
    html = Client().get("/en/reports/?year=2023").content.decode()
    assert 'id="chart-impact-cities"' in html
    assert 'aria-labelledby="chart-title-impact-cities"' in html  # the drawing, titled
    table = chart_table(html, "impact-cities")
    assert '<th scope="row"><a href="/en/reports/?region=shenzhen&amp;year=2023">Shenzhen</a>' in (
        table
    )
    assert f'<a href="/en/impact/calculations/?ids={impacts["bus"].pk}">1200.0</a>' in table
    assert '<a href="/en/reports/?region=berlin&amp;year=2023">Berlin</a>' in table
    assert f'<a href="/en/impact/calculations/?ids={impacts["berlin"].pk}">300.0</a>' in table
    assert table.index("Shenzhen") < table.index("Berlin")  # largest first
    assert str(impacts["draft"].pk) not in table.split("ids=", 1)[1].split('"')[0]


def test_a_city_in_the_chart_leads_to_its_total(impacts):
    client = Client()
    html = client.get("/en/reports/?year=2023").content.decode()
    table = chart_table(html, "impact-cities")
    city_link = table.split('<th scope="row"><a href="', 1)[1].split('"', 1)[0]
    city_page = client.get(city_link.replace("&amp;", "&")).content.decode()
    assert 'data-value="1200.0"><strong>1,200 t CO2e</strong> achieved in this region' in city_page
    chinese = client.get("/zh-hans/reports/?year=2023").content.decode()
    assert "各城市已实现减排量（" in chinese
    # the fixture's cases give no Chinese city name: the English one is shown
    assert ">Shenzhen</a></th>" in chart_table(chinese, "impact-cities")
