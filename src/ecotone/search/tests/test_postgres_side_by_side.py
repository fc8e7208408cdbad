"""A PostgreSQL search's independent statements side by side, each on a connection of its
own (``side_by_side``): the same results as one after another; inside a transaction, on
the caller's connection, so its own writes are seen; the readers' connections closed on
request.

Runs against a real server: ``DATABASE_URL=$(PGPORT=… bash scripts/test-postgres.sh url)``.
"""

import threading

import pytest
from django.db import connection, transaction
from django.db.backends.signals import connection_created

from ecotone.core.testing import CaseFactory, SolutionFactory
from ecotone.search.backends import SearchQuery, side_by_side
from ecotone.search.backends.postgres import PostgresBackend
from ecotone.search.queries import search_records
from ecotone.search.text import query_terms

from .contract import SPACE, dense_doc, doc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    ),
]

READER = "search-read-"  #: the readers' thread names begin so


@pytest.fixture
def connecting_threads():
    """The names of the threads that open a database connection during the test."""
    names: list[str] = []

    def opened(sender, connection, **kwargs):
        names.append(threading.current_thread().name)

    connection_created.connect(opened)
    yield names
    connection_created.disconnect(opened)


def corpus():
    return [
        doc(1, "solar storage", "batteries beside rooftop solar"),
        doc(2, "heat pump retrofit", "heat pumps for schools"),
        doc(3, "wind farm", "offshore wind and storage"),
        doc(4, "solar heat", "solar thermal collectors for district heat"),
        doc(5, "storage", "pumped hydro storage", kind="case"),
    ]


def searched(engine):
    queries = [
        SearchQuery(terms=query_terms(text), limit=3)
        for text in ("solar storage", "heat pump", "", "wind storage")
    ]
    return engine.search_many(queries, query_terms("solar heat wind"))


def test_lexical_searches_side_by_side_give_the_pages_of_one_after_another(
    transactional_db, settings, connecting_threads
):
    engine = PostgresBackend()
    engine.rebuild(corpus())
    settings.ECOTONE_SEARCH_READ_WORKERS = 0
    alone = searched(engine)
    assert not [name for name in connecting_threads if name.startswith(READER)]
    settings.ECOTONE_SEARCH_READ_WORKERS = 4
    together = searched(engine)
    assert together == alone
    assert [hit.pk for hit in together[0][0].hits][:1] == [1]
    assert together[0][2].hits == []  # a query without words keeps its place
    assert [name for name in connecting_threads if name.startswith(READER)]


def test_nearest_beside_the_caller_finds_what_it_finds_on_the_callers_connection(
    transactional_db, settings, connecting_threads
):
    engine = PostgresBackend()
    engine.rebuild(
        [
            dense_doc(1, ("en", [1, 0, 0, 0])),
            dense_doc(2, ("en", [0.9, 0.1, 0, 0])),
            dense_doc(3, ("zh", [0, 1, 0, 0])),
        ]
    )
    vectors = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    alone = engine.nearest_many(SPACE, vectors, {}, 2)
    pending = engine.beside(lambda: engine.nearest_many(SPACE, vectors, {}, 2))
    assert pending.result() == alone
    assert [[hit.pk for hit in hits] for hits in alone] == [[1, 2], [3, 2]]
    assert [name for name in connecting_threads if name.startswith(READER)]


def test_inside_a_transaction_the_search_reads_its_own_writes(db, settings, connecting_threads):
    settings.ECOTONE_SEARCH_READ_WORKERS = 4
    engine = PostgresBackend()
    with transaction.atomic():
        engine.update(corpus(), [])  # not committed: no other connection sees it
        pages, _ = searched(engine)
        pending = engine.beside(lambda: engine.search(SearchQuery(query_terms("wind"))))
        assert [hit.pk for hit in pending.result().hits] == [3]
    assert [hit.pk for hit in pages[0].hits][:1] == [1]
    assert not [name for name in connecting_threads if name.startswith(READER)]


@pytest.fixture
def use_catalogue(settings, transactional_db, search_home):
    """Records indexed with the USE embedder, committed (so readers see them)."""
    settings.ECOTONE_EMBEDDER = "use"
    return [
        SolutionFactory(
            title_en="Battery energy storage for industrial parks",
            description_en="Lithium iron phosphate containers that shave peak demand.",
        ),
        SolutionFactory(
            title_en="Heat pumps for district heating",
            description_en="Large heat pumps recover waste heat from sewage water.",
        ),
        CaseFactory(
            title_en="",
            title_zh="深圳公交全面电动化",
            description_zh="深圳市一万六千辆公交车全部更换为纯电动车。",
        ),
        SolutionFactory(
            title_en="Precision irrigation for smallholder farms",
            description_en="Soil moisture sensors schedule drip irrigation.",
        ),
    ]


def test_a_hybrid_search_side_by_side_gives_the_results_of_one_after_another(
    use_catalogue, settings, connecting_threads
):
    def pages():
        return [
            search_records(q, mode=mode).results
            for q in ("industrial park storage", "电动公交", "heat recovery")
            for mode in ("hybrid", "dense")
        ]

    settings.ECOTONE_SEARCH_READ_WORKERS = 0
    alone = pages()
    assert not [name for name in connecting_threads if name.startswith(READER)]
    settings.ECOTONE_SEARCH_READ_WORKERS = 4
    assert pages() == alone
    assert alone[0][0]["external_id"] == use_catalogue[0].external_id
    assert [name for name in connecting_threads if name.startswith(READER)]


def test_a_reader_asking_for_reads_beside_runs_them_itself(transactional_db, settings):
    settings.ECOTONE_SEARCH_READ_WORKERS = 1  # queued behind the asking call, they never ran
    nested = side_by_side.beside(
        "default", lambda: side_by_side.all_of("default", [reader_pid] * 3)
    )
    pids = nested.result(timeout=60)  # a Future: a reader runs the outer call
    assert len(set(pids)) == 1 and reader_pid() not in pids


def server_pids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return {row[0] for row in cursor.fetchall()}


def reader_pid() -> int:
    with connection.cursor() as cursor:  # the reader thread's own connection
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_closing_the_readers_closes_their_connections(transactional_db, settings):
    settings.ECOTONE_SEARCH_READ_WORKERS = 2
    readers = {side_by_side.beside("default", reader_pid).result() for _ in range(4)}
    assert readers
    assert readers <= server_pids()
    assert reader_pid() not in readers
    side_by_side.close_connections()
    # the server ends a backend just after its client leaves: wait for it, boundedly
    for _ in range(200):
        if not readers & server_pids():
            break
        threading.Event().wait(0.05)
    assert not readers & server_pids()
