"""Set-up writes, three doors: the same bad input through the set-up page, the API and the
CLI gets the same refusal (the same message, on the same field) and changes nothing."""

import html
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import UserFactory, logged_in, token_headers
from ecotone.programs.models import Criterion, Programme, Reviewer, Visibility

from .conftest import make_programme
from .test_doors import Answer

pytestmark = pytest.mark.django_db

BAD_RUBRICS = [
    # (criterion changes, the field the refusal names, its message)
    ({"weight": 0}, "rounds[0].criteria[0].weight", "Give a number from 0.01 to 1000."),
    (
        {"scale_min": 3, "scale_max": 3},
        "rounds[0].criteria[0].scale_max",
        "The highest score must be above the lowest.",
    ),
    (
        {"levels": [{"en": "low", "zh": ""}, {"en": "high", "zh": ""}]},
        "rounds[0].criteria[0].levels",
        "Give one descriptor per level: 5, lowest first.",
    ),
    (
        {"key": "Tech Nology"},
        "rounds[0].criteria[0].key",
        "Use lower-case letters, digits and single hyphens.",
    ),
]


def rubric_spec(changes: dict) -> dict:
    criterion = {
        "key": "technology",
        "name_en": "Technology",
        "weight": 1,
        "scale_min": 1,
        "scale_max": 5,
        "levels": [],
        **changes,
    }
    return {"rounds": [{"criteria": [criterion]}]}


def rubric_by_page(world, changes) -> Answer:
    criterion = rubric_spec(changes)["rounds"][0]["criteria"][0]
    levels = "\n".join(f"{level['en']} | {level['zh']}" for level in criterion.pop("levels"))
    form = {f"rounds[0].criteria[0].{name}": str(value) for name, value in criterion.items()}
    form["rounds[0].criteria[0].levels"] = levels
    url = reverse("programs:setup_rubric", args=[world.programme.slug, 1])
    response = logged_in(world.manager).post(url, form)
    assert response.status_code != 302, "the page accepted the input"
    field, messages = next(iter(response.context["form"].errors.items()))
    return Answer(response.status_code, field, messages[0])


def rubric_by_api(client, world, changes) -> Answer:
    response = client.patch(
        f"/api/v1/programmes/{world.programme.slug}",
        rubric_spec(changes),
        content_type="application/json",
        headers=token_headers(world.manager),
    )
    assert response.status_code != 200, "the API accepted the input"
    answer = response.json()
    return Answer(response.status_code, answer["field"], answer["message"])


def by_cli(world, *args) -> Answer:
    with pytest.raises(CommandError) as refused:
        call_command("programmes", *args, "--as", world.manager.username, stdout=io.StringIO())
    field, _, message = str(refused.value).partition(": ")
    return Answer(None, field, message)


def rubric_state(world) -> list[tuple]:
    return list(
        Criterion.objects.filter(round__programme=world.programme)
        .order_by("round__position", "position")
        .values_list("key", "weight", "scale_min", "scale_max", "levels")
    )


@pytest.mark.parametrize(("changes", "field", "message"), BAD_RUBRICS)
def test_a_bad_rubric_gets_the_same_refusal_from_each_door(
    client, tmp_path, changes, field, message
):
    world = make_programme(rounds=1)
    before, audited = rubric_state(world), AuditEntry.objects.count()
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(rubric_spec(changes)), encoding="utf-8")
    answers = [
        rubric_by_page(world, changes),
        rubric_by_api(client, world, changes),
        by_cli(world, "update", world.programme.slug, "--file", str(spec)),
    ]
    assert [(a.field, a.message) for a in answers] == [(field, message)] * 3
    assert [a.status for a in answers] == [422, 422, None]
    assert rubric_state(world) == before
    assert AuditEntry.objects.count() == audited


BAD_LIST = "user,expertise,sectors\nkai,solar,solar-power\nlea,storage,moon-mining\n"
BAD_LIST_MESSAGE = "Line 3, sectors: There is no sector moon-mining."


