"""Introductions that always reach someone: brokers, their queue, deadlines and reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from ecotone.accounts.models import AuditEntry
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
from ecotone.matching import brokers, queries, services
from ecotone.matching.models import BrokerAssignment, Introduction

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A city with a need asks a laboratory that nobody on the platform belongs to."""
    city = OrganisationFactory(name_en="Shenzhen Metro")
    lab = OrganisationFactory(
        name_en="Grid Lab",
        country="US",
        website="https://www.gridlab.example.org/",
        source_url="https://registry.example.org/gridlab",
    )
    asker = UserFactory(username="mei", email="mei@metro.example")
    make_member(asker, city)
    staff = UserFactory(username="sam", email="sam@ecotone.example")
    staff.is_staff = True
    staff.save()
    return {
        "city": city,
        "lab": lab,
        "asker": asker,
        "staff": staff,
        "need": NeedFactory(organisation=city, title_en="Depot charging"),
        "solution": SolutionFactory(provider=lab, title_en="Grid batteries"),
    }


def ask(world, target=None):
    return services.request_introduction(
        user=world["asker"],
        requesting_organisation=world["city"],
        target_organisation=target or world["lab"],
        about=world["need"],
        message="We run 200 buses.",
    )


def test_a_request_to_an_organisation_without_members_goes_to_the_brokers(world, committed):
    with committed():
        introduction = ask(world)
    assert introduction.route == "brokers" and introduction.status == "requested"
    [message] = mail.outbox
    assert message.to == ["sam@ecotone.example"]  # no broker appointed: staff
    assert "no member on Ecotone" in message.body and "/en/introductions/brokers/" in message.body
    assert "mei@metro.example" not in message.body
    entry = AuditEntry.objects.get(action="introduction_request")
    assert entry.changes["route"] == "brokers"


def test_appointed_brokers_cover_their_sectors_and_countries(world, committed):
    energy = Sector.objects.create(slug="energy-x", name_en="Energy", name_zh="能源")
    world["lab"].sectors.add(energy)
    person = UserFactory(username="bo", email="bo@broker.example")
    BrokerAssignment.objects.create(user=person, regions=["US"])
    intermediary = OrganisationFactory(name_en="Climate Bridge")
    partner = UserFactory(username="li", email="li@bridge.example")
    make_member(partner, intermediary)
    by_sector = BrokerAssignment.objects.create(organisation=intermediary)
    by_sector.sectors.add(energy)
    elsewhere = UserFactory(username="far", email="far@broker.example")
    BrokerAssignment.objects.create(user=elsewhere, regions=["FR"])
    with committed():
        introduction = ask(world)
    assert sorted(mail.outbox[0].to) == ["bo@broker.example", "li@bridge.example"]
    assert brokers.can_broker(person, introduction) and brokers.can_broker(partner, introduction)
    assert not brokers.can_broker(elsewhere, introduction)
    assert brokers.broker_queue(elsewhere) == []
    assert brokers.broker_queue(partner) == [introduction]


def test_a_broker_records_each_step_and_the_requester_sees_it(world, committed):
    introduction = ask(world)
    mail.outbox.clear()
    with committed():
        brokers.record_broker_action(
            user=world["staff"],
            introduction=introduction,
            outcome="contacted",
            note="Wrote to info@ address",
        )
    introduction.refresh_from_db()
    assert introduction.status == "requested" and introduction.broker_outcome == "contacted"
    [news] = mail.outbox
    assert news.to == ["mei@metro.example"] and "Contacted the organisation" in news.body
    assert "info@" not in news.body  # an open step's note stays among brokers
    with committed():
        brokers.record_broker_action(
            user=world["staff"],
            introduction=introduction,
            outcome="connected",
            note="They agreed: write to partnerships@gridlab.example.org",
        )
    introduction.refresh_from_db()
    assert introduction.status == "connected" and not introduction.is_open
    assert "partnerships@gridlab.example.org" in mail.outbox[-1].body
    assert queries.contacts(world["asker"], introduction) is None  # no member consented
    actions = list(
        AuditEntry.objects.filter(action__startswith="introduction_broker").values_list(
            "action", "to_status"
        )
    )
    assert sorted(actions) == [
        ("introduction_broker_connected", "connected"),
        ("introduction_broker_contacted", "requested"),
    ]
    with pytest.raises(services.MatchingRefused):
        brokers.record_broker_action(
            user=world["staff"], introduction=introduction, outcome="declined"
        )


