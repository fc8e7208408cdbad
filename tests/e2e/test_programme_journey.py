"""A programme in a real Chromium: apply → assign → review → decide → published winner."""

import pytest
from playwright.sync_api import expect

from ecotone.core.testing import OrganisationFactory, UserFactory, make_member
from ecotone.programs.services import pool
from ecotone.programs.tests.conftest import make_programme
from ecotone.search.backends import reset_search_backend

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_search_index(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield
    reset_search_backend()


def test_an_application_goes_from_the_call_to_a_published_award(
    browser, live_server, own_search_index
):
    world = make_programme(slug="city-challenge", rounds=1, k=1)
    startup = OrganisationFactory(name_en="Sunroof Labs")
    make_member(UserFactory(username="ana", email="ana@sunroof.example"), startup)
    expert = UserFactory(username="kai", email="kai@experts.example")
    pool.add_to_pool(
        user=world.manager,
        programme=world.programme,
        identifier=expert.username,
        expertise="rooftop solar power",
        sector_slugs=["solar-power"],
    )
    base = live_server.url

    applicant = browser.new_page()
    log_in(applicant, base, "ana")
    applicant.goto(f"{base}/en/programmes/")
    applicant.get_by_role("link", name="Test Challenge").click()
    applicant.get_by_role("link", name="Apply").click()
    applicant.fill("input[name=title]", "Solar roofs for schools")
    applicant.fill("textarea[name=summary]", "Rooftop solar power on 40 school buildings.")
    applicant.fill("textarea[name=answer_impact]", "About 2,000 t CO2e a year.")
    applicant.get_by_role("button", name="Save draft").click()
    expect(applicant.locator(".messages")).to_contain_text("Draft saved")
    applicant.get_by_role("link", name="Edit and submit").click()
    applicant.get_by_role("button", name="Submit application").click()
    expect(applicant.locator(".record-head")).to_contain_text("Submitted")

    manager = browser.new_page()
    log_in(manager, base, world.manager.username, "correct-horse-battery")
    manager.goto(f"{base}/en/programmes/city-challenge/manage/")
    manager.get_by_role("button", name="Start this round").click()
    expect(manager.locator(".messages")).to_contain_text("Round started with 1 new submission.")
    manager.get_by_role("link", name="Assignment").first.click()
    manager.get_by_role("button", name="Run the assignment").click()
    expect(manager.locator(".assigned-reviewer")).to_contain_text("kai")
    manager.locator(".why summary").first.click()
    expect(manager.locator(".why")).to_contain_text("Solar power")

    reviewer = browser.new_page()
    log_in(reviewer, base, "kai")
    reviewer.goto(f"{base}/en/programmes/reviews/")
    reviewer.get_by_role("link", name="Solar roofs for schools").click()
    expect(reviewer.locator("main")).not_to_contain_text("Sunroof Labs")
    reviewer.get_by_label("5 — level 5").first.check()
    reviewer.get_by_label("4 — level 4").last.check()
    reviewer.fill("textarea[name=comment_to_applicant]", "Convincing numbers.")
    reviewer.get_by_role("button", name="Submit review").click()
    expect(reviewer.locator(".messages")).to_contain_text("Review submitted")

    manager.goto(f"{base}/en/programmes/city-challenge/manage/rounds/1/ranking/")
    row = manager.locator(".ranking-row").filter(has_text="Solar roofs for schools")
    expect(row).to_contain_text("1")
    row.locator("select").select_option("award")
    manager.fill("textarea[name=reason]", "Highest calibrated score.")
    manager.get_by_role("button", name="Record the decisions for the ticked submissions").click()
    expect(manager.locator(".messages")).to_contain_text("1 decisions recorded")
    manager.goto(f"{base}/en/programmes/city-challenge/manage/")
    manager.get_by_role("button", name="Publish the results").click()
    expect(manager.locator("h1")).to_contain_text("Results")

    visitor = browser.new_page()
    visitor.goto(f"{base}/en/programmes/city-challenge/")
    winner = visitor.locator(".winners .winner")
    expect(winner).to_contain_text("Sunroof Labs")
    winner.get_by_role("link", name="Sunroof Labs").click()
    expect(visitor.locator("main")).to_contain_text("Test Challenge")
    expect(visitor.locator("main")).to_contain_text("Green Fund")

    applicant.goto(f"{base}/en/programmes/mine/")
    applicant.get_by_role("link", name="Solar roofs for schools").click()
    expect(applicant.locator(".comments")).to_contain_text("Convincing numbers.")
    expect(applicant.locator(".record-head")).to_contain_text("Awarded")
