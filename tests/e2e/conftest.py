import json

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


def log_in(page, base_url: str, username: str, password: str = "correct-horse-battery") -> None:
    page.goto(f"{base_url}/en/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
