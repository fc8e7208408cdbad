"""``/api/v1/needs/{id}/matches`` and ``/api/v1/introductions``: bodies, errors, auth."""

import pytest
from django.core import mail
from django.test import Client

from ecotone.catalog.models import Sector
from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    make_member,
    token_headers,
)
from ecotone.matching.models import Introduction

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def world(committed):
    city = OrganisationFactory(name_en="Shenzhen Metro")
    startup = OrganisationFactory(name_en="Volt Startup")
    asker, answerer = UserFactory(username="mei"), UserFactory(username="ravi")
    make_member(asker, city)
    make_member(answerer, startup)
    with committed():
        need = NeedFactory(organisation=city, title_en="Depot charging for electric buses")
        need.sectors.add(Sector.objects.get(slug="electric-vehicles"))
        solution = SolutionFactory(
            provider=startup, title_en="Depot charging cabinets", regions=["CN"], trl=8
        )
        solution.sectors.add(Sector.objects.get(slug="electric-vehicles"))
    return {
        "city": city,
        "startup": startup,
        "asker": asker,
        "answerer": answerer,
        "need": need,
        "solution": solution,
    }


def post_json(client, url, body=None, user=None, raw=None):
    return client.post(
        url,
        data=raw if raw is not None else body,
        content_type="application/json",
        headers=token_headers(user),
    )


def test_need_matches_body(client, world):
    response = client.get(f"/api/v1/needs/{world['need'].pk}/matches")
    assert response.status_code == 200
    body = response.json()
    assert body["need"] == world["need"].pk and body["message"] == "" and body["excluded"] == []
    [match] = body["matches"]
    assert match["kind"] == "solution" and match["id"] == world["solution"].pk
    assert match["external_id"] == world["solution"].external_id
    assert match["title"] == "Depot charging cabinets"
    assert match["page_url"] == world["solution"].get_absolute_url()
    names = [c["name"] for c in match["components"]]
    assert names == ["text", "sectors", "evidence", "place", "readiness", "feedback"]
    assert match["score"] == pytest.approx(sum(c["value"] for c in match["components"]), abs=1e-3)
    sectors = match["components"][1]
    assert sectors["reason"] == "shares sector Electric vehicles and charging"
    assert sectors["value"] == pytest.approx(0.2) and sectors["weight"] == 0.2


def test_need_matches_reasons_follow_the_requested_language(client, world):
    body = client.get(
        f"/api/v1/needs/{world['need'].pk}/matches", headers={"accept-language": "zh-hans"}
    ).json()
    assert "电动汽车与充电" in body["matches"][0]["components"][1]["reason"]


def test_unknown_or_unpublished_needs_are_404_unless_the_caller_may_see_them(client, world):
    assert client.get("/api/v1/needs/999999/matches").status_code == 404
    pending = NeedFactory(organisation=world["city"], status="pending")
    url = f"/api/v1/needs/{pending.pk}/matches"
    response = client.get(url)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(url, headers=token_headers(world["answerer"])).status_code == 404
    assert client.get(url, headers=token_headers(world["asker"])).status_code == 200


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_a_bad_limit_is_422_naming_it(client, world, limit):
    response = client.get(f"/api/v1/needs/{world['need'].pk}/matches", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def introduction_body(world, **changes) -> dict:
    return {
        "target_organisation": world["startup"].pk,
        "about_kind": "need",
        "about_id": world["need"].pk,
        "message": "We run 200 buses.",
        **changes,
    }


def test_request_and_accept_an_introduction(client, world, committed):
    with committed():
        response = post_json(
            client, "/api/v1/introductions", introduction_body(world), world["asker"]
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["side"] == "sent"
    assert body["requesting_organisation"]["name"] == "Shenzhen Metro"
    assert body["about"] == {
        "kind": "need",
        "id": world["need"].pk,
        "external_id": world["need"].external_id,
        "title": "Depot charging for electric buses",
        "page_url": world["need"].get_absolute_url(),
    }
    assert body["contacts"] is None
    assert len(mail.outbox) == 1

    received = client.get("/api/v1/introductions", headers=token_headers(world["answerer"]))
    [item] = received.json()["results"]
    assert item["side"] == "received" and item["contacts"] is None

    url = f"/api/v1/introductions/{body['id']}/accept"
    with committed():
        accepted = post_json(client, url, {"note": "Let's talk"}, world["answerer"])
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["response_note"] == "Let's talk"
    assert accepted.json()["contacts"]["requester"]["email"] == "mei@example.org"
    mine = client.get("/api/v1/introductions", headers=token_headers(world["asker"])).json()
    assert mine["results"][0]["contacts"]["responder"]["email"] == "ravi@example.org"

    again = post_json(client, url, user=world["answerer"], raw="")
    assert again.status_code == 409 and again.json()["code"] == "not_open"


def test_decline_and_withdraw(client, world):
    first = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    declined = post_json(
        client,
        f"/api/v1/introductions/{first.json()['id']}/decline",
        user=world["answerer"],
        raw="",
    )
    assert declined.json()["status"] == "declined"
    second = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    assert second.status_code == 201
    url = f"/api/v1/introductions/{second.json()['id']}/withdraw"
    assert post_json(client, url, user=world["answerer"], raw="").status_code == 403
    withdrawn = post_json(client, url, user=world["asker"], raw="")
    assert withdrawn.json()["status"] == "withdrawn"
    listed = client.get(
        "/api/v1/introductions", {"status": "declined"}, headers=token_headers(world["asker"])
    ).json()
    assert [i["id"] for i in listed["results"]] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_organisation": None}, "target_organisation"),
        ({"target_organisation": "abc"}, "target_organisation"),
        ({"target_organisation": 999999}, "target_organisation"),
        ({"about_kind": "case"}, "about_kind"),
        ({"about_id": 999999}, "about_id"),
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"requesting_organisation": 999999}, "requesting_organisation"),
    ],
)
def test_bad_introduction_input_is_422_naming_the_field(client, world, changes, field):
    body = {k: v for k, v in introduction_body(world, **changes).items() if v is not None}
    response = post_json(client, "/api/v1/introductions", body, world["asker"])
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field
    assert not Introduction.objects.exists()


