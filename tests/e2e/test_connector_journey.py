"""The connector in a real Chromium: an introduction to an organisation nobody on Ecotone
belongs to reaches a broker; the organisation claims its profile by a work e-mail, finds
the request waiting and accepts it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
)
from ecotone.matching.alerts import send_due_alerts
from ecotone.matching.match_lists import send_due_match_lists
from ecotone.matching.models import Introduction

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_to_an_unclaimed_organisation_is_brokered_then_claimed_and_accepted(
    browser, live_server, own_search_index, bus_depot, staff_user, settings
):
    settings.ECOTONE_SITE_URL = live_server.url
    ev, need = bus_depot.ev, bus_depot.need
    lab = OrganisationFactory(
        name_en="Grid Lab", kind="research", website="https://www.gridlab.example.org/"
    )
    UserFactory(username="ravi", email="ravi@example.org", first_name="Ravi")
    bus_depot.chargers_from(lab)

    # 1. the requester is told the truth before sending
    asker = browser.new_page()
    log_in(asker, live_server.url, "mei")
    asker.goto(f"{live_server.url}{need.get_absolute_url()}")
    match = asker.locator("#matches .match").filter(has_text="Smart depot charging")
    match.get_by_role("link", name="Request an introduction to Grid Lab").click()
    expect(asker.locator(".route-brokers")).to_contain_text("Grid Lab has no members on Ecotone")
    asker.fill("textarea[name=message]", "We would like to pilot your chargers in one depot.")
    asker.get_by_role("button", name="Send the request").click()
    expect(asker.locator(".messages")).to_contain_text("Request sent to the platform's brokers")
    expect(asker.locator(".introductions-sent")).to_contain_text("No broker has acted on it yet.")

    # 2. a broker (staff) reaches the organisation and records it
    broker = browser.new_page()
    log_in(broker, live_server.url, staff_user.username)
    broker.goto(f"{live_server.url}/en/introductions/brokers/")
    card = broker.locator(".broker-queue .introduction")
    expect(card).to_contain_text("We would like to pilot your chargers")
    expect(card.locator(".contact-routes")).to_contain_text("https://www.gridlab.example.org/")
    card.locator("select[name=outcome]").select_option("contacted")
    card.locator("textarea[name=note]").fill("Wrote to their partnerships page")
    card.get_by_role("button", name="Record the step").click()
    expect(broker.locator(".messages")).to_contain_text("Recorded: Contacted the organisation")
    broker.goto(f"{live_server.url}/zh-hans/introductions/brokers/")
    expect(broker.locator("h1")).to_have_text("经纪人队列")

    asker.reload()
    sent = asker.locator(".introductions-sent .introduction")
    expect(sent).to_contain_text("Contacted the organisation")
    expect(sent).not_to_contain_text("partnerships page")

    # 3. someone at the organisation claims its profile with their work address
    claimant = browser.new_page()
    log_in(claimant, live_server.url, "ravi")
    claimant.goto(f"{live_server.url}{lab.get_absolute_url()}")
    panel = claimant.locator(".claim-panel")
    expect(panel).to_contain_text("Is this your organisation?")
    panel.get_by_role("link", name="Claim this organisation").click()
    claimant.fill("input[name=email]", "ravi@gridlab.example.org")
    claimant.get_by_role("button", name="Send the confirmation link").click()
    expect(claimant.locator(".messages")).to_contain_text("We sent a confirmation link")
    [confirmation] = [m for m in mail.outbox if m.to == ["ravi@gridlab.example.org"]]
    link = re.search(r"http\S+/claims/confirm/\S+/", confirmation.body).group(0)
    claimant.goto(link)
    claimant.get_by_role("button", name="Confirm").click()
    expect(claimant.locator(".messages")).to_contain_text("You are now an administrator")
    expect(claimant.locator(".claim-panel")).to_have_count(0)

    # 4. the request brokers held is now theirs; accepting shares contact details
    claimant.goto(f"{live_server.url}/en/introductions/")
    received = claimant.locator(".introductions-received .introduction")
    expect(received).to_contain_text("We would like to pilot your chargers")
    received.get_by_role("button", name="Accept and share contact details").click()
    expect(claimant.locator(".introductions-received")).to_contain_text("mei@bus.example")
    asker.reload()
    expect(asker.locator(".introductions-sent .contacts")).to_contain_text("ravi@example.org")
    assert Introduction.objects.get().status == "accepted"
    assert any(
        "Introduction request from" in m.subject and m.to == ["ravi@example.org"]
        for m in mail.outbox
    )

    # 5. both sides get alerts of new matches: the alerts exist (weekly) from the first run,
    # and the requester also watches this one need's match list, daily
    send_due_alerts()
    claimant.goto(f"{live_server.url}/en/alerts/")
    expect(claimant.locator(".match-alerts")).to_contain_text("New needs that fit our solutions")
    asker.goto(f"{live_server.url}{need.get_absolute_url()}")
    asker.locator("#match-list-frequency").select_option("daily")
    asker.locator("#match-list-alert").get_by_role("button", name="Save").click()
    expect(asker.locator(".messages")).to_contain_text("Alert saved: new matches will come")
    port = OrganisationFactory(name_en="Port Authority", kind="government")
    port_need = NeedFactory(
        organisation=port,
        title_en="Smart charging for electric buses at the port",
        problem_en="Our electric bus fleet needs overnight smart charging.",
        country="CN",
    )
    port_need.sectors.add(ev)
    faster = SolutionFactory(
        provider=OrganisationFactory(name_en="Ampere Depots"),
        title_en="Overnight smart charging for electric bus depots",
        description_en="Charging of electric bus fleets around peak tariffs.",
        trl=7,
    )
    faster.sectors.add(ev)
    mail.outbox.clear()
    send_due_alerts(now=timezone.now() + timedelta(days=8))
    send_due_match_lists(now=timezone.now() + timedelta(days=8))
    to_lab = [m for m in mail.outbox if m.to == ["ravi@example.org"]]
    to_city = [m for m in mail.outbox if m.to == ["mei@bus.example"]]
    assert any("Smart charging for electric buses at the port" in m.body for m in to_lab)
    assert any("Overnight smart charging for electric bus depots" in m.body for m in to_city)
    assert all("Why:" in m.body and "/unsubscribe/" in m.body for m in to_lab + to_city)
    [watched] = [m for m in to_city if "match your need" in m.body]
    assert "Overnight smart charging for electric bus depots" in watched.body

    # 6. a link in the e-mail leads to the record and counts on the staff figures, once
    link = re.search(r"http\S+/alerts/open/\S+/", watched.body).group(0)
    asker.goto(link)
    expect(asker.locator("h1")).to_have_text("Overnight smart charging for electric bus depots")
    broker.goto(f"{live_server.url}/en/matching/figures/")
    expect(broker.locator("[data-figure=alert_links_opened]")).to_have_text("1")