def test_only_brokers_record_steps_and_the_outcome_is_checked(world):
    introduction = ask(world)
    with pytest.raises(PermissionDenied):
        brokers.record_broker_action(
            user=world["asker"], introduction=introduction, outcome="contacted"
        )
    with pytest.raises(services.MatchingRefused) as refused:
        brokers.record_broker_action(
            user=world["staff"], introduction=introduction, outcome="bribed"
        )
    assert refused.value.field == "outcome"


def test_unanswered_requests_are_reminded_then_handed_to_brokers_once(world, committed):
    member = UserFactory(username="ravi", email="ravi@gridlab.example.org")
    make_member(member, world["lab"])
    introduction = ask(world)
    assert introduction.route == "members"
    start = introduction.created_at
    mail.outbox.clear()
    with committed():
        run = brokers.process_unanswered_introductions(now=start + timedelta(days=8))
    assert (run.members_reminded, run.handed_to_brokers) == (1, 0)
    assert [m.to for m in mail.outbox] == [["ravi@gridlab.example.org"]]
    with committed():
        again = brokers.process_unanswered_introductions(now=start + timedelta(days=9))
    assert (again.members_reminded, again.handed_to_brokers) == (0, 0)
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    with committed():
        late = brokers.process_unanswered_introductions(now=start + timedelta(days=15))
    assert late.handed_to_brokers == 1
    introduction.refresh_from_db()
    assert introduction.route == "brokers" and introduction.escalated_at is not None
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["mei@metro.example", "sam@ecotone.example"]
    assert AuditEntry.objects.filter(action="introduction_escalate").count() == 1
    # the brokers are reminded once, a reminder period after they got it
    mail.outbox.clear()
    with committed():
        reminded = brokers.process_unanswered_introductions(now=start + timedelta(days=23))
    assert (reminded.handed_to_brokers, reminded.brokers_reminded) == (0, 1)
    assert mail.outbox[0].to == ["sam@ecotone.example"] and "Reminder" in mail.outbox[0].subject
    with committed():
        assert (
            brokers.process_unanswered_introductions(
                now=start + timedelta(days=30)
            ).brokers_reminded
            == 0
        )


def test_the_reminder_days_are_settings(world, settings, committed):
    settings.ECOTONE_INTRODUCTION_ESCALATION_DAYS = 2
    member = UserFactory(username="ravi", email="ravi@gridlab.example.org")
    make_member(member, world["lab"])
    introduction = ask(world)
    run = brokers.process_unanswered_introductions(now=introduction.created_at + timedelta(days=3))
    assert run.handed_to_brokers == 1


