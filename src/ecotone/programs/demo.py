"""The ``programmes`` step of ``ecotone demo`` (data in ``data/demo/programmes/``, see its README).

The Shenzhen programme links the catalogue's ten award records (results only). The Demo
Challenge is built through the real services — applications, the optimal assignment, reviews,
decisions — so every audit row and state is what a person using the site would produce.
"""

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from ecotone.accounts.models import Membership, MembershipStatus
from ecotone.catalog.models import Award, Sector, Solution
from ecotone.core.demo import demo_step

from . import services
from .models import Criterion, Programme, Round, Submission, SubmissionStatus, Track
from .services import assigning, decisions, pool

OFFICE = "demo-programme-office"


def _read(folder: Path, name: str) -> dict:
    return json.loads((folder / "programmes" / name).read_text(encoding="utf-8"))


def _synthetic_user(username: str, *, staff: bool = False, full_name: str = ""):
    first, _, last = full_name.rpartition(" ")
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"is_staff": staff, "email": "", "first_name": first, "last_name": last},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@demo_step(order=40, name="programmes")
def load_demo_programmes(data_dir: Path, out: Callable[[str], None]) -> None:
    if not (data_dir / "programmes").is_dir():
        out("programmes: no data/demo/programmes folder, skipped")
        return
    out(load_shenzhen(_read(data_dir, "shenzhen_top_ten_2023.json")))
    out(load_demo_challenge(_read(data_dir, "demo_challenge.json")))


@transaction.atomic
def load_shenzhen(spec: dict) -> str:
    awards = list(
        Award.objects.filter(external_id__in=spec["award_external_ids"]).select_related("case")
    )
    if not awards:
        return "programmes: Shenzhen awards not in the catalogue, skipped"
    programme, _ = Programme.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "title_en": spec["title_en"],
            "title_zh": spec["title_zh"],
            "description_en": spec["description_en"],
            "description_zh": spec["description_zh"],
            "year": spec["year"],
            "award_count": len(spec["award_external_ids"]),
            "time_zone": spec["time_zone"],
            "source_url": spec["source_url"],
            "organiser": None,
            "results_published_at": services.aware_in(
                Programme(time_zone=spec["time_zone"]),
                datetime.fromisoformat(spec["results_published_at"]),
            ),
        },
    )
    track, _ = Track.objects.update_or_create(
        programme=programme,
        key=spec["track"]["key"],
        defaults={"name_en": spec["track"]["name_en"], "name_zh": spec["track"]["name_zh"]},
    )
    for award in awards:
        Submission.objects.update_or_create(
            programme=programme,
            award=award,
            defaults={
                "track": track,
                "applicant_id": award.organisation_id,
                "case": award.case,
                "title": award.case.title_en if award.case else award.title_en,
                "status": SubmissionStatus.AWARDED,
            },
        )
    return f"programmes: {programme.slug} with {len(awards)} winners"


def _build_structure(spec: dict) -> Programme:
    programme = Programme(
        slug=spec["slug"],
        illustrative=True,
        time_zone=spec["time_zone"],
        year=spec["year"],
        award_count=spec["award_count"],
        questions=spec["questions"],
        **{
            f: spec[f]
            for f in (
                "title_en",
                "title_zh",
                "description_en",
                "description_zh",
                "eligibility_en",
                "eligibility_zh",
            )
        },
    )
    programme.opens_at = services.aware_in(programme, datetime.fromisoformat(spec["opens_at"]))
    programme.closes_at = services.aware_in(programme, datetime.fromisoformat(spec["closes_at"]))
    programme.save()
    for position, item in enumerate(spec["tracks"], start=1):
        track = Track.objects.create(
            programme=programme,
            key=item["key"],
            name_en=item["name_en"],
            name_zh=item["name_zh"],
            position=position,
        )
        track.sectors.set(Sector.objects.filter(slug__in=item["sectors"]))
    for item in spec["rounds"]:
        due = item["reviews_due"]
        round = Round.objects.create(
            programme=programme,
            **{
                k: item[k]
                for k in (
                    "position",
                    "kind",
                    "name_en",
                    "name_zh",
                    "reviewers_per_submission",
                    "max_load",
                    "decision_rule",
                    "decision_value",
                )
            },
            reviews_due=services.aware_in(programme, datetime.fromisoformat(due)) if due else None,
        )
        for number, c in enumerate(item["criteria"]):
            Criterion.objects.create(round=round, position=number, **c)
    return programme


