"""The pages: public call, applying, reviewing with the rubric, the manager's pages."""

import io

import pytest
from django.template import Context, Template
from openpyxl import load_workbook

from ecotone.core.testing import logged_in
from ecotone.programs.models import Assignment, Submission
from ecotone.programs.services import assigning

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db


def test_the_public_pages_show_the_call_and_rubric_in_both_languages(client):
    world = make_programme()
    assert world.programme.title_en in client.get("/en/programmes/").content.decode()
    page = client.get(world.programme.get_absolute_url()).content.decode()
    assert "Technology" in page and "level 3" in page and "Asia/Shanghai" in page
    chinese = client.get(f"/zh-hans/programmes/{world.programme.slug}/").content.decode()
    assert "测试挑战赛" in chinese and "等级3" in chinese
    assert client.get(f"/en/programmes/{world.programme.slug}/results/").status_code == 404


def test_an_applicant_saves_a_draft_then_submits_through_the_form():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    client = logged_in(user)
    form = {
        "applicant": org.pk,
        "track": "energy",
        "title": "Roofs",
        "summary": "",
        "action": "save",
    }
    response = client.post(f"/en/programmes/{world.programme.slug}/apply/", form)
    submission = Submission.objects.get()
    assert response.status_code == 302 and submission.status == "draft"
    edit = f"/en/programmes/submissions/{submission.pk}/edit/"
    refused = client.post(edit, {**form, "action": "submit"})
    assert refused.status_code == 422
    assert "Answer this question before submitting." in refused.content.decode()
    client.post(edit, {**form, "summary": "Solar", "answer_impact": "Lots", "action": "submit"})
    submission.refresh_from_db()
    assert submission.status == "submitted"


def _assigned_world():
    world = make_programme(k=1)
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org)
    reviewer = add_reviewer(world, "rev")
    from ecotone.programs import services

    services.start_round(user=world.manager, round=world.rounds[0])
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    return world, submission, reviewer


def test_a_reviewer_scores_with_the_rubric_descriptors_and_saves_a_draft():
    _world, _submission, reviewer = _assigned_world()
    assignment = Assignment.objects.get()
    client = logged_in(reviewer.user)
    url = f"/en/programmes/reviews/{assignment.pk}/"
    page = client.get(url).content.decode()
    assert "4 — level 4" in page and "Sun Co" not in page  # blind review hides the applicant
    client.post(url, {"score_technology": "4", "action": "save"})
    assert Assignment.objects.get().review.status == "draft"
    client.post(
        url,
        {
            "score_technology": "4",
            "score_commercial": "5",
            "comment_to_applicant": "Good",
            "action": "submit",
        },
    )
    assert Assignment.objects.get().review.status == "submitted"


def test_the_manager_pages_render_and_export_xlsx():
    world, submission, _reviewer = _assigned_world()
    client = logged_in(world.manager)
    slug = world.programme.slug
    assert "Submissions per track" in client.get(f"/en/programmes/{slug}/manage/").content.decode()
    assignments = client.get(f"/en/programmes/{slug}/manage/rounds/1/assignments/").content.decode()
    assert "Why this reviewer" in assignments
    assert client.get(f"/en/programmes/{slug}/manage/rounds/1/ranking/").status_code == 200
    book = load_workbook(io.BytesIO(client.get(f"/en/programmes/{slug}/export.xlsx").content))
    rows = list(book.active.values)
    assert rows[1][1] == submission.title and "mean_total" in rows[0]
    assert (
        logged_in(world.applicants[0][0]).get(f"/en/programmes/{slug}/manage/").status_code == 403
    )


def test_the_awards_panel_lists_published_programmes_only():
    world = make_programme()
    _user, org = add_applicant(world, "Sun Co")
    Submission.objects.create(
        programme=world.programme,
        track=world.tracks["energy"],
        applicant=org,
        title="t",
        status="awarded",
    )
    render = lambda: Template("{% load programs %}{% programme_awards_panel org %}").render(  # noqa: E731
        Context({"org": org})
    )
    assert "Test Challenge" not in render()
    from django.utils import timezone

    world.programme.results_published_at = timezone.now()
    world.programme.save()
    assert "Test Challenge" in render()
