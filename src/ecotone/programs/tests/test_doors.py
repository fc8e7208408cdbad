"""One write, three doors: the same bad input through the manager's page, the API and the
CLI gets the same refusal (the same message, on the same field) and changes nothing.

Adding a reviewer first: the dashboard page used to parse the input itself, silently drop
an unknown sector, accept someone already in the pool and wipe their expertise."""

import io
import json
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import UserFactory, token_headers
from ecotone.programs.models import Reviewer, RoundStatus

from .conftest import add_reviewer, make_programme

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    """What a door said: the HTTP status (None for the CLI), the field and the message."""

    status: int | None
    field: str | None
    message: str


def by_page(client, world, *, user, expertise="", sectors=(), max_load=None) -> Answer:
    client.force_login(world.manager)
    data = {"username": user, "expertise": expertise, "sectors": ";".join(sectors)}
    if max_load is not None:
        data["max_load"] = str(max_load)
    response = client.post(reverse("programs:add_reviewer", args=[world.programme.slug]), data)
    assert response.status_code != 302, "the page accepted the input"
    form = response.context["reviewer_form"]
    field, messages = next(iter(form.errors.items()))
    client.logout()
    return Answer(response.status_code, field, messages[0])


def by_api(client, world, *, user, expertise="", sectors=(), max_load=None) -> Answer:
    body = {"user": user, "expertise": expertise, "sectors": list(sectors)}
    if max_load is not None:
        body["max_load"] = max_load
    response = client.post(
        f"/api/v1/programmes/{world.programme.slug}/reviewers",
        body,
        content_type="application/json",
        headers=token_headers(world.manager),
    )
    assert response.status_code != 201, "the API accepted the input"
    answer = response.json()
    return Answer(response.status_code, answer["field"], answer["message"])


def by_cli(world, *, user, expertise="", sectors=(), max_load=None) -> Answer:
    args = ["add-reviewer", world.programme.slug, user, "--expertise", expertise]
    for slug in sectors:
        args += ["--sector", slug]
    if max_load is not None:
        args += ["--max-load", str(max_load)]
    with pytest.raises(CommandError) as refused:
        call_command("programmes", *args, "--as", world.manager.username, stdout=io.StringIO())
    field, _, message = str(refused.value).partition(": ")
    return Answer(None, field, message)


def pool_state(world) -> list[tuple]:
    return [
        (
            r.user.username,
            r.expertise,
            r.max_load,
            r.active,
            sorted(s.slug for s in r.sectors.all()),
        )
        for r in Reviewer.objects.filter(programme=world.programme).order_by("pk")
    ]


def assert_same_refusal_and_no_change(client, world, status: int, field: str, **bad_input):
    """Every door refuses ``bad_input`` with ``status``, naming ``field`` (the page shows an
    item of a list on the list's field) with the same message; the pool and the audit log
    are as they were."""
    before, audited = pool_state(world), AuditEntry.objects.count()
    page = by_page(client, world, **bad_input)
    api = by_api(client, world, **bad_input)
    cli = by_cli(world, **bad_input)
    assert api.status == status and api.field == field
    assert cli.field == field and cli.message == api.message
    assert page.status == 422 and page.field == {"user": "username"}.get(field, field.split("[")[0])
    assert page.message == api.message
    assert pool_state(world) == before
    assert AuditEntry.objects.count() == audited


@pytest.fixture
def world():
    return make_programme()


def test_an_unknown_sector_is_refused_by_every_door(client, world):
    UserFactory(username="ana")
    assert_same_refusal_and_no_change(
        client, world, 422, "sectors[1]", user="ana", sectors=["solar-power", "no-such"]
    )


def test_someone_already_in_the_pool_is_refused_and_keeps_their_expertise(client, world):
    add_reviewer(world, "rev", expertise="rooftop photovoltaics", sectors=["solar-power"])
    assert_same_refusal_and_no_change(
        client, world, 409, "user", user="rev", expertise="", sectors=["electric-vehicles"]
    )
    assert Reviewer.objects.get(user__username="rev").expertise == "rooftop photovoltaics"


def test_an_unknown_account_is_refused_by_every_door(client, world):
    assert_same_refusal_and_no_change(client, world, 422, "user", user="nobody@nowhere.example")


def test_an_overlong_name_is_refused_by_every_door_as_an_unknown_account(client, world):
    assert_same_refusal_and_no_change(client, world, 422, "user", user="x" * 300)


