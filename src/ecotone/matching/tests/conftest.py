import pytest
from django.test import Client

from ecotone.accounts.models import ApiToken
from ecotone.search.backends import reset_search_backend


@pytest.fixture(autouse=True)
def search_home(settings, tmp_path):
    """Each test indexes into a folder of its own, with a fresh backend."""
    settings.ECOTONE_HOME = tmp_path
    reset_search_backend()
    yield tmp_path
    reset_search_backend()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block left for after the commit: re-indexing
    of saved records, and introduction e-mails."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def token_headers(user) -> dict:
    if user is None:
        return {}
    _, raw = ApiToken.issue(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
