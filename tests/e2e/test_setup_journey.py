"""Issue 16: a manager sets a programme up on an empty site entirely in the browser (call,
tracks, rounds, rubric, reviewers, preview, publishing); an applicant then applies, picking
the linked solution by its name."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ecotone.core.testing import OrganisationFactory, SolutionFactory, UserFactory, make_member
from ecotone.programs.models import Criterion, Programme, Reviewer, Submission

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWER_LIST = (
    "user,expertise,sectors,max_load\n"
    "lea@experts.example,batteries,,4\n"
    "max@newcomer.example,heat pumps,,\n"  # no account yet: one is opened for them
)


def shanghai(moment) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(8 * 60)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def test_a_manager_sets_a_programme_up_and_an_applicant_applies(browser, live_server):
    fund = OrganisationFactory(name_en="Green Fund")
    make_member(UserFactory(username="mia", email="mia@greenfund.example"), fund)
    UserFactory(username="kai", email="kai@experts.example")
    UserFactory(username="lea", email="lea@experts.example")
    startup = OrganisationFactory(name_en="Sunroof Labs")
    make_member(UserFactory(username="ana"), startup)
    tiles = SolutionFactory(title_en="SolarRoof Tiles", provider=startup)
    SolutionFactory(title_en="SolarRoof Inverter")
    assert not Programme.objects.exists()
    base = live_server.url

    manager = browser.new_page()
    log_in(manager, base, "mia")
    manager.goto(f"{base}/en/programmes/")
    expect(manager.locator("main")).to_contain_text("No programme yet.")
    manager.get_by_role("link", name="Set a programme up").click()
    manager.get_by_label("Title (English)").fill("Cool Cities Prize")
    manager.get_by_label("Short name").fill("Cool Cities")
    manager.get_by_role("button", name="Create the programme").click()
    expect(manager.locator(".field.has-error")).to_contain_text(
        "Use lower-case letters, digits and single hyphens."
    )
    manager.get_by_label("Short name").fill("cool-cities")
    manager.get_by_role("button", name="Create the programme").click()
    expect(manager.locator(".messages")).to_contain_text("a draft only its managers see")
    expect(manager.locator("h1")).to_contain_text("Set up Cool Cities Prize")

    # the call: texts and dates in the programme's time zone (Asia/Shanghai)
    now = timezone.now()
    manager.get_by_label("Who may apply (English)").fill("Start-ups with a working product.")
    manager.get_by_label("Call opens").fill(shanghai(now - timedelta(days=1)))
    manager.get_by_label("Call closes").fill(shanghai(now + timedelta(days=30)))
    manager.get_by_label("Number of awards").fill("2")
    manager.get_by_role("button", name="Save the call").click()
    expect(manager.locator(".messages")).to_contain_text("The set-up is saved.")
    expect(manager.locator(".setup-steps .done").first).to_contain_text("Call dates")

    # tracks
    manager.get_by_role("link", name="Tracks").first.click()
    manager.get_by_label("Name (English) (1)").fill("Energy")
    manager.get_by_label("Key (2)").fill("transport")
    manager.get_by_label("Name (English) (2)").fill("Transport")
    manager.get_by_label("Sectors (slugs, separated by ;) (2)").fill("electric-vehicles")
    manager.get_by_role("button", name="Save the tracks").click()
    expect(manager.locator(".messages")).to_contain_text("The set-up is saved.")
    expect(manager.get_by_label("Name (English) (2)")).to_have_value("Transport")

    # a question every applicant answers
    manager.locator(".setup-nav").get_by_role("link", name="Questions").click()
    manager.get_by_label("Key (1)").fill("team")
    manager.get_by_label("Question (English) (1)").fill("Who is on your team?")
    manager.get_by_label("Before submitting (1)").select_option("yes")
    manager.get_by_role("button", name="Save the questions").click()
    expect(manager.locator(".messages")).to_contain_text("The set-up is saved.")

    # rounds: a second, final round
    manager.locator(".setup-nav").get_by_role("link", name="Rounds and rubric").click()
    manager.get_by_label("Kind (2)").select_option("final")
    manager.get_by_label("Name (English) (2)").fill("Jury")
    manager.get_by_label("Reviewers per submission (2)").fill("many")
    manager.get_by_role("button", name="Save the rounds").click()
    expect(manager.locator(".setup-row .has-error")).to_contain_text(
        "Give a whole number from 1 to 50."
    )
    manager.get_by_label("Reviewers per submission (2)").fill("5")
    manager.get_by_label("Reviews due (2)").fill(shanghai(now + timedelta(days=60)))
    manager.get_by_role("button", name="Save the rounds").click()
    expect(manager.locator(".messages")).to_contain_text("The set-up is saved.")

    # the rubric of round 1: weights and level descriptors
    manager.get_by_role("link", name="1 criterion").first.click()
    manager.get_by_label("Weight (1)").fill("2")
    manager.get_by_label("Highest score (1)").fill("3")
    manager.get_by_label("Level descriptors (1)").fill("Weak | 弱\nFair | 中\nStrong | 强")
    manager.get_by_label("Key (2)").fill("impact")
    manager.get_by_label("Name (English) (2)").fill("Climate impact")
    manager.get_by_label("Lowest score (2)").fill("1")
    manager.get_by_label("Highest score (2)").fill("2")
    manager.get_by_label("Level descriptors (2)").fill("Small\nLarge\nHuge")
    manager.get_by_role("button", name="Save the rubric").click()
    expect(manager.locator(".setup-row .has-error")).to_contain_text(
        "Give one descriptor per level: 2, lowest first."
    )
    manager.get_by_label("Level descriptors (2)").fill("Small\nLarge")
    manager.get_by_role("button", name="Save the rubric").click()
    expect(manager.locator(".messages")).to_contain_text("The set-up is saved.")

    # the reviewer pool: an invitation and an imported list
    manager.locator(".setup-nav").get_by_role("link", name="Reviewer pool").click()
    manager.get_by_label("Their e-mail address (or username)").fill("kai@experts.example")
    manager.get_by_label("Sectors (slugs, separated by ;)").fill("solar-power")
    manager.get_by_role("button", name="Invite").click()
    expect(manager.locator(".messages")).to_contain_text("we e-mailed them the invitation")
    manager.get_by_label("Reviewer list (CSV)").set_input_files(
        files=[{"name": "pool.csv", "mimeType": "text/csv", "buffer": REVIEWER_LIST.encode()}]
    )
    manager.get_by_role("button", name="Import").click()
    expect(manager.locator(".messages")).to_contain_text("2 reviewers imported and invited.")
    expect(manager.locator(".reviewers")).to_contain_text("lea")

    # preview, then publish
    manager.locator(".setup-nav").get_by_role("link", name="Preview and publish").click()
    expect(manager.locator(".preview")).to_contain_text("Start-ups with a working product.")
    expect(manager.locator(".preview")).to_contain_text("Strong")
    expect(manager.locator(".preview")).to_contain_text("Jury")
    manager.get_by_role("button", name="Publish the call").click()
    expect(manager.locator(".messages")).to_contain_text("The call is published")

    programme = Programme.objects.get(slug="cool-cities")
    assert programme.visibility == "public" and programme.organiser == fund
    assert [t.key for t in programme.tracks.all()] == ["general", "transport"]
    assert [r.name_en for r in programme.rounds_in_order()] == ["", "Jury"]
    impact = Criterion.objects.get(round__programme=programme, key="impact")
    assert [level["en"] for level in impact.levels] == ["Small", "Large"]
    assert {r.user.username for r in Reviewer.objects.filter(programme=programme)} == {
        "kai",
        "lea",
        "max",
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kai@experts.example",
        "lea@experts.example",
        "max@newcomer.example",
    ]
    assert "Choose its password here" in mail.outbox[-1].body

    # an applicant applies, picking the solution by name
    applicant = browser.new_page()
    log_in(applicant, base, "ana")
    applicant.goto(f"{base}/en/programmes/")
    applicant.get_by_role("link", name="Cool Cities Prize").click()
    applicant.get_by_role("link", name="Apply").click()
    applicant.fill("input[name=title]", "Cool roofs for schools")
    applicant.fill("textarea[name=summary]", "Reflective roofs on 40 schools.")
    applicant.get_by_label("Who is on your team?").fill("Two engineers and an architect.")
    box = applicant.get_by_label("Linked solution")
    box.press_sequentially("solarroof")
    suggestions = applicant.locator("#solution-suggestions option")
    expect(suggestions).to_have_count(2)
    applicant.get_by_role("button", name="Save draft").click()
    expect(applicant.locator(".field.has-error")).to_contain_text(
        "Several published solutions match"
    )
    box = applicant.get_by_label("Linked solution")
    box.fill("")
    box.press_sequentially("solarroof til")
    expect(suggestions).to_have_count(1)
    box.fill(suggestions.first.get_attribute("value"))
    applicant.get_by_role("button", name="Submit application").click()
    expect(applicant.locator(".record-head")).to_contain_text("Submitted")
    expect(applicant.locator("main")).to_contain_text("SolarRoof Tiles")
    assert Submission.objects.get().solution == tiles
