"""Large vector spaces are searched through a bit sketch; it must find what exact search finds."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecotone.search.backends import vectors
from ecotone.search.backends.base import IndexedDocument, Passage
from ecotone.search.backends.vectors import VectorStore

DIM = 128


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def clustered_documents(rng, count: int, shared, topics) -> list[IndexedDocument]:
    """Documents of three passages around 40 topics, all sharing one strong direction
    (as e5's vectors do), half of them in sector "solar"."""
    documents = []
    for pk in range(count):
        topic = topics[pk % 40]
        rows = unit(3 * shared + topic + rng.normal(scale=0.6, size=(3, DIM)))
        documents.append(
            IndexedDocument(
                kind="solution",
                pk=pk,
                external_id=f"s{pk}",
                title_fields={},
                body_fields={},
                facets={"status": ["published"], "sector": ["solar" if pk % 2 else "wind"]},
                passages=tuple(Passage(chunk=c, language="en", text="") for c in range(3)),
                vectors={"test": rows},
            )
        )
    return documents


@pytest.fixture
def store(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    shared, topics = rng.normal(size=DIM), rng.normal(size=(40, DIM))
    store = VectorStore(tmp_path / "vectors.sqlite3")
    store.write(clustered_documents(rng, 2000, shared, topics), [])
    monkeypatch.setattr(vectors, "SKETCH_FROM_ROWS", 0)
    store._fresh()
    assert store._spaces["test"].sketch is not None

    def queries(count: int) -> np.ndarray:
        """Queries about the topics, phrased differently from any passage."""
        picked = topics[rng.integers(0, len(topics), size=count)]
        return unit(3 * shared + picked + rng.normal(scale=0.8, size=(count, DIM)))

    return store, queries


def nearest(store: VectorStore, query, filters=None, *, sketch: bool, limit=10):
    """Through the sketch (the store was loaded with it) or exactly over the same rows."""
    if sketch:
        return store.nearest("test", query, filters or {}, limit)
    matrix = store._spaces["test"]
    allowed = store._allowed("test", matrix, filters or {})
    return store._nearest_exactly(matrix, query, allowed, limit)


def test_the_sketch_keeps_the_exact_top_ten(store, monkeypatch):
    store, queries = store
    monkeypatch.setattr(vectors, "SKETCH_CANDIDATES", 300)  # of 6,000 passages
    kept = []
    for query in queries(20):
        exact = nearest(store, query, sketch=False)
        sketched = nearest(store, query, sketch=True)
        assert len({hit.key for hit in sketched}) == len(sketched) == 10  # one hit per document
        assert sketched[0] == exact[0]
        kept.append(len({h.key for h in exact} & {h.key for h in sketched}) / 10)
    assert np.mean(kept) >= 0.9


def test_the_sketch_scores_each_document_by_its_best_passage(store, monkeypatch):
    store, queries = store
    monkeypatch.setattr(vectors, "SKETCH_CANDIDATES", 6000)  # every passage is a candidate
    query = queries(1)[0]
    hits = nearest(store, query, sketch=True, limit=50)
    rows = store._spaces["test"]
    for hit in hits:
        start = rows.starts[rows.keys.index(hit.key)]
        scores = rows.vectors[start : start + 3] @ query
        assert hit.score == pytest.approx(float(scores.max()), abs=1e-6)
        assert hit.chunk == int(np.argmax(scores))
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_filters_hold_with_the_sketch_both_broad_and_selective(store, monkeypatch):
    store, queries = store
    query = queries(1)[0]
    monkeypatch.setattr(vectors, "SKETCH_CANDIDATES", 300)
    broad = nearest(store, query, {"sector": ["solar"]}, sketch=True)
    assert broad and all(hit.pk % 2 == 1 for hit in broad)
    # fewer allowed passages than candidates: every allowed one is scored, exactly
    monkeypatch.setattr(vectors, "SKETCH_CANDIDATES", 4000)
    selective = nearest(store, query, {"sector": ["solar"]}, sketch=True)
    assert selective == nearest(store, query, {"sector": ["solar"]}, sketch=False)
    assert nearest(store, query, {"sector": ["geothermal"]}, sketch=True) == []


@given(
    distances=st.lists(st.integers(0, 60), min_size=1, max_size=300),
    count=st.integers(1, 120),
)
def test_closest_keeps_the_smallest_distances(distances, count):
    distances = np.asarray(distances, dtype=np.uint16)
    rows = vectors.closest(distances, count)
    assert len(set(rows.tolist())) == len(rows)  # no row twice
    assert len(rows) >= min(count, len(distances))
    left_out = np.setdiff1d(np.arange(len(distances)), rows)
    if len(left_out):
        assert distances[rows].max() <= distances[left_out].min()


def test_exact_hits_are_each_documents_best_passage_in_order(tmp_path):
    """The exact search against a plain reading of the stored rows: per document its best
    passage (the first of equal ones), documents by that score, ties by position."""
    rng = np.random.default_rng(3)
    shared, topics = rng.normal(size=DIM), rng.normal(size=(40, DIM))
    documents = clustered_documents(rng, 300, shared, topics)
    documents[4] = IndexedDocument(  # two equal passages: the first one is the hit
        **{**documents[4].__dict__, "vectors": {"test": np.repeat(unit(topics[:1]), 3, 0)}}
    )
    store = VectorStore(tmp_path / "vectors.sqlite3")
    store.write(documents, [])
    query = unit(topics[0] + 0.1 * shared)
    hits = store.nearest("test", query, {"sector": ["wind"]}, 25)
    expected = []
    for doc in documents:
        if doc.facets["sector"] == ["wind"]:
            scores = doc.vectors["test"] @ query
            expected.append((-float(scores.max()), doc.pk, int(np.argmax(scores))))
    expected.sort(key=lambda item: item[0])
    assert [(h.kind, h.pk, h.chunk, h.language) for h in hits] == [
        ("solution", pk, chunk, "en") for _, pk, chunk in expected[:25]
    ]
    assert [h.score for h in hits] == pytest.approx([-score for score, _, _ in expected[:25]])
    assert hits[0].pk == 4 and hits[0].chunk == 0


@pytest.mark.parametrize("filters", [{}, {"sector": ["solar"]}])
@pytest.mark.parametrize("sketch_from_rows", [0, 10**9])
def test_several_vectors_get_what_each_would_alone(
    tmp_path, monkeypatch, filters, sketch_from_rows
):
    # a query and its gloss are searched in one call (``nearest_many``)
    monkeypatch.setattr(vectors, "SKETCH_FROM_ROWS", sketch_from_rows)
    monkeypatch.setattr(vectors, "SKETCH_CANDIDATES", 300)
    rng = np.random.default_rng(5)
    shared, topics = rng.normal(size=DIM), rng.normal(size=(40, DIM))
    store = VectorStore(tmp_path / "vectors.sqlite3")
    store.write(clustered_documents(rng, 600, shared, topics), [])
    queries = list(unit(3 * shared + topics[:3] + rng.normal(scale=0.8, size=(3, DIM))))
    together = store.nearest_many("test", queries, filters, 20)
    assert together == [store.nearest("test", query, filters, 20) for query in queries]
    assert all(len(hits) == 20 for hits in together)
    assert store.nearest_many("elsewhere", queries, filters, 20) == [[], [], []]
