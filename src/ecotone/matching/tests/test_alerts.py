"""Match alerts (what is new, sent once, unsubscribed without logging in), follows, feed."""

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
    make_member,
    token_headers,
)
from ecotone.matching import alerts
from ecotone.matching.models import MatchAlert, SentItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committed):
    ev = Sector.objects.get(slug="electric-vehicles")
    city = OrganisationFactory(name_en="Shenzhen Metro", kind="corporate")
    startup = OrganisationFactory(name_en="Volt Startup", kind="startup")
    mei = UserFactory(username="mei", email="mei@metro.example")
    ravi = UserFactory(username="ravi", email="ravi@volt.example")
    make_member(mei, city)
    make_member(ravi, startup)
    with committed():
        need = NeedFactory(
            organisation=city, title_en="Depot charging for electric buses", country="CN"
        )
        need.sectors.add(ev)
        chargers = SolutionFactory(
            provider=startup, title_en="Depot charging cabinets for buses", trl=8
        )
        chargers.sectors.add(ev)
    return {"ev": ev, "city": city, "startup": startup, "mei": mei, "ravi": ravi, "need": need}


def later(days: int):
    return timezone.now() + timedelta(days=days)


def test_members_have_weekly_alerts_of_both_kinds_by_default(world):
    mine = alerts.ensure_alerts(world["mei"])
    assert sorted((a.kind, a.frequency) for a in mine) == [
        ("needs_for_solutions", "weekly"),
        ("solutions_for_needs", "weekly"),
    ]
    assert alerts.ensure_alerts(UserFactory()) == []


def test_an_alert_sends_only_what_is_new_once_with_why_and_unsubscribe(world, committed):
    run = alerts.send_due_alerts(now=later(0))
    assert run.sent == 0 and not mail.outbox  # older records are not news
    with committed():
        rival = OrganisationFactory(name_en="Ampere Depots")
        fresh = SolutionFactory(
            provider=rival, title_en="Smart charging for electric bus depots", trl=7
        )
        fresh.sectors.add(world["ev"])
    assert alerts.send_due_alerts(now=later(1)).sent == 0  # weekly: not due yet
    with committed():
        run = alerts.send_due_alerts(now=later(8))
    [message] = [m for m in mail.outbox if m.to == ["mei@metro.example"]]
    assert "Smart charging for electric bus depots" in message.body
    assert "Depot charging cabinets" not in message.body  # not new
    assert "Why:" in message.body and "Fits: Depot charging for electric buses" in message.body
    link = re.search(r"http\S+/alerts/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    # a later run, even one whose "since" went back (a restart), never sends it again
    MatchAlert.objects.update(last_sent_at=None)
    mail.outbox.clear()
    with committed():
        alerts.send_due_alerts(now=later(20))
    assert not [m for m in mail.outbox if "Smart charging" in m.body]
    sent = SentItem.objects.filter(alert__isnull=False, record_kind="solution", record_id=fresh.pk)
    assert sent.count() == 1
    # one click, no login: the page asks, the button unsubscribes
    path = "/" + link.split("/", 3)[3]
    anonymous = Client()
    assert "Stop the e-mails" in anonymous.get(path).content.decode()
    assert anonymous.post(path).status_code == 200
    alert = MatchAlert.objects.get(user=world["mei"], kind="solutions_for_needs")
    assert alert.frequency == "none" and not alert.is_due(later(60))
    assert anonymous.get("/en/alerts/unsubscribe/1:forged/").status_code == 400


def test_a_new_need_alerts_the_solution_side(world, committed):
    alerts.send_due_alerts(now=later(0))
    with committed():
        port = OrganisationFactory(name_en="Port Authority", kind="government")
        need = NeedFactory(
            organisation=port, title_en="Charging for electric buses at the port", country="CN"
        )
        need.sectors.add(world["ev"])
    with committed():
        call_command("alerts", "send")  # due? not yet: runs at now, alerts are fresh
    mail.outbox.clear()
    with committed():
        alerts.send_due_alerts(now=later(8))
    [message] = [m for m in mail.outbox if m.to == ["ravi@volt.example"]]
    assert "Charging for electric buses at the port" in message.body
    assert "new needs fit the solutions of Volt Startup" in message.body


def test_the_alert_settings_page(world):
    client = logged_in(world["mei"])
    html = client.get("/en/alerts/").content.decode()
    assert "New needs that fit our solutions" in html and "csrfmiddlewaretoken" in html
    alert = MatchAlert.objects.get(user=world["mei"], kind="needs_for_solutions")
    client.post(f"/en/alerts/{alert.pk}/", {"frequency": "daily"})
    alert.refresh_from_db()
    assert alert.frequency == "daily"
    bad = client.post(f"/en/alerts/{alert.pk}/", {"frequency": "hourly"}, follow=True)
    assert "Choose immediately, daily, weekly or no e-mail." in bad.content.decode()
    other = logged_in(world["ravi"]).post(f"/en/alerts/{alert.pk}/", {"frequency": "none"})
    assert other.status_code == 404
    alert.refresh_from_db()
    assert alert.frequency == "daily"
    zh = client.get("/zh-hans/alerts/").content.decode()
    assert "匹配提醒" in zh


def test_following_an_organisation_and_a_sector_fills_the_feed(world, committed):
    reader = UserFactory(username="lin")
    client = logged_in(reader)
    page = client.get(world["startup"].get_absolute_url()).content.decode()
    assert "follow-form" in page
    client.post(f"/en/follow/organisations/{world['startup'].pk}/")
    assert alerts.is_following(reader, world["startup"])
    feed = client.get("/en/feed/").content.decode()
    assert "Depot charging cabinets for buses" in feed
    assert "Depot charging for electric buses" not in feed  # the city is not followed
    client.post("/en/follow/sectors/electric-vehicles/")
    feed = client.get("/en/feed/").content.decode()
    assert "Depot charging for electric buses" in feed
    client.post(f"/en/follow/organisations/{world['startup'].pk}/")  # stop following
    assert not alerts.is_following(reader, world["startup"])
    assert Client().post(f"/en/follow/organisations/{world['startup'].pk}/").status_code == 302
    assert not reader.follows.filter(organisation__isnull=False).exists()


def test_alerts_follows_and_the_feed_through_the_api(world, client):
    headers = token_headers(world["mei"])
    assert client.get("/api/v1/alerts").status_code == 401
    listed = client.get("/api/v1/alerts", headers=headers).json()
    assert sorted(a["kind"] for a in listed) == ["needs_for_solutions", "solutions_for_needs"]
    alert_id = listed[0]["id"]
    changed = client.post(
        f"/api/v1/alerts/{alert_id}",
        {"frequency": "none"},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["frequency"] == "none"
    bad = client.post(
        f"/api/v1/alerts/{alert_id}",
        {"frequency": "hourly"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    others = client.post(
        f"/api/v1/alerts/{alert_id}",
        {"frequency": "daily"},
        content_type="application/json",
        headers=token_headers(world["ravi"]),
    )
    assert others.status_code == 404
    follow = client.post(
        "/api/v1/follows",
        {"organisation": world["startup"].pk},
        content_type="application/json",
        headers=headers,
    )
    assert follow.json()["following"] is True
    neither = client.post("/api/v1/follows", {}, content_type="application/json", headers=headers)
    assert neither.status_code == 422
    feed = client.get("/api/v1/feed", headers=headers).json()
    assert [entry["title"] for entry in feed] == ["Depot charging cabinets for buses"]
