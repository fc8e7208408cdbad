import pytest
from django.db import connection

from ecotone.search.backends import get_search_backend, reset_search_backend
from ecotone.search.backends.embedded import EmbeddedBackend

from .contract import BackendContract, doc, find, keys


class TestEmbeddedBackend(BackendContract):
    @pytest.fixture
    def backend(self, tmp_path):
        return EmbeddedBackend(tmp_path)


def test_index_survives_a_restart(tmp_path):
    EmbeddedBackend(tmp_path).rebuild([doc(1, "solar")])
    assert keys(find(EmbeddedBackend(tmp_path), "solar")) == [("solution", 1)]


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="on PostgreSQL the index lives in the database"
)
def test_backend_lives_under_ecotone_home(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path / "elsewhere"
    reset_search_backend()
    backend = get_search_backend()
    assert backend is get_search_backend()
    assert str(backend.path).startswith(str(tmp_path / "elsewhere" / "search"))
