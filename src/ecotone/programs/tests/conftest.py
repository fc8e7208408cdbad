from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from ecotone.catalog.models import Sector
from ecotone.core.testing import OrganisationFactory, UserFactory, make_member
from ecotone.programs import services
from ecotone.programs.models import Criterion, Programme, Round, Track
from ecotone.programs.services import pool

LEVELS = [{"en": f"level {n}", "zh": f"等级{n}"} for n in range(1, 6)]


@pytest.fixture(autouse=True)
def search_home(search_home):
    """Every test here indexes records: each gets an index of its own (root conftest)."""
    return search_home


@dataclass
class World:
    programme: Programme
    manager: object
    organiser: object
    tracks: dict
    rounds: list
    applicants: list = field(default_factory=list)  # (user, organisation)
    reviewers: list = field(default_factory=list)


def make_programme(*, slug="test-challenge", rounds=2, k=2, load=5) -> World:
    organiser = OrganisationFactory(
        name_en="Green Fund", kind="ngo", website="https://greenfund.example"
    )
    manager = UserFactory(username=f"manager-{slug}", email="boss@greenfund.example")
    make_member(manager, organiser)
    now = timezone.now()
    programme = Programme.objects.create(
        slug=slug,
        organiser=organiser,
        title_en="Test Challenge",
        title_zh="测试挑战赛",
        year=2024,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        award_count=2,
        questions=[{"key": "impact", "label_en": "Impact", "label_zh": "影响", "required": True}],
    )
    energy = Track.objects.create(programme=programme, key="energy", name_en="Energy", position=1)
    energy.sectors.add(Sector.objects.get(slug="solar-power"))
    transport = Track.objects.create(
        programme=programme, key="transport", name_en="Transport", position=2
    )
    transport.sectors.add(Sector.objects.get(slug="electric-vehicles"))
    made = []
    for position in range(1, rounds + 1):
        last = position == rounds
        rnd = Round.objects.create(
            programme=programme,
            position=position,
            kind="final" if last else "screening",
            name_en="Final" if last else f"Round {position}",
            reviewers_per_submission=k,
            max_load=load,
            decision_rule="top_n",
            decision_value=1,
        )
        for number, key in enumerate(["technology", "commercial"]):
            Criterion.objects.create(
                round=rnd,
                key=key,
                name_en=key.title(),
                weight=1 + number,
                levels=LEVELS,
                position=number,
            )
        made.append(rnd)
    return World(programme, manager, organiser, {"energy": energy, "transport": transport}, made)


def add_applicant(world: World, name: str, *, website: str = ""):
    org = OrganisationFactory(name_en=name, website=website)
    user = UserFactory(
        username=f"applicant-{org.pk}", email=f"a{org.pk}@{name.lower().replace(' ', '')}.example"
    )
    make_member(user, org)
    world.applicants.append((user, org))
    return user, org


def apply(
    world: World, user, org, *, track="energy", title="Solar roofs", summary="Rooftop solar power"
):
    submission = services.save_draft(
        user=user,
        programme=world.programme,
        data={
            "track": track,
            "applicant": org.pk,
            "title": title,
            "summary": summary,
            "answers": {"impact": "Cuts 100 t CO2e a year"},
        },
    )
    return services.submit_submission(user=user, submission=submission)


def add_reviewer(
    world: World, username: str, *, expertise="solar power", sectors=("solar-power",), email=None
):
    user = UserFactory(username=username, email=email or f"{username}@reviewers.example")
    reviewer = pool.add_to_pool(
        user=world.manager,
        programme=world.programme,
        identifier=user.username,
        expertise=expertise,
        sector_slugs=list(sectors),
    )
    world.reviewers.append(reviewer)
    return reviewer
