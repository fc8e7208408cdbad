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


def test_a_document_read_before_shows_its_new_text_once_updated(tmp_path):
    # each process keeps the documents it decoded (``_decoded``), by their stored bytes
    backend = EmbeddedBackend(tmp_path)
    backend.rebuild([doc(1, "solar dryers", body="for tea leaves")])
    assert find(backend, "solar").hits[0].fields["description_en"] == "for tea leaves"
    backend.update([doc(1, "solar dryers", body="for coffee beans")], [])
    hit = find(backend, "solar").hits[0]
    assert hit.fields["description_en"] == "for coffee beans"
    assert backend.fetch(["solution:1"])["solution:1"].fields["title_en"] == "solar dryers"
