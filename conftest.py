"""Suite-wide test setup: real databases, a real browser, no network.

In CI (``CI=true``) a missing browser or database is a failure, never a skip.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop; the live server's ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("ECOTONE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    if IN_CI and not os.path.exists(CHROMIUM):
        raise pytest.UsageError(
            f"CI: Chromium is missing at {CHROMIUM}; run scripts/install-system-deps.sh"
        )


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_by_default():
    """Django keeps the last request's language active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _search_readers_closed():
    """A search outside a transaction reads on threads of its own, whose connections
    would outlive the test (search/backends/side_by_side.py): PostgreSQL refuses to drop
    a database while a connection is open."""
    yield
    from ecotone.search.backends.side_by_side import close_connections

    close_connections()


@pytest.fixture
def search_home(settings, tmp_path):
    """An index folder of the test's own and a fresh search backend. The apps whose tests
    index records (search, matching, programmes) make it autouse in their conftest."""
    from ecotone.search.backends import reset_search_backend

    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield tmp_path
    reset_search_backend()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block left for after the commit: re-indexing
    of saved records, e-mails."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
