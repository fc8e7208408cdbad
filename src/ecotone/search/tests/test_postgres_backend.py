"""The PostgreSQL backend: the shared contract, and what only it has (SQL built from user
input, the HNSW index and its filtered fallback, per-space tables, the migration).

Runs against a real server: ``DATABASE_URL=$(PGPORT=… bash scripts/test-postgres.sh url)``.
"""

import importlib
import threading

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ecotone.search.backends import SearchQuery, get_search_backend, postgres
from ecotone.search.backends.postgres import (
    DimensionMismatch,
    PostgresBackend,
    _DenseSearch,
    _spaces,
    first_walks_sql,
    hnsw_index_name,
    space_table,
    vector_literal,
)
from ecotone.search.text import Term

from .contract import (
    SPACE,
    BackendContract,
    dense_doc,
    doc,
    find,
    keys,
    nearest_keys,
    unit,
    with_vectors,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    ),
]

migration = importlib.import_module("ecotone.search.migrations.0002_postgres_search")
bm25_migration = importlib.import_module("ecotone.search.migrations.0003_postgres_bm25")
postings_migration = importlib.import_module("ecotone.search.migrations.0004_postgres_postings")
graphs_migration = importlib.import_module(
    "ecotone.search.migrations.0007_postgres_half_precision_graphs"
)


class TestPostgresBackend(BackendContract):
    @pytest.fixture
    def backend(self, db):
        return PostgresBackend()


def test_postgresql_gets_the_postgres_backend(db):
    assert isinstance(get_search_backend(), PostgresBackend)


# -- input that must never become SQL or tsquery syntax ---------------------------------

BAD_QUERIES = [
    "",
    "solar " * 2000,
    "x" * 10_000,
    "!?.,;:…—「」『』（）《》",
    '" * ( ) NEAR AND OR - :',
    "' OR 1=1; DROP TABLE search_pg_document; --",
    "a & b | !c <-> d:* e:A \\ '",
    "🌍🔥☀️ solar 🌞",
    "太陽能 solar Ünïcödé مرحبا नमस्ते ไทย 한국어",
    "\x00 solar \x00",
]


@pytest.mark.parametrize("q", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_queries_never_fail(db, q):
    backend = PostgresBackend()
    backend.rebuild([doc(1, "solar 太阳能")])
    page = find(backend, q, filters={"sector": [q[:50]]})
    assert page.hits == []
    page = find(backend, q)
    assert page.total == len(page.hits) <= 1


def test_tokens_with_query_syntax_are_plain_lexemes(db):
    backend = PostgresBackend()
    backend.rebuild([doc(1, "solar")])
    tokens = ["'", "''", "\\", "a:*", "&", "|", "!", "(", ")", "<->", "a b", ":A", "solar'"]
    nasty = [Term(token, token, "en") for token in tokens]
    assert backend.search(SearchQuery(terms=nasty)).hits == []
    mixed = [*nasty, Term("solar", "solar", "en")]
    assert keys(backend.search(SearchQuery(terms=mixed))) == [("solution", 1)]


def test_odd_stored_text_round_trips(db):
    backend = PostgresBackend()
    title = "Solar \x00 'quoted' \\ back\\slash \"double\" 太阳能 🌞"
    backend.rebuild([doc(1, title, "body", sector=["it's", "a\\b"])])
    (hit,) = find(backend, "solar").hits
    assert hit.fields["title_en"] == title.replace("\x00", "")
    assert hit.facets["sector"] == ["it's", "a\\b"]
    assert keys(find(backend, "solar", filters={"sector": ["it's"]})) == [("solution", 1)]


def test_vectors_and_passage_text_are_stored_exactly(db):
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(2, 4)).astype(np.float32)
    document = with_vectors(doc(1, "solar"), ("zh", matrix[0], "标题 'é' \\"), ("en", matrix[1]))
    for update in (False, True):  # a rebuild and an update write them the same way
        backend = PostgresBackend()
        if update:
            backend.update([document], [])
        else:
            backend.rebuild([document])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT chunk, language, label, embedding::text FROM {space_table(SPACE)}"  # noqa: S608
                " ORDER BY chunk"
            )
            rows = cursor.fetchall()
        expected = [
            (0, "zh", "标题 'é' \\", vector_literal(document.vectors[SPACE][0])),
            (1, "en", "", vector_literal(document.vectors[SPACE][1])),
        ]
        assert rows == expected


def test_a_document_too_big_for_a_tsvector_keeps_its_first_words(db):
    backend = PostgresBackend()
    long = "abcdefghijklmnopqrst"
    words = " ".join(f"lexeme{number:06d}{long}" for number in range(40_000))  # ~1.2 MB
    backend.rebuild([doc(1, "solar", words)])
    assert keys(find(backend, f"lexeme000001{long}")) == [("solution", 1)]
    assert keys(find(backend, "solar")) == [("solution", 1)]


