"""The demo step over the real demo files: Shenzhen results and the illustrative challenge."""

import json

import pytest
from django.conf import settings

from ecotone.catalog.importing import import_rows
from ecotone.catalog.kinds import IMPORT_ORDER, KINDS
from ecotone.programs.demo import load_demo_programmes
from ecotone.programs.models import Programme, Review, Round, Submission

pytestmark = pytest.mark.django_db

FOLDER = settings.DATA_DIR / "demo"


def _needed_ids() -> set[str]:
    challenge = json.loads((FOLDER / "programmes" / "demo_challenge.json").read_text())
    solutions = {item["solution"] for item in challenge["submissions"]}
    providers = set()
    for line in (FOLDER / "solutions.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["external_id"] in solutions:
            providers.add(row["provider"])
    return solutions | providers


@pytest.fixture
def demo_catalogue():
    wanted = _needed_ids()
    for name in IMPORT_ORDER:
        path = FOLDER / f"{KINDS[name].plural}.jsonl"
        if not path.exists():
            continue
        rows = [
            (number, row)
            for number, row in enumerate(
                (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()),
                start=1,
            )
            if row["external_id"].startswith("szs-") or row["external_id"] in wanted
        ]
        import_rows(KINDS[name], rows)


def test_the_demo_step_loads_both_programmes_and_is_idempotent(demo_catalogue):
    messages = []
    load_demo_programmes(FOLDER, messages.append)
    shenzhen = Programme.objects.get(slug="shenzhen-top-ten-green-low-carbon-cases-2023")
    winners = Submission.objects.filter(programme=shenzhen, status="awarded")
    assert winners.count() == 10
    assert {s.award.external_id for s in winners} == {
        f"szs-2023-award-{k}"
        for k in (
            "byd",
            "shenzhen-energy",
            "das-intellitech",
            "grandsun",
            "sf-holding",
            "shenzhen-metro",
            "cr-power-shenshan",
            "lumi-united",
            "decarbon",
            "shenzhentong",
        )
    }
    assert not Review.objects.filter(assignment__submission__programme=shenzhen).exists()
    assert shenzhen.results_published

    challenge = Programme.objects.get(slug="demo-challenge")
    assert challenge.illustrative
    first, second, final = Round.objects.filter(programme=challenge).order_by("position")
    assert (first.status, second.status, final.status) == ("finished", "active", "planned")
    assert first.decisions.count() == 12
    statuses = set(Review.objects.filter(assignment__round=second).values_list("status", flat=True))
    assert statuses == {"draft", "submitted"}
    assert second.assignments.count() > Review.objects.filter(assignment__round=second).count()

    load_demo_programmes(FOLDER, messages.append)
    assert Submission.objects.filter(programme=shenzhen).count() == 10
    assert Programme.objects.filter(slug="demo-challenge").count() == 1
    assert "already loaded" in messages[-1]
