"""The reviewers' discussion and the applicant's response (services): who reads and writes,
blind names, the response window, revising a review after the response, e-mails, audit,
exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ecotone.accounts.audit import history_of
from ecotone.accounts.models import AuditEntry
from ecotone.core.refusals import Refused
from ecotone.programs import services
from ecotone.programs.exports import submission_rows
from ecotone.programs.models import (
    ApplicantResponse,
    Assignment,
    DiscussionPost,
    ResponseWindow,
    ReviewMode,
)
from ecotone.programs.services import assigning, discussion, responses
from ecotone.programs.services.states import TransitionRefused

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db

SCORES = {"technology": 4, "commercial": 5}


def review(reviewer, submission, *, scores=SCORES, comment="Convincing numbers."):
    assignment = Assignment.objects.get(reviewer=reviewer, submission=submission)
    return services.save_review(
        user=reviewer.user,
        assignment=assignment,
        data={"scores": scores, "comment_to_applicant": comment, "comment_to_committee": "meh"},
        submit=True,
    )


def make_reviewed():
    """A blind programme in its first round: one submission, ana, ben and cat assigned (in
    that order), ana and ben have submitted their reviews, cat has not."""
    world = make_programme(rounds=1, k=3)
    user, org = add_applicant(world, "Sun Co")
    submission = apply(world, user, org, title="Floating solar")
    services.start_round(user=world.manager, round=world.rounds[0])
    submission.refresh_from_db()
    ana, ben, cat = (add_reviewer(world, name) for name in ("ana", "ben", "cat"))
    for reviewer in (ana, ben, cat):
        assigning.add_assignment(
            user=world.manager, round=world.rounds[0], submission=submission, reviewer=reviewer
        )
    review(ana, submission)
    review(ben, submission, comment="Storage costs are missing.")
    submission.refresh_from_db()
    mail.outbox.clear()
    return world, user, org, submission


@pytest.fixture
def reviewed():
    return make_reviewed()


def open_window(world, *, opens=-1, closes=2):
    now = timezone.now()
    return responses.set_response_window(
        user=world.manager,
        round=world.rounds[0],
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
    )


# --- the discussion ---------------------------------------------------------------------


def test_reviewers_whose_review_is_in_and_managers_discuss(reviewed, committed):
    world, _user, _org, submission = reviewed
    ana, ben, cat = world.reviewers
    with committed():
        discussion.post_message(user=ana.user, submission=submission, body="Too optimistic?")
    discussion.post_message(user=world.manager, submission=submission, body="Please converge.")
    assert [p.body for p in discussion.thread(ben.user, submission)] == [
        "Too optimistic?",
        "Please converge.",
    ]
    assert discussion.thread(world.manager, submission)[0].body == "Too optimistic?"
    # cat has not submitted a review: not yet in the discussion, neither reading nor writing
    with pytest.raises(PermissionDenied):
        discussion.thread(cat.user, submission)
    with pytest.raises(PermissionDenied):
        discussion.post_message(user=cat.user, submission=submission, body="Hello")
    assert DiscussionPost.objects.count() == 2
    # ben (and not ana, the author, nor cat) was told
    [message] = mail.outbox
    assert message.to == [ben.user.email]
    assert "Too optimistic?" in message.body
    assert "ana" not in message.body and "Reviewer 1" in message.body
    assert f"/programmes/submissions/{submission.pk}/discussion/" in message.body
    entry = AuditEntry.objects.filter(action="discussion_post").order_by("pk").first()
    assert entry.actor == ana.user and entry.changes["submission"] == submission.pk
    # the applicant reads the submission's history: the discussion is not in it
    assert "discussion_post" not in [e.action for e in history_of(submission)]


def test_the_applicant_never_reads_nor_writes_the_discussion(reviewed):
    world, user, _org, submission = reviewed
    discussion.post_message(user=world.reviewers[0].user, submission=submission, body="Hm.")
    with pytest.raises(PermissionDenied):
        discussion.thread(user, submission)
    with pytest.raises(PermissionDenied):
        discussion.post_message(user=user, submission=submission, body="I can explain")
    assert DiscussionPost.objects.count() == 1


def test_a_conflicted_reviewer_loses_the_discussion_at_once(reviewed):
    world, _user, org, submission = reviewed
    ana, ben, _cat = world.reviewers
    discussion.post_message(user=ana.user, submission=submission, body="Hm.")
    ben.declared_organisations.add(org)  # a conflict declared after the review
    with pytest.raises(PermissionDenied):
        discussion.thread(ben.user, submission)
    with pytest.raises(PermissionDenied):
        discussion.post_message(user=ben.user, submission=submission, body="Still here")
    assert [r.pk for r in discussion.participants(submission)] == [ana.pk]


def test_a_detected_conflict_hides_it_too(reviewed):
    from ecotone.core.testing import make_member

    world, _user, org, submission = reviewed
    ben = world.reviewers[1]
    make_member(ben.user, org)  # ben joins the applicant: a detected conflict
    assert not discussion.can_discuss(ben.user, submission)


def test_a_manager_of_another_programme_cannot_read_or_write(reviewed):
    world, _user, _org, submission = reviewed
    other = make_programme(slug="other-challenge")
    discussion.post_message(user=world.reviewers[0].user, submission=submission, body="Hm.")
    with pytest.raises(PermissionDenied):
        discussion.thread(other.manager, submission)
    with pytest.raises(PermissionDenied):
        discussion.post_message(user=other.manager, submission=submission, body="Hi")


def test_blind_review_numbers_reviewers_the_same_way_for_everyone(reviewed):
    world, _user, _org, submission = reviewed
    ana, ben, _cat = world.reviewers
    discussion.post_message(user=ben.user, submission=submission, body="first")
    discussion.post_message(user=ana.user, submission=submission, body="second")
    discussion.post_message(user=ben.user, submission=submission, body="third")
    seen_by_ana = [p.author for p in discussion.thread(ana.user, submission)]
    seen_by_ben = [p.author for p in discussion.thread(ben.user, submission)]
    # numbered by assignment (ana first), not by who spoke first
    assert seen_by_ana == seen_by_ben == ["Reviewer 2", "Reviewer 1", "Reviewer 2"]
    assert [p.by_you for p in discussion.thread(ana.user, submission)] == [False, True, False]
    managers_view = [p.author for p in discussion.thread(world.manager, submission)]
    assert managers_view == ["Reviewer 2 (ben)", "Reviewer 1 (ana)", "Reviewer 2 (ben)"]


def test_open_review_shows_names_to_reviewers(reviewed):
    world, _user, _org, submission = reviewed
    world.programme.review_mode = ReviewMode.OPEN
    world.programme.save()
    ana, ben, _cat = world.reviewers
    discussion.post_message(user=ben.user, submission=submission, body="first")
    assert [p.author for p in discussion.thread(ana.user, submission)] == ["Reviewer 2 (ben)"]


def test_an_empty_or_long_message_is_refused_and_nothing_is_kept(reviewed):
    world, _user, _org, submission = reviewed
    ana = world.reviewers[0]
    with pytest.raises(Refused) as refused:
        discussion.post_message(user=ana.user, submission=submission, body="   ")
    assert refused.value.field == "body"
    with pytest.raises(Refused) as refused:
        discussion.post_message(
            user=ana.user, submission=submission, body="x" * (discussion.MAX_POST + 1)
        )
    assert refused.value.field == "body"
    assert DiscussionPost.objects.count() == 0
    assert not AuditEntry.objects.filter(action="discussion_post").exists()


# --- the response window and the applicant's response -------------------------------------


def test_only_managers_open_a_window_and_its_dates_are_checked(reviewed, committed):
    world, user, _org, submission = reviewed
    now = timezone.now()
    for outsider in (user, world.reviewers[0].user, make_programme(slug="other").manager):
        with pytest.raises(PermissionDenied):
            responses.set_response_window(
                user=outsider,
                round=world.rounds[0],
                opens_at=now,
                closes_at=now + timedelta(days=1),
            )
    with pytest.raises(Refused) as refused:
        responses.set_response_window(
            user=world.manager, round=world.rounds[0], opens_at=now, closes_at=now
        )
    assert refused.value.field == "closes_at"
    assert not ResponseWindow.objects.exists()
    with committed():
        window = open_window(world)
    assert window.is_open()
    [message] = mail.outbox
    assert message.to == [user.email]
    assert f"/programmes/submissions/{submission.pk}/response/" in message.body
    assert AuditEntry.objects.filter(action="response_window", actor=world.manager).count() == 1
    # the same dates again change nothing; new dates are audited with the old ones
    with committed():
        responses.set_response_window(
            user=world.manager,
            round=world.rounds[0],
            opens_at=window.opens_at,
            closes_at=window.closes_at,
        )
    assert len(mail.outbox) == 1
    old_close = window.closes_at
    with committed():
        responses.set_response_window(
            user=world.manager,
            round=world.rounds[0],
            opens_at=window.opens_at,
            closes_at=old_close + timedelta(days=1),
        )
    assert len(mail.outbox) == 2 and ResponseWindow.objects.count() == 1
    moved = AuditEntry.objects.filter(action="response_window").order_by("pk").last()
    assert moved.changes["before"]["closes_at"] == old_close.isoformat()


def test_the_applicant_responds_while_the_window_is_open_and_may_change_it(reviewed, committed):
    world, user, _org, submission = reviewed
    ana, ben, cat = world.reviewers
    with pytest.raises(Refused) as refused:  # no window yet
        responses.save_response(user=user, submission=submission, text="We disagree.")
    assert refused.value.status == 409
    open_window(world)
    mail.outbox.clear()
    with committed():
        responses.save_response(user=user, submission=submission, text="Storage is in annex B.")
    # the reviewers of the round hear of it (cat, not yet done, too); nobody else
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in (ana, ben, cat))
    responses.save_response(user=user, submission=submission, text="Storage: annex B, p. 4.")
    [response] = ApplicantResponse.objects.all()
    assert response.text == "Storage: annex B, p. 4."
    assert [
        e.action for e in AuditEntry.objects.filter(action__startswith="response_w").order_by("pk")
    ] == [
        "response_window",
        "response_write",
    ]
    assert AuditEntry.objects.filter(action="response_edit", actor=user).count() == 1
    # reviewers and managers read it; not a reviewer in conflict
    assert [r.text for r in responses.responses_of(ana.user, submission)] == [response.text]
    assert [r.text for r in responses.responses_of(world.manager, submission)] == [response.text]
    ben.declared_organisations.add(submission.applicant)
    with pytest.raises(PermissionDenied):
        responses.responses_of(ben.user, submission)


def test_nobody_but_the_applicant_responds(reviewed):
    world, _user, _org, submission = reviewed
    open_window(world)
    for someone in (world.reviewers[0].user, world.manager):
        with pytest.raises(PermissionDenied):
            responses.save_response(user=someone, submission=submission, text="On their behalf")
    assert not ApplicantResponse.objects.exists()


def test_a_closed_or_future_window_refuses_the_response_and_keeps_the_old_one(reviewed):
    world, user, _org, submission = reviewed
    window = open_window(world)
    responses.save_response(user=user, submission=submission, text="First answer.")
    window.closes_at = timezone.now() - timedelta(minutes=1)
    window.save()
    with pytest.raises(Refused) as refused:
        responses.save_response(user=user, submission=submission, text="Late change.")
    assert refused.value.code == "response_window_closed" and "closed" in refused.value.message
    window.opens_at = timezone.now() + timedelta(days=1)
    window.closes_at = timezone.now() + timedelta(days=2)
    window.save()
    with pytest.raises(Refused) as refused:
        responses.save_response(user=user, submission=submission, text="Early change.")
    assert "open on" in refused.value.message
    assert ApplicantResponse.objects.get().text == "First answer."


def test_an_empty_response_is_refused(reviewed):
    world, user, _org, submission = reviewed
    open_window(world)
    with pytest.raises(Refused) as refused:
        responses.save_response(user=user, submission=submission, text="  ")
    assert refused.value.field == "text"
    assert not ApplicantResponse.objects.exists()


def test_a_reviewer_revises_a_submitted_review_once_responses_open(reviewed):
    world, user, _org, submission = reviewed
    ana = world.reviewers[0]
    with pytest.raises(TransitionRefused):  # before the window: as before, a manager reopens
        review(ana, submission, scores={"technology": 2, "commercial": 2})
    open_window(world)
    responses.save_response(user=user, submission=submission, text="Annex B.")
    revised = review(ana, submission, scores={"technology": 5, "commercial": 5})
    assert revised.status == "submitted" and revised.scores == {"technology": 5, "commercial": 5}
    entry = AuditEntry.objects.get(action="review_revise")
    assert entry.changes["before"]["scores"] == SCORES
    assert entry.changes["scores"] == {"technology": 5, "commercial": 5}
    with pytest.raises(Refused):  # a revision scores every criterion
        review(ana, submission, scores={"technology": 1})
    assert Assignment.objects.get(reviewer=ana).review.scores["technology"] == 5


def test_a_finished_round_takes_no_window_and_no_revision(reviewed):
    world, _user, _org, submission = reviewed
    open_window(world)
    round = world.rounds[0]
    round.status = "finished"
    round.save()
    with pytest.raises(Refused):
        open_window(world, opens=0, closes=5)
    with pytest.raises(Refused):
        review(world.reviewers[0], submission, scores={"technology": 1, "commercial": 1})


# --- exports -----------------------------------------------------------------------------


def test_the_managers_export_has_the_discussion_and_the_response(reviewed):
    world, user, _org, submission = reviewed
    ana = world.reviewers[0]
    discussion.post_message(user=ana.user, submission=submission, body="Too optimistic?")
    open_window(world)
    responses.save_response(user=user, submission=submission, text="Annex B.")
    columns, rows = submission_rows(world.manager, world.programme)
    row = dict(zip(columns, rows[0], strict=True))
    assert "Reviewer 1 (ana): Too optimistic?" in row["discussion"]
    assert row["applicant_responses"].endswith(": Annex B.")
    # the applicant's own export has neither
    columns, rows = submission_rows(user, world.programme)
    assert "discussion" not in columns and "applicant_responses" not in columns
    assert all("Too optimistic?" not in str(cell) for cell in rows[0])


def test_the_csv_export_neutralises_a_formula_in_a_message(reviewed, client):
    world, _user, _org, submission = reviewed
    discussion.post_message(user=world.reviewers[0].user, submission=submission, body="=1+1")
    client.force_login(world.manager)
    response = client.get(f"/en/programmes/{world.programme.slug}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cell = rows[1][rows[0].index("discussion")]
    assert "=1+1" in cell and not cell.startswith("=")


def test_every_private_read_asks_who_is_reading(reviewed):
    from ecotone.core.testing import UserFactory

    world, user, _org, submission = reviewed
    open_window(world)
    responses.save_response(user=user, submission=submission, text="Annex B.")
    other_manager = make_programme(slug="other-challenge").manager
    stranger = UserFactory(username="stranger")
    for outsider in (other_manager, stranger):
        with pytest.raises(PermissionDenied):
            responses.responses_of(outsider, submission)
        with pytest.raises(PermissionDenied):
            discussion.transcripts(outsider, world.programme)
        with pytest.raises(PermissionDenied):
            responses.responses_by_submission(outsider, world.programme)
    # cat, assigned but not done, reads the response (it helps the review) but not the thread
    cat = world.reviewers[2]
    assert [r.text for r in responses.responses_of(cat.user, submission)] == ["Annex B."]
    assert not discussion.can_discuss(cat.user, submission)
    # someone else's review cannot be revised, however open the window
    assignment = Assignment.objects.get(reviewer=world.reviewers[0])
    with pytest.raises(PermissionDenied):
        services.save_review(
            user=world.reviewers[1].user,
            assignment=assignment,
            data={"scores": {"technology": 1, "commercial": 1}},
            submit=True,
        )
    assert assignment.review.scores == SCORES
