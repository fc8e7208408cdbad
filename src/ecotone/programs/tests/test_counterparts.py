"""Open programmes are offered to ventures beside pilot sites and investors."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecotone.catalog.models import Sector
from ecotone.core.testing import SolutionFactory
from ecotone.matching.ranking import counterparts_for_venture

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def programme_group(record) -> dict:
    groups = {group.name: group for group in counterparts_for_venture(record, 5)}
    return groups["programmes"]


def solar_solution():
    solution = SolutionFactory(title_en="Rooftop solar kits")
    solution.sectors.add(Sector.objects.get(slug="solar-power"))
    return solution


def test_an_open_call_in_the_venture_s_sectors_is_offered_with_reasons():
    world = make_programme()
    group = programme_group(solar_solution())
    [match] = group.matches
    assert match.record == world.programme
    components = {c.name: c for c in match.components}
    assert components["sectors"].raw == 1.0
    assert "Solar" in components["sectors"].reason
    assert components["time"].raw == pytest.approx(6 / 30, abs=0.04)  # closes in ~7 days
    assert [c.name for c in match.constraints] == ["deadline"]


def test_closed_not_yet_open_and_private_calls_are_not_offered():
    closed = make_programme(slug="closed").programme
    closed.closes_at = timezone.now() - timedelta(hours=1)
    closed.save()
    future = make_programme(slug="future").programme
    future.opens_at = timezone.now() + timedelta(days=3)
    future.save()
    private = make_programme(slug="private").programme
    private.visibility = "private"
    private.save()
    assert programme_group(solar_solution()).matches == []


def test_a_call_in_other_sectors_ranks_below_one_in_the_venture_s_sectors():
    mine = make_programme(slug="solar-call").programme
    other = make_programme(slug="bus-call").programme
    other.tracks.get(key="energy").sectors.clear()
    matches = programme_group(solar_solution()).matches
    assert [m.record for m in matches] == [mine, other]


def test_the_api_lists_programmes_among_the_counterparts():
    world = make_programme()
    solution = solar_solution()
    body = Client().get(f"/api/v1/solutions/{solution.pk}/counterparts").json()
    group = next(g for g in body["groups"] if g["name"] == "programmes")
    match = group["matches"][0]
    assert (match["kind"], match["external_id"]) == ("programme", world.programme.slug)
    assert match["page_url"] == world.programme.get_absolute_url()


def test_the_solution_page_shows_the_open_call():
    world = make_programme()
    solution = solar_solution()
    page = Client().get(solution.get_absolute_url()).content.decode()
    assert world.programme.get_absolute_url() in page
