"""The behaviour every search backend owes; subclass once per backend with a ``backend`` fixture."""

import dataclasses
import math

import numpy as np
import pytest

from ecotone.search.backends import IndexedDocument, Passage, SearchQuery
from ecotone.search.text import query_terms

SPACE = "toy-4"


def doc(pk: int, title: str = "", body: str = "", kind: str = "solution", **facets):
    return IndexedDocument(
        kind=kind,
        pk=pk,
        external_id=f"{kind}-{pk}",
        title_fields={"title_en": title},
        body_fields={"description_en": body},
        facets={"kind": [kind], "status": ["published"], **facets},
    )


def keys(page) -> list[tuple[str, int]]:
    return [(hit.kind, hit.pk) for hit in page.hits]


def find(backend, q: str, **kwargs):
    return backend.search(SearchQuery(terms=query_terms(q), **kwargs))


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def with_vectors(document: IndexedDocument, *passages, space: str = SPACE) -> IndexedDocument:
    """``document`` with passages given as (language, vector) or (language, vector, label)."""
    items = tuple(
        Passage(chunk, language, f"passage {chunk}", label)
        for chunk, (language, _, label) in enumerate((*p, "")[:3] for p in passages)
    )
    matrix = np.stack([unit(*vector) for _, vector, *_ in passages])
    vectors = {**document.vectors, space: matrix}
    return dataclasses.replace(document, passages=items, vectors=vectors)


def dense_doc(pk: int, *passages, kind: str = "solution", **facets) -> IndexedDocument:
    return with_vectors(doc(pk, f"document {pk}", kind=kind, **facets), *passages)


def nearest_keys(backend, vector, filters=None, limit: int = 10, space: str = SPACE):
    return [hit.key for hit in backend.nearest(space, vector, filters or {}, limit)]


