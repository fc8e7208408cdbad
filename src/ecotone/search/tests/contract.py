"""The behaviour every search backend owes; subclass once per backend with a ``backend`` fixture."""

from ecotone.search.backends import IndexedDocument, SearchQuery
from ecotone.search.text import query_terms


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
