"""Every e-mail of a programme: who gets it, its subject, its absolute link, and what it must
not say — nothing to a conflicted reviewer, no applicant name to reviewers in blind review,
no reviewer name to applicants."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from ecotone.accounts.models import AuditEntry
from ecotone.core.testing import logged_in
from ecotone.programs import emails, services
from ecotone.programs.models import Assignment
from ecotone.programs.services import assigning, decisions, reminders

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db

SITE = "https://ecotone.example"
SCORES = {"technology": 4, "commercial": 5}


@pytest.fixture(autouse=True)
def site(settings):
    settings.ECOTONE_SITE_URL = SITE


def to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def running(committed):
    """A blind programme in its first round: one submission, two clean reviewers assigned."""
    world = make_programme(rounds=1, k=2)
    user, org = add_applicant(world, "Sun Co")
    with committed():
        submission = apply(world, user, org, title="Floating solar")
    services.start_round(user=world.manager, round=world.rounds[0])
    add_reviewer(world, "ana")
    add_reviewer(world, "ben")
    mail.outbox.clear()
    return world, user, org, submission


def test_the_applicant_is_told_the_application_arrived(committed):
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    colleague = add_applicant(world, "Other")[0]
    with committed():
        submission = apply(world, user, org, title="Floating solar")
    [message] = mail.outbox
    assert message.to == [user.email]
    assert colleague.email not in message.to
    assert message.subject == "Application received: Floating solar"
    assert f"{SITE}/en/programmes/submissions/{submission.pk}/" in message.body


def test_each_reviewer_gets_their_own_list_without_the_applicants_name(running, committed):
    world, _user, org, _submission = running
    with committed():
        assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in world.reviewers)
    for message in mail.outbox:
        assert message.subject == "Submissions to review"
        assert "Floating solar" in message.body
        assert org.name_en not in message.body  # blind review
        assert f"{SITE}/en/programmes/reviews/" in message.body


def test_a_reviewer_conflicted_with_the_applicant_hears_nothing_of_it(running, committed):
    world, _user, org, _submission = running
    conflicted = add_reviewer(world, "cat")
    conflicted.declared_organisations.add(org)
    with committed():
        assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert to(conflicted.user.email) == []


def test_a_decision_reaches_the_applicant_with_its_reason_and_no_reviewer(running, committed):
    world, user, _org, submission = running
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    for assignment in Assignment.objects.select_related("reviewer__user"):
        services.save_review(
            user=assignment.reviewer.user,
            assignment=assignment,
            data={"scores": SCORES, "comment_to_committee": "secret note"},
            submit=True,
        )
    with committed():
        decisions.decide(
            user=world.manager,
            round=world.rounds[0],
            decisions=[(submission, "award", "best storage of the year")],
        )
    [message] = to(user.email)
    assert message.subject == "Decision on Floating solar"
    assert "is among the winners of Test Challenge" in message.body
    assert "Reason: best storage of the year" in message.body
    assert f"{SITE}/en/programmes/submissions/{submission.pk}/" in message.body
    for reviewer in world.reviewers:
        assert reviewer.user.username not in message.body
        assert reviewer.user.email not in message.body
    assert "secret note" not in message.body
    assert all(reviewer.user.email not in m.to for m in mail.outbox for reviewer in world.reviewers)

    mail.outbox.clear()
    with committed():
        decisions.publish_results(user=world.manager, programme=world.programme)
    [message] = to(user.email)
    assert message.subject == "Results of Test Challenge"
    assert f"{SITE}/en/programmes/{world.programme.slug}/results/" in message.body


# --- reminders ------------------------------------------------------------------------------


@pytest.fixture
def assigned(running):
    world, _user, org, submission = running
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    mail.outbox.clear()
    return world, org, submission


def _due_in(world, delta: timedelta) -> None:
    round = world.rounds[0]
    round.reviews_due = timezone.now() + delta
    round.save()


def test_a_manager_reminds_reviewers_of_overdue_reviews_from_the_dashboard(assigned):
    world, _org, _submission = assigned
    ana, ben = world.reviewers
    done = Assignment.objects.get(reviewer=ben)
    services.save_review(user=ben.user, assignment=done, data={"scores": SCORES}, submit=True)
    _due_in(world, timedelta(days=-1))
    client = logged_in(world.manager)
    dashboard = client.get(f"/en/programmes/{world.programme.slug}/manage/").content.decode()
    assert "Remind reviewers of pending reviews" in dashboard
    page = client.post(
        f"/en/programmes/{world.programme.slug}/manage/rounds/1/remind/", follow=True
    ).content.decode()
    assert "Reminder sent to 1 reviewer about 1 pending reviews." in page
    [message] = mail.outbox
    assert message.to == [ana.user.email]
    assert message.subject == "Reviews overdue: Test Challenge"
    pending = Assignment.objects.get(reviewer=ana)
    assert f"- Floating solar: {SITE}/en/programmes/reviews/{pending.pk}/" in message.body
    assert "Sun Co" not in message.body
    assert AuditEntry.objects.filter(action="review_reminders").exists()


def test_a_reminder_leaves_out_a_submission_the_reviewer_is_now_conflicted_with(assigned):
    world, org, _submission = assigned
    ana, ben = world.reviewers
    ana.declared_organisations.add(org)  # after the assignment
    _due_in(world, timedelta(days=2))
    assert reminders.remind_reviewers(user=world.manager, round=world.rounds[0]) == (1, 1)
    [message] = mail.outbox
    assert message.to == [ben.user.email]
    assert message.subject == "Reviews due soon: Test Challenge"


def test_reminders_need_a_due_date_and_a_manager(assigned):
    world, _org, _submission = assigned
    with pytest.raises(services.ProgrammeRefused) as refused:
        reminders.remind_reviewers(user=world.manager, round=world.rounds[0])
    assert refused.value.field == "reviews_due"
    _due_in(world, timedelta(days=1))
    reviewer_client = logged_in(world.reviewers[0].user)
    url = f"/en/programmes/{world.programme.slug}/manage/rounds/1/remind/"
    assert reviewer_client.post(url).status_code == 403
    assert mail.outbox == []


def test_the_daily_run_writes_only_for_rounds_due_soon_or_overdue(assigned):
    world, _org, _submission = assigned
    _due_in(world, timedelta(days=10))
    assert reminders.send_due_reminders() == 0
    assert reminders.send_due_reminders(now=timezone.now() + timedelta(days=8)) == 2
    assert len(mail.outbox) == 2


def test_the_remind_command_sends_for_rounds_due_within_its_window(assigned):
    world, _org, _submission = assigned
    _due_in(world, timedelta(days=10))
    out = io.StringIO()
    call_command("programmes", "remind", stdout=out)
    assert (out.getvalue().strip(), mail.outbox) == ("0 reminder e-mail(s) sent", [])
    call_command("programmes", "remind", "--ahead-days", "11", stdout=out)
    assert "2 reminder e-mail(s) sent" in out.getvalue()
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="--ahead-days"):
        call_command("programmes", "remind", "--ahead-days", "-1")


def _submitted_review(reviewer):
    assignment = Assignment.objects.get(reviewer=reviewer)
    return services.save_review(
        user=reviewer.user, assignment=assignment, data={"scores": SCORES}, submit=True
    )


def test_a_reopened_review_tells_its_reviewer_why_unless_now_conflicted(assigned):
    world, org, _submission = assigned
    ana, ben = world.reviewers
    review = _submitted_review(ana)
    emails.review_reopened(review, "score the commercial criterion again")
    [message] = mail.outbox
    assert message.to == [ana.user.email]
    assert message.subject == "Review reopened: Floating solar"
    assert "Reason: score the commercial criterion again" in message.body
    assert f"{SITE}/en/programmes/reviews/{review.assignment_id}/" in message.body

    mail.outbox.clear()
    review = _submitted_review(ben)
    ben.declared_organisations.add(org)
    emails.review_reopened(review, "again")
    assert mail.outbox == []