def _apply_all(spec: dict, programme: Programme) -> dict[int, dict]:
    """Each submission through save_draft and submit, a day before the deadline."""
    during_call = programme.closes_at - timedelta(days=1)
    quality = {}
    for item in spec["submissions"]:
        solution = (
            Solution.objects.filter(external_id=item["solution"]).select_related("provider").first()
        )
        if solution is None or solution.provider is None:
            continue
        applicant = _synthetic_user(f"demo-applicant-{solution.provider.external_id}"[:150])
        Membership.objects.get_or_create(
            user=applicant,
            organisation=solution.provider,
            defaults={"status": MembershipStatus.ACTIVE},
        )
        data = {
            "track": item["track"],
            "applicant": solution.provider_id,
            "title": item["title"],
            "summary": f"(Illustrative) {solution.description_en or solution.title_en}"[:2000],
            "solution": solution.pk,
            "answers": {
                "impact": "(Illustrative) Lower emissions through better planning and operation."
            },
        }
        submission = services.save_draft(
            user=applicant, programme=programme, data=data, now=during_call
        )
        services.submit_submission(user=applicant, submission=submission, now=during_call)
        Submission.objects.filter(pk=submission.pk).update(illustrative=True)
        quality[submission.pk] = item["quality"]
    return quality


def _scores(quality: dict, bias: float) -> dict[str, int]:
    return {key: max(1, min(5, round(value + bias))) for key, value in quality.items()}


def _review(assignment, quality, biases, *, submit: bool) -> None:
    reviewer = assignment.reviewer
    scores = _scores(quality[assignment.submission_id], biases[reviewer.pk])
    data = {
        "scores": scores,
        "confidence": 3,
        "comment_to_applicant": "(Illustrative) A clear proposal; say more about who uses it.",
        "comment_to_committee": "(Illustrative) Synthetic review for the demo.",
    }
    review = services.save_review(
        user=reviewer.user, assignment=assignment, data=data, submit=submit
    )
    type(review).objects.filter(pk=review.pk).update(illustrative=True)


@transaction.atomic
def load_demo_challenge(spec: dict) -> str:
    if Programme.objects.filter(slug=spec["slug"]).exists():
        return f"programmes: {spec['slug']} already loaded, left as it is"
    office = _synthetic_user(OFFICE, staff=True, full_name="Demo Programme Office")
    programme = _build_structure(spec)
    biases = {}
    for item in spec["reviewers"]:
        user = _synthetic_user(f"demo-reviewer-{item['key']}", full_name=item["name"])
        reviewer = pool.add_to_pool(
            user=office,
            programme=programme,
            identifier=user.get_username(),
            expertise=item["expertise"],
            sector_slugs=list(item["sectors"]),
        )
        biases[reviewer.pk] = item["bias"]
    quality = _apply_all(spec, programme)
    first, second = list(programme.rounds_in_order())[:2]
    services.start_round(user=office, round=first)
    assigning.run_assignment(user=office, round=first)
    for assignment in first.assignments.select_related("reviewer__user", "submission", "round"):
        _review(assignment, quality, biases, submit=True)
    proposals = [
        (
            row.submission,
            row.proposal,
            "(Illustrative) Calibrated screening score, top 3 per track.",
        )
        for rows in decisions.round_ranking(first).values()
        for row in rows
    ]
    decisions.decide(user=office, round=first, decisions=proposals)
    assigning.run_assignment(user=office, round=second)
    _partly_review(second, quality, biases, spec["round_two_progress"])
    return f"programmes: {programme.slug} (illustrative) with {len(quality)} submissions"


def _partly_review(round: Round, quality, biases, progress: dict) -> None:
    assignments = list(
        round.assignments.select_related("reviewer__user", "submission", "round").order_by("pk")
    )
    random.Random(2024).shuffle(assignments)
    submitted = round_count(len(assignments), progress["submitted_share"])
    drafts = round_count(len(assignments), progress["draft_share"])
    for number, assignment in enumerate(assignments[: submitted + drafts]):
        _review(assignment, quality, biases, submit=number < submitted)


def round_count(total: int, share: float) -> int:
    return int(total * share + 0.5)
