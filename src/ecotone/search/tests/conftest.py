import pytest

from ecotone.search.backends import reset_search_backend


@pytest.fixture(autouse=True)
def search_home(settings, tmp_path):
    """Each test gets its own index folder and a fresh backend."""
    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield tmp_path
    reset_search_backend()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the on-commit re-indexing the block scheduled."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