class BackendContract:
    def test_title_match_beats_body_match(self, backend):
        backend.rebuild(
            [
                doc(1, "Community project", "A heat pump retrofit for schools"),
                doc(2, "Heat pump retrofit", "Community project for schools"),
            ]
        )
        assert keys(find(backend, "heat pump")) == [("solution", 2), ("solution", 1)]

    def test_both_languages(self, backend):
        backend.rebuild([doc(1, "工业园区储能"), doc(2, "Industrial park storage")])
        assert keys(find(backend, "储能")) == [("solution", 1)]
        assert keys(find(backend, "儲能")) == [("solution", 1)]
        assert keys(find(backend, "storage")) == [("solution", 2)]

    def test_facet_filters(self, backend):
        backend.rebuild(
            [
                doc(1, "solar", kind="solution", sector=["energy", "solar-pv"], country=["CN"]),
                doc(2, "solar", kind="case", sector=["energy"], country=["DE"]),
                doc(3, "solar", kind="case", sector=["water"], country=["CN"]),
            ]
        )
        cases = set(keys(find(backend, "solar", filters={"kind": ["case"]})))
        assert cases == {("case", 2), ("case", 3)}
        energy = set(keys(find(backend, "solar", filters={"sector": ["energy"]})))
        assert energy == {("solution", 1), ("case", 2)}
        both = keys(find(backend, "solar", filters={"sector": ["energy"], "country": ["CN"]}))
        assert both == [("solution", 1)]
        assert keys(find(backend, "solar", filters={"sector": ["no-such-sector"]})) == []

    def test_only_published_documents_are_found(self, backend):
        draft = doc(2, "solar")
        draft.facets["status"] = ["pending"]
        backend.rebuild([doc(1, "solar"), draft])
        assert keys(find(backend, "solar")) == [("solution", 1)]

    def test_pagination_walks_every_hit_once(self, backend):
        backend.rebuild([doc(pk, f"solar {pk}") for pk in range(1, 8)])
        seen = []
        for offset in range(0, 9, 3):
            page = find(backend, "solar", limit=3, offset=offset)
            assert page.total == 7
            seen += keys(page)
        assert sorted(seen) == [("solution", pk) for pk in range(1, 8)]

    def test_update_replaces_and_delete_removes(self, backend):
        backend.rebuild([doc(1, "solar"), doc(2, "solar")])
        backend.update([doc(1, "wind")], delete_keys=["solution:2"])
        assert keys(find(backend, "solar")) == []
        assert keys(find(backend, "wind")) == [("solution", 1)]
        assert backend.status()["documents"] == 1

    def test_stored_fields_come_back_with_hits(self, backend):
        backend.rebuild([doc(1, "Solar <b>", "body text")])
        (hit,) = find(backend, "solar").hits
        assert hit.fields == {"title_en": "Solar <b>", "description_en": "body text"}
        assert hit.external_id == "solution-1"

    def test_no_terms_no_hits(self, backend):
        backend.rebuild([doc(1, "solar")])
        assert find(backend, "").hits == []

    def test_term_weights_are_the_idf_of_the_field_holding_the_term_most(self, backend):
        """Both backends weigh a query's words alike (the relevance rules read these):
        a word in one title and three bodies weighs as a word in three documents."""
        backend.rebuild(
            [
                doc(1, "Solar kiln", "solar"),
                doc(2, "Wind", "solar farm"),
                doc(3, "Grid", "solar grid"),
                doc(4, "Heat", "heat pump"),
            ]
        )
        weights = backend.term_weights(query_terms("solar kiln pump absent"))

        def idf(containing: int) -> float:
            return math.log(1 + (4 - containing + 0.5) / (containing + 0.5))

        assert weights == pytest.approx([idf(3), idf(1), idf(1), idf(0)])

    def test_prefix_terms_match_word_beginnings_and_stems(self, backend):
        backend.rebuild([doc(1, "Electric vehicles"), doc(2, "Electra Heat"), doc(3, "Elegant")])
        assert set(keys(find(backend, "electr*"))) == {("solution", 1), ("solution", 2)}
        # "electric" is indexed as its stem "electr", which electri* must still reach
        assert keys(find(backend, "electri*")) == [("solution", 1)]
        assert keys(find(backend, "electri")) == []

    def test_hits_carry_their_facets(self, backend):
        backend.rebuild([doc(1, "solar", sector=["energy"], country=["CN"])])
        (hit,) = find(backend, "solar").hits
        assert hit.facets["sector"] == ["energy"]
        assert hit.facets["country"] == ["CN"]

    # -- dense -----------------------------------------------------------------------

    def test_nearest_finds_the_most_similar_document_first(self, backend):
        backend.rebuild(
            [
                dense_doc(1, ("en", (0, 0, 1, 0))),
                dense_doc(2, ("en", (1, 1, 0, 0))),
                dense_doc(3, ("en", (1, 0, 0, 0))),
            ]
        )
        query = unit(1, 0.2, 0, 0)
        hits = backend.nearest(SPACE, query, {}, 10)
        assert [hit.key for hit in hits] == ["solution:3", "solution:2", "solution:1"]
        assert hits[0].score == pytest.approx(float(query @ unit(1, 0, 0, 0)), abs=1e-5)
        assert hits[2].score == pytest.approx(0.0, abs=1e-5)
        assert nearest_keys(backend, query, limit=2) == ["solution:3", "solution:2"]

    def test_several_vectors_in_one_call_find_what_each_finds_alone(self, backend):
        backend.rebuild(
            [
                dense_doc(1, ("en", (0, 0, 1, 0))),
                dense_doc(2, ("en", (1, 1, 0, 0)), sector=["grid"]),
                dense_doc(3, ("en", (1, 0, 0, 0))),
            ]
        )
        vectors = [unit(1, 0.2, 0, 0), unit(0.1, 0, 1, 0), np.zeros(4, dtype=np.float32)]
        for filters in ({}, {"sector": ["grid"]}):
            found = backend.nearest_many(SPACE, vectors, filters, 2)
            assert found == [backend.nearest(SPACE, v, filters, 2) for v in vectors]
        found = backend.nearest_many(SPACE, vectors[:2], {}, 2)
        assert [[hit.key for hit in hits] for hits in found] == [
            ["solution:3", "solution:2"],
            ["solution:1", "solution:3"],
        ]
        assert backend.nearest_many("never-written", vectors, {}, 2) == [[], [], []]

    def test_several_searches_in_one_call_give_what_each_gives_alone(self, backend):
        backend.rebuild(
            [
                doc(1, "Solar storage", "battery storage"),
                doc(2, "光伏储能", "储能"),
                doc(3, "Heat pump", "heat pumps for schools"),
            ]
        )
        queries = [
            SearchQuery(terms=query_terms(q), limit=5) for q in ("storage", "储能", "heat sol*", "")
        ]
        weigh = query_terms("storage schools nowhere")
        pages, weights = backend.search_many(queries, weigh)
        assert [keys(page) for page in pages] == [keys(backend.search(q)) for q in queries]
        assert [keys(page) for page in pages][:3] == [
            [("solution", 1)],
            [("solution", 2)],
            [("solution", 3), ("solution", 1)],
        ]
        assert weights == pytest.approx(backend.term_weights(weigh))
        assert backend.search_many(queries[3:], []) == ([backend.search(queries[3])], [])

    def test_nearest_gives_each_document_once_with_its_best_passage(self, backend):
        backend.rebuild(
            [
                dense_doc(
                    1,
                    ("en", (1, 0, 0, 0)),
                    ("zh", (0, 1, 0, 0)),
                    ("en", (0, 0, 1, 0), "p. 3"),
                ),
                dense_doc(2, ("zh", (0, 1, 0.3, 0))),
            ]
        )
        first, second = backend.nearest(SPACE, unit(0, 0.2, 1, 0), {}, 10)
        assert (first.key, first.chunk, first.language, first.label) == (
            "solution:1",
            2,
            "en",
            "p. 3",
        )
        assert (second.key, second.chunk, second.language) == ("solution:2", 0, "zh")
        (best,) = backend.nearest(SPACE, unit(0, 1, 0, 0), {}, 1)
        assert (best.key, best.chunk, best.language, best.label) == ("solution:1", 1, "zh", "")
        assert best.score == pytest.approx(1.0, abs=1e-5)

    def test_nearest_applies_filters_and_finds_only_published_documents(self, backend):
        draft = dense_doc(4, ("en", (1, 0, 0, 0)), kind="case", sector=["energy"])
        draft.facets["status"] = ["pending"]
        backend.rebuild(
            [
                dense_doc(1, ("en", (1, 0, 0, 0)), kind="solution", sector=["energy"]),
                dense_doc(2, ("en", (0.9, 0.1, 0, 0)), kind="case", sector=["energy"]),
                dense_doc(3, ("en", (1, 0.05, 0, 0)), kind="case", sector=["water"]),
                draft,
            ]
        )
        query = unit(1, 0, 0, 0)
        assert nearest_keys(backend, query) == ["solution:1", "case:3", "case:2"]
        assert nearest_keys(backend, query, {"kind": ["case"]}) == ["case:3", "case:2"]
        assert nearest_keys(backend, query, {"sector": ["energy"]}) == ["solution:1", "case:2"]
        both = {"sector": ["energy", "water"], "kind": ["case"]}
        assert nearest_keys(backend, query, both) == ["case:3", "case:2"]
        assert nearest_keys(backend, query, {"sector": ["no-such-sector"]}) == []
        assert nearest_keys(backend, query, {"status": ["pending"]}) == [
            "solution:1",
            "case:3",
            "case:2",
        ]

    def test_update_replaces_vectors_and_delete_removes_them(self, backend):
        backend.rebuild([dense_doc(1, ("en", (1, 0, 0, 0))), dense_doc(2, ("en", (0, 1, 0, 0)))])
        backend.update([dense_doc(1, ("en", (0, 0, 1, 0)))], delete_keys=["solution:2"])
        (hit,) = backend.nearest(SPACE, unit(1, 0, 0, 0), {}, 10)
        assert hit.key == "solution:1"
        assert hit.score == pytest.approx(0.0, abs=1e-5)
        assert backend.nearest(SPACE, unit(0, 0, 1, 0), {}, 10)[0].score == pytest.approx(1.0)
        assert backend.status()["vectors"] == {SPACE: 1}
        backend.update([doc(1, "no vectors any more")], delete_keys=[])
        assert nearest_keys(backend, unit(0, 0, 1, 0)) == []
        assert backend.status()["vectors"].get(SPACE, 0) == 0

    def test_fetch_returns_stored_fields_and_facets(self, backend):
        backend.rebuild(
            [doc(1, "Solar", "body text", sector=["energy"]), doc(2, "Wind", kind="case")]
        )
        found = backend.fetch(["solution:1", "case:2", "solution:99", "case:1", "nonsense", ""])
        assert set(found) == {"solution:1", "case:2"}
        hit = found["solution:1"]
        assert hit.fields == {"title_en": "Solar", "description_en": "body text"}
        assert hit.facets["sector"] == ["energy"]
        assert (hit.kind, hit.pk, hit.external_id, hit.score) == ("solution", 1, "solution-1", 0)
        assert backend.fetch([]) == {}

    def test_rebuild_clears_old_vectors(self, backend):
        backend.rebuild([dense_doc(1, ("en", (1, 0, 0, 0)))])
        backend.rebuild([dense_doc(2, ("en", (0, 1, 0, 0)))])
        assert nearest_keys(backend, unit(1, 0, 0, 0)) == ["solution:2"]
        backend.rebuild([doc(3, "no vectors")])
        assert nearest_keys(backend, unit(1, 0, 0, 0)) == []
        assert backend.status()["vectors"].get(SPACE, 0) == 0

    def test_spaces_of_different_dimensions_stay_apart(self, backend):
        document = dense_doc(1, ("en", (1, 0, 0, 0)), ("zh", (0, 1, 0, 0)))
        document = with_vectors(document, ("en", (0, 0, 1)), ("zh", (1, 0, 0)), space="toy-3")
        backend.rebuild([document, dense_doc(2, ("en", (0, 0, 0, 1)))])
        (hit,) = backend.nearest("toy-3", unit(1, 0, 0), {}, 10)
        assert (hit.key, hit.chunk, hit.language) == ("solution:1", 1, "zh")
        assert nearest_keys(backend, unit(0, 0.1, 0, 1)) == ["solution:2", "solution:1"]
        assert backend.status()["vectors"] == {SPACE: 3, "toy-3": 2}

    def test_an_unknown_space_gives_nothing(self, backend):
        backend.rebuild([doc(1, "solar")])
        assert backend.nearest("never-written", unit(1, 0, 0, 0), {}, 10) == []
        assert backend.nearest(SPACE, unit(1, 0, 0, 0), {}, 10) == []

    def test_status_counts_documents_and_vectors(self, backend):
        backend.rebuild(
            [
                dense_doc(1, ("en", (1, 0, 0, 0)), ("zh", (0, 1, 0, 0))),
                dense_doc(2, ("en", (0, 0, 1, 0))),
                doc(3, "lexical only", kind="case"),
            ]
        )
        status = backend.status()
        assert status["documents"] == 3
        assert status["by_kind"]["solution"] == 2
        assert status["by_kind"]["case"] == 1
        assert status["vectors"] == {SPACE: 3}
