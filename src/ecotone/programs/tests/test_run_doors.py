"""Running a programme, one write through each of its doors: the same bad input through the
page, the API and (where it has one) the command line gets the same refusal — the same
message, on the same field — and changes nothing; good input does the same thing whichever
door it comes through. The set-up writes are in ``test_setup_doors.py``, adding a reviewer,
the call window and starting a round in ``test_doors.py``, the discussion and the response
window in ``test_discussion_doors.py``; docs/programmes.md lists every write and its doors."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Organisation
from ecotone.core.testing import OrganisationFactory, logged_in, token_headers
from ecotone.programs import services
from ecotone.programs.models import (
    Assignment,
    AssignmentJob,
    Bid,
    ConflictNote,
    Decision,
    Programme,
    Review,
    Reviewer,
    Submission,
)
from ecotone.programs.services import assigning

from .conftest import add_applicant, add_reviewer, apply, make_programme
from .test_discussion import make_reviewed
from .test_doors import Answer

pytestmark = pytest.mark.django_db


# --- how each door answers ------------------------------------------------------------------


def form_answer(response, form_name: str = "form") -> Answer:
    """A page that shows the refusal on its form: the first error."""
    assert response.status_code != 302, "the page accepted the input"
    field, messages = next(iter(response.context[form_name].errors.items()))
    return Answer(response.status_code, field, messages[0])


def message_answer(response) -> Answer:
    """A page that redirects with the refusal as a message (no form to show it on)."""
    assert response.status_code == 302
    shown = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(shown) == 1, "the page showed no refusal"
    return Answer(None, None, str(shown[0]))


def api(user, method: str, path: str, body=None):
    kwargs: dict = {"headers": token_headers(user)}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(logged_in(None), method)(f"/api/v1/programmes/{path}", **kwargs)


def api_answer(response) -> Answer:
    assert response.status_code >= 400, "the API accepted the input"
    body = response.json()
    return Answer(response.status_code, body["field"], body["message"])


def cli_answer(actor, *args) -> Answer:
    with pytest.raises(CommandError) as refused:
        call_command("programmes", *args, "--as", actor.username, stdout=io.StringIO())
    field, _, message = str(refused.value).rpartition(": ")
    return Answer(None, field or None, message)


def run_cli(actor, *args) -> str:
    out = io.StringIO()
    call_command("programmes", *args, "--as", actor.username, stdout=out)
    return out.getvalue()


def everything() -> tuple:
    """What a programme write may change: a refused one leaves all of it as it was."""
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "status", "title", "answers")),
        list(Review.objects.order_by("pk").values_list("pk", "status", "scores", "confidence")),
        list(Assignment.objects.order_by("pk").values_list("pk", "reviewer", "submission")),
        list(Reviewer.objects.order_by("pk").values_list("pk", "active", "expertise")),
        list(ConflictNote.objects.order_by("pk").values_list("pk", "reason")),
        list(Decision.objects.values_list("pk")),
        list(Bid.objects.values_list("pk", "preference")),
        list(AssignmentJob.objects.values_list("pk")),
        list(Programme.objects.values_list("pk", "results_published_at")),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def reviewed():
    """A blind one-round programme: one submission in review, ana and ben have submitted
    their reviews, cat is assigned and has not started (``test_discussion.make_reviewed``)."""
    return make_reviewed()


# --- applying: the apply page, POST /programmes/{slug}/submissions --------------------------


def _apply_page(world, user, application: dict):
    data = {
        "applicant": str(application["applicant"]),
        "track": application["track"],
        "title": application["title"],
        "summary": application["summary"],
        "answer_impact": application["impact"],
        "action": "submit" if application["submit"] else "save",
    }
    return logged_in(user).post(reverse("programs:apply", args=[world.programme.slug]), data)


def _apply_api(world, user, application: dict):
    body = {
        "applicant": application["applicant"],
        "track": application["track"],
        "title": application["title"],
        "summary": application["summary"],
        "answers": {"impact": application["impact"]} if application["impact"] else {},
        "submit": application["submit"],
    }
    return api(user, "post", f"{world.programme.slug}/submissions", body)


BAD_APPLICATIONS = [
    # (changes, the field the service names, its message)
    ({"title": "x" * 301}, "title", "Keep this under 300 characters."),
    ({"title": "  "}, "title", "Give the application a title."),
    ({"track": "oceans"}, "track", "Choose one of the programme's tracks."),
    (
        {"applicant": "someone else's"},
        "applicant",
        "Apply on behalf of an organisation you are an active member of.",
    ),
    # submitting at once without a required answer: no draft is left behind either
    ({"impact": "", "submit": True}, "answers.impact", "Answer this question before submitting."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_APPLICATIONS)
def test_a_bad_application_is_refused_alike_by_the_page_and_the_api(changes, field, message):
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    other = OrganisationFactory(name_en="Not Theirs")
    application = {
        "applicant": org.pk,
        "track": "energy",
        "title": "Solar roofs",
        "summary": "Rooftop solar",
        "impact": "100 t a year",
        "submit": False,
        **changes,
    }
    if application["applicant"] == "someone else's":
        application["applicant"] = other.pk
    before = everything()
    page = form_answer(_apply_page(world, user, application))
    by_api = api_answer(_apply_api(world, user, application))
    assert (by_api.status, by_api.field, by_api.message) == (422, field, message)
    page_field = field.replace("answers.", "answer_")  # the form's name for the answer
    assert (page.status, page.field, page.message) == (422, page_field, message)
    assert everything() == before


def test_a_good_application_is_submitted_alike_by_the_page_and_the_api():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    application = {
        "applicant": org.pk,
        "track": "energy",
        "title": "Solar roofs",
        "summary": "Rooftop solar",
        "impact": "100 t a year",
        "submit": True,
    }
    assert _apply_page(world, user, application).status_code == 302
    assert _apply_api(world, user, application).status_code == 201
    made = list(Submission.objects.values_list("status", "title", "answers", "track__key"))
    assert made == [("submitted", "Solar roofs", {"impact": "100 t a year"}, "energy")] * 2
    assert AuditEntry.objects.filter(action="submission_submit").count() == 2


def test_withdrawing_twice_is_refused_alike_by_the_page_and_the_api():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    services.withdraw_submission(user=user, submission=submission, reason="merged")
    before = everything()
    page = message_answer(
        logged_in(user).post(reverse("programs:submission_withdraw", args=[submission.pk]))
    )
    by_api = api_answer(api(user, "post", f"submissions/{submission.pk}/withdraw", {}))
    assert by_api.status == 409 and by_api.message.startswith("A submission that is withdrawn")
    assert page.message == by_api.message
    assert everything() == before


# --- reviewing: the review form, PUT /programmes/reviews/{assignment_id} --------------------


BAD_REVIEWS = [
    # (scores, other fields, the field the service names, its message)
    (
        {"technology": 9, "commercial": 3},
        {},
        "scores.technology",
        "Give a whole number from 1 to 5.",
    ),
    ({"technology": 4}, {}, "scores.commercial", "Score every criterion."),
    (
        {"technology": 4, "commercial": 3},
        {"confidence": 7},
        "confidence",
        "Confidence is a whole number from 1 to 5.",
    ),
    (
        {"technology": 4, "commercial": 3},
        {"recommendation": "maybe"},
        "recommendation",
        "Choose advance, reject or award.",
    ),
]


def _review_page(user, assignment, scores: dict, others: dict):
    data = {f"score_{key}": str(value) for key, value in scores.items()}
    data.update({name: str(value) for name, value in others.items()})
    data["action"] = "submit"
    return logged_in(user).post(reverse("programs:review_form", args=[assignment.pk]), data)


@pytest.mark.parametrize(("scores", "others", "field", "message"), BAD_REVIEWS)
def test_a_bad_review_is_refused_alike_by_the_page_and_the_api(
    reviewed, scores, others, field, message
):
    world, _user, _org, submission = reviewed
    cat = world.reviewers[2]
    assignment = Assignment.objects.get(reviewer=cat, submission=submission)
    before = everything()
    page = form_answer(_review_page(cat.user, assignment, scores, others))
    body = {"scores": scores, "submit": True, **others}
    by_api = api_answer(api(cat.user, "put", f"reviews/{assignment.pk}", body))
    assert (by_api.status, by_api.field, by_api.message) == (422, field, message)
    page_field = field.replace("scores.", "score_")  # the form's name for a criterion
    assert (page.status, page.field, page.message) == (422, page_field, message)
    assert everything() == before


def test_a_submitted_review_is_not_changed_before_the_response_window_by_either_door(reviewed):
    world, _user, _org, submission = reviewed
    ana = world.reviewers[0]
    assignment = Assignment.objects.get(reviewer=ana, submission=submission)
    before = everything()
    page = form_answer(_review_page(ana.user, assignment, {"technology": 1, "commercial": 1}, {}))
    body = {"scores": {"technology": 1, "commercial": 1}, "submit": True}
    by_api = api_answer(api(ana.user, "put", f"reviews/{assignment.pk}", body))
    assert by_api.status == 409 and by_api.field is None
    assert by_api.message == "This review was submitted; ask a manager to reopen it."
    assert (page.field, page.message) == ("__all__", by_api.message)
    assert everything() == before


def test_a_conflict_declared_without_a_reason_is_refused_alike(reviewed):
    world, _user, _org, submission = reviewed
    cat = world.reviewers[2]
    assignment = Assignment.objects.get(reviewer=cat, submission=submission)
    before = everything()
    page = message_answer(
        logged_in(cat.user).post(
            reverse("programs:declare_conflict", args=[assignment.pk]), {"reason": " "}
        )
    )
    by_api = api_answer(api(cat.user, "post", f"reviews/{assignment.pk}/conflict", {"reason": " "}))
    assert (by_api.status, by_api.field) == (422, "reason")
    assert page.message == by_api.message == "Give a reason; it is kept in the audit log."
    assert everything() == before


# --- the assignment: the round's assignments page, the API, `programmes assign` ------------


def _assignments_page(world, position: int, data: dict):
    url = reverse("programs:assignments", args=[world.programme.slug, position])
    return logged_in(world.manager).post(url, data)


def test_running_the_assignment_of_a_planned_round_is_refused_by_every_door():
    world = make_programme(rounds=2)
    before = everything()
    page = message_answer(_assignments_page(world, 2, {"action": "run"}))
    by_api = api_answer(api(world.manager, "post", f"{world.programme.slug}/rounds/2/assignment"))
    cli = cli_answer(world.manager, "assign", world.programme.slug, "--round", "2")
    assert by_api.status == 409 and by_api.message == "Start the round before assigning reviewers."
    assert page.message == cli.message == by_api.message
    assert everything() == before


@pytest.mark.parametrize("action", ["add", "remove", "override", "reopen"])
def test_the_assignments_page_answers_404_for_what_is_not_an_id_or_not_this_programmes(
    reviewed, action
):
    world, _user, _org, submission = reviewed
    other = make_programme(slug="other-challenge", rounds=1)
    outsider = add_reviewer(other, "outsider")  # a reviewer of another programme
    not_ids = {"submission": "abc", "reviewer": "x", "assignment": "1e3"}
    elsewhere = {"submission": submission.pk, "reviewer": outsider.pk, "assignment": 987654}
    before = everything()
    for ids in (not_ids, elsewhere):
        data = {"action": action, "reason": "because", **ids}
        assert _assignments_page(world, 1, data).status_code == 404
    assert everything() == before


def test_adding_a_conflicted_reviewer_by_hand_is_refused_alike(reviewed):
    world, _user, org, submission = reviewed
    dan = add_reviewer(world, "dan")
    dan.declared_organisations.add(org)
    before = everything()
    page = message_answer(
        _assignments_page(
            world, 1, {"action": "add", "submission": submission.pk, "reviewer": dan.pk}
        )
    )
    by_api = api_answer(
        api(
            world.manager,
            "post",
            f"{world.programme.slug}/rounds/1/assignments",
            {"submission": submission.pk, "reviewer": dan.pk},
        )
    )
    assert (by_api.status, by_api.field) == (409, "reviewer")
    assert by_api.message.startswith("Conflict of interest:")
    assert page.message == by_api.message
    assert everything() == before


@pytest.mark.parametrize(
    ("who", "reason", "status", "message"),
    [
        ("cat", "", 422, "Give a reason; it is kept in the audit log."),
        ("ana", "not needed", 409, "This review was submitted; it stays in place."),
    ],
)
def test_taking_a_reviewer_off_is_refused_alike(reviewed, who, reason, status, message):
    world, _user, _org, submission = reviewed
    reviewer = next(r for r in world.reviewers if r.user.username == who)
    assignment = Assignment.objects.get(reviewer=reviewer, submission=submission)
    before = everything()
    page = message_answer(
        _assignments_page(
            world, 1, {"action": "remove", "assignment": assignment.pk, "reason": reason}
        )
    )
    path = f"assignments/{assignment.pk}?reason={reason}"
    by_api = api_answer(api(world.manager, "delete", path))
    assert (by_api.status, by_api.message) == (status, message)
    assert page.message == message
    assert everything() == before


# --- reopening a submitted review: the assignments page, the API, `programmes reopen-review` --


def _reopen_page(world, assignment, reason: str):
    return _assignments_page(
        world, 1, {"action": "reopen", "assignment": assignment.pk, "reason": reason}
    )


def _reopen_api(world, assignment, reason: str):
    return api(world.manager, "post", f"assignments/{assignment.pk}/reopen", {"reason": reason})


def _reopen_cli_args(world, assignment, reason: str) -> list[str]:
    return ["reopen-review", world.programme.slug, str(assignment.pk), "--reason", reason]


@pytest.mark.parametrize(
    ("who", "reason", "status", "field", "message"),
    [
        ("ana", "  ", 422, "reason", "Give a reason; it is kept in the audit log."),
        ("cat", "rescore", 409, None, "There is no submitted review to reopen."),
    ],
)
def test_reopening_a_review_is_refused_alike_by_every_door(
    reviewed, who, reason, status, field, message
):
    world, _user, _org, submission = reviewed
    reviewer = next(r for r in world.reviewers if r.user.username == who)
    assignment = Assignment.objects.get(reviewer=reviewer, submission=submission)
    before = everything()
    page = message_answer(_reopen_page(world, assignment, reason))
    by_api = api_answer(_reopen_api(world, assignment, reason))
    cli = cli_answer(world.manager, *_reopen_cli_args(world, assignment, reason))
    assert (by_api.status, by_api.field, by_api.message) == (status, field, message)
    assert page.message == message
    assert (cli.field, cli.message) == (field, message)
    assert everything() == before


def test_each_door_reopens_a_review_tells_the_reviewer_and_audits_it(reviewed, committed):
    world, _user, _org, submission = reviewed
    ana = world.reviewers[0]
    assignment = Assignment.objects.get(reviewer=ana, submission=submission)
    review = assignment.review
    doors = [
        lambda: _reopen_page(world, assignment, "Rescore commercial").status_code == 302,
        lambda: _reopen_api(world, assignment, "Rescore commercial").status_code == 200,
        lambda: "reopened" in run_cli(world.manager, *_reopen_cli_args(world, assignment, "x")),
    ]
    for door in doors:
        if Review.objects.get(pk=review.pk).status == "draft":  # reopened by the last door
            services.save_review(
                user=ana.user, assignment=assignment, data={"scores": review.scores}, submit=True
            )
        mail.outbox.clear()
        with committed():
            assert door()
        assert Review.objects.get(pk=review.pk).status == "draft"
        assert [m.to for m in mail.outbox] == [[ana.user.email]]
    assert AuditEntry.objects.filter(action="review_reopen").count() == 3


def test_only_managers_reopen_reviews(reviewed):
    world, user, _org, submission = reviewed
    ana = world.reviewers[0]
    assignment = Assignment.objects.get(reviewer=ana, submission=submission)
    assert _reopen_api_as(ana.user, assignment).status_code == 404
    assert _reopen_api_as(user, assignment).status_code == 404
    with pytest.raises(CommandError):
        run_cli(ana.user, *_reopen_cli_args(world, assignment, "mine"))
    page = logged_in(ana.user).post(
        reverse("programs:assignments", args=[world.programme.slug, 1]),
        {"action": "reopen", "assignment": assignment.pk, "reason": "mine"},
    )
    assert page.status_code == 403
    assert Review.objects.get(assignment=assignment).status == "submitted"


def test_the_assignments_page_offers_reopening_a_submitted_review_and_removing_the_others(
    reviewed,
):
    world, _user, _org, _submission = reviewed
    url = reverse("programs:assignments", args=[world.programme.slug, 1])
    page = logged_in(world.manager).get(url).content.decode()
    assert page.count('value="reopen"') == 2  # ana's and ben's reviews are in
    assert page.count('value="remove"') == 1  # cat has not started
    chinese = logged_in(world.manager).get(f"/zh-hans{url[3:]}").content.decode()
    assert "重新开放评审" in chinese


def _reopen_api_as(user, assignment):
    return api(user, "post", f"assignments/{assignment.pk}/reopen", {"reason": "mine"})


# --- decisions: the ranking page, POST /programmes/{slug}/rounds/{n}/decisions -------------


BAD_DECISIONS = [
    # (outcome, reason, the submission given, the field, its message)
    ("reject", " ", None, "decisions[1].reason", "Row 1: give a reason."),
    ("maybe", "weak", None, "decisions[1].outcome", "Row 1: choose advance, reject or award."),
    (
        "advance",
        "strong",
        None,
        "decisions[1].outcome",
        "Row 1: this is the last round; award or reject.",
    ),
    (
        "reject",
        "weak",
        987654,
        "decisions[1].submission",
        "Row 1: there is no submission 987654 in this programme.",
    ),
]


@pytest.mark.parametrize(("outcome", "reason", "given", "field", "message"), BAD_DECISIONS)
def test_a_bad_decision_is_refused_alike_by_the_page_and_the_api(
    reviewed, outcome, reason, given, field, message
):
    world, _user, _org, submission = reviewed
    pk = given or submission.pk
    before = everything()
    page = message_answer(
        logged_in(world.manager).post(
            reverse("programs:ranking", args=[world.programme.slug, 1]),
            {"submission": [pk], f"outcome_{pk}": outcome, "reason": reason},
        )
    )
    by_api = api_answer(
        api(
            world.manager,
            "post",
            f"{world.programme.slug}/rounds/1/decisions",
            {"decisions": [{"submission": pk, "outcome": outcome, "reason": reason}]},
        )
    )
    assert (by_api.field, by_api.message) == (field, message)
    assert page.message == message
    assert everything() == before


def test_publishing_without_winners_is_refused_by_every_door(reviewed):
    world, _user, _org, _submission = reviewed
    before = everything()
    page = message_answer(
        logged_in(world.manager).post(reverse("programs:publish", args=[world.programme.slug]))
    )
    by_api = api_answer(api(world.manager, "post", f"{world.programme.slug}/publish"))
    cli = cli_answer(world.manager, "publish", world.programme.slug)
    assert (by_api.status, by_api.message) == (409, "No submission has been awarded yet.")
    assert page.message == cli.message == by_api.message
    assert everything() == before


# --- the pool after set-up: PATCH …/reviewers/{id}, `deactivate-reviewer`; the profile ------


def test_deactivating_without_a_reason_is_refused_by_the_api_and_the_cli(reviewed):
    world, _user, _org, _submission = reviewed
    cat = world.reviewers[2]
    before = everything()
    by_api = api_answer(
        api(
            world.manager,
            "patch",
            f"{world.programme.slug}/reviewers/{cat.pk}",
            {"active": False, "reason": ""},
        )
    )
    cli = cli_answer(world.manager, "deactivate-reviewer", world.programme.slug, "cat")
    assert (by_api.status, by_api.field) == (422, "reason")
    assert (cli.field, cli.message) == ("reason", by_api.message)
    assert everything() == before


def test_a_change_refused_in_part_leaves_the_reviewer_active(reviewed):
    """PATCH …/reviewers/{id} deactivates and changes the sectors in one step: a bad sector
    used to leave the reviewer deactivated behind the 422."""
    world, _user, _org, _submission = reviewed
    cat = world.reviewers[2]
    before = everything()
    body = {"active": False, "reason": "on leave", "sectors": ["moon-mining"]}
    path = f"{world.programme.slug}/reviewers/{cat.pk}"
    refused = api_answer(api(world.manager, "patch", path, body))
    assert (refused.status, refused.field) == (422, "sectors[0]")
    assert everything() == before
    body["sectors"] = ["solar-power"]
    assert api(world.manager, "patch", path, body).json()["active"] is False


@pytest.mark.parametrize(
    ("expertise", "sectors", "field", "message"),
    [
        ("PV", ["solar-power", "moon-mining"], "sectors[1]", "There is no sector moon-mining."),
        ("x" * 5001, [], "expertise", "Keep this under 5000 characters."),
    ],
)
def test_a_bad_reviewer_profile_is_refused_alike_by_the_page_and_the_api(
    reviewed, expertise, sectors, field, message
):
    world, _user, _org, _submission = reviewed
    cat = world.reviewers[2]
    before = everything(), sorted(cat.sectors.values_list("slug", flat=True))
    page = form_answer(
        logged_in(cat.user).post(
            reverse("programs:reviewer_profile", args=[world.programme.slug]),
            {"expertise": expertise, "sectors": sectors},
        )
    )
    by_api = api_answer(
        api(
            cat.user,
            "patch",
            f"{world.programme.slug}/reviewers/me",
            {"expertise": expertise, "sectors": sectors},
        )
    )
    assert (by_api.status, by_api.field, by_api.message) == (422, field, message)
    assert (page.field, page.message) == (field.split("[")[0], message)
    assert (everything(), sorted(cat.sectors.values_list("slug", flat=True))) == before


# --- bids: the bids page, PUT /programmes/{slug}/bids/{submission_id} ----------------------


def test_a_bid_out_of_range_is_refused_alike_by_the_page_and_the_api():
    world = make_programme(rounds=1)
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    services.start_round(user=world.manager, round=world.rounds[0])
    ana = add_reviewer(world, "ana")
    before = everything()
    page = message_answer(
        logged_in(ana.user).post(
            reverse("programs:place_bid", args=[world.programme.slug, submission.pk]),
            {"preference": "3"},
        )
    )
    by_api = api_answer(
        api(ana.user, "put", f"{world.programme.slug}/bids/{submission.pk}", {"preference": 3})
    )
    assert (by_api.status, by_api.field) == (422, "preference")
    assert by_api.message.startswith("Choose −1 (rather not), 0, 1 or 2")
    assert page.message == by_api.message
    assert everything() == before


# --- closing the call, overriding a conflict: dashboard / assignments page, API, CLI -------


def test_closing_a_closed_call_is_refused_by_every_door_and_each_door_closes_an_open_one():
    doors = []
    for slug in ("by-page", "by-api", "by-cli"):
        world = make_programme(slug=slug)
        doors.append(world)
    page_world, api_world, cli_world = doors

    def by_page(world):
        url = reverse("programs:close_call", args=[world.programme.slug])
        return logged_in(world.manager).post(url)

    def by_api(world):
        return api(world.manager, "post", f"{world.programme.slug}/call/close")

    assert by_page(page_world).status_code == 302
    assert by_api(api_world).status_code == 200
    assert "closed at" in run_cli(cli_world.manager, "close-call", cli_world.programme.slug)
    assert not any(p.is_open() for p in Programme.objects.all())
    assert AuditEntry.objects.filter(action="call_window").count() == 3

    before = everything()
    page = message_answer(by_page(page_world))
    refused = api_answer(by_api(api_world))
    cli = cli_answer(cli_world.manager, "close-call", cli_world.programme.slug)
    assert (refused.status, refused.message) == (409, "The call is not open.")
    assert page.message == cli.message == refused.message
    assert everything() == before


@pytest.fixture
def detected(reviewed):
    """``reviewed`` with dan, whose e-mail domain is the applicant's (its website's and its
    member's): a detected conflict a manager may set aside."""
    world, _user, _org, submission = reviewed
    dan = add_reviewer(world, "dan", email="x@sunco.example")
    Organisation.objects.filter(pk=submission.applicant_id).update(website="https://sunco.example")
    return world, submission, dan


