"""Managers open a call or move its dates on the dashboard, in the programme's time zone."""

import zoneinfo
from datetime import datetime

import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import UserFactory, logged_in

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def post_window(client, slug, opens, closes):
    return client.post(
        f"/en/programmes/{slug}/manage/call/", {"opens_at": opens, "closes_at": closes}
    )


def test_a_manager_sets_the_call_in_the_programme_s_time_zone():
    world = make_programme()
    world.programme.time_zone = "Europe/Berlin"
    world.programme.save()
    response = post_window(
        logged_in(world.manager), world.programme.slug, "2027-03-01T09:00", "2027-04-30T18:00"
    )
    assert response.status_code == 302
    world.programme.refresh_from_db()
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert world.programme.opens_at == datetime(2027, 3, 1, 9, 0, tzinfo=berlin)
    assert world.programme.closes_at == datetime(2027, 4, 30, 18, 0, tzinfo=berlin)
    assert AuditEntry.objects.filter(action="call_window").exists()
    page = logged_in(world.manager).get(f"/en/programmes/{world.programme.slug}/manage/")
    assert 'value="2027-03-01T09:00"' in page.content.decode()  # shown as typed


def test_a_call_closing_before_it_opens_is_refused_with_the_field_named():
    world = make_programme()
    before = (world.programme.opens_at, world.programme.closes_at)
    response = post_window(
        logged_in(world.manager), world.programme.slug, "2027-03-01T09:00", "2027-02-01T09:00"
    )
    assert response.status_code == 422
    assert "The call must close after it opens." in response.content.decode()
    world.programme.refresh_from_db()
    assert (world.programme.opens_at, world.programme.closes_at) == before


def test_only_managers_set_the_call():
    world = make_programme()
    outsider = UserFactory(username="outsider")
    response = post_window(
        logged_in(outsider), world.programme.slug, "2027-03-01T09:00", "2027-04-01T09:00"
    )
    assert response.status_code == 403
    bad = post_window(logged_in(world.manager), world.programme.slug, "soon", "")
    assert bad.status_code == 422
