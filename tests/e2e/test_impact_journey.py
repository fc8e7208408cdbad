"""Impact accounting and reports in a real Chromium: how a demo case's reduction was
computed (English and Chinese), a new calculation saved from the calculator, the
dashboards, the 2023 annual report and its PDF."""

import json
import re

import pytest
from playwright.sync_api import expect

from ecotone.catalog.importing import import_rows
from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Case

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALXA = "pcs-case-datang-alxa-lanshan-solar-farm"
NORTH_CHINA_2023 = "cn-regional-north-china-average-2023"


@pytest.fixture
def demo_impact(shenzhen_session, settings, tmp_path):
    """The Shenzhen Session records, the demo cases that publish their generation, the
    factor library (without the large OEFDB table) and the demo's calculations."""
    from ecotone.impact.demo import compute_demo_calculations
    from ecotone.impact.factors import load_seed_factors

    settings.ECOTONE_HOME = tmp_path  # the report's PDFs are stored under it
    lines = (settings.DATA_DIR / "demo" / "cases.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in lines.splitlines()]
    import_rows(
        KINDS["case"],
        [(n, row) for n, row in enumerate(rows, 1) if row["external_id"].startswith("pcs-")],
    )
    load_seed_factors(settings.DATA_DIR, include_oefdb=False)
    assert compute_demo_calculations() > 0


def grid_factor(key: str) -> float:
    from ecotone.impact.models import EmissionFactor

    return EmissionFactor.objects.get(key=key, superseded_by__isnull=True).value


def test_a_visitor_reads_how_a_demo_reduction_was_computed(browser, live_server, demo_impact):
    case = Case.objects.get(external_id=ALXA)
    expected = 300000 * grid_factor(NORTH_CHINA_2023)  # published MWh × the library factor
    page = browser.new_page()
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    panel = page.locator(".impact-panel")
    expect(panel).to_contain_text("t CO2e")
    expect(panel).to_contain_text("370,000")  # the publisher's claim, shown beside it
    panel.get_by_role("link", name="How this number was computed").click()

    expect(page.locator("h1")).to_have_text("How this number was computed")
    shown = float(page.locator(".figure[data-result]").get_attribute("data-result"))
    assert shown == pytest.approx(expected)
    expect(page.locator("ol.trace li").first).to_be_visible()
    assert page.locator("ol.trace li").count() >= 2
    expect(page.locator("main")).to_contain_text("300,000 MWh")
    sources = page.locator("main table").filter(has_text=NORTH_CHINA_2023)
    expect(sources).to_contain_text("North China, 2023")
    assert sources.locator("a[href^='http']").count() >= 1  # the factor's published source

    page.goto(page.url.replace("/en/", "/zh-hans/"))
    expect(page.locator("h1")).to_have_text("这个数字是如何算出的")
    expect(page.locator("main")).to_contain_text("计算步骤")
    expect(page.locator("main")).to_contain_text("生态环境部")  # the factor's citation
    expect(page.locator("ol.trace")).to_contain_text("上网电量")  # the steps read in Chinese
    expect(page.locator("ol.trace")).not_to_contain_text("Electricity supplied to the grid")
    assert float(page.locator(".figure[data-result]").get_attribute("data-result")) == (
        pytest.approx(expected)
    )


def test_staff_compute_and_save_a_new_calculation(browser, live_server, demo_impact, staff_user):
    case = Case.objects.get(external_id=ALXA)
    page = browser.new_page()
    log_in(page, live_server.url, staff_user.username)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name="Add a calculation").click()
    page.locator("[data-methodology=grid_electricity_displacement] h2 a").click()
    expect(page.locator("main")).to_contain_text("Datang Alxa Lanshan solar farm")
    page.fill("#id_electricity__value", "1000")
    page.fill("#id_electricity__unit", "MWh")
    page.locator("[data-input=grid_factor] summary").click()
    page.fill("#id_grid_factor__factor", NORTH_CHINA_2023)
    page.fill("#id_region", "North China")
    page.fill("#id_year", "2023")
    page.get_by_role("button", name="Calculate", exact=True).click()
    expected = 1000 * grid_factor(NORTH_CHINA_2023)
    result = page.locator(".outcome .figure[data-result]")
    assert float(result.get_attribute("data-result")) == pytest.approx(expected)

    page.fill("#id_label", "First quarter, metered")
    page.get_by_role("button", name="Calculate and save").click()
    expect(page.locator(".messages")).to_contain_text("Calculation saved.")
    expect(page.locator("h1")).to_have_text("How this number was computed")
    assert float(page.locator(".figure[data-result]").get_attribute("data-result")) == (
        pytest.approx(expected)
    )
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator(".impact-panel")).to_contain_text("First quarter, metered")


