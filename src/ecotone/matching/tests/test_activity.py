"""The personal feed and the Atom feeds list, next to new records, awards, programme calls
opening and closing, and new impact calculations; programmes can be followed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecotone.catalog.models import Award, Sector
from ecotone.core.testing import (
    CaseFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
    token_headers,
)
from ecotone.impact.models import Calculation
from ecotone.matching import activity
from ecotone.matching.models import Follow
from ecotone.programs.models import Programme, Submission, Track

pytestmark = pytest.mark.django_db


def calculation_of(record, value=120.0):
    basis = "potential" if record.__class__.__name__ == "Solution" else "achieved"
    return Calculation.objects.create(
        **{record.__class__.__name__.lower(): record},
        basis=basis,
        methodology_id="grid-electricity",
        methodology_version="1",
        period="year",
        value=value,
        low=value * 0.8,
        high=value * 1.2,
        unit="t CO2e",
        evidence="illustrative",
    )


@pytest.fixture
def world():
    now = timezone.now()
    ev = Sector.objects.get(slug="electric-vehicles")
    fund = OrganisationFactory(name_en="Green Fund", kind="ngo")
    volt = OrganisationFactory(name_en="Volt Startup", kind="startup")
    challenge = Programme.objects.create(
        slug="bus-challenge",
        organiser=fund,
        title_en="Electric Bus Challenge",
        year=now.year,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=5),
    )
    track = Track.objects.create(programme=challenge, key="transport", name_en="Transport")
    track.sectors.add(ev)
    hidden = Programme.objects.create(
        slug="closed-door",
        title_en="Closed Door Prize",
        year=now.year,
        opens_at=now - timedelta(days=2),
        visibility="private",
    )
    Track.objects.create(programme=hidden, key="all", name_en="All")
    chargers = SolutionFactory(provider=volt, title_en="Depot charging cabinets")
    chargers.sectors.add(ev)
    depot = CaseFactory(title_en="Shenzhen depot pilot")
    depot.sectors.add(ev)
    award = Award.objects.create(
        external_id="award-1",
        status="published",
        year=now.year,
        title_en="Gold prize",
        programme_en="Electric Bus Challenge",
        organisation=volt,
        case=depot,
    )
    Submission.objects.create(
        programme=challenge, track=track, applicant=volt, title="Depot cabinets", award=award
    )
    return {
        "ev": ev,
        "fund": fund,
        "volt": volt,
        "challenge": challenge,
        "hidden": hidden,
        "chargers": chargers,
        "depot": depot,
        "award": award,
    }


def kinds_and_titles(entries):
    return {(e.kind, e.title) for e in entries}


def test_following_a_programme_from_its_page_shows_its_calls_and_awards(world):
    lin = UserFactory(username="lin")
    client = logged_in(lin)
    page = client.get("/en/programmes/bus-challenge/").content.decode()
    assert "follow-form" in page and "/feeds/programmes/bus-challenge/" in page
    client.post("/en/follow/programmes/bus-challenge/")
    assert Follow.objects.filter(user=lin, programme=world["challenge"]).exists()
    found = kinds_and_titles(activity.feed(lin))
    assert ("call_opens", "Electric Bus Challenge") in found
    assert ("call_closes", "Electric Bus Challenge") in found  # in five days: shown ahead
    assert ("award", "Gold prize — Volt Startup") in found
    html = client.get("/en/feed/").content.decode()
    assert "Call closes" in html and "Gold prize" in html and "Electric Bus Challenge" in html
    zh = client.get("/zh-hans/feed/").content.decode()
    assert "征集截止 ·" in zh and "获奖 ·" in zh and "过去 60 天里" in zh
    # a private programme is not followed by outsiders, and not in anyone's feed
    assert client.post("/en/follow/programmes/closed-door/").status_code == 404
    client.post("/en/follow/programmes/bus-challenge/")  # again: stop following
    assert activity.feed(lin) == []


def test_an_organisations_awards_and_calculations_come_with_its_records(world):
    lin = UserFactory()
    Follow.objects.create(user=lin, organisation=world["volt"])
    calculation_of(world["chargers"])
    old = calculation_of(world["chargers"], value=90.0)
    newer = calculation_of(world["chargers"], value=95.0)
    Calculation.objects.filter(pk=old.pk).update(superseded_by=newer)
    entries = activity.feed(lin)
    found = kinds_and_titles(entries)
    assert ("solution", "Depot charging cabinets") in found
    assert ("award", "Gold prize — Volt Startup") in found
    assert ("calculation", "Depot charging cabinets: 120 t CO2e") in found
    assert ("calculation", "Depot charging cabinets: 95 t CO2e") in found
    assert ("calculation", "Depot charging cabinets: 90 t CO2e") not in found  # superseded
    assert all(e.because == "Volt Startup" for e in entries if e.kind != "call_opens")


def test_a_sector_brings_programme_calls_and_case_calculations_but_not_hidden_ones(world):
    lin = UserFactory()
    Follow.objects.create(user=lin, sector=world["ev"])
    calculation_of(world["depot"], value=40.0)
    draft = SolutionFactory(title_en="Unpublished cabinet", status="draft")
    draft.sectors.add(world["ev"])
    calculation_of(draft, value=7.0)
    found = kinds_and_titles(activity.feed(lin))
    assert ("call_opens", "Electric Bus Challenge") in found  # its transport track is EV
    assert ("calculation", "Shenzhen depot pilot: 40 t CO2e") in found
    assert ("award", "Gold prize — Volt Startup") in found  # the award's case is EV
    assert not any("Unpublished" in title for _kind, title in found)
    assert not any("Closed Door" in title for _kind, title in found)


def test_events_older_than_the_window_are_left_out(world):
    lin = UserFactory()
    Follow.objects.create(user=lin, programme=world["challenge"])
    later = timezone.now() + timedelta(days=activity.FEED_DAYS + 10)
    assert activity.feed(lin, now=later) == []


def test_the_api_follows_a_programme_and_lists_every_kind_of_event(world, client):
    lin = UserFactory()
    headers = token_headers(lin)
    response = client.post(
        "/api/v1/follows", {"programme": "bus-challenge"}, "application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["programme"] == "bus-challenge" and response.json()["following"]
    missing = client.post(
        "/api/v1/follows", {"programme": "closed-door"}, "application/json", headers=headers
    )
    assert missing.status_code == 422 and missing.json()["field"] == "programme"
    two = client.post(
        "/api/v1/follows",
        {"programme": "bus-challenge", "sector": "electric-vehicles"},
        "application/json",
        headers=headers,
    )
    assert two.status_code == 422
    feed = client.get("/api/v1/feed", headers=headers).json()
    assert {e["kind"] for e in feed} == {"call_opens", "call_closes", "award"}
    award = next(e for e in feed if e["kind"] == "award")
    assert award["page_url"] == world["award"].get_absolute_url()
    assert award["because"] == "Electric Bus Challenge"


def test_atom_feeds_of_a_sector_and_a_programme_carry_the_events(world):
    calculation_of(world["depot"], value=40.0)
    anonymous = Client()
    sector = anonymous.get("/en/feeds/sectors/electric-vehicles/").content.decode()
    assert "Depot charging cabinets" in sector
    assert "Award: Gold prize — Volt Startup" in sector
    assert "New impact calculation: Shenzhen depot pilot: 40 t CO2e" in sector
    programme = anonymous.get("/en/feeds/programmes/bus-challenge/")
    assert programme["Content-Type"].startswith("application/atom+xml")
    body = programme.content.decode()
    assert "Call opens: Electric Bus Challenge" in body
    assert "Call closes: Electric Bus Challenge" in body
    assert "Award: Gold prize" in body
    assert body.count("<entry>") == 3
    assert anonymous.get("/en/feeds/programmes/closed-door/").status_code == 404
