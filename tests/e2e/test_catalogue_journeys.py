"""Journeys a person takes through the catalogue, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from ecotone.catalog.models import Need, Organisation, Sector
from ecotone.core.testing import SolutionFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_switches_to_chinese_opens_the_byd_case_and_filters_solutions(
    page, live_server, shenzhen_session
):
    page.goto(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("[data-language='zh-hans']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("nav.main-nav")).to_contain_text("案例")

    page.locator("nav.main-nav a", has_text="案例").click()
    page.fill("input[name=q]", "BYD")
    page.locator("form.filters button[type=submit]").click()
    page.locator(".cards .card-title a").first.click()
    expect(page.locator("h1")).to_contain_text("比亚迪")
    expect(page.locator("main")).to_contain_text("2023")

    solar = SolutionFactory(title_en="Rooftop PV kit", title_zh="屋顶光伏套件")
    solar.sectors.add(Sector.objects.get(slug="solar-power"))
    SolutionFactory(title_en="Kiln heat pump", title_zh="窑炉热泵")
    page.goto(f"{live_server.url}/en/solutions/")
    page.select_option("select[name=sector]", "solar-power")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"sector=solar-power"))
    results = page.locator(".cards .card-title")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Rooftop PV kit")


def test_new_member_posts_a_need_that_staff_publish(
    browser, live_server, shenzhen_session, staff_user
):
    byd = Organisation.objects.get(external_id__startswith="szs-org-byd")
    newcomer = browser.new_page()
    newcomer.goto(f"{live_server.url}/en/accounts/signup/")
    newcomer.fill("input[name=username]", "lin")
    newcomer.fill("input[name=email]", "lin@example.org")
    newcomer.fill("input[name=password1]", "a-long-passphrase-42")
    newcomer.fill("input[name=password2]", "a-long-passphrase-42")
    newcomer.locator("main form button[type=submit]").click()
    expect(newcomer).to_have_url(re.compile(r"/accounts/me/"))

    newcomer.goto(f"{live_server.url}{byd.get_absolute_url()}")
    newcomer.fill("textarea[name=message]", "I run BYD's fleet pilots")
    newcomer.get_by_role("button", name="Request to join").click()
    expect(newcomer.locator(".messages")).to_contain_text("Request sent")

    staff = browser.new_page()
    log_in(staff, live_server.url, "sam")
    staff.goto(f"{live_server.url}/en/accounts/me/")
    staff.get_by_role("button", name="Approve").first.click()

    newcomer.goto(f"{live_server.url}/en/needs/new/")
    newcomer.select_option("select[name=owner]", str(byd.pk))
    newcomer.fill("input[name=title_en]", "Depot charging for 200 electric buses")
    newcomer.fill("textarea[name=problem_en]", "We need a partner for overnight depot charging.")
    newcomer.select_option("select[name=sectors]", ["electric-vehicles"])
    newcomer.locator("form.record-form button[type=submit]").click()
    expect(newcomer.locator(".messages")).to_contain_text("review")
    need = Need.objects.get(title_en="Depot charging for 200 electric buses")
    assert need.status == "pending" and need.organisation == byd

    visitor = browser.new_page()
    visitor.goto(f"{live_server.url}/en/needs/")
    expect(visitor.locator("main")).not_to_contain_text("Depot charging for 200 electric buses")

    staff.goto(f"{live_server.url}/en/review/")
    item = staff.locator("li, tr, article").filter(has_text="Depot charging for 200 electric buses")
    item.get_by_role("button", name="Publish").first.click()

    visitor.goto(f"{live_server.url}/en/needs/")
    expect(visitor.locator("main")).to_contain_text("Depot charging for 200 electric buses")
