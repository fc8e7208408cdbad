"""The discussion and the applicant's response through their pages, the API and (for the
response window) the command line: who gets in, what they see, and — in the style of
``test_doors.py`` — the same bad input through every door gets the same refusal and changes
nothing."""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import logged_in, token_headers
from ecotone.programs.models import ApplicantResponse, Assignment, DiscussionPost, ResponseWindow
from ecotone.programs.services import discussion, responses

from .test_discussion import make_reviewed, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed():
    return make_reviewed()


def api(user, method: str, path: str, body=None):
    client = logged_in(None)
    call = getattr(client, method)
    kwargs = {"headers": token_headers(user)}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return call(f"/api/v1/programmes/{path}", **kwargs)


# --- pages ---------------------------------------------------------------------------------


def test_the_discussion_page_lets_reviewers_talk_and_hides_the_applicant(reviewed):
    world, user, org, submission = reviewed
    ana, ben, cat = world.reviewers
    url = reverse("programs:discussion", args=[submission.pk])
    page = logged_in(ana.user)
    response = page.post(url, {"body": "Is <b>storage</b> costed?"})
    assert response.status_code == 302
    shown = logged_in(ben.user).get(url)
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Is &lt;b&gt;storage&lt;/b&gt; costed?" in text  # escaped
    assert "Reviewer 1" in text and ">ana<" not in text and org.name_en not in text
    assert logged_in(world.manager).get(url).status_code == 200
    assert logged_in(user).get(url).status_code == 403  # the applicant
    assert logged_in(cat.user).get(url).status_code == 403  # review not in yet
    ben.declared_organisations.add(org)
    assert logged_in(ben.user).get(url).status_code == 404  # the submission is hidden
    assert logged_in(None).get(url).status_code == 302  # to the login page
    # the submission page and the review form link to it
    detail = logged_in(ana.user).get(submission.get_absolute_url()).content.decode()
    assert url in detail
    assignment = Assignment.objects.get(reviewer=ana)
    form = logged_in(ana.user).get(reverse("programs:review_form", args=[assignment.pk]))
    assert url in form.content.decode()
    assert url not in logged_in(user).get(submission.get_absolute_url()).content.decode()


def test_a_post_needs_the_csrf_token(reviewed):
    from django.test import Client

    world, _user, _org, submission = reviewed
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.reviewers[0].user)
    response = client.post(reverse("programs:discussion", args=[submission.pk]), {"body": "forged"})
    assert response.status_code == 403
    assert not DiscussionPost.objects.exists()


