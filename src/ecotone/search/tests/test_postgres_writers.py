"""Concurrent writers of the PostgreSQL search index, each on its own connection: they
do not wait for each other, lose no update, and leave the BM25 statistics and the
postings exact."""

import threading

import pytest
from django.db import connection, connections, transaction

from ecotone.search.backends import postgres_bm25 as bm25

from .contract import doc, find, keys
from .test_postgres_bm25 import Reference, assert_exact, backend, stored_postings, zipf_corpus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    ),
]


def in_thread(work) -> threading.Thread:
    """Run ``work`` on a thread of its own (so on a connection of its own); an error
    is kept on the thread as ``error``."""

    def run():
        try:
            work()
        except BaseException as error:
            thread.error = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.error = None
    thread.start()
    return thread


def postings_from_tsvectors() -> dict:
    """What the postings should hold, read from the documents' tsvectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.kind, d.pk, u.lexeme, f.field, f.tf FROM search_pg_document d,"
            " unnest(d.lexemes) u, LATERAL (VALUES"
            " (0, cardinality(array_positions(u.weights, 'A'))),"
            " (1, cardinality(u.weights) - cardinality(array_positions(u.weights, 'A')))"
            ") f(field, tf) WHERE f.tf > 0"
        )
        return {row[:4]: row[4] for row in cursor.fetchall()}


def test_writers_do_not_wait_for_each_other(transactional_db):
    engine = backend()
    engine.rebuild([doc(1, "solar"), doc(2, "wind")])
    holding, release = threading.Event(), threading.Event()

    def slow_writer():  # writes a document and keeps its transaction open
        with transaction.atomic():
            backend().update([doc(1, "solar storage")], [])
            holding.set()
            release.wait(120)

    first = in_thread(slow_writer)
    assert holding.wait(120)
    # another document, a delete and a new one, while the first writer is still open
    second = in_thread(lambda: backend().update([doc(3, "heat pump")], ["solution:2"]))
    second.join(120)
    finished_meanwhile = not second.is_alive()
    release.set()
    first.join(120)
    assert finished_meanwhile, "a writer waited for another writer's transaction"
    assert first.error is None and second.error is None
    assert set(keys(find(engine, "solar storage heat pump wind"))) == {
        ("solution", 1),
        ("solution", 3),
    }
    assert_exact([doc(1, "solar storage"), doc(3, "heat pump")])


def test_concurrent_writers_lose_no_update(transactional_db, monkeypatch):
    monkeypatch.setattr(bm25, "FOLD_AFTER", 40)  # writers fold the deltas meanwhile
    corpus = zipf_corpus(120, seed=3)
    engine = backend()
    engine.rebuild(corpus[:60])
    start = threading.Barrier(4)
    shared_versions = {}

    def writer(n: int):
        start.wait(60)
        own = [
            doc(1000 + 100 * n + i, f"word{i} word{n}", f"word{n} " * (i % 3 + 1))
            for i in range(25)
        ]
        for i in range(0, 25, 5):  # several transactions each
            backend().update(own[i : i + 5], [])
        # every writer replaces the same documents and deletes its own share of the corpus
        shared = [doc(pk, f"word{n} word{pk % 7}", f"version {n}") for pk in range(1, 31)]
        backend().update(shared, [f"solution:{pk}" for pk in range(31 + 7 * n, 38 + 7 * n)])
        shared_versions[n] = shared
        backend().update(corpus[60 + 15 * n : 75 + 15 * n], [])  # and imports new ones

    threads = [in_thread(lambda n=n: writer(n)) for n in range(4)]
    for thread in threads:
        thread.join(300)
    assert [thread.error for thread in threads] == [None] * 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, pk, fields->>'description_en' FROM search_pg_document")
        indexed = {(kind, pk): body for kind, pk, body in cursor.fetchall()}
    # each shared document holds one writer's version, whole
    for pk in range(1, 31):
        assert indexed["solution", pk] in {f"version {n}" for n in range(4)}
    expected = {}
    for d in corpus[:60] + corpus[60:]:
        expected[d.kind, d.pk] = d
    for pk in range(31, 59):
        expected.pop(("solution", pk))
    for n in range(4):
        for i in range(25):
            pk = 1000 + 100 * n + i
            expected["solution", pk] = doc(pk, f"word{i} word{n}", f"word{n} " * (i % 3 + 1))
    for pk in range(1, 31):
        n = int(indexed["solution", pk].split()[-1])
        expected["solution", pk] = shared_versions[n][pk - 1]
    assert set(indexed) == set(expected)  # nothing lost, nothing deleted twice over
    assert_exact(list(expected.values()))  # statistics: base tables plus deltas
    postings = stored_postings()
    assert {key: tf for key, (tf, _) in postings.items()} == postings_from_tsvectors()
    # and search ranks by them exactly
    reference = Reference(list(expected.values()))
    for q in ["word0 word1", "word2 version"]:
        want = reference.ranking(q)[:10]
        page = find(engine, q, limit=10)
        assert [hit.score for hit in page.hits] == pytest.approx([s for _, s in want], rel=1e-9)


def test_folding_keeps_the_statistics(db, monkeypatch):
    monkeypatch.setattr(bm25, "FOLD_AFTER", 10)
    corpus = zipf_corpus(50, seed=4)
    engine = backend()
    engine.rebuild(corpus[:20])
    deleted = set()
    for start in range(20, 50, 5):
        engine.update(corpus[start : start + 5], [f"solution:{start - 19}"])
        deleted.add(start - 19)
    now = [d for d in corpus if d.pk not in deleted]
    assert_exact(now)
    with connection.cursor() as cursor:
        assert bm25.fold(cursor)
        cursor.execute("SELECT count(*) FROM search_pg_lexeme_delta")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM search_pg_lexical_totals_delta")
        assert cursor.fetchone()[0] == 0
    assert_exact(now)


def test_a_search_meeting_the_postings_swap_waits_and_reads_the_new_index(
    transactional_db, monkeypatch
):
    """A rebuild loads its postings into a fresh table, drops the old one and renames the
    new one before it commits: a search that reaches the postings meanwhile waits for the
    commit and then reads the new index (no error, no empty page)."""
    backend().rebuild([doc(1, "Solar storage", "solar batteries"), doc(2, "Wind", "wind farm")])
    swapped, release = threading.Event(), threading.Event()
    rebuild_postings = bm25.rebuild_postings

    def rebuild_then_pause(cursor):
        rebuild_postings(cursor)
        swapped.set()
        assert release.wait(60)

    monkeypatch.setattr(bm25, "rebuild_postings", rebuild_then_pause)
    new = [doc(3, "Solar farm", "solar panels"), doc(4, "Solar roofs", "solar tiles")]
    rebuilding = in_thread(lambda: backend().rebuild(new))
    found = {}
    try:
        assert swapped.wait(60)
        searching = in_thread(lambda: found.update(keys=keys(find(backend(), "solar"))))
        searching.join(1.0)
        assert searching.is_alive()  # the swapped table is locked until the commit
    finally:
        release.set()
    rebuilding.join(60)
    searching.join(60)
    assert rebuilding.error is None
    assert searching.error is None
    assert sorted(found["keys"]) == [("solution", 3), ("solution", 4)]
