"""``ecotone programmes …`` through ``call_command``: the same services, the same answers
and the same refusals as the API."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import (
    OrganisationFactory,
    UserFactory,
    make_member,
    token_headers,
)
from ecotone.programs import services
from ecotone.programs.models import Programme, Reviewer
from ecotone.programs.permissions import reviewer_of
from ecotone.programs.services import decisions

from .conftest import add_applicant, add_reviewer, apply, make_programme
from .test_api_setup import full_spec

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("programmes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def organiser():
    org = OrganisationFactory(name_en="Carbon Fund")
    user = UserFactory(username="organiser")
    make_member(user, org)
    return user, org


def _without_slug(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in {"slug", "page_url"}}


def test_create_from_a_file_gives_the_same_programme_as_the_api(client, organiser, tmp_path):
    user, org = organiser
    spec = full_spec(org.pk)
    response = client.post(
        "/api/v1/programmes", spec, content_type="application/json", headers=token_headers(user)
    )
    assert response.status_code == 201
    spec["slug"] = "carbon-cup-cli"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert "created carbon-cup-cli" in run("create", "--file", str(path), "--as", "organiser")
    shown = json.loads(run("show", "carbon-cup-cli"))
    from_api = client.get("/api/v1/programmes/carbon-cup-2026").json()
    assert _without_slug(shown) == _without_slug(from_api)
    assert AuditEntry.objects.filter(action="programme_create", actor=user).count() == 2
    listed = run("list")
    assert "carbon-cup-cli\t2026" in listed and "carbon-cup-2026\t2026" in listed


def test_create_refuses_like_the_api_and_writes_nothing(organiser, tmp_path):
    _user, org = organiser
    spec = full_spec(org.pk)
    spec["rounds"][1]["criteria"][0]["weight"] = 0
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError, match=r"rounds\[1\]\.criteria\[0\]\.weight"):
        run("create", "--file", str(path), "--as", "organiser")
    with pytest.raises(CommandError, match="--as"):
        run("create", "--file", str(path))
    UserFactory(username="stranger")
    spec["rounds"][1]["criteria"][0]["weight"] = 1
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError, match="organiser"):
        run("create", "--file", str(path), "--as", "stranger")
    with pytest.raises(CommandError, match="no active user"):
        run("create", "--file", str(path), "--as", "ghost")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not JSON"):
        run("create", "--file", str(path), "--as", "organiser")
    assert not Programme.objects.exists()


def test_a_programme_runs_from_the_command_line_as_through_the_api(client, tmp_path):
    world = make_programme(rounds=1, k=1)
    slug, manager = world.programme.slug, world.manager.username
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    UserFactory(username="rev", email="rev@lab.example")
    outsider = UserFactory(username="outsider")
    with pytest.raises(CommandError, match="may not manage"):
        run("add-reviewer", slug, "rev", "--as", outsider.username)
    run("add-reviewer", slug, "rev@lab.example", "--sector", "solar-power", "--as", manager)
    reviewer = Reviewer.objects.get(user__username="rev")
    assert f"{reviewer.pk}\trev\tactive\tload=round\tsolar-power" in run("reviewers", slug)
    with pytest.raises(CommandError, match="user: "):
        run("add-reviewer", slug, "rev", "--as", manager)  # already in the pool
    assert "1 submissions in review" in run("start", slug, "--round", "1", "--as", manager)
    assert "created=1" in run("assign", slug, "--round", "1", "--as", manager)
    assignment = reviewer.assignments.get()
    services.save_review(
        user=reviewer.user,
        assignment=assignment,
        data={"scores": {"technology": 5, "commercial": 3}},
        submit=True,
    )
    rows = list(
        csv.DictReader(io.StringIO(run("ranking", slug, "--round", "1", "--format", "csv")))
    )
    from_api = client.get(
        f"/api/v1/programmes/{slug}/rounds/1/ranking", headers=token_headers(world.manager)
    ).json()
    assert [(int(r["submission"]), int(r["rank"]), r["proposal"]) for r in rows] == [
        (a["submission"], a["rank"], a["proposal"]) for a in from_api
    ]
    assert float(rows[0]["mean_raw"]) == pytest.approx(from_api[0]["mean_raw"])
    decisions.decide(
        user=world.manager,
        round=world.rounds[0],
        decisions=[(submission, "award", "best of the round")],
    )
    with pytest.raises(CommandError, match="may not manage"):
        run("publish", slug, "--as", outsider.username)
    assert "published 1 awards" in run("publish", slug, "--as", manager)
    assert client.get(f"/api/v1/programmes/{slug}").json()["winners"][0]["organisation"] == (
        "Sun Co"
    )
    target = tmp_path / "out.csv"
    run("export", slug, "--format", "csv", "--output", str(target), "--as", manager)
    exported = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [(int(r["id"]), r["applicant"], r["status"]) for r in exported] == [
        (submission.pk, "Sun Co", "awarded")
    ]
    book = tmp_path / "out.xlsx"
    run("export", slug, "--format", "xlsx", "--output", str(book), "--as", outsider.username)
    sheet = openpyxl.load_workbook(book).active
    assert sheet.max_row == 1  # an outsider's export: the header, no submission


def test_unknown_programme_and_round_are_named(organiser):
    with pytest.raises(CommandError, match="slug: no programme"):
        run("show", "nope")
    world = make_programme()
    with pytest.raises(CommandError, match="--round"):
        run("ranking", world.programme.slug, "--round", "9")


def _patch_reviewer(client, world, reviewer, user, body):
    return client.patch(
        f"/api/v1/programmes/{world.programme.slug}/reviewers/{reviewer.pk}",
        body,
        content_type="application/json",
        headers=token_headers(user),
    )


def _audit(action, reviewer):
    return list(
        AuditEntry.objects.filter(action=action, object_id=str(reviewer.pk)).values_list(
            "actor__username", "from_status", "to_status", "reason"
        )
    )


def test_deactivate_and_reactivate_as_through_the_api(client):
    world = make_programme()
    slug, manager = world.programme.slug, world.manager.username
    by_api, by_cli = add_reviewer(world, "by-api"), add_reviewer(world, "by-cli")
    answered = _patch_reviewer(
        client, world, by_api, world.manager, {"active": False, "reason": "on leave"}
    )
    assert answered.status_code == 200 and answered.json()["active"] is False
    assert "deactivated" in run(
        "deactivate-reviewer", slug, "by-cli", "--reason", "on leave", "--as", manager
    )
    listed = run("reviewers", slug)
    assert f"{by_api.pk}\tby-api\tinactive" in listed and f"{by_cli.pk}\tby-cli\tinactive" in listed
    assert (
        _audit("reviewer_deactivate", by_cli)
        == _audit("reviewer_deactivate", by_api)
        == [(manager, "active", "inactive", "on leave")]
    )
    assert reviewer_of(by_cli.user, world.programme) is None  # their queue is empty
    assert _patch_reviewer(client, world, by_api, world.manager, {"active": True}).json()["active"]
    assert "active" in run("reactivate-reviewer", slug, str(by_cli.pk), "--as", manager)
    assert Reviewer.objects.filter(pk__in=[by_api.pk, by_cli.pk], active=True).count() == 2
    assert (
        _audit("reviewer_reactivate", by_cli)
        == _audit("reviewer_reactivate", by_api)
        == [(manager, "inactive", "active", "")]
    )


def test_deactivation_refusals_are_the_apis(client):
    world = make_programme()
    slug, manager = world.programme.slug, world.manager.username
    reviewer = add_reviewer(world, "rev", email="Rev@Lab.example")
    outsider = UserFactory(username="outsider")
    api = _patch_reviewer(client, world, reviewer, world.manager, {"active": False})
    assert (api.status_code, api.json()["field"]) == (422, "reason")
    with pytest.raises(CommandError, match=r"^reason: Give a reason"):
        run("deactivate-reviewer", slug, "rev", "--as", manager)
    assert (
        _patch_reviewer(
            client, world, reviewer, outsider, {"active": False, "reason": "x"}
        ).status_code
        == 404
    )
    with pytest.raises(CommandError, match="may not manage"):
        run("deactivate-reviewer", slug, "rev", "--reason", "x", "--as", "outsider")
    with pytest.raises(CommandError, match="--as"):
        run("reactivate-reviewer", slug, "rev")
    with pytest.raises(CommandError, match=r"reviewer: .* has no reviewer 'nobody'"):
        run("deactivate-reviewer", slug, "nobody", "--reason", "x", "--as", manager)
    other = make_programme(slug="other-challenge")
    stranger = add_reviewer(other, "elsewhere")
    with pytest.raises(CommandError, match="has no reviewer"):  # not in this programme's pool
        run("deactivate-reviewer", slug, str(stranger.pk), "--reason", "x", "--as", manager)
    assert Reviewer.objects.filter(active=False).count() == 0
    assert not AuditEntry.objects.filter(action="reviewer_deactivate").exists()
    run("deactivate-reviewer", slug, "rev@lab.example", "--reason", "left", "--as", manager)
    with pytest.raises(CommandError, match="already inactive"):
        run("deactivate-reviewer", slug, "rev", "--reason", "again", "--as", manager)
    assert AuditEntry.objects.filter(action="reviewer_deactivate").count() == 1


def test_a_reviewer_named_by_a_digit_lookalike_is_not_found_rather_than_a_crash():
    world = make_programme()
    with pytest.raises(CommandError, match="reviewer"):
        run(
            "deactivate-reviewer",
            world.programme.slug,
            "²",
            "--reason",
            "x",
            "--as",
            world.manager.username,
        )