def _override_page(world, dan, submission, reason: str):
    data = {"action": "override", "reviewer": dan.pk, "submission": submission.pk}
    return _assignments_page(world, 1, {**data, "reason": reason})


def _override_api(world, dan, submission, reason: str):
    path = f"{world.programme.slug}/reviewers/{dan.pk}/overrides"
    return api(world.manager, "post", path, {"submission": submission.pk, "reason": reason})


def _override_cli(world, dan, submission, reason: str) -> list[str]:
    slug = world.programme.slug
    name = dan.user.username
    return ["override-conflict", slug, name, str(submission.pk), "--reason", reason]


def test_an_override_without_a_reason_is_refused_by_every_door(detected):
    world, submission, dan = detected
    before = everything()
    page = message_answer(_override_page(world, dan, submission, " "))
    by_api = api_answer(_override_api(world, dan, submission, " "))
    cli = cli_answer(world.manager, *_override_cli(world, dan, submission, " "))
    assert (by_api.status, by_api.field) == (422, "reason")
    assert by_api.message == "Give a reason; it is kept in the audit log."
    assert page.message == by_api.message and (cli.field, cli.message) == ("reason", page.message)
    assert everything() == before


def test_a_declared_conflict_is_not_overridden_through_any_door(detected):
    world, submission, _dan = detected
    eve = add_reviewer(world, "eve")  # no tie the platform detects
    eve.declared_organisations.add(submission.applicant)
    before = everything()
    page = message_answer(_override_page(world, eve, submission, "no tie"))
    by_api = api_answer(_override_api(world, eve, submission, "no tie"))
    cli = cli_answer(world.manager, *_override_cli(world, eve, submission, "no tie"))
    assert (by_api.status, by_api.message) == (409, "There is no detected conflict to override.")
    assert page.message == cli.message == by_api.message
    assert everything() == before


