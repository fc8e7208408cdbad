"""Scores to decisions: the calibrated ranking of a round, shortlists proposed by the
round's decision rule, bulk decisions, and publishing the winners to the catalogue.

Calibration runs over the whole round (reviewers' biases are shared across tracks); ranks
are per track. Raw means stay beside calibrated ones so a manager can see what changed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.catalog.models import Award
from ecotone.core.bounds import parse_id

from .. import emails
from ..calibration import RankedSubmission, ScoredReview, calibrate, rank_submissions
from ..models import (
    Decision,
    DecisionRule,
    Outcome,
    Programme,
    Review,
    ReviewStatus,
    Round,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from .checks import ProgrammeRefused, require_manager
from .states import transition_submission


@dataclass(frozen=True)
class RankRow:
    submission: Submission
    ranked: RankedSubmission | None  # None: no submitted review yet
    proposal: str  # an Outcome value, or "" when the rule proposes nothing
    decision: Decision | None


def submitted_reviews(round: Round) -> list[Review]:
    return list(
        Review.objects.filter(assignment__round=round, status=ReviewStatus.SUBMITTED)
        .exclude(total=None)
        .select_related("assignment")
    )


def scored_reviews(round: Round) -> list[ScoredReview]:
    return [
        ScoredReview(r.assignment.reviewer_id, r.assignment.submission_id, r.total)
        for r in submitted_reviews(round)
        if r.total is not None  # submitted_reviews leaves out reviews without a total
    ]


def _proposal(round: Round, ranked: RankedSubmission | None) -> str:
    if ranked is None or round.decision_rule == DecisionRule.MANUAL or round.decision_value is None:
        return ""
    if round.decision_rule == DecisionRule.TOP_N:
        selected = ranked.rank <= round.decision_value  # a tie at the cut-off goes through
    else:
        selected = ranked.mean_calibrated >= round.decision_value
    if not selected:
        return Outcome.REJECT
    return Outcome.ADVANCE if round.next_round() else Outcome.AWARD


def round_ranking(round: Round) -> dict:
    """{track: [RankRow, …]} best first, unreviewed submissions last."""
    scored = scored_reviews(round)
    calibrated = calibrate(scored) if scored else {}
    submissions = (
        (
            Submission.objects.filter(decisions__round=round)
            | Submission.objects.filter(current_round=round)
        )
        .distinct()
        .select_related("track", "applicant")
        .order_by("track__position", "pk")
    )
    decisions = {d.submission_id: d for d in round.decisions.all()}
    by_track: dict = {}
    for submission in submissions:
        by_track.setdefault(submission.track, []).append(submission)
    result = {}
    for track, members in by_track.items():
        ids = {s.pk for s in members}
        ranked = rank_submissions(
            [r for r in scored if r.submission in ids],
            disagreement_threshold=round.disagreement_threshold,
            calibrated={k: v for k, v in calibrated.items() if k[1] in ids},
        )
        lookup = {r.submission: r for r in ranked}
        rows = [
            RankRow(s, lookup.get(s.pk), _proposal(round, lookup.get(s.pk)), decisions.get(s.pk))
            for s in members
        ]
        rows.sort(key=lambda row: (row.ranked is None, row.ranked.rank if row.ranked else 0))
        result[track] = rows
    return result


def _check_decision(round: Round, submission: Submission, outcome: str, reason: str, row: int):
    field = f"decisions[{row}]"
    if submission.current_round_id != round.pk or submission.status != SubmissionStatus.IN_REVIEW:
        raise ProgrammeRefused(
            _("Row %(row)s: %(title)s is not awaiting a decision in this round.")
            % {"row": row, "title": submission.title},
            field=f"{field}.submission",
            code="not_in_round",
            status=409,
        )
    if outcome not in Outcome.values:
        raise ProgrammeRefused(
            _("Row %(row)s: choose advance, reject or award.") % {"row": row},
            field=f"{field}.outcome",
        )
    if outcome == Outcome.ADVANCE and round.next_round() is None:
        raise ProgrammeRefused(
            _("Row %(row)s: this is the last round; award or reject.") % {"row": row},
            field=f"{field}.outcome",
        )
    if not reason.strip():
        raise ProgrammeRefused(
            _("Row %(row)s: give a reason.") % {"row": row}, field=f"{field}.reason"
        )


def decision_rows(round: Round, items: list[tuple[object, str, str]]) -> list[tuple]:
    """``(submission id, outcome, reason)`` as typed on the ranking page or sent to the API,
    with each submission looked up in the round's programme: rows for ``decide``."""
    ids = [parse_id(pk) for pk, _outcome, _reason in items]
    found = Submission.objects.filter(programme=round.programme).in_bulk(
        [pk for pk in ids if pk is not None]
    )
    rows = []
    for number, (pk, outcome, reason) in enumerate(items, start=1):
        submission = found.get(ids[number - 1] or 0)
        if submission is None:
            raise ProgrammeRefused(
                _("Row %(row)s: there is no submission %(id)s in this programme.")
                % {"row": number, "id": pk},
                field=f"decisions[{number}].submission",
            )
        rows.append((submission, outcome, reason))
    return rows


