"""Setting a programme up over the API: ``POST /programmes`` and ``PATCH /programmes/{slug}``,
each refusal naming the field by its path in the spec, never a partial write."""

import copy
import datetime

import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import OrganisationFactory, UserFactory, make_member, token_headers
from ecotone.programs import services
from ecotone.programs.models import Criterion, Programme, Round, Track
from ecotone.programs.services import assigning

from .conftest import LEVELS, add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def full_spec(organiser_id: int) -> dict:
    rubric = [
        {
            "key": "technology",
            "name_en": "Technology",
            "name_zh": "技术",
            "weight": 2,
            "scale_min": 1,
            "scale_max": 5,
            "levels": LEVELS,
        },
        {"key": "market", "name_en": "Market", "weight": 1, "scale_min": 0, "scale_max": 10},
    ]
    return {
        "slug": "carbon-cup-2026",
        "title_en": "Carbon Cup 2026",
        "title_zh": "碳杯 2026",
        "description_en": "A call for low-carbon solutions.",
        "organiser": organiser_id,
        "year": 2026,
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2026-04-30T18:00",
        "time_zone": "Asia/Shanghai",
        "award_count": 3,
        "visibility": "public",
        "review_mode": "open",
        "questions": [{"key": "impact", "label_en": "Impact", "required": True}],
        "tracks": [
            {"key": "energy", "name_en": "Energy", "sectors": ["solar-power"]},
            {"key": "mobility", "name_zh": "交通", "sectors": ["electric-vehicles"]},
        ],
        "rounds": [
            {
                "kind": "screening",
                "name_en": "Screening",
                "reviewers_per_submission": 2,
                "max_load": 20,
                "decision_rule": "threshold",
                "decision_value": 60,
                "criteria": rubric,
            },
            {
                "kind": "final",
                "name_en": "Final",
                "reviewers_per_submission": 5,
                "max_load": 10,
                "decision_rule": "top_n",
                "decision_value": 3,
                "criteria": [{"key": "overall", "name_en": "Overall", "weight": 1}],
            },
        ],
    }


@pytest.fixture
def organiser():
    org = OrganisationFactory(name_en="Carbon Fund")
    user = UserFactory(username="organiser")
    make_member(user, org)
    return user, org


def _send(client, method, url, user, body):
    return getattr(client, method)(
        url, body, content_type="application/json", headers=token_headers(user)
    )