def test_the_manager_opens_a_window_and_the_applicant_responds_on_pages(reviewed):
    world, user, _org, submission = reviewed
    slug = world.programme.slug
    window_url = reverse("programs:response_window", args=[slug, 1])
    assert logged_in(user).get(window_url).status_code == 403
    dashboard = logged_in(world.manager).get(reverse("programs:dashboard", args=[slug]))
    assert window_url in dashboard.content.decode()
    zone = world.programme.zone
    now = timezone.localtime(timezone.now(), zone)
    response = logged_in(world.manager).post(
        window_url,
        {
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    window = ResponseWindow.objects.get()
    # typed in the programme's time zone (Asia/Shanghai), kept as that instant
    assert abs(window.closes_at - (timezone.now() + timedelta(days=2))) < timedelta(minutes=2)

    mine = logged_in(user).get(reverse("programs:my_applications")).content.decode()
    respond_url = reverse("programs:response", args=[submission.pk])
    assert respond_url in mine
    page = logged_in(user).get(respond_url)
    assert "Storage costs are missing." in page.content.decode()  # the comments to them
    assert "meh" not in page.content.decode()  # never the comments to the committee
    assert logged_in(user).post(respond_url, {"text": "Annex B costs it."}).status_code == 302
    assert ApplicantResponse.objects.get().text == "Annex B costs it."
    assert logged_in(world.reviewers[0].user).get(respond_url).status_code == 403

    assignment = Assignment.objects.get(reviewer=world.reviewers[0])
    form_url = reverse("programs:review_form", args=[assignment.pk])
    form = logged_in(world.reviewers[0].user).get(form_url).content.decode()
    assert "Annex B costs it." in form and "Revise review" in form
    revised = logged_in(world.reviewers[0].user).post(
        form_url, {"score_technology": "5", "score_commercial": "5", "action": "submit"}
    )
    assert revised.status_code == 302
    assignment.review.refresh_from_db()
    assert assignment.review.scores == {"technology": 5, "commercial": 5}


# --- the API -------------------------------------------------------------------------------


def test_the_api_discussion_follows_the_same_rules(reviewed):
    world, user, _org, submission = reviewed
    ana, ben, cat = world.reviewers
    path = f"submissions/{submission.pk}/discussion"
    made = api(ana.user, "post", path, {"body": "Costs?"})
    assert made.status_code == 201 and made.json()["author"] == "Reviewer 1"
    assert made.json()["by_you"] is True
    listed = api(ben.user, "get", path)
    assert [p["author"] for p in listed.json()] == ["Reviewer 1"]
    assert api(world.manager, "get", path).json()[0]["author"] == "Reviewer 1 (ana)"
    assert api(user, "get", path).status_code == 403
    assert api(user, "post", path, {"body": "Let me explain"}).status_code == 403
    assert api(cat.user, "post", path, {"body": "early"}).status_code == 403
    assert api(None, "get", path).status_code == 404  # a visitor does not see the submission
    assert DiscussionPost.objects.count() == 1


def test_the_api_response_window_and_response(reviewed):
    world, user, _org, submission = reviewed
    slug = world.programme.slug
    now = timezone.now()
    body = {
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    assert api(user, "put", f"{slug}/rounds/1/response-window", body).status_code == 404
    made = api(world.manager, "put", f"{slug}/rounds/1/response-window", body)
    assert made.status_code == 200 and made.json()["open"] is True
    path = f"submissions/{submission.pk}/responses"
    assert api(world.reviewers[0].user, "put", path, {"text": "not mine"}).status_code == 403
    saved = api(user, "put", path, {"text": "Annex B."})
    assert saved.status_code == 200 and saved.json()["text"] == "Annex B."
    assert api(world.reviewers[1].user, "get", path).json()[0]["text"] == "Annex B."
    window = ResponseWindow.objects.get()
    window.closes_at = timezone.now() - timedelta(seconds=1)
    window.save()
    late = api(user, "put", path, {"text": "Later"})
    assert late.status_code == 409 and late.json()["code"] == "response_window_closed"
    assert ApplicantResponse.objects.get().text == "Annex B."


# --- one write, two doors -------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    field: str | None
    message: str


def _form_answer(response, form_name: str = "form") -> Answer:
    assert response.status_code != 302, "the page accepted the input"
    form = response.context[form_name]
    field, messages = next(iter(form.errors.items()))
    return Answer(response.status_code, field, messages[0])


def _api_answer(response) -> Answer:
    assert response.status_code >= 400, "the API accepted the input"
    body = response.json()
    return Answer(response.status_code, body["field"], body["message"])


def _state() -> tuple:
    return (
        list(DiscussionPost.objects.values_list("pk", "body")),
        list(ApplicantResponse.objects.values_list("pk", "text")),
        list(ResponseWindow.objects.values_list("pk", "opens_at", "closes_at")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("body", ["", "   ", "x" * (discussion.MAX_POST + 1)])
def test_a_bad_message_is_refused_alike_by_page_and_api(reviewed, body):
    world, _user, _org, submission = reviewed
    ana = world.reviewers[0]
    before = _state()
    page = _form_answer(
        logged_in(ana.user).post(
            reverse("programs:discussion", args=[submission.pk]), {"body": body}
        )
    )
    by_api = _api_answer(
        api(ana.user, "post", f"submissions/{submission.pk}/discussion", {"body": body})
    )
    assert by_api.status == 422 and by_api.field == "body"
    assert page.status == 422 and page.field == "body" and page.message == by_api.message
    assert _state() == before


def _cli(world, *args) -> str:
    out = io.StringIO()
    call_command(
        "programmes",
        "response-window",
        world.programme.slug,
        "--round",
        "1",
        *args,
        "--as",
        world.manager.username,
        stdout=out,
    )
    return out.getvalue()


def test_the_command_line_opens_a_window_in_the_programmes_time_zone(reviewed):
    world, _user, _org, _submission = reviewed
    said = _cli(world, "--opens", "2030-05-01 09:00", "--closes", "2030-05-03 18:00")
    assert "responses from 2030-05-01 09:00 (Asia/Shanghai)" in said
    window = ResponseWindow.objects.get()
    assert window.opens_at.isoformat() == "2030-05-01T01:00:00+00:00"
    with pytest.raises(CommandError) as refused:
        _cli(world, "--opens", "tomorrow", "--closes", "2030-05-03 18:00")
    assert str(refused.value).startswith("--opens:")


def test_a_response_window_closing_before_it_opens_is_refused_alike(reviewed):
    world, _user, _org, _submission = reviewed
    before = _state()
    page = _form_answer(
        logged_in(world.manager).post(
            reverse("programs:response_window", args=[world.programme.slug, 1]),
            {"opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"},
        )
    )
    by_api = _api_answer(
        api(
            world.manager,
            "put",
            f"{world.programme.slug}/rounds/1/response-window",
            {"opens_at": "2030-05-02T10:00:00", "closes_at": "2030-05-01T10:00:00"},
        )
    )
    with pytest.raises(CommandError) as refused:
        _cli(world, "--opens", "2030-05-02 10:00", "--closes", "2030-05-01 10:00")
    cli_field, _, cli_message = str(refused.value).partition(": ")
    assert by_api.status == 422 and by_api.field == "closes_at"
    assert page.status == 422 and page.field == "closes_at" and page.message == by_api.message
    assert cli_field == "closes_at" and cli_message == by_api.message
    assert _state() == before


def test_a_response_after_the_window_is_refused_alike(reviewed):
    world, user, _org, submission = reviewed
    window = open_window(world)
    responses.save_response(user=user, submission=submission, text="First.")
    window.closes_at = timezone.now() - timedelta(minutes=1)
    window.save()
    before = _state()
    url = reverse("programs:response", args=[submission.pk])
    page = _form_answer(logged_in(user).post(url, {"text": "Changed."}))
    by_api = _api_answer(
        api(user, "put", f"submissions/{submission.pk}/responses", {"text": "Changed."})
    )
    assert by_api.status == 409 and by_api.field is None
    # the page shows a refusal without a field as the form's own error
    assert page.status == 422 and page.field == "__all__" and page.message == by_api.message
    assert _state() == before


def test_the_pages_and_the_numbers_are_in_chinese_too(reviewed):
    world, user, _org, submission = reviewed
    ana = world.reviewers[0]
    open_window(world)
    logged_in(ana.user).post(
        f"/zh-hans/programmes/submissions/{submission.pk}/discussion/", {"body": "成本？"}
    )
    thread = logged_in(world.reviewers[1].user).get(
        f"/zh-hans/programmes/submissions/{submission.pk}/discussion/"
    )
    text = thread.content.decode()
    assert "讨论" in text and "评审人 1" in text and "发布留言" in text
    page = logged_in(user).get(f"/zh-hans/programmes/submissions/{submission.pk}/response/")
    assert "保存我的回应" in page.content.decode()
    empty = logged_in(user).post(
        f"/zh-hans/programmes/submissions/{submission.pk}/response/", {"text": ""}
    )
    assert "请填写你的回应。" in empty.content.decode()
