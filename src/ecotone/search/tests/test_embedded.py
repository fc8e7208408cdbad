import pytest
from django.db import connection

from ecotone.search.backends import SearchQuery, get_search_backend, reset_search_backend
from ecotone.search.backends.embedded import EmbeddedBackend
from ecotone.search.text import query_terms

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


def test_documents_fetched_before_follow_every_change_to_the_index(tmp_path):
    # each process keeps the documents it fetched by key until the index changes
    # (``_fetched_before``): a write by this process, or by another one
    backend, other_process = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    backend.rebuild([doc(1, "solar dryers", body="for tea leaves"), doc(2, "wind pumps")])

    def described(key="solution:1"):
        hit = backend.fetch([key]).get(key)
        return hit.fields["description_en"] if hit else None

    assert described() == "for tea leaves"
    assert (
        backend.fetch(["solution:1"])["solution:1"] is backend.fetch(["solution:1"])["solution:1"]
    )
    backend.update([doc(1, "solar dryers", body="for coffee beans")], [])
    assert described() == "for coffee beans"
    other_process.update([doc(1, "solar dryers", body="for cocoa")], [])
    assert described() == "for cocoa"
    other_process.update([], ["solution:1"])
    assert described() is None
    assert set(backend.fetch(["solution:1", "solution:2", "solution:9"])) == {"solution:2"}
    other_process.rebuild([doc(9, "tidal mills")])
    assert set(backend.fetch(["solution:1", "solution:2", "solution:9"])) == {"solution:9"}


class CountingReloads:
    """The backend's real tantivy index, counting its reloads."""

    def __init__(self, index):
        self.index, self.reloads = index, 0

    def reload(self):
        self.reloads += 1
        self.index.reload()

    def __getattr__(self, name):
        return getattr(self.index, name)


def test_searches_reload_the_index_only_after_a_commit(tmp_path):
    backend = EmbeddedBackend(tmp_path)
    backend.rebuild([doc(1, "solar dryers"), doc(2, "wind pumps")])
    find(backend, "solar")  # the first search reads the index as committed
    backend.index = index = CountingReloads(backend.index)
    for _ in range(3):
        assert keys(find(backend, "solar")) == [("solution", 1)]
        backend.term_weights(query_terms("solar"))
        backend.search_many([SearchQuery(terms=query_terms("wind"))], query_terms("solar"))
        backend.fetch(["solution:2"])
    assert index.reloads == 0
    backend.update([doc(3, "solar kilns")], [])
    for _ in range(3):
        assert keys(find(backend, "solar")) == [("solution", 1), ("solution", 3)]
    assert index.reloads == 1


def test_every_read_sees_a_commit_another_process_made_at_once(tmp_path):
    backend, other_process = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    backend.rebuild([doc(1, "solar dryers"), doc(2, "wind pumps")])
    assert keys(find(backend, "solar")) == [("solution", 1)]
    solar = query_terms("solar")
    assert backend.term_weights(solar) == other_process.term_weights(solar)
    other_process.update([doc(3, "solar kilns"), doc(4, "solar stills")], ["solution:2"])
    assert {pk for _, pk in keys(find(backend, "solar"))} == {1, 3, 4}
    assert backend.term_weights(solar) == other_process.term_weights(solar)
    assert backend.indexed_pks("solution") == {1, 3, 4}
    assert backend.status()["documents"] == 3
    other_process.rebuild([doc(9, "tidal mills")])
    assert keys(find(backend, "solar")) == []
    assert keys(find(backend, "tidal")) == [("solution", 9)]