def test_malformed_json_is_a_json_error_not_a_500(client, world):
    response = post_json(client, "/api/v1/introductions", user=world["asker"], raw="{not json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    created = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    url = f"/api/v1/introductions/{created.json()['id']}/accept"
    note = post_json(client, url, user=world["answerer"], raw='["a list"]')
    assert note.status_code == 422 and note.json()["field"] == "note"
    assert Introduction.objects.get().status == "requested"


def test_a_duplicate_is_409_and_a_self_introduction_422(client, world):
    assert post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    duplicate = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    to_itself = introduction_body(world, target_organisation=world["city"].pk)
    response = post_json(client, "/api/v1/introductions", to_itself, world["asker"])
    assert response.status_code == 422 and response.json()["field"] == "target_organisation"


def test_several_organisations_must_say_which_one_asks(client, world):
    third = OrganisationFactory()
    make_member(world["asker"], third)
    response = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    assert response.status_code == 422
    assert response.json()["field"] == "requesting_organisation"
    body = introduction_body(world, requesting_organisation=world["city"].pk)
    assert post_json(client, "/api/v1/introductions", body, world["asker"]).status_code == 201


def test_writes_need_a_token_and_reads_a_user(client, world):
    body = introduction_body(world)
    anonymous = client.post("/api/v1/introductions", body, content_type="application/json")
    assert anonymous.status_code == 401
    assert client.get("/api/v1/introductions").status_code == 401
    bad = client.get("/api/v1/introductions", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_the_answer_of_an_unseen_introduction_is_404(client, world):
    created = post_json(client, "/api/v1/introductions", introduction_body(world), world["asker"])
    url = f"/api/v1/introductions/{created.json()['id']}/accept"
    assert post_json(client, url, user=UserFactory(), raw="").status_code == 404
    assert post_json(client, url, user=world["asker"], raw="").status_code == 403


def test_the_openapi_description_lists_the_matching_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/needs/{need_id}/matches"]
    assert {"get", "post"} <= set(paths["/api/v1/introductions"])
    assert "post" in paths["/api/v1/introductions/{introduction_id}/accept"]


def test_a_solution_gets_its_counterparts_with_reasons(client, world):
    solution = world["solution"]
    response = client.get(f"/api/v1/solutions/{solution.pk}/counterparts")
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["id"], body["message"]) == ("solution", solution.pk, "")
    groups = {group["name"]: group for group in body["groups"]}
    assert {"pilot_sites", "investors"} <= set(groups)
    pilot = groups["pilot_sites"]["matches"][0]
    assert (pilot["kind"], pilot["id"]) == ("need", world["need"].pk)
    assert pilot["score"] == pytest.approx(sum(c["value"] for c in pilot["components"]))
    assert all(c["reason"] for c in pilot["components"])


def test_an_organisation_stands_for_its_solutions(client, world):
    startup = world["startup"]
    body = client.get(f"/api/v1/organisations/{startup.pk}/counterparts").json()
    pilots = next(g for g in body["groups"] if g["name"] == "pilot_sites")["matches"]
    assert [m["id"] for m in pilots] == [world["need"].pk]


def test_investors_and_public_bodies_are_told_they_are_counterparts(client, world):
    bureau = OrganisationFactory(name_en="Transport Bureau", kind="government")
    body = client.get(f"/api/v1/organisations/{bureau.pk}/counterparts").json()
    assert body["groups"] == []
    assert "counterparts, not ventures" in body["message"]


def test_counterparts_hide_unpublished_records_and_check_the_limit(client, world):
    draft = SolutionFactory(provider=world["startup"], status="draft")
    assert client.get(f"/api/v1/solutions/{draft.pk}/counterparts").status_code == 404
    assert client.get("/api/v1/solutions/999999/counterparts").status_code == 404
    solution = world["solution"]
    response = client.get(f"/api/v1/solutions/{solution.pk}/counterparts?limit=0")
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