@pytest.mark.parametrize("door", ["page", "api", "cli"])
def test_each_door_overrides_a_detected_conflict_with_its_reason(detected, door):
    world, submission, dan = detected
    if door == "page":
        assert _override_page(world, dan, submission, "shared host").status_code == 302
    elif door == "api":
        made = _override_api(world, dan, submission, "shared host")
        assert made.status_code == 201 and made.json()["reason"] == "shared host"
    else:
        run_cli(world.manager, *_override_cli(world, dan, submission, "shared host"))
    assert list(ConflictNote.objects.values_list("reviewer", "kind", "reason")) == [
        (dan.pk, "override", "shared host")
    ]
    assert AuditEntry.objects.filter(action="conflict_override").count() == 1


def test_only_managers_override(detected):
    world, submission, dan = detected
    path = f"{world.programme.slug}/reviewers/{dan.pk}/overrides"
    body = {"submission": submission.pk, "reason": "mine"}
    assert api(dan.user, "post", path, body).status_code == 404
    with pytest.raises(CommandError):
        run_cli(dan.user, *_override_cli(world, dan, submission, "mine"))
    assert not ConflictNote.objects.exists()


# --- good input: each door does the same thing ----------------------------------------------


def two_in_review():
    """A one-round programme with two submissions in review and ana and ben in the pool,
    both assigned to both; nothing reviewed yet."""
    world = make_programme(rounds=1, k=2)
    submissions = []
    for name in ("Sun Co", "Wind Co"):
        user, org = add_applicant(world, name)
        submissions.append(apply(world, user, org, title=f"{name} roofs"))
    services.start_round(user=world.manager, round=world.rounds[0])
    ana, ben = add_reviewer(world, "ana"), add_reviewer(world, "ben")
    for submission in submissions:
        submission.refresh_from_db()
        for reviewer in (ana, ben):
            assigning.add_assignment(
                user=world.manager, round=world.rounds[0], submission=submission, reviewer=reviewer
            )
    return world, submissions


