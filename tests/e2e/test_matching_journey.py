"""Matchmaking in a real Chromium: from a need's matches to an accepted introduction."""

import pytest
from playwright.sync_api import expect

from ecotone.core.testing import (
    OrganisationFactory,
    UserFactory,
    make_member,
)
from ecotone.matching.models import Introduction

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_asks_for_an_introduction_that_the_other_side_accepts(
    browser, live_server, own_search_index, bus_depot
):
    need = bus_depot.need
    startup = OrganisationFactory(name_en="Volt Depots", kind="startup")
    ravi = UserFactory(username="ravi", email="ravi@volt.example", first_name="Ravi")
    make_member(ravi, startup)
    bus_depot.chargers_from(startup)

    asker = browser.new_page()
    log_in(asker, live_server.url, "mei")
    asker.goto(f"{live_server.url}{need.get_absolute_url()}")
    match = asker.locator("#matches .match").filter(has_text="Smart depot charging")
    expect(match).to_be_visible()
    expect(match).to_contain_text("shares sector Electric vehicles and charging")
    expect(match).to_contain_text("TRL 8 of 9")
    match.get_by_role("link", name="Request an introduction to Volt Depots").click()

    expect(asker.locator("h1")).to_contain_text("Volt Depots")
    asker.fill("textarea[name=message]", "We would like to pilot your chargers in one depot.")
    asker.get_by_role("button", name="Send the request").click()
    expect(asker.locator(".messages")).to_contain_text("Request sent to Volt Depots")
    sent = asker.locator(".introductions-sent .introduction")
    expect(sent).to_contain_text("Requested")
    expect(sent).not_to_contain_text("ravi@volt.example")

    answerer = browser.new_page()
    log_in(answerer, live_server.url, "ravi")
    answerer.get_by_role("link", name="Introductions").click()
    received = answerer.locator(".introductions-received .introduction")
    expect(received).to_contain_text("We would like to pilot your chargers")
    expect(received).not_to_contain_text("mei@bus.example")
    received.locator("textarea[name=note]").fill("Happy to. Call any weekday.")
    received.get_by_role("button", name="Accept and share contact details").click()
    expect(answerer.locator(".messages")).to_contain_text("You can now see each other")
    expect(answerer.locator(".introductions-received")).to_contain_text("mei@bus.example")

    asker.reload()
    contacts = asker.locator(".introductions-sent .contacts")
    expect(contacts).to_contain_text("Ravi")
    expect(contacts).to_contain_text("ravi@volt.example")
    expect(asker.locator(".introductions-sent")).to_contain_text("Happy to. Call any weekday.")
    assert Introduction.objects.get().status == "accepted"