def test_a_member_of_the_organiser_sets_a_whole_programme_up(client, organiser):
    user, org = organiser
    response = _send(client, "post", "/api/v1/programmes", user, full_spec(org.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organiser"] == "Carbon Fund" and body["review_mode"] == "open"
    assert [t["key"] for t in body["tracks"]] == ["energy", "mobility"]
    assert body["tracks"][0]["sectors"] == ["solar-power"]
    assert [(r["position"], r["kind"]) for r in body["rounds"]] == [(1, "screening"), (2, "final")]
    technology = body["rounds"][0]["criteria"][0]
    assert (technology["weight"], technology["levels"]) == (2.0, LEVELS)
    programme = Programme.objects.get(slug="carbon-cup-2026")
    # 09:00 typed in Shanghai is 01:00 UTC
    assert programme.opens_at == datetime.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    assert programme.questions == [{"key": "impact", "label_en": "Impact", "required": True}]
    assert AuditEntry.objects.filter(action="programme_create", actor=user).count() == 1
    # the organiser's members manage it from now on
    start = _send(client, "post", "/api/v1/programmes/carbon-cup-2026/rounds/1/start", user, {})
    assert start.status_code == 200


def test_someone_outside_the_organiser_cannot_create_and_a_visitor_needs_a_token(client, organiser):
    _user, org = organiser
    stranger = UserFactory(username="stranger")
    refused = _send(client, "post", "/api/v1/programmes", stranger, full_spec(org.pk))
    assert refused.status_code == 403 and refused.json()["field"] == "organiser"
    anonymous = client.post(
        "/api/v1/programmes", full_spec(org.pk), content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert not Programme.objects.exists()


def test_staff_may_create_a_programme_without_an_organiser(client):
    staff = UserFactory(username="operator", is_staff=True)
    spec = full_spec(0)
    del spec["organiser"]
    response = _send(client, "post", "/api/v1/programmes", staff, spec)
    assert response.status_code == 201 and response.json()["organiser"] is None


def _set(path: str, value):
    """A change to the spec at ``path`` ("rounds.1.criteria.0.weight"); ``...`` deletes."""

    def change(spec):
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target = spec
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return change


REFUSALS = [
    ("rounds.1.criteria.0.weight", 0, 422, "rounds[1].criteria[0].weight"),
    ("rounds.0.criteria.1.weight", "heavy", 422, "rounds[0].criteria[1].weight"),
    ("rounds.0.criteria.0.levels", LEVELS[:3], 422, "rounds[0].criteria[0].levels"),
    ("rounds.0.criteria.1.scale_max", 0, 422, "rounds[0].criteria[1].scale_max"),
    ("rounds.0.criteria.1.key", "technology", 422, "rounds[0].criteria[1].key"),
    ("rounds.0.criteria", [], 422, "rounds[0].criteria"),
    ("rounds.1.criteria", ..., 422, "rounds[1].criteria"),
    ("rounds.0.kind", ..., 422, "rounds[0].kind"),
    ("rounds.0.kind", "beauty", 422, "rounds[0].kind"),
    ("rounds.1.decision_value", 2.5, 422, "rounds[1].decision_value"),
    ("rounds.0.decision_value", 120, 422, "rounds[0].decision_value"),
    ("rounds.0.reviewers_per_submission", 0, 422, "rounds[0].reviewers_per_submission"),
    ("rounds.0.reviewers_per_submision", 3, 422, "rounds[0].reviewers_per_submision"),
    ("rounds", [], 422, "rounds"),
    ("tracks.1.key", "energy", 422, "tracks[1].key"),
    ("tracks.0.sectors", ["no-such-sector"], 422, "tracks[0].sectors[0]"),
    ("tracks.1.name_zh", ..., 422, "tracks[1].name_en"),
    ("tracks", [], 422, "tracks"),
    ("questions.0.key", ..., 422, "questions[0].key"),
    ("slug", ..., 422, "slug"),
    ("slug", "Not A Slug", 422, "slug"),
    ("year", "2026", 422, "year"),
    ("time_zone", "Mars/Olympus", 422, "time_zone"),
    ("opens_at", "next spring", 422, "opens_at"),
    ("closes_at", "2026-02-01T00:00", 422, "closes_at"),
    ("visibility", "secret", 422, "visibility"),
    ("organiser", 999_999, 422, "organiser"),
]


def test_each_refusal_names_its_field_and_writes_nothing(client, organiser):
    user, org = organiser
    for path, value, status, field in REFUSALS:
        spec = copy.deepcopy(full_spec(org.pk))
        _set(path, value)(spec)
        response = _send(client, "post", "/api/v1/programmes", user, spec)
        assert (response.status_code, response.json()["field"]) == (status, field), path
    assert not Programme.objects.exists() and not Round.objects.exists()
    assert not Track.objects.exists() and not Criterion.objects.exists()


def test_a_title_in_one_language_is_enough_but_one_is_needed(client, organiser):
    user, org = organiser
    spec = full_spec(org.pk)
    spec["title_en"], spec["title_zh"] = "", None
    response = _send(client, "post", "/api/v1/programmes", user, spec)
    assert response.status_code == 422 and response.json()["field"] == "title_en"
    spec["title_zh"] = "碳杯"
    assert _send(client, "post", "/api/v1/programmes", user, spec).status_code == 201


def test_a_taken_slug_is_a_conflict(client, organiser):
    user, org = organiser
    assert _send(client, "post", "/api/v1/programmes", user, full_spec(org.pk)).status_code == 201
    again = _send(client, "post", "/api/v1/programmes", user, full_spec(org.pk))
    assert again.status_code == 409 and again.json()["field"] == "slug"
    body_not_an_object = _send(client, "post", "/api/v1/programmes", user, [1, 2])
    assert body_not_an_object.status_code == 422


# --- PATCH --------------------------------------------------------------------------------


def _patch(client, world, user, body):
    return _send(client, "patch", f"/api/v1/programmes/{world.programme.slug}", user, body)


def test_a_manager_changes_what_may_still_change(client):
    world = make_programme()
    body = {
        "title_en": "Renamed Challenge",
        "award_count": 5,
        "tracks": [
            {"key": "energy"},
            {"key": "transport", "name_en": "Transport and logistics"},
            {"key": "buildings", "name_en": "Buildings", "sectors": ["solar-power"]},
        ],
        "rounds": [
            {
                "name_en": "Screening",
                "criteria": [
                    {"key": "technology"},
                    {"key": "commercial", "weight": 3},
                    {"key": "team", "name_en": "Team", "weight": 1},
                ],
            },
            {"decision_value": 2},
        ],
    }
    response = _patch(client, world, world.manager, body)
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["title"] == "Renamed Challenge" and out["award_count"] == 5
    assert [t["key"] for t in out["tracks"]] == ["energy", "transport", "buildings"]
    assert out["tracks"][0]["sectors"] == ["solar-power"]  # absent sectors stay
    first = out["rounds"][0]
    assert first["name"] == "Screening" and first["kind"] == "screening"
    assert [(c["key"], c["weight"]) for c in first["criteria"]] == [
        ("technology", 1.0),
        ("commercial", 3.0),
        ("team", 1.0),
    ]
    assert out["rounds"][1]["decision_value"] == 2
    entry = AuditEntry.objects.get(action="programme_update")
    assert set(entry.changes["changed"]) == {"title_en", "award_count", "tracks", "rounds"}


@pytest.fixture
def running():
    """A programme whose round 1 has an application, an assignment and a draft review."""
    world = make_programme(k=1)
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    add_reviewer(world, "rev")
    services.start_round(user=world.manager, round=world.rounds[0])
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assignment = world.rounds[0].assignments.get()
    services.save_review(
        user=assignment.reviewer.user, assignment=assignment, data={"scores": {"technology": 3}}
    )
    return world, submission


def _rubric(**changes):
    criteria = [{"key": "technology", "weight": 1}, {"key": "commercial", "weight": 2}]
    criteria[1].update(changes)
    return criteria


PATCH_REFUSALS = [
    ({"slug": "new-name"}, 422, "slug"),
    ({"tracks": [{"key": "transport"}]}, 409, "tracks"),
    ({"review_mode": "open"}, 409, "review_mode"),
    ({"rounds": []}, 422, "rounds"),
    ({"tracks": []}, 422, "tracks"),
    ({"rounds": [{"criteria": _rubric(weight=5)}, {}]}, 409, "rounds[0].criteria"),
    ({"rounds": [{"criteria": _rubric(scale_max=7)}, {}]}, 409, "rounds[0].criteria"),
    ({"rounds": [{"criteria": _rubric()[:1]}, {}]}, 409, "rounds[0].criteria"),
    ({"questions": []}, 409, "questions"),
    (
        {"rounds": [{}, {"criteria": [{"key": "x", "weight": -1}]}]},
        422,
        "rounds[1].criteria[0].weight",
    ),
    ({"closes_at": "2020-01-01T00:00"}, 422, "closes_at"),
]


def test_what_may_no_longer_change_is_refused_naming_the_field(client, running):
    world, _submission = running
    url = f"/api/v1/programmes/{world.programme.slug}"
    before = _send(client, "get", url, world.manager, None).json()
    for body, status, field in PATCH_REFUSALS:
        response = _patch(client, world, world.manager, body)
        assert (response.status_code, response.json()["field"]) == (status, field), body
    assert _send(client, "get", url, world.manager, None).json() == before
    assert not AuditEntry.objects.filter(action="programme_update").exists()


def test_a_planned_round_may_be_removed_but_not_a_started_one(client, running):
    world, _submission = running
    Round.objects.filter(pk=world.rounds[1].pk).update(status="active")
    refused = _patch(client, world, world.manager, {"rounds": [{}]})
    assert refused.status_code == 409 and refused.json()["field"] == "rounds"
    Round.objects.filter(pk=world.rounds[1].pk).update(status="planned")
    removed = _patch(client, world, world.manager, {"rounds": [{}]})
    assert removed.status_code == 200
    assert [r["position"] for r in removed.json()["rounds"]] == [1]


def test_a_rubric_with_reviews_may_still_be_reworded(client, running):
    world, _submission = running
    criteria = _rubric()
    criteria[0]["name_zh"] = "技术"
    response = _patch(client, world, world.manager, {"rounds": [{"criteria": criteria}, {}]})
    assert response.status_code == 200, response.json()
    assert Criterion.objects.get(round=world.rounds[0], key="technology").name_zh == "技术"


def test_a_non_manager_cannot_change_a_programme(client, running):
    world, _submission = running
    applicant = world.applicants[0][0]
    response = _patch(client, world, applicant, {"title_en": "Mine now"})
    assert response.status_code == 404
    other_org = OrganisationFactory(name_en="Elsewhere")
    moved = _patch(client, world, world.manager, {"organiser": other_org.pk})
    assert moved.status_code == 403 and moved.json()["field"] == "organiser"
    world.programme.refresh_from_db()
    assert world.programme.title_en == "Test Challenge"
    assert world.programme.organiser == world.organiser