def test_a_review_submitted_through_the_page_or_the_api_is_the_same():
    world, (first, second) = two_in_review()
    ana = world.reviewers[0]
    on_page = Assignment.objects.get(reviewer=ana, submission=first)
    by_api = Assignment.objects.get(reviewer=ana, submission=second)
    scores = {"technology": 4, "commercial": 2}
    others = {"confidence": 3, "recommendation": "award"}
    assert _review_page(ana.user, on_page, scores, others).status_code == 302
    body = {"scores": scores, "submit": True, **others}
    assert api(ana.user, "put", f"reviews/{by_api.pk}", body).status_code == 200
    saved = Review.objects.order_by("pk").values_list(
        "status", "scores", "confidence", "recommendation", "total"
    )
    assert len(saved) == 2 and saved[0] == saved[1]
    assert saved[0][:4] == ("submitted", scores, 3, "award")


def test_a_conflict_declared_through_the_page_or_the_api_is_the_same():
    world, (first, second) = two_in_review()
    ana = world.reviewers[0]
    on_page = Assignment.objects.get(reviewer=ana, submission=first)
    by_api = Assignment.objects.get(reviewer=ana, submission=second)
    url = reverse("programs:declare_conflict", args=[on_page.pk])
    assert logged_in(ana.user).post(url, {"reason": "my cousin"}).status_code == 302
    body = {"reason": "my cousin"}
    assert api(ana.user, "post", f"reviews/{by_api.pk}/conflict", body).status_code == 204
    notes = ConflictNote.objects.order_by("submission_id").values_list(
        "submission_id", "kind", "reason"
    )
    assert list(notes) == [(s.pk, "declared", "my cousin") for s in (first, second)]
    assert api(ana.user, "get", "reviews").json() == []  # both left the queue


