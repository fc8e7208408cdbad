"""One write, three doors: the same bad record through the page, the API and an import by
the CLI gets the same refusal (the same message on the same field) and writes nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecotone.accounts.audit import history_of
from ecotone.catalog.models import Organisation
from ecotone.core.testing import NeedFactory, UserFactory, token_headers

pytestmark = pytest.mark.django_db

GOOD = {"external_id": "door-1", "name_en": "Door Test Ltd", "kind": "ngo", "country": "CN"}

#: (what is wrong, the fields changed, the field the refusal must name). The API's schema
#: types some fields (a choice, a bounded number) and refuses those first, in its own words
#: (``SCHEMA_WORDED``); the field named is still the same.
SCHEMA_WORDED = {"unknown kind", "year founded before records"}
BAD = [
    ("no name in either language", {"name_en": "", "name_zh": ""}, "name_en"),
    ("unknown sector", {"sectors": ["no-such-sector"]}, "sectors"),
    ("unknown kind", {"kind": "spaceship"}, "kind"),
    ("unknown country", {"country": "ZZ"}, "country"),
    ("year founded before records", {"founded": "1066"}, "founded"),
    ("website that is not an address", {"website": "not a url"}, "website"),
]


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def by_page(client, staff, row: dict) -> tuple[str, str]:
    client.force_login(staff)
    response = client.post(reverse("catalog:record_create", args=["organisations"]), row)
    assert response.status_code == 422, "the page accepted the record"
    errors = response.context["errors"]
    field = next(iter(errors))
    return field, errors[field][0]


def by_api(client, staff, row: dict) -> tuple[str, str]:
    response = client.post(
        "/api/v1/organisations", row, content_type="application/json", headers=token_headers(staff)
    )
    assert response.status_code == 422, "the API accepted the record"
    return response.json()["field"], response.json()["message"]


def by_cli(tmp_path, row: dict) -> tuple[str, str]:
    source, report = tmp_path / "organisations.csv", tmp_path / "report.csv"
    flat = {k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()}
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(flat))
        writer.writeheader()
        writer.writerow(flat)
    with pytest.raises(CommandError):
        call_command(
            "import", "organisation", str(source), "--report", str(report),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    with report.open(encoding="utf-8") as rows:
        first = next(csv.DictReader(rows))
    return first["column"], first["message"]


@pytest.mark.parametrize("problem,changes,field", BAD, ids=[b[0] for b in BAD])
def test_a_bad_record_gets_one_refusal_at_every_door(
    client, staff, tmp_path, problem, changes, field
):
    row = {**GOOD, **changes}
    answers = {
        "page": by_page(client, staff, row),
        "api": by_api(client, staff, row),
        "cli": by_cli(tmp_path, row),
    }
    assert {door: answer[0] for door, answer in answers.items()} == dict.fromkeys(answers, field)
    same_words = ["page", "cli"] if problem in SCHEMA_WORDED else list(answers)
    messages = {answers[door][1] for door in same_words}
    assert len(messages) == 1, f"{problem}: the doors disagree: {answers}"
    assert not Organisation.objects.filter(external_id="door-1").exists()


def test_the_good_record_goes_through_every_door(client, staff, tmp_path):
    """The doors refuse the bad rows above for what is wrong with them, not for the rest."""
    client.force_login(staff)
    page = client.post(reverse("catalog:record_create", args=["organisations"]), GOOD)
    assert page.status_code == 302
    api = client.post(
        "/api/v1/organisations",
        {**GOOD, "external_id": "door-2"},
        content_type="application/json",
        headers=token_headers(staff),
    )
    assert api.status_code == 201, api.json()
    source = tmp_path / "organisations.csv"
    source.write_text("external_id,name_en,kind,country\ndoor-3,Door Test Ltd,ngo,CN\n")
    call_command("import", "organisation", str(source), stdout=io.StringIO())
    stored = Organisation.objects.filter(external_id__startswith="door-").order_by("external_id")
    assert [(o.external_id, o.country.code) for o in stored] == [
        ("door-1", "CN"),
        ("door-2", "CN"),
        ("door-3", "CN"),
    ]


# --- review transitions: the record page and the API ---------------------------------------


def transition_by_page(client, user, need, action: str, reason: str = "") -> list[str]:
    client.force_login(user)
    answer = client.post(
        f"/en/needs/{need.pk}/review/", {"action": action, "reason": reason}, follow=True
    )
    return [str(message) for message in answer.context["messages"]]


def transition_by_api(client, user, need, action: str, body: dict) -> tuple[int, dict]:
    answer = client.post(
        f"/api/v1/needs/{need.pk}/{action}",
        body,
        content_type="application/json",
        headers=token_headers(user),
    )
    return answer.status_code, answer.json()


def test_rejecting_without_a_reason_is_refused_by_both_doors_and_changes_nothing(client, staff):
    need = NeedFactory(status="pending")
    message = "Give a reason when rejecting a record."
    assert transition_by_page(client, staff, need, "reject") == [message]
    status, body = transition_by_api(client, staff, need, "reject", {"reason": "  "})
    assert (status, body["field"], body["message"]) == (422, "reason", message)
    need.refresh_from_db()
    assert need.status == "pending"


def test_publishing_a_published_record_is_a_conflict_by_both_doors(client, staff):
    need = NeedFactory(status="published")
    message = "This record is published; it cannot be published."
    assert transition_by_page(client, staff, need, "publish") == [message]
    status, body = transition_by_api(client, staff, need, "publish", {})
    assert (status, body["code"], body["message"]) == (409, "conflict", message)
    assert not history_of(need).exists()


def test_an_unknown_owner_and_a_reason_that_is_not_json_are_refused_on_their_field(client, staff):
    answer = client.post(
        "/api/v1/solutions",
        {"title_en": "Cold storage", "owner": "no-such-org"},
        content_type="application/json",
        headers=token_headers(staff),
    )
    body = answer.json()
    assert (answer.status_code, body["field"]) == (422, "owner")
    assert body["message"] == "No organisation has the external id no-such-org."
    need = NeedFactory(status="pending")
    answer = client.post(
        f"/api/v1/needs/{need.pk}/reject",
        "reason: none",
        content_type="application/json",
        headers=token_headers(staff),
    )
    assert (answer.status_code, answer.json()["field"]) == (422, "reason")
    need.refresh_from_db()
    assert need.status == "pending"