def test_the_command_runs_the_daily_step(world, capsys):
    introduction = ask(world)
    Introduction.objects.filter(pk=introduction.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    call_command("introductions", "remind")
    assert "brokers reminded: 1" in capsys.readouterr().out
    introduction.refresh_from_db()
    assert introduction.brokers_reminded_at is not None


def test_the_requester_can_withdraw_a_request_brokers_hold(world):
    introduction = ask(world)
    services.withdraw_introduction(user=world["asker"], introduction=introduction)
    introduction.refresh_from_db()
    assert introduction.status == "withdrawn"
    assert brokers.broker_queue(world["staff"]) == []


def test_contact_routes_come_from_the_records_sources(world):
    routes = [(r.label, r.url) for r in brokers.contact_routes(world["lab"])]
    assert ("Website", "https://www.gridlab.example.org/") in routes
    assert ("Source of the record", "https://registry.example.org/gridlab") in routes


# --- pages ----------------------------------------------------------------------------------


def test_the_form_tells_the_truth_up_front(world):
    client = logged_in(world["asker"])
    html = client.get(f"/en/introductions/new/{world['lab'].pk}/").content.decode()
    assert "Grid Lab has no members on Ecotone yet" in html
    assert "will receive your message by e-mail" not in html
    zh = client.get(f"/zh-hans/introductions/new/{world['lab'].pk}/").content.decode()
    assert "经纪人" in zh


def test_the_broker_journey_through_the_pages(world, committed):
    asker = logged_in(world["asker"])
    with committed():
        response = asker.post(
            f"/en/introductions/new/{world['lab'].pk}/",
            {
                "requesting_organisation": world["city"].pk,
                "about": f"need:{world['need'].pk}",
                "message": "We run 200 buses.",
            },
            follow=True,
        )
    html = response.content.decode()
    assert "Request sent to the platform&#x27;s brokers" in html
    assert "No broker has acted on it yet." in html
    introduction = Introduction.objects.get()
    assert logged_in(world["asker"]).get("/en/introductions/brokers/").status_code == 403
    queue = logged_in(world["staff"]).get("/en/introductions/brokers/").content.decode()
    assert "https://www.gridlab.example.org/" in queue and "We run 200 buses." in queue
    with committed():
        logged_in(world["staff"]).post(
            f"/en/introductions/{introduction.pk}/broker/",
            {"outcome": "no_answer", "note": "Phone rang out"},
        )
    page = asker.get("/en/introductions/").content.decode()
    assert "No answer from the organisation" in page and "Phone rang out" not in page
    refused = asker.post(f"/en/introductions/{introduction.pk}/broker/", {"outcome": "connected"})
    assert refused.status_code == 404
    introduction.refresh_from_db()
    assert introduction.status == "requested"
    zh = asker.get("/zh-hans/introductions/").content.decode()
    assert "经纪人" in zh


# --- API ------------------------------------------------------------------------------------


def test_the_broker_queue_and_steps_through_the_api(world, client, committed):
    introduction = ask(world)
    asker = token_headers(world["asker"])
    assert client.get("/api/v1/introductions/broker-queue", headers=asker).status_code == 403
    staff = token_headers(world["staff"])
    [item] = client.get("/api/v1/introductions/broker-queue", headers=staff).json()
    assert item["introduction"]["id"] == introduction.pk
    assert item["introduction"]["route"] == "brokers"
    assert {"label": "Website", "url": "https://www.gridlab.example.org/"} in item["contact_routes"]
    url = f"/api/v1/introductions/{introduction.pk}/broker-steps"
    bad = client.post(url, {"outcome": "bribed"}, content_type="application/json", headers=staff)
    assert bad.status_code == 422
    denied = client.post(
        url, {"outcome": "declined"}, content_type="application/json", headers=asker
    )
    assert denied.status_code == 403
    with committed():
        done = client.post(
            url,
            {"outcome": "declined", "note": "Not working with buses"},
            content_type="application/json",
            headers=staff,
        )
    assert done.status_code == 201
    body = done.json()
    assert body["status"] == "declined" and body["broker_outcome"] == "declined"
    mine = client.get("/api/v1/introductions", headers=asker).json()["results"]
    assert mine[0]["response_note"] == "Not working with buses"
    again = client.post(
        url, {"outcome": "connected"}, content_type="application/json", headers=staff
    )
    assert again.status_code == 409


def test_a_claim_hands_the_requests_brokers_held_to_the_new_administrator(world, committed):
    from ecotone.accounts import claims

    introduction = ask(world)
    ravi = UserFactory(username="ravi", email="ravi@example.org")
    claim = claims.start_email_claim(
        user=ravi, organisation=world["lab"], email="ravi@gridlab.example.org"
    )
    mail.outbox.clear()
    with committed():
        claims.confirm_email_claim(user=ravi, token=claims.claim_token(claim))
    introduction.refresh_from_db()
    assert introduction.route == "members" and introduction.is_open
    request_mail = [m for m in mail.outbox if "Introduction request from" in m.subject]
    assert [m.to for m in request_mail] == [["ravi@example.org"]]
    assert brokers.broker_queue(world["staff"]) == []
    assert AuditEntry.objects.filter(action="introduction_hand_to_members").count() == 1
    with committed():
        services.respond_to_introduction(user=ravi, introduction=introduction, accept=True)
    introduction.refresh_from_db()
    assert introduction.status == "accepted"
    assert queries.contacts(world["asker"], introduction)["responder"]["email"] == ravi.email


def test_staff_figures_count_what_happens_after_the_match(world):
    brokered = ask(world)
    brokers.record_broker_action(user=world["staff"], introduction=brokered, outcome="connected")
    Introduction.objects.filter(pk=brokered.pk).update(
        responded_at=brokered.created_at + timedelta(hours=30)
    )
    figures = queries.funnel_figures()
    assert figures.introductions_to_brokers == 1 and figures.introductions_to_members == 0
    assert figures.introductions_connected == 1
    assert figures.median_hours_to_answer == 30.0
    html = logged_in(world["staff"]).get("/en/matching/figures/").content.decode()
    assert 'data-figure="introductions_to_brokers">1<' in html
    assert 'data-figure="median_hours_to_answer">30.0<' in html