def test_a_visitor_reads_the_dashboards_and_the_2023_report(browser, live_server, demo_impact):
    page = browser.new_page()
    base = live_server.url
    page.goto(f"{base}/en/reports/?year=2023")
    drawn = page.locator("figure.report-chart").filter(has=page.locator("svg[role=img]"))
    assert drawn.count() >= 4
    for index in range(drawn.count()):  # every drawing has its table, for screen readers
        expect(drawn.nth(index).locator("table.chart-table")).to_have_count(1)
    expect(page.locator("#impact")).to_contain_text("Datang Alxa Lanshan solar farm")

    page.get_by_role("link", name="Annual report").first.click()
    expect(page.locator("h1")).to_contain_text("2023")
    cases = page.locator("[data-figure=cases] a")
    count = int(cases.inner_text())
    assert count > 0
    expect(page.locator("#chart-sectors svg")).to_have_count(1)
    expect(page.locator("table[data-chart=sectors]")).to_be_visible()
    pdf_href = page.get_by_role("link", name="Download PDF").get_attribute("href")

    cases.click()  # the figure leads to exactly the records it counts
    expect(page.locator(".result-count")).to_have_attribute("data-total", str(count))
    assert page.locator("ul.cards > li").count() == count

    answer = page.request.get(f"{base}{pdf_href}")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")
    assert re.search(
        r'filename="ecotone-report-2023-all-en\.pdf"', answer.headers["content-disposition"]
    )


def test_a_visitor_follows_the_reductions_by_city_to_a_citys_total(
    browser, live_server, demo_impact
):
    # The demo's cases name a province, not a city: place one here (Alxa League, where the
    # Alxa Lanshan farm is) so the chart has a city to show.
    Case.objects.filter(external_id=ALXA).update(city="Alxa League", city_zh="阿拉善盟")
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/reports/?year=2023")
    chart = page.locator("#chart-impact-cities")
    expect(chart.locator("svg[role=img]")).to_have_count(1)
    table = chart.locator("table[data-chart=impact-cities]")
    expect(table).to_be_visible()  # the table under the drawing, for screen readers
    first_city = table.locator("tbody th a").first
    expect(first_city).to_have_text("Alxa League")
    figure = float(table.locator("tbody td a").first.inner_text())
    assert figure == pytest.approx(300000 * grid_factor(NORTH_CHINA_2023), abs=0.1)

    first_city.click()  # the city leads to its own total
    total = page.locator("[data-figure=impact_region_total]")
    assert float(total.get_attribute("data-value")) == pytest.approx(figure)
    total.get_by_role("link", name="the calculations behind this figure").click()
    expect(page.locator("h1")).to_be_visible()
    shown = float(page.locator("[data-total]").first.get_attribute("data-total"))
    assert shown == pytest.approx(figure)


def test_staff_confirm_a_city_scale_figure_in_chinese_units(
    browser, live_server, demo_impact, staff_user
):
    """1.2 亿千瓦时 is read and shown as 120,000 MWh; a city-sized figure is computed with
    a warning beside it, and saved only once the checkbox confirms it."""
    case = Case.objects.get(external_id=ALXA)
    page = browser.new_page()
    log_in(page, live_server.url, staff_user.username)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator(".impact-panel [data-claim-ratio]")).to_contain_text(
        "claim ÷ calculation = 1.94"
    )
    page.goto(
        f"{live_server.url}/en/impact/calculate/grid_electricity_displacement/?case={case.pk}"
    )
    page.fill("#id_electricity__value", "1.2")
    page.fill("#id_electricity__unit", "亿千瓦时")
    page.fill("#id_grid_factor__value", "0.6361")
    page.fill("#id_grid_factor__unit", "kgCO2/kWh")
    page.get_by_role("button", name="Calculate", exact=True).click()
    expect(page.locator(".outcome ol.trace li").first).to_have_text(
        "electricity: 1.2 亿千瓦时 = 120,000 MWh."
    )
    expect(page.locator(".outcome [data-warning-field]")).to_have_count(0)

    page.fill("#id_electricity__value", "12")  # a city-sized figure for one case
    page.fill("#id_electricity__unit", "TWh")
    page.fill("#id_year", "2023")
    page.get_by_role("button", name="Calculate and save").click()
    warning = page.locator(".outcome [data-warning-field=electricity]")
    expect(warning).to_contain_text("12,000,000 MWh is city scale")
    expect(page.locator("[data-error-field=electricity]")).to_be_visible()
    page.get_by_label("I have checked the flagged values: they are right").check()
    page.get_by_role("button", name="Calculate and save").click()
    expect(page.locator(".messages")).to_contain_text("Calculation saved.")
    expect(page.locator(".warnings")).to_contain_text("Values confirmed when this calculation")
