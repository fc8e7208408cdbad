import json
from types import SimpleNamespace

import pytest
from django.conf import settings

from ecotone.catalog.importing import import_rows
from ecotone.catalog.kinds import IMPORT_ORDER, KINDS


@pytest.fixture(autouse=True)
def sectors(transactional_db):
    """Transactional tests flush every table after each test, the seeded sectors included."""
    from ecotone.catalog.models import Sector
    from ecotone.catalog.taxonomy import seed_sectors

    seed_sectors(Sector)


@pytest.fixture
def shenzhen_session(sectors):
    """The Shenzhen Session records of the bundled demo data (ids starting with ``szs-``)."""
    folder = settings.DATA_DIR / "demo"
    for name in IMPORT_ORDER:
        path = folder / f"{KINDS[name].plural}.jsonl"
        if not path.exists():
            continue
        rows = [
            (number, row)
            for number, row in enumerate(
                (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()),
                start=1,
            )
            if row["external_id"].startswith("szs-")
        ]
        import_rows(KINDS[name], rows)


@pytest.fixture
def staff_user(transactional_db):
    from ecotone.core.testing import UserFactory

    return UserFactory(username="sam", is_staff=True)


@pytest.fixture
def own_search_index(settings, tmp_path):
    """An index of this test's records only (the live server shares the process)."""
    from ecotone.search.backends import reset_search_backend

    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield
    reset_search_backend()


@pytest.fixture
def bus_depot(sectors):
    """The matchmaking journeys' start: Mei of the Shenzhen Bus Group has a need for depot
    charging of electric buses; ``chargers_from(provider)`` publishes the solution that
    fits it."""
    from ecotone.catalog.models import Sector
    from ecotone.core.testing import (
        NeedFactory,
        OrganisationFactory,
        SolutionFactory,
        UserFactory,
        make_member,
    )

    ev = Sector.objects.get(slug="electric-vehicles")
    metro = OrganisationFactory(name_en="Shenzhen Bus Group", kind="corporate")
    mei = UserFactory(username="mei", email="mei@bus.example", first_name="Mei", last_name="Li")
    make_member(mei, metro)
    need = NeedFactory(
        organisation=metro,
        title_en="Overnight depot charging for 200 electric buses",
        problem_en="Our depots need smart charging to avoid peak tariffs.",
        country="CN",
    )
    need.sectors.add(ev)

    def chargers_from(provider):
        chargers = SolutionFactory(
            provider=provider,
            title_en="Smart depot charging",
            description_en=(
                "Schedules overnight charging of electric bus fleets around peak tariffs."
            ),
            trl=8,
        )
        chargers.sectors.add(ev)
        return chargers

    return SimpleNamespace(ev=ev, metro=metro, mei=mei, need=need, chargers_from=chargers_from)


def log_in(page, base_url: str, username: str, password: str = "correct-horse-battery") -> None:
    page.goto(f"{base_url}/en/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
