"""The manager's "Add a reviewer" form in a real Chromium refuses what the API refuses, on
the field at fault, and keeps what the manager typed."""

import pytest
from playwright.sync_api import expect

from ecotone.core.testing import UserFactory
from ecotone.programs.models import Reviewer
from ecotone.programs.services import pool
from ecotone.programs.tests.conftest import make_programme

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add(page, username: str, expertise: str, sectors: str) -> None:
    form = page.locator("form[action$='/manage/reviewers/']")
    if not form.is_visible():
        page.get_by_text("Add a reviewer").click()
    form.locator("[name=username]").fill(username)
    form.locator("[name=expertise]").fill(expertise)
    form.locator("[name=sectors]").fill(sectors)
    form.get_by_role("button", name="Add to the pool").click()
    page.wait_for_load_state()


def test_the_pool_form_refuses_a_duplicate_and_an_unknown_sector(browser, live_server):
    world = make_programme(slug="pool-page")
    UserFactory(username="kai", email="kai@experts.example")
    pool.add_to_pool(
        user=world.manager,
        programme=world.programme,
        identifier="kai",
        expertise="rooftop photovoltaics",
        sector_slugs=["solar-power"],
    )
    UserFactory(username="ana", email="ana@experts.example")
    page = browser.new_page()
    log_in(page, live_server.url, world.manager.username)
    page.goto(f"{live_server.url}/en/programmes/pool-page/manage/")

    _add(page, "kai", "", "electric-vehicles")
    form = page.locator("form[action$='/manage/reviewers/']")
    expect(form).to_be_visible()  # the section opens on a refusal
    expect(form).to_contain_text("This person is already in the reviewer pool.")
    assert Reviewer.objects.get(user__username="kai").expertise == "rooftop photovoltaics"

    _add(page, "ana@experts.example", "grid storage", "solar-power; no-such-sector")
    expect(form.locator(".field.has-error")).to_contain_text("There is no sector no-such-sector.")
    expect(form.locator("[name=expertise]")).to_have_value("grid storage")
    assert not Reviewer.objects.filter(user__username="ana").exists()

    _add(page, "ana@experts.example", "grid storage", "solar-power")
    expect(page.get_by_text("ana is in the reviewer pool.")).to_be_visible()
    added = Reviewer.objects.get(user__username="ana")
    assert [s.slug for s in added.sectors.all()] == ["solar-power"]
