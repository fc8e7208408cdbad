"""Alerts of one need's or one solution's match list: subscribed from the record's page or
the API, only new matches with why, sent once, unsubscribed without logging in."""

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
from ecotone.matching import match_lists
from ecotone.matching.models import MatchListAlert, SentItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committed):
    ev = Sector.objects.get(slug="electric-vehicles")
    city = OrganisationFactory(name_en="Shenzhen Metro", kind="corporate")
    startup = OrganisationFactory(name_en="Volt Startup", kind="startup")
    lin = UserFactory(username="lin", email="lin@watcher.example")
    with committed():
        need = NeedFactory(
            organisation=city, title_en="Depot charging for electric buses", country="CN"
        )
        need.sectors.add(ev)
        chargers = SolutionFactory(
            provider=startup, title_en="Depot charging cabinets for buses", trl=8
        )
        chargers.sectors.add(ev)
    return {"ev": ev, "city": city, "lin": lin, "need": need, "chargers": chargers}


def later(days: int):
    return timezone.now() + timedelta(days=days)


def test_the_need_page_subscribes_to_its_new_matches(world):
    need = world["need"]
    assert "match-list-alert" not in Client().get(need.get_absolute_url()).content.decode()
    client = logged_in(world["lin"])
    page = client.get(need.get_absolute_url()).content.decode()
    assert "E-mail me new matches for this need" in page
    response = client.post(f"/en/alerts/matches/need/{need.pk}/", {"frequency": "daily"})
    assert response.status_code == 302 and response["Location"].endswith("#match-list-alert")
    alert = MatchListAlert.objects.get(user=world["lin"], need=need)
    assert alert.frequency == "daily"
    assert '<option value="daily" selected>' in client.get(need.get_absolute_url()).content.decode()
    bad = client.post(f"/en/alerts/matches/need/{need.pk}/", {"frequency": "hourly"}, follow=True)
    assert "Choose immediately, daily, weekly or no e-mail." in bad.content.decode()
    assert MatchListAlert.objects.get().frequency == "daily"
    assert (
        client.post(f"/en/alerts/matches/case/{need.pk}/", {"frequency": "daily"}).status_code
        == 404
    )
    settings_page = client.get("/en/alerts/").content.decode()
    assert "Depot charging for electric buses" in settings_page
    assert "您在关注的需求和解决方案" in client.get("/zh-hans/alerts/").content.decode()


def test_a_draft_need_cannot_be_watched_by_outsiders(world):
    draft = NeedFactory(organisation=world["city"], status="draft", title_en="Secret plan")
    client = logged_in(world["lin"])
    assert (
        client.post(f"/en/alerts/matches/need/{draft.pk}/", {"frequency": "daily"}).status_code
        == 404
    )
    assert not MatchListAlert.objects.exists()


def test_a_need_alert_sends_only_new_matches_once_and_unsubscribes(world, committed, settings):
    settings.ECOTONE_SITE_URL = "https://ecotone.example"
    match_lists.subscribe(user=world["lin"], record=world["need"], frequency="daily")
    assert match_lists.send_due_match_lists(now=later(0)) == (0, 0)  # older matches: no news
    with committed():
        fresh = SolutionFactory(
            provider=OrganisationFactory(name_en="Ampere Depots"),
            title_en="Smart charging for electric bus depots",
            trl=7,
        )
        fresh.sectors.add(world["ev"])
    with committed():
        assert match_lists.send_due_match_lists(now=later(2)) == (1, 1)
    [message] = mail.outbox
    assert message.to == ["lin@watcher.example"]
    assert "Smart charging for electric bus depots" in message.body
    assert "Depot charging cabinets" not in message.body
    assert "Why:" in message.body
    assert "match your need “Depot charging for electric buses”" in message.body
    link = re.search(r"https://ecotone.example(/\S+/alerts/matches/unsubscribe/\S+/)", message.body)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"
    # a run whose "since" went back (a restart after a crash) sends nothing twice
    MatchListAlert.objects.update(last_sent_at=None)
    mail.outbox.clear()
    with committed():
        call_command("alerts", "send")
    assert not mail.outbox
    assert SentItem.objects.filter(match_list__isnull=False, record_id=fresh.pk).count() == 1
    anonymous = Client()
    assert "Stop the e-mails of new matches" in anonymous.get(link.group(1)).content.decode()
    anonymous.post(link.group(1))
    assert MatchListAlert.objects.get().frequency == "none"
    assert anonymous.get("/en/alerts/matches/unsubscribe/1:forged/").status_code == 400


