"""A visitor searches the catalogue, in a real Chromium: a misspelt query, nonsense, and a
Chinese query that finds English records."""

import pytest
from playwright.sync_api import expect

from ecotone.core.testing import SolutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hydrogen_records(own_search_index):
    SolutionFactory(title_en="Hydrogen storage in salt caverns")
    SolutionFactory(title_en="Green hydrogen for steel")
    SolutionFactory(title_en="Electric trucks for ports")


def search_from_the_header(page, query: str) -> None:
    page.fill("#header-q", query)
    page.press("#header-q", "Enter")


def test_visitor_follows_did_you_mean_and_is_told_when_nothing_matches(
    page, live_server, hydrogen_records
):
    page.goto(f"{live_server.url}/en/")
    search_from_the_header(page, "hydrogne storage")
    offer = page.locator(".did-you-mean")
    expect(offer).to_contain_text("Did you mean: hydrogen storage")
    offer.locator("a").click()
    expect(page.locator("#header-q")).to_have_value("hydrogen storage")
    expect(page.locator(".did-you-mean")).to_have_count(0)
    first = page.locator(".search-results .card").first
    expect(first.locator(".card-title")).to_contain_text("Hydrogen storage in salt caverns")
    expect(first.locator(".why")).to_contain_text("“hydrogen”, “storage” in title")

    search_from_the_header(page, "qwertyzzk")
    expect(page.locator(".empty")).to_contain_text("Nothing found.")
    expect(page.locator(".search-main")).not_to_contain_text("Hydrogen")


def test_chinese_visitor_finds_english_records_and_sees_the_gloss(
    page, live_server, hydrogen_records
):
    page.goto(f"{live_server.url}/zh-hans/")
    search_from_the_header(page, "储氢")
    main = page.locator(".search-main")
    expect(main).to_contain_text("Hydrogen storage in salt caverns")
    expect(main).to_contain_text("同时以英文检索")
    expect(main).not_to_contain_text("Electric trucks for ports")


def test_on_a_phone_results_come_before_the_filters(page, live_server, hydrogen_records):
    """At 390 px the facet lists (a screen and more) used to stand between the search box
    and the first result, and the "Kind" label was left at the end of the line above its
    menu; beside the results on a wide screen, as before."""
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/en/search/?q=hydrogen")
    first = page.locator(".search-results .card").first.bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert first["y"] < facets["y"]
    label = page.locator("label[for=search-kind]").bounding_box()
    menu = page.locator("#search-kind").bounding_box()
    assert menu["y"] <= label["y"] + label["height"] / 2 <= menu["y"] + menu["height"]
    page.get_by_role("link", name="Narrow the results").click()
    expect(page.locator("aside.facets")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.set_viewport_size({"width": 1280, "height": 800})
    first = page.locator(".search-results .card").first.bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert facets["x"] + facets["width"] <= first["x"]
    expect(page.get_by_role("link", name="Narrow the results")).to_be_hidden()