def test_odd_keys_are_left_out(db):
    backend = PostgresBackend()
    backend.rebuild([doc(1, "solar")])
    odd = ["solution:99999999999999999999999", "solution:-1", ":", "solution:１", "\x00:1"]
    assert backend.fetch(odd) == {}
    backend.update([], delete_keys=odd)
    assert backend.status()["documents"] == 1


def test_a_document_twice_in_one_update_keeps_the_last(db):
    backend = PostgresBackend()
    backend.update([doc(1, "solar"), doc(1, "wind")], delete_keys=[])
    assert keys(find(backend, "wind")) == [("solution", 1)]
    assert find(backend, "solar").hits == []


def test_a_document_twice_in_a_rebuild_keeps_the_last_passages(db, monkeypatch):
    """Written twice in separate batches, a document keeps the second version's
    passages only (a rebuild deletes passages just for the keys it writes again)."""
    monkeypatch.setattr(postgres, "WRITE_BATCH", 2)
    rng = np.random.default_rng(3)
    first = with_vectors(doc(1, "solar"), ("en", rng.normal(size=4)), ("zh", rng.normal(size=4)))
    other = with_vectors(doc(2, "wind"), ("en", rng.normal(size=4)))
    again = with_vectors(doc(1, "storage"), ("en", rng.normal(size=4)))
    PostgresBackend().rebuild([first, other, again])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.pk, v.chunk, v.embedding::text FROM {space_table(SPACE)} v"  # noqa: S608
            " JOIN search_pg_document d ON d.id = v.doc_id ORDER BY d.pk, v.chunk"
        )
        rows = cursor.fetchall()
    assert rows == [
        (1, 0, vector_literal(again.vectors[SPACE][0])),
        (2, 0, vector_literal(other.vectors[SPACE][0])),
    ]


def test_a_write_computes_the_next_batchs_rows_while_it_writes_one(db, monkeypatch):
    """The tokens and tsvectors of batch n + 1 are computed (on a thread) while batch n
    goes to the database, so Python and the database work at once."""
    monkeypatch.setattr(postgres, "WRITE_BATCH", 1)
    second_prepared = threading.Event()
    document_record = postgres._document_record

    def noting(document):
        if document.pk == 2:
            second_prepared.set()
        return document_record(document)

    write = postgres._Writer.write
    overlapped = []

    def writing(writer, batch):
        if not overlapped:  # the first batch: the second's rows are on their way
            overlapped.append(second_prepared.wait(timeout=30))
        return write(writer, batch)

    monkeypatch.setattr(postgres, "_document_record", noting)
    monkeypatch.setattr(postgres._Writer, "write", writing)
    backend = PostgresBackend()
    backend.rebuild([doc(1, "solar"), doc(2, "wind"), doc(3, "storage")])
    assert overlapped == [True]
    assert keys(find(backend, "wind")) == [("solution", 2)]
    assert backend.status()["documents"] == 3


def test_title_weight_orders_title_and_body_matches(db):
    backend = PostgresBackend()
    backend.rebuild([doc(1, "storage", "grid"), doc(2, "grid", "storage")])
    assert keys(find(backend, "storage")) == [("solution", 1), ("solution", 2)]
    body_first = find(backend, "storage", title_weight=0.2)
    assert keys(body_first) == [("solution", 2), ("solution", 1)]


# -- dense: the HNSW path ----------------------------------------------------------------


def random_documents(count: int, dim: int = 16, seed: int = 7, **facets):
    rng = np.random.default_rng(seed)
    documents = []
    for pk in range(1, count + 1):
        passages = [("en", tuple(rng.normal(size=dim))), ("zh", tuple(rng.normal(size=dim)))]
        documents.append(dense_doc(pk, *passages, **facets))
    return documents


def exact_best(documents, query: np.ndarray, limit: int) -> list[str]:
    best = {d.key: float(np.max(d.vectors[SPACE] @ query)) for d in documents}
    return sorted(best, key=lambda key: -best[key])[:limit]


def test_hnsw_search_agrees_with_an_exact_scan(db):
    documents = random_documents(300)
    backend = PostgresBackend(exact_below=0)
    backend.rebuild(documents)
    query = unit(*np.random.default_rng(1).normal(size=16))
    found = nearest_keys(backend, query, limit=10)
    expected = exact_best(documents, query, 10)
    assert found[0] == expected[0]
    assert len(found) == 10
    assert len(set(found) & set(expected)) >= 9  # HNSW is approximate; at 300 it rarely errs


