"""Operators set programmes up in the admin; what people do afterwards is read-only there."""

import pytest
from django.test import Client

from ecotone.core.testing import UserFactory
from ecotone.programs.models import Submission

from .conftest import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    client = Client()
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    return client


def test_a_programme_with_its_tracks_and_rounds_opens_in_the_admin(operator):
    world = make_programme()
    page = operator.get(f"/admin/programs/programme/{world.programme.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Energy" in body and "Transport" in body  # the tracks inline
    round_page = operator.get(f"/admin/programs/round/{world.rounds[0].pk}/change/")
    assert (
        round_page.status_code == 200 and "level descriptors" in round_page.content.decode().lower()
    )
    assert operator.get("/admin/programs/programme/add/").status_code == 200


def test_an_operator_creates_a_programme_in_the_admin(operator):
    response = operator.post(
        "/admin/programs/programme/add/",
        {
            "slug": "city-call-2027",
            "title_en": "City Call 2027",
            "year": "2027",
            "time_zone": "Asia/Shanghai",
            "award_count": "3",
            "visibility": "public",
            "review_mode": "blind",
            "questions": "[]",
            "max_attachment_mb": "10",
            "tracks-TOTAL_FORMS": "1",
            "tracks-INITIAL_FORMS": "0",
            "tracks-0-position": "1",
            "tracks-0-key": "energy",
            "tracks-0-name_en": "Energy",
            "rounds-TOTAL_FORMS": "1",
            "rounds-INITIAL_FORMS": "0",
            "rounds-0-position": "1",
            "rounds-0-kind": "screening",
            "rounds-0-reviewers_per_submission": "2",
            "rounds-0-max_load": "8",
            "rounds-0-decision_rule": "manual",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Client().get("/en/programmes/city-call-2027/")
    assert page.status_code == 200 and "City Call 2027" in page.content.decode()


def test_submissions_are_read_only_in_the_admin(operator):
    world = make_programme()
    assert operator.get("/admin/programs/submission/add/").status_code == 403
    assert Submission.objects.filter(programme=world.programme).count() == 0