def test_a_bad_reviewer_list_gets_the_same_refusal_from_each_door(client, tmp_path):
    world = make_programme()
    UserFactory(username="kai")
    UserFactory(username="lea")
    csv_file = tmp_path / "reviewers.csv"
    csv_file.write_text(BAD_LIST, encoding="utf-8")

    url = reverse("programs:setup_import", args=[world.programme.slug])
    with open(csv_file, "rb") as handle:
        response = logged_in(world.manager).post(url, {"file": handle})
    page = Answer(response.status_code, *next(iter(response.context["import_form"].errors.items())))
    page.message = page.message[0]
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/reviewers/import",
        BAD_LIST,
        content_type="text/csv",
        headers=token_headers(world.manager),
    )
    api = Answer(response.status_code, response.json()["field"], response.json()["message"])
    cli = by_cli(world, "import-reviewers", world.programme.slug, "--file", str(csv_file))
    assert [(a.field, a.message) for a in (page, api, cli)] == [("file", BAD_LIST_MESSAGE)] * 3
    assert [page.status, api.status] == [422, 422]
    assert not Reviewer.objects.exists()


def test_every_refused_line_of_a_list_is_reported_by_each_door(client, tmp_path):
    world = make_programme()
    UserFactory(username="kai")
    text = "user,sectors\nghost,\nkai,moon-mining\n"
    expected = [
        "Line 2, user: No active account has this username or e-mail address.",
        "Line 3, sectors: There is no sector moon-mining.",
    ]
    csv_file = tmp_path / "reviewers.csv"
    csv_file.write_text(text, encoding="utf-8")
    url = reverse("programs:setup_import", args=[world.programme.slug])
    with open(csv_file, "rb") as handle:
        response = logged_in(world.manager).post(url, {"file": handle})
    assert response.context["import_form"].errors == {"file": expected}
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/reviewers/import",
        text,
        content_type="text/csv",
        headers=token_headers(world.manager),
    )
    assert [e["message"] for e in response.json()["errors"]] == expected
    cli = by_cli(world, "import-reviewers", world.programme.slug, "--file", str(csv_file))
    assert (cli.field, cli.message.splitlines()) == ("file", expected)
    assert not Reviewer.objects.exists()


def test_publishing_a_call_without_dates_gets_the_same_refusal_from_each_door(client):
    world = make_programme()
    Programme.objects.filter(pk=world.programme.pk).update(
        visibility=Visibility.PRIVATE, closes_at=None
    )
    message = "Set the call's opening and closing times before publishing it."
    url = reverse("programs:setup_publish", args=[world.programme.slug])
    response = logged_in(world.manager).post(url, follow=True)
    assert message in html.unescape(response.content.decode())
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/call/publish",
        headers=token_headers(world.manager),
    )
    assert (response.status_code, response.json()["field"]) == (422, "closes_at")
    assert response.json()["message"] == message
    assert by_cli(world, "publish-call", world.programme.slug) == Answer(None, "closes_at", message)
    assert Programme.objects.get(pk=world.programme.pk).visibility == Visibility.PRIVATE
    assert not AuditEntry.objects.filter(action="call_publish").exists()


def test_the_api_and_cli_publish_a_call_and_import_a_list(client, tmp_path):
    world = make_programme()
    Programme.objects.filter(pk=world.programme.pk).update(visibility=Visibility.PRIVATE)
    UserFactory(username="kai")
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/call/publish",
        headers=token_headers(world.manager),
    )
    assert response.status_code == 200
    assert Programme.objects.get(pk=world.programme.pk).visibility == Visibility.PUBLIC
    csv_file = tmp_path / "reviewers.csv"
    csv_file.write_text("user,max_load\nkai,3\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "programmes",
        "import-reviewers",
        world.programme.slug,
        "--file",
        str(csv_file),
        "--as",
        world.manager.username,
        stdout=out,
    )
    assert "1 reviewers imported" in out.getvalue()
    assert Reviewer.objects.get().max_load == 3
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/reviewers/import",
        "user\nkai\n",
        content_type="text/csv",
        headers=token_headers(world.manager),
    )
    assert (response.status_code, response.json()["field"]) == (409, "file")