@transaction.atomic
def decide(
    *, user: User, round: Round, decisions: list[tuple[Submission, str, str]]
) -> list[Decision]:
    """Advance, reject or award many submissions at once: all of them, or none."""
    require_manager(user, round.programme)
    round.refresh_from_db(fields=["status"])
    if round.status != RoundStatus.ACTIVE:
        raise ProgrammeRefused(
            _("Decisions are taken in an active round."), code="not_active", status=409
        )
    if not decisions:
        raise ProgrammeRefused(_("Choose at least one submission."), field="decisions")
    locked = {
        s.pk: s
        for s in Submission.objects.select_for_update().filter(pk__in=[d[0].pk for d in decisions])
    }
    for number, (submission, outcome, reason) in enumerate(decisions, start=1):
        _check_decision(round, locked[submission.pk], outcome, reason or "", number)
    next_round = round.next_round()
    written = []
    for submission, outcome, reason in decisions:
        submission = locked[submission.pk]
        if outcome == Outcome.ADVANCE:
            submission.current_round = next_round
        transition_submission(
            submission, outcome, actor=user, reason=reason, changes={"round": round.pk}
        )
        written.append(
            Decision.objects.create(
                round=round,
                submission=submission,
                outcome=outcome,
                reason=reason.strip(),
                decided_by=user,
            )
        )
    _finish_if_done(user, round, next_round)
    transaction.on_commit(lambda: emails.decisions_taken(written), robust=True)
    return written


def _finish_if_done(user, round: Round, next_round: Round | None) -> None:
    waiting = Submission.objects.filter(current_round=round, status=SubmissionStatus.IN_REVIEW)
    if waiting.exists():
        return
    round.status = RoundStatus.FINISHED
    round.save(update_fields=["status"])
    record_audit(
        actor=user, action="round_finish", record=round, from_status="active", to_status="finished"
    )
    if next_round is not None and next_round.status == RoundStatus.PLANNED:
        next_round.status = RoundStatus.ACTIVE
        next_round.save(update_fields=["status"])
        record_audit(actor=user, action="round_start", record=next_round, to_status="active")


def award_external_id(programme: Programme, submission: Submission) -> str:
    return f"programme-{programme.slug}-{submission.pk}"


def _award_for(programme: Programme, submission: Submission, user) -> Award:
    applicant = submission.applicant
    name_en = programme.title_en or programme.title_zh
    name_zh = programme.title_zh or programme.title_en
    award, _created = Award.objects.update_or_create(
        external_id=award_external_id(programme, submission),
        defaults={
            "programme_en": programme.title_en,
            "programme_zh": programme.title_zh,
            "year": programme.year,
            "title_en": f"{name_en}: {applicant.name_en or applicant.name_zh}",
            "title_zh": f"{name_zh}：{applicant.name_zh or applicant.name_en}",
            "case": submission.case,
            "organisation": applicant,
            "awarded_by": programme.organiser,
            "owner": programme.organiser or applicant,
            "status": "published",
            "created_by": user,
        },
    )
    return award


@transaction.atomic
def publish_results(*, user: User | AnonymousUser, programme: Programme) -> list[Award]:
    """The awarded submissions become catalogue awards, shown on the winners' pages."""
    require_manager(user, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.results_published:
        raise ProgrammeRefused(
            _("The results are already published."), code="published", status=409
        )
    winners = list(
        programme.submissions.filter(status=SubmissionStatus.AWARDED).select_related(
            "applicant", "case"
        )
    )
    if not winners:
        raise ProgrammeRefused(
            _("No submission has been awarded yet."), code="no_winners", status=409
        )
    if len(winners) > programme.award_count:
        raise ProgrammeRefused(
            _("%(n)s submissions are awarded but the programme gives %(m)s awards.")
            % {"n": len(winners), "m": programme.award_count},
            code="too_many",
            status=409,
        )
    awards = []
    for submission in winners:
        award = submission.award
        if award is None:
            award = submission.award = _award_for(programme, submission, user)
            submission.save(update_fields=["award", "updated_at"])
        awards.append(award)
    programme.results_published_at = timezone.now()
    programme.save(update_fields=["results_published_at", "updated_at"])
    record_audit(
        actor=user,
        action="results_publish",
        record=programme,
        changes={"awards": [a.pk for a in awards]},
    )
    transaction.on_commit(lambda: emails.results_published(programme), robust=True)
    return awards
