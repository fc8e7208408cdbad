"""Saved searches with their alerts, and the Atom feeds for following without an account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ecotone.catalog.models import Sector
from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
)
from ecotone.matching import saved_searches
from ecotone.matching.models import SavedSearch, SentItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committed):
    ev = Sector.objects.get(slug="electric-vehicles")
    with committed():
        old = SolutionFactory(title_en="Battery swapping for electric taxis")
        old.sectors.add(ev)
    return {"ev": ev, "lin": UserFactory(username="lin", email="lin@example.org"), "old": old}


def later(days):
    return timezone.now() + timedelta(days=days)


def test_a_search_is_saved_from_the_search_page_and_alerts_only_new_answers(world, committed):
    client = logged_in(world["lin"])
    page = client.get("/en/search/?q=battery+swapping&kind=solution").content.decode()
    assert "Save this search" in page and "/en/feeds/search/?q=battery" in page
    client.post("/en/alerts/searches/", {"q": "battery swapping", "kind": "solution", "x": "1"})
    saved = SavedSearch.objects.get()
    assert (saved.query, saved.filters, saved.frequency) == (
        "battery swapping",
        {"kind": "solution"},
        "weekly",
    )
    assert "battery swapping" in client.get("/en/alerts/").content.decode()
    with committed():
        fresh = SolutionFactory(title_en="Battery swapping stations for electric scooters")
        fresh.sectors.add(world["ev"])
    with committed():
        sent, items = saved_searches.send_due_saved_searches(now=later(8))
    assert (sent, items) == (1, 1)
    [message] = mail.outbox
    assert "Battery swapping stations for electric scooters" in message.body
    assert "electric taxis" not in message.body  # saved after it: not new
    assert "Why: it answers your search" in message.body
    mail.outbox.clear()
    SavedSearch.objects.update(last_sent_at=None)  # as if a run restarted from scratch
    with committed():
        saved_searches.send_due_saved_searches(now=later(16))
    assert not mail.outbox and SentItem.objects.filter(saved_search__isnull=False).count() == 1
    link = re.search(r"http\S+/alerts/searches/unsubscribe/\S+/", message.body).group(0)
    anonymous = Client()
    path = "/" + link.split("/", 3)[3]
    assert "Stop the e-mails of new results" in anonymous.get(path).content.decode()
    anonymous.post(path)
    saved.refresh_from_db()
    assert saved.frequency == "none"


def test_a_bad_search_is_refused_naming_the_field_and_others_cannot_touch_it(world):
    client = logged_in(world["lin"])
    response = client.post("/en/alerts/searches/", {"q": "", "kind": "solution"}, follow=True)
    assert "Give the words to search for." in response.content.decode()
    response = client.post("/en/alerts/searches/", {"q": "battery", "trl": "12"}, follow=True)
    assert not SavedSearch.objects.exists()
    saved = saved_searches.save_search(user=world["lin"], query="battery", filters={})
    bad = client.post(f"/en/alerts/searches/{saved.pk}/", {"frequency": "hourly"}, follow=True)
    assert "Choose immediately, daily, weekly or no e-mail." in bad.content.decode()
    client.post(f"/en/alerts/searches/{saved.pk}/", {"frequency": "daily"})
    saved.refresh_from_db()
    assert saved.frequency == "daily"
    other = logged_in(UserFactory())
    assert other.post(f"/en/alerts/searches/{saved.pk}/", {"frequency": "none"}).status_code == 404
    assert other.post(f"/en/alerts/searches/{saved.pk}/delete/").status_code == 404
    assert client.post(f"/en/alerts/searches/{saved.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()


def test_atom_feeds_of_a_sector_and_a_search(world, client, committed):
    with committed():
        need = NeedFactory(
            organisation=OrganisationFactory(), title_en="Charging for electric ferries"
        )
        need.sectors.add(world["ev"])
    sector_feed = client.get("/en/feeds/sectors/electric-vehicles/")
    assert sector_feed["Content-Type"].startswith("application/atom+xml")
    body = sector_feed.content.decode()
    assert "Charging for electric ferries" in body and "electric taxis" in body
    assert client.get("/en/feeds/sectors/no-such-sector/").status_code == 404
    search_feed = client.get("/en/feeds/search/?q=battery+swapping").content.decode()
    assert "Battery swapping for electric taxis" in search_feed
    assert "Charging for electric ferries" not in search_feed
    assert client.get("/en/feeds/search/?q=").status_code == 404
    assert (
        "feeds/sectors/electric-vehicles/"
        in client.get("/en/sectors/electric-vehicles/").content.decode()
    )


def test_the_command_sends_saved_search_alerts_too(world, capsys):
    saved_searches.save_search(user=world["lin"], query="battery", filters={})
    call_command("alerts", "send")
    assert "saved searches: e-mails sent: 0" in capsys.readouterr().out