def test_a_solution_alert_sends_new_needs_it_could_serve(world, committed):
    match_lists.subscribe(user=world["lin"], record=world["chargers"], frequency="weekly")
    with committed():
        port = OrganisationFactory(name_en="Port Authority", kind="government")
        need = NeedFactory(
            organisation=port, title_en="Charging for electric buses at the port", country="CN"
        )
        need.sectors.add(world["ev"])
    with committed():
        assert match_lists.send_due_match_lists(now=later(0)) == (1, 1)
    [message] = mail.outbox
    assert "Charging for electric buses at the port" in message.body
    assert "new needs match the solution “Depot charging cabinets for buses”" in message.body
    with committed():
        ferry = NeedFactory(organisation=port, title_en="Charging for electric ferry buses")
        ferry.sectors.add(world["ev"])
    assert match_lists.send_due_match_lists(now=later(3)) == (0, 0)  # weekly: not due yet
    with committed():
        match_lists.send_due_match_lists(now=later(9))
    assert "Charging for electric ferry buses" in mail.outbox[-1].body
    assert "at the port" not in mail.outbox[-1].body


def test_a_record_gone_private_sends_nothing(world, committed):
    match_lists.subscribe(user=world["lin"], record=world["need"], frequency="daily")
    with committed():
        fresh = SolutionFactory(title_en="Smart charging for electric bus depots", trl=7)
        fresh.sectors.add(world["ev"])
        world["need"].status = "draft"
        world["need"].save()
    with committed():
        assert match_lists.send_due_match_lists(now=later(2)) == (0, 0)
    assert not mail.outbox


def test_the_api_sets_and_lists_match_list_alerts(world, client):
    headers = token_headers(world["lin"])
    url = "/api/v1/alerts/match-lists"
    response = client.post(
        url, {"need": world["need"].pk, "frequency": "weekly"}, "application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["record_kind"] == "need" and response.json()["frequency"] == "weekly"
    both = client.post(
        url,
        {"need": world["need"].pk, "solution": world["chargers"].pk, "frequency": "weekly"},
        "application/json",
        headers=headers,
    )
    assert both.status_code == 422 and both.json()["field"] == "need"
    bad = client.post(
        url,
        {"solution": world["chargers"].pk, "frequency": "hourly"},
        "application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    draft = NeedFactory(status="draft")
    hidden = client.post(
        url, {"need": draft.pk, "frequency": "daily"}, "application/json", headers=headers
    )
    assert hidden.status_code == 404
    assert (
        client.post(
            url, {"need": world["need"].pk, "frequency": "daily"}, "application/json"
        ).status_code
        == 401
    )
    listed = client.get(url, headers=headers).json()
    assert [(a["record_id"], a["title"]) for a in listed] == [
        (world["need"].pk, "Depot charging for electric buses")
    ]
    member = UserFactory()
    make_member(member, draft.organisation)
    own = client.post(
        url,
        {"need": draft.pk, "frequency": "daily"},
        "application/json",
        headers=token_headers(member),
    )
    assert own.status_code == 200


def test_opened_links_are_counted_once_per_record_and_show_on_the_figures(
    world, committed, settings
):
    settings.ECOTONE_SITE_URL = "https://ecotone.example"
    match_lists.subscribe(user=world["lin"], record=world["need"], frequency="immediate")
    with committed():
        fresh = [
            SolutionFactory(title_en=f"Smart charging for electric bus depots {n}", trl=7)
            for n in (1, 2)
        ]
        for solution in fresh:
            solution.sectors.add(world["ev"])
    with committed():
        assert match_lists.send_due_match_lists(now=later(1)) == (1, 2)
    [message] = mail.outbox
    links = re.findall(r"https://ecotone.example(/en/alerts/open/\S+/)", message.body)
    assert len(links) == 2  # one signed link per record; no pixel, no direct record links
    assert fresh[0].get_absolute_url() not in message.body
    assert "<img" not in message.body and message.content_subtype == "plain"
    anonymous = Client()
    opened = anonymous.get(links[0])
    assert opened.status_code == 302
    assert opened["Location"] in {s.get_absolute_url() for s in fresh}
    first = SentItem.objects.get(opened_at__isnull=False).opened_at
    anonymous.get(links[0])
    logged_in(UserFactory()).get(links[0])
    assert SentItem.objects.get(opened_at__isnull=False).opened_at == first  # counted once
    assert anonymous.get("/en/alerts/open/1:forged/").status_code == 404
    gone = SentItem.objects.get(opened_at__isnull=True)
    type(fresh[0]).objects.filter(pk=gone.record_id).update(status="draft")
    assert anonymous.get(links[1]).status_code == 404  # no longer published: not counted
    assert not SentItem.objects.get(pk=gone.pk).opened_at
    unsubscribe = re.search(r"https://ecotone.example(/\S+/unsubscribe/\S+/)", message.body)
    anonymous.post(unsubscribe.group(1))
    staff = logged_in(UserFactory(is_staff=True))
    page = staff.get("/en/matching/figures/").content.decode()
    assert '<td data-figure="alert_emails_sent">1</td>' in page
    assert '<td data-figure="alert_records_sent">2</td>' in page
    assert '<td data-figure="alert_links_opened">1</td>' in page
    assert '<td data-figure="alert_emails_opened">1</td>' in page
    assert '<td data-figure="alerts_unsubscribed">1</td>' in page
    assert '<td data-figure="alerts_off">1</td>' in page
    zh = staff.get("/zh-hans/matching/figures/").content.decode()
    assert "打开" in zh
