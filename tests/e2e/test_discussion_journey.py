"""Reviewers discuss a submission, the manager opens a response window, the applicant
responds and a reviewer reads the response and revises a score — in a real Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ecotone.core.testing import OrganisationFactory, UserFactory, make_member
from ecotone.programs import services
from ecotone.programs.models import Assignment, Review
from ecotone.programs.services import assigning, pool
from ecotone.programs.tests.conftest import apply, make_programme
from ecotone.search.backends import reset_search_backend

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_search_index(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield
    reset_search_backend()


def reviewed_submission():
    """A blind programme in its round: Sunroof Labs' submission reviewed by kai and lin."""
    world = make_programme(slug="river-challenge", rounds=1, k=2)
    startup = OrganisationFactory(name_en="Sunroof Labs")
    ana = UserFactory(username="ana", email="ana@sunroof.example")
    make_member(ana, startup)
    submission = apply(world, ana, startup, title="Solar roofs for schools")
    services.start_round(user=world.manager, round=world.rounds[0])
    submission.refresh_from_db()
    for name, technology in (("kai", 3), ("lin", 4)):
        user = UserFactory(username=name, email=f"{name}@experts.example")
        reviewer = pool.add_to_pool(
            user=world.manager,
            programme=world.programme,
            identifier=name,
            expertise="rooftop solar power",
            sector_slugs=["solar-power"],
        )
        assignment = assigning.add_assignment(
            user=world.manager, round=world.rounds[0], submission=submission, reviewer=reviewer
        )
        services.save_review(
            user=user,
            assignment=assignment,
            data={
                "scores": {"technology": technology, "commercial": 3},
                "comment_to_applicant": f"{name}: how is the storage paid for?",
                "comment_to_committee": f"{name} thinks it is borderline",
            },
            submit=True,
        )
    return world, submission


def test_reviewers_discuss_the_applicant_responds_and_a_score_is_revised(
    browser, live_server, own_search_index
):
    world, submission = reviewed_submission()
    base = live_server.url

    kai = browser.new_page()
    log_in(kai, base, "kai")
    kai.goto(f"{base}/en/programmes/reviews/")
    kai.get_by_role("link", name="Solar roofs for schools").click()
    kai.get_by_role("link", name="Reviewers' discussion").click()
    kai.fill("textarea[name=body]", "The storage costs look optimistic to me.")
    kai.get_by_role("button", name="Post the message").click()
    expect(kai.locator(".messages")).to_contain_text("Your message is posted.")
    expect(kai.locator(".post").first).to_contain_text("Reviewer 1")

    lin = browser.new_page()
    log_in(lin, base, "lin")
    lin.goto(f"{base}/en/programmes/submissions/{submission.pk}/discussion/")
    first = lin.locator(".post").first
    expect(first.locator(".post-author")).to_have_text("Reviewer 1")  # blind: no name
    expect(first).to_contain_text("The storage costs look optimistic to me.")
    expect(lin.locator("main")).not_to_contain_text("kai")
    expect(lin.locator("main")).not_to_contain_text("Sunroof Labs")
    lin.fill("textarea[name=body]", "Agreed; let us see what they answer.")
    lin.get_by_role("button", name="Post the message").click()
    expect(lin.locator(".post").last).to_contain_text("Reviewer 2")

    manager = browser.new_page()
    log_in(manager, base, world.manager.username)
    manager.goto(f"{base}/en/programmes/river-challenge/manage/")
    manager.get_by_role("link", name="Applicant responses").first.click()
    local_now = timezone.localtime(timezone.now(), world.programme.zone)
    manager.fill(
        "input[name=opens_at]", (local_now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    manager.fill(
        "input[name=closes_at]", (local_now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    )
    manager.get_by_role("button", name="Open a response window").click()
    expect(manager.locator(".messages")).to_contain_text("The response window is saved")
    expect(manager.locator(".window-dates")).to_contain_text("open")

    applicant = browser.new_page()
    log_in(applicant, base, "ana")
    applicant.goto(f"{base}/en/programmes/mine/")
    applicant.get_by_role("link", name="Respond to the reviews").click()
    expect(applicant.locator(".comments")).to_contain_text("kai: how is the storage paid for?")
    expect(applicant.locator("main")).not_to_contain_text("borderline")
    applicant.fill("textarea[name=text]", "A green loan pays for the storage; see annex B.")
    applicant.get_by_role("button", name="Save my response").click()
    expect(applicant.locator(".messages")).to_contain_text("Your response is saved.")
    applicant.goto(f"{base}/en/programmes/submissions/{submission.pk}/discussion/")
    expect(applicant.locator("main")).not_to_contain_text("optimistic")

    kai.goto(f"{base}/en/programmes/reviews/")
    kai.get_by_role("link", name="Solar roofs for schools").click()
    expect(kai.locator(".applicant-responses")).to_contain_text("A green loan pays")
    kai.get_by_label("5 — level 5").first.check()
    kai.get_by_role("button", name="Revise review").click()
    expect(kai.locator(".messages")).to_contain_text("Review revised.")
    expect(kai.get_by_label("5 — level 5").first).to_be_checked()

    revised = Review.objects.get(assignment=Assignment.objects.get(reviewer__user__username="kai"))
    assert revised.scores == {"technology": 5, "commercial": 3}
    assert revised.status == "submitted"
