"""The API: apply, review, assign, rank, decide, publish — and its errors."""

import pytest

from ecotone.core.testing import token_headers
from ecotone.programs.models import Assignment

from .conftest import add_applicant, add_reviewer, make_programme

pytestmark = pytest.mark.django_db


def _post(client, url, user, body=None, method="post"):
    return getattr(client, method)(
        url, body or {}, content_type="application/json", headers=token_headers(user)
    )


def test_a_programme_from_application_to_published_winner_over_the_api(client):
    world = make_programme(rounds=1, k=1)
    slug = world.programme.slug
    user, org = add_applicant(world, "Sun Co")
    body = {
        "track": "energy",
        "applicant": org.pk,
        "title": "Solar roofs",
        "summary": "Rooftop solar",
        "answers": {"impact": "big"},
        "submit": True,
    }
    response = _post(client, f"/api/v1/programmes/{slug}/submissions", user, body)
    assert response.status_code == 201, response.json()
    submission_id = response.json()["id"]
    assert response.json()["status"] == "submitted"
    reviewer = add_reviewer(world, "rev")
    assert _post(client, f"/api/v1/programmes/{slug}/rounds/1/start", world.manager).json() == {
        "started": 1
    }
    run = _post(client, f"/api/v1/programmes/{slug}/rounds/1/assignment", world.manager).json()
    assert run["created"] == 1 and run["shortfall"] == {}
    queue = client.get("/api/v1/programmes/reviews", headers=token_headers(reviewer.user)).json()
    assert [row["submission"] for row in queue] == [submission_id]
    review = {
        "scores": {"technology": 5, "commercial": 4},
        "comment_to_applicant": "Strong.",
        "submit": True,
    }
    saved = _post(
        client, f"/api/v1/programmes/reviews/{queue[0]['id']}", reviewer.user, review, "put"
    )
    assert saved.json()["review_status"] == "submitted"
    ranking = client.get(
        f"/api/v1/programmes/{slug}/rounds/1/ranking", headers=token_headers(world.manager)
    ).json()
    assert ranking[0]["proposal"] == "award" and ranking[0]["rank"] == 1
    decided = _post(
        client,
        f"/api/v1/programmes/{slug}/rounds/1/decisions",
        world.manager,
        {"decisions": [{"submission": submission_id, "outcome": "award", "reason": "best"}]},
    )
    assert decided.status_code == 201
    published = _post(client, f"/api/v1/programmes/{slug}/publish", world.manager).json()
    assert published["winners"][0]["organisation"] == "Sun Co"
    public = client.get(f"/api/v1/programmes/{slug}").json()
    assert public["winners"][0]["award_url"]
    mine = client.get(
        f"/api/v1/programmes/submissions/{submission_id}", headers=token_headers(user)
    ).json()
    assert mine["comments_to_applicant"] == ["Strong."]


def test_api_errors_name_the_field_and_never_500(client):
    world = make_programme()
    slug = world.programme.slug
    user, org = add_applicant(world, "Sun Co")
    bad_track = _post(
        client,
        f"/api/v1/programmes/{slug}/submissions",
        user,
        {"track": "nope", "applicant": org.pk, "title": "x"},
    )
    assert bad_track.status_code == 422
    assert bad_track.json()["field"] == "track"
    anonymous = client.post(
        f"/api/v1/programmes/{slug}/submissions", {}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    not_manager = _post(client, f"/api/v1/programmes/{slug}/rounds/1/start", user)
    assert not_manager.status_code == 404
    draft = _post(
        client,
        f"/api/v1/programmes/{slug}/submissions",
        user,
        {
            "track": "energy",
            "applicant": org.pk,
            "title": "x",
            "summary": "y",
            "answers": {"impact": "z"},
            "submit": True,
        },
    ).json()
    again = _post(client, f"/api/v1/programmes/submissions/{draft['id']}/submit", user)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_a_manual_assignment_of_a_conflicted_reviewer_is_refused(client):
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    from .conftest import apply

    submission = apply(world, user, org)
    reviewer = add_reviewer(world, "rev")
    reviewer.declared_organisations.add(org)
    _post(client, f"/api/v1/programmes/{world.programme.slug}/rounds/1/start", world.manager)
    response = _post(
        client,
        f"/api/v1/programmes/{world.programme.slug}/rounds/1/assignments",
        world.manager,
        {"submission": submission.pk, "reviewer": reviewer.pk},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not Assignment.objects.exists()


def test_the_openapi_description_lists_the_programme_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/programmes/{slug}/submissions"]
    assert "put" in paths["/api/v1/programmes/reviews/{assignment_id}"]


def test_an_application_refused_at_submit_leaves_no_draft_behind(client):
    """``submit: true`` saves and submits in one step: a refusal writes nothing."""
    from ecotone.programs.models import Submission

    world = make_programme(rounds=1, k=1)
    user, org = add_applicant(world, "Sun Co")
    body = {"track": "energy", "applicant": org.pk, "title": "Solar roofs", "summary": "Roofs"}
    url = f"/api/v1/programmes/{world.programme.slug}/submissions"
    refused = _post(client, url, user, {**body, "answers": {}, "submit": True})
    assert refused.status_code in (400, 409, 422), refused.json()
    assert not Submission.objects.filter(programme=world.programme).exists()
    draft = _post(client, url, user, {**body, "answers": {}, "submit": False})
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
