"""The services end to end: call, applications, assignment, reviews, decisions, results."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Award
from ecotone.core.testing import logged_in
from ecotone.programs import services
from ecotone.programs.models import Assignment, Decision, Review, SubmissionStatus
from ecotone.programs.services import assigning, decisions
from ecotone.programs.services.states import TransitionRefused

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db

SCORES_HIGH = {"technology": 5, "commercial": 4}
SCORES_LOW = {"technology": 2, "commercial": 1}


def test_a_submission_after_the_deadline_in_the_programme_time_zone_is_refused():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    # closes at 23:59 in Shanghai, which is 15:59 UTC
    services.set_call_window(
        user=world.manager,
        programme=world.programme,
        opens_at=datetime(2024, 3, 1, 9, 0),
        closes_at=datetime(2024, 3, 31, 23, 59),
    )
    world.programme.refresh_from_db()
    assert world.programme.closes_at == datetime(2024, 3, 31, 15, 59, tzinfo=UTC)
    before = world.programme.closes_at - timedelta(minutes=1)
    draft = services.save_draft(
        user=user,
        programme=world.programme,
        data={
            "track": "energy",
            "applicant": org.pk,
            "title": "Roofs",
            "summary": "Solar",
            "answers": {"impact": "large"},
        },
        now=before,
    )
    with pytest.raises(services.ProgrammeRefused) as refused:
        services.submit_submission(user=user, submission=draft, now=world.programme.closes_at)
    assert refused.value.code == "closed"
    assert "2024-03-31 23:59" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == "draft"
    services.submit_submission(user=user, submission=draft, now=before)
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_submitting_needs_the_required_answers():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    draft = services.save_draft(
        user=user,
        programme=world.programme,
        data={"track": "energy", "applicant": org.pk, "title": "Roofs", "summary": "Solar"},
    )
    with pytest.raises(services.ProgrammeRefused) as refused:
        services.submit_submission(user=user, submission=draft)
    assert refused.value.field == "answers.impact"


def test_only_members_apply_for_their_organisation():
    world = make_programme()
    user, _org = add_applicant(world, "Sun Co")
    _other_user, other = add_applicant(world, "Wind Co")
    with pytest.raises(services.ProgrammeRefused) as refused:
        services.save_draft(
            user=user,
            programme=world.programme,
            data={"track": "energy", "applicant": other.pk, "title": "x"},
        )
    assert refused.value.field == "applicant"


def _two_rounds_ready():
    world = make_programme(k=2)
    subs = []
    for name, track in [("Sun Co", "energy"), ("Ray Co", "energy"), ("Volt Co", "transport")]:
        user, org = add_applicant(world, name)
        subs.append(apply(world, user, org, track=track, title=f"{name} project"))
    add_reviewer(world, "rev-solar", expertise="solar power rooftops")
    add_reviewer(
        world, "rev-ev", expertise="electric vehicles charging", sectors=("electric-vehicles",)
    )
    add_reviewer(world, "rev-general", expertise="climate finance", sectors=())
    services.start_round(user=world.manager, round=world.rounds[0])
    return world, subs


def test_assignment_covers_every_submission_and_keeps_started_reviews(committed):
    world, subs = _two_rounds_ready()
    with committed():
        run = assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert run.shortfall == {}
    assert Assignment.objects.count() == 2 * len(subs)
    assert any("Submissions to review" in m.subject for m in mail.outbox)
    started = Assignment.objects.order_by("affinity", "pk").first()
    services.save_review(
        user=started.reviewer.user, assignment=started, data={"scores": {"technology": 3}}
    )
    # a late change: a strong new reviewer joins; the started review stays in place
    add_reviewer(world, "rev-solar-2", expertise="solar power rooftops photovoltaics")
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert Assignment.objects.filter(pk=started.pk).exists()
    assert Review.objects.filter(assignment=started).exists()
    for submission in subs:
        assert Assignment.objects.filter(submission=submission).count() == 2


def test_why_this_reviewer_names_the_shared_sector():
    world, subs = _two_rounds_ready()
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    volt = Assignment.objects.get(submission=subs[2], reviewer=world.reviewers[1])
    reasons = " ".join(row["reason"] for row in volt.explanation)
    assert "Electric vehicles and charging" in reasons


def _review_all(world, scores_by_title):
    for assignment in Assignment.objects.filter(round=world.rounds[0]).select_related(
        "submission", "reviewer__user"
    ):
        services.save_review(
            user=assignment.reviewer.user,
            assignment=assignment,
            data={
                "scores": scores_by_title[assignment.submission.title],
                "comment_to_applicant": "Well argued.",
            },
            submit=True,
        )


def _first_round_reviewed():
    """Two rounds, the first assigned and reviewed: Sun and Volt score high, Ray low."""
    world, subs = _two_rounds_ready()
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    _review_all(
        world,
        {
            "Sun Co project": SCORES_HIGH,
            "Ray Co project": SCORES_LOW,
            "Volt Co project": SCORES_HIGH,
        },
    )
    return world, subs


def test_from_ranking_to_published_awards(committed):
    world, subs = _first_round_reviewed()
    ranking = decisions.round_ranking(world.rounds[0])
    energy = ranking[world.tracks["energy"]]
    assert [row.submission.title for row in energy] == ["Sun Co project", "Ray Co project"]
    assert [row.proposal for row in energy] == ["advance", "reject"]
    with committed():
        decisions.decide(
            user=world.manager,
            round=world.rounds[0],
            decisions=[
                (row.submission, row.proposal, "rubric ranking")
                for rows in ranking.values()
                for row in rows
            ],
        )
    world.rounds[0].refresh_from_db()
    assert world.rounds[0].status == "finished"
    final = world.rounds[1]
    final.refresh_from_db()
    assert final.status == "active"
    assert any("was not selected" in m.body for m in mail.outbox)
    finalists = [s for s in subs if s.title != "Ray Co project"]
    with committed():
        decisions.decide(
            user=world.manager,
            round=final,
            decisions=[(s, "award", "jury choice") for s in finalists],
        )
        awards = decisions.publish_results(user=world.manager, programme=world.programme)
    assert {a.organisation.name_en for a in awards} == {"Sun Co", "Volt Co"}
    award = Award.objects.get(organisation__name_en="Sun Co")
    assert (
        award.awarded_by == world.organiser and award.year == 2024 and award.status == "published"
    )
    assert award.programme_en == "Test Challenge"


def test_a_decision_batch_is_all_or_nothing():
    world, subs = _two_rounds_ready()
    with pytest.raises(services.ProgrammeRefused) as refused:
        decisions.decide(
            user=world.manager,
            round=world.rounds[0],
            decisions=[(subs[0], "advance", "good"), (subs[1], "reject", "  ")],
        )
    assert refused.value.field == "decisions[2].reason"
    subs[0].refresh_from_db()
    assert subs[0].current_round == world.rounds[0]
    assert not AuditEntry.objects.filter(action="submission_advance").exists()


def test_a_submitted_review_cannot_be_edited_until_reopened(
    django_capture_on_commit_callbacks, mailoutbox
):
    world, _subs = _two_rounds_ready()
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assignment = Assignment.objects.first()
    reviewer_user = assignment.reviewer.user
    services.save_review(
        user=reviewer_user, assignment=assignment, data={"scores": SCORES_HIGH}, submit=True
    )
    with pytest.raises(TransitionRefused):
        services.save_review(user=reviewer_user, assignment=assignment, data={"scores": SCORES_LOW})
    with pytest.raises(services.ProgrammeRefused):
        services.reopen_review(user=world.manager, review=assignment.review, reason="")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_review(
            user=world.manager, review=assignment.review, reason="typo in a score"
        )
    [reopened] = mailoutbox
    assert reopened.to == [reviewer_user.email]
    assert "Reason: typo in a score" in reopened.body
    review = services.save_review(
        user=reviewer_user, assignment=assignment, data={"scores": SCORES_LOW}, submit=True
    )
    assert review.scores == SCORES_LOW
    entry = AuditEntry.objects.filter(action="review_reopen").get()
    assert (entry.from_status, entry.to_status, entry.reason) == (
        "submitted",
        "draft",
        "typo in a score",
    )
    assert entry.actor == world.manager


def test_an_incomplete_review_cannot_be_submitted_and_scores_are_checked():
    world, _subs = _two_rounds_ready()
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assignment = Assignment.objects.first()
    with pytest.raises(services.ProgrammeRefused) as refused:
        services.save_review(
            user=assignment.reviewer.user,
            assignment=assignment,
            data={"scores": {"technology": 4}},
            submit=True,
        )
    assert refused.value.field == "scores.commercial"
    with pytest.raises(services.ProgrammeRefused) as refused:
        services.save_review(
            user=assignment.reviewer.user, assignment=assignment, data={"scores": {"technology": 9}}
        )
    assert refused.value.field == "scores.technology"


def test_publishing_needs_winners_and_happens_once():
    world, _subs = _two_rounds_ready()
    with pytest.raises(services.ProgrammeRefused):
        decisions.publish_results(user=world.manager, programme=world.programme)
    assert SubmissionStatus.AWARDED == "awarded"


def test_the_ranking_page_takes_a_reason_per_submission_or_the_common_one():
    world, subs = _first_round_reviewed()
    by_title = {s.title: s for s in subs}
    sun, ray = by_title["Sun Co project"], by_title["Ray Co project"]
    url = f"/en/programmes/{world.programme.slug}/manage/rounds/1/ranking/"
    client = logged_in(world.manager)
    page = client.get(url).content.decode()
    assert f'name="reason_{sun.pk}"' in page
    missing = client.post(url, {"submission": [ray.pk], f"outcome_{ray.pk}": "reject"}, follow=True)
    assert "Row 1: give a reason." in missing.content.decode()
    assert not Decision.objects.exists()
    client.post(
        url,
        {
            "submission": [sun.pk, ray.pk],
            f"outcome_{sun.pk}": "advance",
            f"outcome_{ray.pk}": "reject",
            f"reason_{ray.pk}": "outside the call's scope",
            "reason": "strong calibrated total",
        },
    )
    reasons = dict(Decision.objects.values_list("submission__title", "reason"))
    assert reasons == {
        "Sun Co project": "strong calibrated total",
        "Ray Co project": "outside the call's scope",
    }
