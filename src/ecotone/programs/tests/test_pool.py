"""The reviewer pool over the API and in ``pool.py``: managers add, change and remove
reviewers; a reviewer edits their own expertise, sectors and declared conflicts."""

import pytest
from django.core.exceptions import PermissionDenied

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import OrganisationFactory, UserFactory, token_headers
from ecotone.programs import services
from ecotone.programs.models import Reviewer
from ecotone.programs.permissions import review_queue
from ecotone.programs.services import assigning, pool

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db


def _call(client, method, url, user, body=None):
    return getattr(client, method)(
        url, body, content_type="application/json", headers=token_headers(user)
    )


@pytest.fixture
def world():
    return make_programme()


def _url(world, tail=""):
    return f"/api/v1/programmes/{world.programme.slug}/reviewers{tail}"


def test_a_manager_adds_reviewers_by_username_or_e_mail_and_lists_the_pool(client, world):
    UserFactory(username="li", email="Li.Wei@Lab.example")
    UserFactory(username="ana", email="ana@lab.example")
    by_mail = _call(
        client,
        "post",
        _url(world),
        world.manager,
        {"user": "li.wei@lab.example", "expertise": "PV", "sectors": ["solar-power"]},
    )
    assert by_mail.status_code == 201, by_mail.json()
    assert by_mail.json()["username"] == "li" and by_mail.json()["sectors"] == ["solar-power"]
    by_name = _call(client, "post", _url(world), world.manager, {"user": "ana", "max_load": 4})
    assert by_name.json()["max_load"] == 4
    listed = _call(client, "get", _url(world), world.manager).json()
    assert sorted(r["username"] for r in listed) == ["ana", "li"]
    assert AuditEntry.objects.filter(action="reviewer_add").count() == 2


@pytest.mark.parametrize(
    "body,status,field",
    [
        ({"user": "nobody"}, 422, "user"),
        ({"user": "ana", "sectors": ["solar-power", "no-such"]}, 422, "sectors[1]"),
        ({"user": "ana", "max_load": -2}, 422, "max_load"),
        ({"user": "ana", "max_load": 10_000}, 422, "max_load"),
        ({"user": "ana", "expertise": "x" * 6000}, 422, "expertise"),
    ],
)
def test_adding_refuses_bad_input_naming_the_field(client, world, body, status, field):
    UserFactory(username="ana")
    response = _call(client, "post", _url(world), world.manager, body)
    assert response.status_code == status and response.json()["field"] == field
    assert not Reviewer.objects.exists()


def test_someone_already_in_the_pool_is_a_conflict_and_outsiders_see_nothing(client, world):
    reviewer = add_reviewer(world, "rev")
    again = _call(client, "post", _url(world), world.manager, {"user": "rev"})
    assert again.status_code == 409 and again.json()["field"] == "user"
    outsider = UserFactory(username="outsider")
    assert _call(client, "get", _url(world), outsider).status_code == 404
    assert _call(client, "get", _url(world), reviewer.user).status_code == 404
    added = _call(client, "post", _url(world), outsider, {"user": "outsider"})
    assert added.status_code == 404
    patched = _call(client, "patch", _url(world, f"/{reviewer.pk}"), outsider, {"max_load": 1})
    assert patched.status_code == 404


def test_a_manager_changes_load_and_expertise_and_deactivates_with_a_reason(client, world):
    reviewer = add_reviewer(world, "rev")
    url = _url(world, f"/{reviewer.pk}")
    changed = _call(client, "patch", url, world.manager, {"max_load": 3, "expertise": "wind"})
    assert (changed.json()["max_load"], changed.json()["expertise"]) == (3, "wind")
    back = _call(client, "patch", url, world.manager, {"max_load": 0})
    assert back.json()["max_load"] is None  # the round's limit again
    no_reason = _call(client, "patch", url, world.manager, {"active": False})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    off = _call(client, "patch", url, world.manager, {"active": False, "reason": "on leave"})
    assert off.json()["active"] is False
    assert AuditEntry.objects.filter(action="reviewer_deactivate", reason="on leave").exists()
    on = _call(client, "patch", url, world.manager, {"active": True})
    assert on.json()["active"] is True