def test_a_walk_in_half_precision_gives_full_precision_scores(db):
    """The graph orders passages by their half-precision vectors; the scores of the
    passages it finds are their float32 cosine similarities (half precision is off by
    ~1e-4)."""
    documents = random_documents(300)
    backend = PostgresBackend(exact_below=0)
    backend.rebuild(documents)
    query = unit(*np.random.default_rng(2).normal(size=16))
    hits = backend.nearest(SPACE, query, {}, 10)
    exact = {d.key: float(np.max(d.vectors[SPACE] @ query)) for d in documents}
    assert len(hits) == 10
    assert all(abs(hit.score - exact[hit.key]) < 1e-6 for hit in hits)


def test_the_hnsw_index_serves_the_approximate_query(db):
    backend = PostgresBackend(exact_below=0)
    backend.rebuild(random_documents(50))
    with transaction.atomic(), connection.cursor() as cursor:
        # Without a sort, only the index can return rows in distance order.
        cursor.execute("SET LOCAL enable_sort = off")
        space = _spaces(cursor)[SPACE]
        search = _DenseSearch(cursor, space, vector_literal(unit(*[1] * 16)), {})
        sql, params = search.approximate_sql(40)
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {hnsw_index_name(space.table)}" in plan


def test_the_first_walks_share_one_statement_with_the_small_space_check(db):
    """The HNSW index serves each vector's walk in the statement that also asks whether
    the space is small, and dense searches of several vectors send two statements (the
    space with the HNSW settings, then that one) where each sent four."""
    backend = PostgresBackend(exact_below=0)
    backend.rebuild(random_documents(50))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        space = _spaces(cursor)[SPACE]
        searches = [
            _DenseSearch(cursor, space, vector_literal(unit(*vector)), {})
            for vector in ([1] * 16, [1, -1] * 8)
        ]
        sql, params = first_walks_sql(searches, 10, 0, 4)
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # each vector walks the graph
    assert plan.count(f"Index Scan using {hnsw_index_name(space.table)}") == 2
    queries = [unit(*[1] * 16), unit(*[1, -1] * 8)]
    for exact_below in (0, 1000):  # the walks, and the small space's exact scans
        engine = PostgresBackend(exact_below=exact_below)
        with CaptureQueriesContext(connection) as sent:
            found = engine.nearest_many(SPACE, queries, {}, 10)
        statements = [q["sql"] for q in sent.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(statements) == 2, statements
        assert found == [engine.nearest(SPACE, query, {}, 10) for query in queries]
        assert [len(hits) for hits in found] == [10, 10]
        assert found[0] != found[1]


RARE = ["solution:1000", "solution:1001", "solution:1002"]


@pytest.fixture
def rare_and_common(db):
    """300 documents close to the query, 3 (sector "rare") orthogonal to it."""
    common = random_documents(300, sector=["common"])
    rare = [dense_doc(1000 + i, ("en", (0,) * 15 + (1,)), sector=["rare"]) for i in range(3)]
    PostgresBackend().rebuild(common + rare)
    return unit(*(1,) * 15 + (0,))


def walk_the_graph(cursor, query, ef_search: int, max_scan_tuples: int) -> _DenseSearch:
    """A dense search for the rare documents that must use the HNSW index, as the planner
    does when it misjudges a filter (left alone it starts from the three documents)."""
    cursor.execute("SET LOCAL enable_sort = off")
    space = _spaces(cursor)[SPACE]
    search = _DenseSearch(cursor, space, vector_literal(query), {"sector": ["rare"]})
    search.configure(ef_search, max_scan_tuples)
    return search


def test_iterative_scans_walk_past_filtered_out_passages(rare_and_common):
    with transaction.atomic(), connection.cursor() as cursor:
        # ef_search 10: without an iterative scan the graph yields 10 common passages only.
        found = walk_the_graph(cursor, rare_and_common, 10, 20_000).approximate(3)
    assert sorted(hit.key for hit in found) == RARE


def test_a_walk_that_comes_back_short_falls_back_to_an_exact_scan(rare_and_common):
    backend = PostgresBackend(exact_below=0, ef_search=10, max_scan_tuples=10)
    with transaction.atomic(), connection.cursor() as cursor:
        # pgvector draws each node's level at random: when a rare passage is the graph's
        # entry point, a walk of 10 tuples starts beside the answers; draw the graph again
        for _ in range(5):
            if walk_the_graph(cursor, rare_and_common, 10, 10).approximate(3) is None:
                break
            cursor.execute(f"REINDEX INDEX {hnsw_index_name(space_table(SPACE))}")
        else:
            pytest.fail("every walk of 10 tuples found the three rare passages")
        found = nearest_keys(backend, rare_and_common, {"sector": ["rare"]})
    assert sorted(found) == RARE


def test_small_spaces_give_exact_results(db):
    documents = random_documents(40)
    backend = PostgresBackend()  # 80 passages: below exact_below
    backend.rebuild(documents)
    query = unit(*np.random.default_rng(3).normal(size=16))
    assert nearest_keys(backend, query, limit=40) == exact_best(documents, query, 40)


def space_indexes() -> tuple[str, str]:
    """The space's table as the registry names it, and its index definitions."""
    with connection.cursor() as cursor:
        table = _spaces(cursor)[SPACE].table
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return table, " ".join(row[0] for row in cursor.fetchall())


def test_rebuild_indexes_new_space_tables(db):
    PostgresBackend().rebuild(random_documents(5))
    table, definitions = space_indexes()
    assert table == space_table(SPACE)
    assert "hnsw (((embedding)::halfvec(16)) halfvec_cosine_ops)" in definitions


def test_a_rebuild_loads_fresh_space_tables_and_drops_the_old_ones(db):
    """A rebuild over indexed spaces loads new tables (indexed once, at the end) under
    another name, and drops the old ones with the commit; searches find the new vectors."""
    backend = PostgresBackend()
    backend.rebuild(random_documents(5))
    documents = random_documents(30)
    for rebuild in range(2):
        before, _ = space_indexes()
        backend.rebuild(documents)
        table, definitions = space_indexes()
        assert table != before and not table_exists(before)
        assert "hnsw (((embedding)::halfvec(16)) halfvec_cosine_ops)" in definitions
        assert backend.status()["vectors"] == {SPACE: 60}
        query = unit(*np.random.default_rng(rebuild).normal(size=16))
        assert nearest_keys(backend, query, limit=30) == exact_best(documents, query, 30)


def test_a_space_changes_dimension_only_through_a_rebuild(db):
    backend = PostgresBackend()
    backend.rebuild([dense_doc(1, ("en", (1, 0, 0, 0)))])
    three = with_vectors(doc(2, "three dimensions"), ("en", (1, 0, 0)))
    with pytest.raises(DimensionMismatch):
        backend.update([three], delete_keys=[])
    assert nearest_keys(backend, unit(1, 0, 0, 0)) == ["solution:1"]
    backend.rebuild([three])
    assert nearest_keys(backend, unit(1, 0, 0)) == ["solution:2"]
    with pytest.raises(DimensionMismatch):
        backend.nearest(SPACE, unit(1, 0, 0, 0), {}, 10)


def test_zero_and_broken_vectors_are_not_searched(db):
    backend = PostgresBackend()
    backend.rebuild([dense_doc(1, ("en", (1, 0, 0, 0)))])
    assert backend.nearest(SPACE, np.zeros(4, dtype=np.float32), {}, 10) == []
    assert backend.nearest(SPACE, np.full(4, np.nan, dtype=np.float32), {}, 10) == []
    assert backend.nearest(SPACE, unit(1, 0, 0, 0), {}, 0) == []


# -- the migration -------------------------------------------------------------------------


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def test_the_graphs_migration_replaces_full_precision_graphs(db):
    """0007 swaps each space's float32 graph for a half-precision one (the walks use
    no other), and back."""
    backend = PostgresBackend(exact_below=0)
    backend.rebuild(random_documents(50))
    with connection.schema_editor() as editor:
        graphs_migration.full_precision_graphs(None, editor)
    _, definitions = space_indexes()
    assert "hnsw (embedding vector_cosine_ops)" in definitions
    assert "halfvec" not in definitions
    with connection.schema_editor() as editor:
        graphs_migration.half_precision_graphs(None, editor)
    _, definitions = space_indexes()
    assert "hnsw (((embedding)::halfvec(16)) halfvec_cosine_ops)" in definitions
    assert " vector_cosine_ops" not in definitions
    query = unit(*np.random.default_rng(4).normal(size=16))
    assert len(nearest_keys(backend, query, limit=10)) == 10


def test_the_migration_is_reversible(db):
    PostgresBackend().rebuild([dense_doc(1, ("en", (1, 0, 0, 0)))])
    tables = [
        "search_pg_document",
        "search_pg_vector_space",
        space_table(SPACE),
        "search_pg_lexeme",
        "search_pg_lexical_totals",
        "search_pg_posting",
    ]
    assert all(table_exists(table) for table in tables)
    with connection.schema_editor() as editor:
        postings_migration.drop_postings(None, editor)
        bm25_migration.drop_statistics(None, editor)
        migration.drop_tables(None, editor)
    assert not any(table_exists(table) for table in tables)
    with connection.schema_editor() as editor:
        migration.create_tables(None, editor)
        bm25_migration.add_statistics(None, editor)
        postings_migration.add_postings(None, editor)
    assert all(table_exists(table) for table in tables if table != space_table(SPACE))
    assert PostgresBackend().status()["documents"] == 0
    assert keys(find(PostgresBackend(), "solar")) == []