# --- creating: /programmes/new/, POST /programmes, `programmes create` ---------------------


def _create_spec(form: dict) -> dict:
    """What the create page sends the service for ``form`` (``setup_views._create_spec``),
    as a JSON spec; a number typed as text stays text, so the reader refuses it alike."""
    spec = {
        name: form[name] for name in ("title_en", "slug", "time_zone", "review_mode") if form[name]
    }
    year = form["year"]
    spec["year"] = int(year) if year.isdigit() else year
    if form["organiser"]:
        spec["organiser"] = int(form["organiser"])
    spec["visibility"] = "private"
    spec["tracks"] = [{"key": form["tracks[0].key"], "name_en": form["tracks[0].name_en"]}]
    criterion = {
        "key": form["rounds[0].criteria[0].key"],
        "name_en": form["rounds[0].criteria[0].name_en"],
    }
    spec["rounds"] = [{"kind": form["rounds[0].kind"], "criteria": [criterion]}]
    return {name: value for name, value in spec.items() if value != ""}


BAD_CREATES = [
    # (form changes, the field named, its message)
    ({"slug": "Cool Cities"}, "slug", "Use lower-case letters, digits and single hyphens."),
    ({"year": "next year"}, "year", "Give a whole number from 1990 to 2100."),
    ({"rounds[0].kind": "lottery"}, "rounds[0].kind", None),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CREATES)
def test_a_bad_programme_is_refused_alike_by_each_door(client, tmp_path, changes, field, message):
    from .test_setup_pages import create_form

    staff = UserFactory(is_staff=True)
    form = create_form(**changes)
    response = logged_in(staff).post(reverse("programs:setup_create"), form)
    assert response.status_code != 302, "the page accepted the input"
    page_field, page_messages = next(iter(response.context["form"].errors.items()))
    spec = _create_spec(form)
    api = client.post(
        "/api/v1/programmes", spec, content_type="application/json", headers=token_headers(staff)
    )
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command(
            "programmes", "create", "--file", str(spec_file), "--as", staff.username,
            stdout=io.StringIO(),
        )  # fmt: skip
    cli_field, _, cli_message = str(refused.value).partition(": ")
    assert api.status_code == 422 and api.json()["field"] == field
    if message is not None:
        assert api.json()["message"] == message
    assert (page_field, page_messages[0]) == (field, api.json()["message"])
    assert (cli_field, cli_message) == (field, api.json()["message"])
    assert not Programme.objects.exists() and not AuditEntry.objects.exists()


def test_a_good_programme_is_created_alike_by_each_door(client, tmp_path):
    from .test_setup_pages import create_form

    staff = UserFactory(is_staff=True)
    assert logged_in(staff).post(reverse("programs:setup_create"), create_form()).status_code == 302
    spec = _create_spec(create_form(slug="cool-cities-api"))
    api = client.post(
        "/api/v1/programmes", spec, content_type="application/json", headers=token_headers(staff)
    )
    assert api.status_code == 201
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps({**spec, "slug": "cool-cities-cli"}), encoding="utf-8")
    call_command(
        "programmes", "create", "--file", str(spec_file), "--as", staff.username,
        stdout=io.StringIO(),
    )  # fmt: skip
    made = {
        p.slug: (
            p.title_en,
            p.year,
            p.visibility,
            list(p.tracks.values_list("key", "name_en")),
            list(Criterion.objects.filter(round__programme=p).values_list("key", "weight")),
        )
        for p in Programme.objects.all()
    }
    assert set(made) == {"cool-cities", "cool-cities-api", "cool-cities-cli"}
    assert len({repr(value) for value in made.values()}) == 1
    assert AuditEntry.objects.filter(action="programme_create").count() == 3