def test_removing_deletes_a_reviewer_without_assignments_and_deactivates_the_others(client, world):
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    idle = add_reviewer(world, "idle")
    busy = add_reviewer(world, "busy")
    services.start_round(user=world.manager, round=world.rounds[0])
    submission.refresh_from_db()
    assigning.add_assignment(
        user=world.manager, round=world.rounds[0], submission=submission, reviewer=busy
    )
    gone = _call(client, "delete", _url(world, f"/{idle.pk}?reason=not+needed"), world.manager)
    assert gone.json() == {"result": "deleted"}
    assert not Reviewer.objects.filter(pk=idle.pk).exists()
    kept = _call(client, "delete", _url(world, f"/{busy.pk}?reason=moved+away"), world.manager)
    assert kept.json() == {"result": "deactivated"}
    busy.refresh_from_db()
    assert busy.active is False
    # the deactivated reviewer's queue empties at once
    assert review_queue(busy.user) == []


def test_a_reviewer_edits_their_own_profile_and_declared_conflicts(client, world):
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    reviewer = add_reviewer(world, "rev")
    services.start_round(user=world.manager, round=world.rounds[0])
    submission.refresh_from_db()
    assigning.add_assignment(
        user=world.manager, round=world.rounds[0], submission=submission, reviewer=reviewer
    )
    assert len(review_queue(reviewer.user)) == 1
    me = _url(world, "/me")
    assert _call(client, "get", me, reviewer.user).json()["username"] == "rev"
    response = _call(
        client,
        "patch",
        me,
        reviewer.user,
        {"expertise": "batteries", "sectors": ["electric-vehicles"], "organisations": [org.pk]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["expertise"] == "batteries" and body["sectors"] == ["electric-vehicles"]
    assert body["declared_organisations"] == [org.pk]
    assert review_queue(reviewer.user) == []  # the declared conflict hides the submission
    assert AuditEntry.objects.filter(action="conflict_declare", actor=reviewer.user).exists()
    unknown = _call(client, "patch", me, reviewer.user, {"organisations": [org.pk, 999_999]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "organisations[1]"
    outsider = UserFactory(username="outsider")
    assert _call(client, "get", me, outsider).status_code == 404


def test_the_services_keep_the_load_to_managers_and_conflicts_to_the_reviewer(world):
    reviewer = add_reviewer(world, "rev")
    other = add_reviewer(world, "other")
    with pytest.raises(PermissionDenied):
        pool.update_reviewer_profile(user=reviewer.user, reviewer=reviewer, max_load=50)
    with pytest.raises(PermissionDenied):
        pool.update_reviewer_profile(user=other.user, reviewer=reviewer, expertise="mine")
    org = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        pool.update_reviewer_profile(
            user=world.manager, reviewer=reviewer, organisation_ids=[org.pk]
        )
    with pytest.raises(PermissionDenied):
        pool.deactivate_reviewer(user=reviewer.user, reviewer=reviewer, reason="tired")
    updated = pool.update_reviewer_profile(
        user=world.manager, reviewer=reviewer, expertise=" hydrogen ", sector_slugs=[]
    )
    assert updated.expertise == "hydrogen" and not updated.sectors.exists()
    assert AuditEntry.objects.filter(action="reviewer_update", actor=world.manager).exists()


def test_listing_the_pool_takes_the_same_queries_however_large_it_is(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_listing() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            body = _call(client, "get", _url(world), world.manager).json()
        return len(captured), body

    for name in ("ana", "ben"):
        add_reviewer(world, name)
    small, _ = queries_for_listing()
    for name in ("cai", "dan", "eva", "fei"):
        add_reviewer(world, name)
    user, org = add_applicant(world, "Sun Co")
    apply(world, user, org)
    services.start_round(user=world.manager, round=world.rounds[0])
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    large, body = queries_for_listing()
    assert large == small
    assert sum(row["assignments"] for row in body) == world.rounds[0].assignments.count() > 0