def test_reviewers_added_and_removed_through_the_page_or_the_api_are_the_same():
    world, (first, second) = two_in_review()
    cat = add_reviewer(world, "cat")
    slug = world.programme.slug
    data = {"action": "add", "submission": first.pk, "reviewer": cat.pk}
    page = _assignments_page(world, 1, data)
    assert page.status_code == 302
    body = {"submission": second.pk, "reviewer": cat.pk}
    assert api(world.manager, "post", f"{slug}/rounds/1/assignments", body).status_code == 201
    added = Assignment.objects.filter(reviewer=cat).order_by("submission_id")
    assert [(a.submission_id, a.manual) for a in added] == [(first.pk, True), (second.pk, True)]
    on_page, by_api = added
    data = {"action": "remove", "assignment": on_page.pk, "reason": "too busy"}
    assert _assignments_page(world, 1, data).status_code == 302
    path = f"assignments/{by_api.pk}?reason=too busy"
    assert api(world.manager, "delete", path).status_code == 204
    assert not Assignment.objects.filter(reviewer=cat).exists()
    removals = AuditEntry.objects.filter(action="assignment_remove", reason="too busy")
    assert removals.count() == 2


def test_decisions_through_the_page_or_the_api_are_the_same():
    world, (first, second) = two_in_review()
    page = logged_in(world.manager).post(
        reverse("programs:ranking", args=[world.programme.slug, 1]),
        {"submission": [first.pk], f"outcome_{first.pk}": "reject", "reason": "out of scope"},
    )
    assert page.status_code == 302
    body = {"decisions": [{"submission": second.pk, "outcome": "reject", "reason": "out of scope"}]}
    made = api(world.manager, "post", f"{world.programme.slug}/rounds/1/decisions", body)
    assert made.status_code == 201
    decided = Decision.objects.order_by("submission_id").values_list(
        "submission_id", "outcome", "reason"
    )
    assert list(decided) == [
        (first.pk, "reject", "out of scope"),
        (second.pk, "reject", "out of scope"),
    ]
    statuses = Submission.objects.order_by("pk").values_list("status", flat=True)
    assert list(statuses) == ["rejected", "rejected"]


def test_withdrawing_through_the_page_or_the_api_is_the_same():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    first, second = apply(world, user, org), apply(world, user, org, title="Second")
    url = reverse("programs:submission_withdraw", args=[first.pk])
    assert logged_in(user).post(url, {"reason": "merged"}).status_code == 302
    body = {"reason": "merged"}
    assert api(user, "post", f"submissions/{second.pk}/withdraw", body).status_code == 200
    assert list(Submission.objects.values_list("status", flat=True)) == ["withdrawn"] * 2
    withdrawals = AuditEntry.objects.filter(action="submission_withdraw", reason="merged")
    assert withdrawals.count() == 2