def test_a_load_out_of_range_is_refused_by_every_door(client, world):
    UserFactory(username="ana")
    assert_same_refusal_and_no_change(client, world, 422, "max_load", user="ana", max_load=501)


def test_the_page_adds_by_e_mail_with_the_sectors_as_the_api_does(client, world):
    UserFactory(username="li", email="Li.Wei@Lab.example")
    client.force_login(world.manager)
    response = client.post(
        reverse("programs:add_reviewer", args=[world.programme.slug]),
        {
            "username": "li.wei@lab.example",
            "expertise": "PV",
            "sectors": "solar-power; ",
            "max_load": "0",
        },
    )
    assert response.status_code == 302
    assert pool_state(world) == [("li", "PV", None, True, ["solar-power"])]
    assert AuditEntry.objects.filter(action="reviewer_add").count() == 1


# --- the call window: the dashboard form, PATCH /programmes/{slug}, `programmes update` -----


def test_a_call_closing_before_it_opens_is_refused_by_every_door(client, world, tmp_path):
    programme = world.programme
    before = (programme.opens_at, programme.closes_at, AuditEntry.objects.count())
    window = {"opens_at": "2030-05-01T09:00", "closes_at": "2030-04-01T09:00"}

    client.force_login(world.manager)
    page = client.post(reverse("programs:call_window", args=[programme.slug]), window)
    client.logout()
    assert page.status_code == 422
    assert page.context["call_form"].errors == {
        "closes_at": ["The call must close after it opens."]
    }

    api = client.patch(
        f"/api/v1/programmes/{programme.slug}",
        window,
        content_type="application/json",
        headers=token_headers(world.manager),
    )
    assert api.status_code == 422
    assert api.json()["field"] == "closes_at"
    assert api.json()["message"] == "The call must close after it opens."

    spec = tmp_path / "window.json"
    spec.write_text(json.dumps(window), encoding="utf-8")
    with pytest.raises(CommandError) as cli:
        call_command(
            "programmes", "update", programme.slug, "--file", str(spec),
            "--as", world.manager.username, stdout=io.StringIO(),
        )  # fmt: skip
    assert str(cli.value) == "closes_at: The call must close after it opens."

    programme.refresh_from_db()
    assert (programme.opens_at, programme.closes_at, AuditEntry.objects.count()) == before


# --- starting a round: the dashboard button, POST …/rounds/{n}/start, `programmes start` -----


def test_starting_a_finished_round_is_refused_by_every_door(client, world):
    round = world.programme.rounds_in_order().first()
    round.status = RoundStatus.FINISHED
    round.save(update_fields=["status"])
    audited = AuditEntry.objects.count()

    client.force_login(world.manager)
    page = client.post(reverse("programs:start_round", args=[world.programme.slug, 1]))
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    client.logout()
    api = client.post(
        f"/api/v1/programmes/{world.programme.slug}/rounds/1/start",
        headers=token_headers(world.manager),
    )
    with pytest.raises(CommandError) as cli:
        call_command(
            "programmes", "start", world.programme.slug, "--round", "1",
            "--as", world.manager.username, stdout=io.StringIO(),
        )  # fmt: skip

    assert shown == ["This round is finished."]
    assert api.status_code == 409 and api.json()["code"] == "finished"
    assert api.json()["message"] == "This round is finished." and api.json()["field"] is None
    assert str(cli.value) == "This round is finished."
    round.refresh_from_db()
    assert round.status == RoundStatus.FINISHED and AuditEntry.objects.count() == audited


def test_an_overlong_address_is_refused_on_the_invite_page_as_by_the_api(client, world):
    """The invite page opens an account for a new address: one longer than an address may
    be gets the service's refusal (the form no longer cuts it short with its own)."""
    from django.contrib.auth import get_user_model

    address = "a" * 290 + "@lab.example"
    accounts = get_user_model().objects.count()
    client.force_login(world.manager)
    page = client.post(
        reverse("programs:setup_invite", args=[world.programme.slug]), {"email": address}
    )
    client.logout()
    api = by_api(client, world, user=address)
    assert page.status_code == 422
    assert page.context["invite_form"].errors == {"email": [api.message]}
    assert (api.status, api.field) == (422, "user")
    assert get_user_model().objects.count() == accounts and pool_state(world) == []
