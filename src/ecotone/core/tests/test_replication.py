"""A real read replica: a second PostgreSQL server fed by streaming replication from the
primary (``scripts/test-replica.sh``), holding its own copy of the test database. The
visitor's search reads the replica, as stale as it is; a client that has just written
reads the primary; once the replica has replayed the write, everyone finds it.

Run with::

    PGPORT=55432 bash scripts/test-replica.sh start
    DATABASE_URL=$(PGPORT=55432 bash scripts/test-postgres.sh url) \\
    DATABASE_REPLICA_URL=$(PGPORT=55432 bash scripts/test-replica.sh url) \\
    pytest src/ecotone/core/tests/test_replication.py
"""

import time

import pytest
from django.db import DatabaseError, connections, transaction
from django.test import Client
from django.urls import reverse

from ecotone.core import replica
from ecotone.core.testing import SolutionFactory, UserFactory
from ecotone.core.tests.test_replica import caught_up, real_replica

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not real_replica(),
        reason="needs a real replica: DATABASE_REPLICA_URL=$(bash scripts/test-replica.sh url)"
        " after scripts/test-replica.sh start (PostgreSQL's streaming replication)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture(autouse=True)
def replica_on(settings):
    settings.ECOTONE_READ_REPLICA = "replica"


def on_replica(sql: str):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def search_titles(client: Client, q: str) -> list[str]:
    answer = client.get("/api/v1/search", {"q": q})
    assert answer.status_code == 200
    return sorted(result["title"] for result in answer.json()["results"])


def test_the_replica_is_a_read_only_copy_in_recovery():
    assert on_replica("SELECT pg_is_in_recovery()") is True
    with (
        pytest.raises(DatabaseError, match="read-only"),
        transaction.atomic(using="replica"),
        connections["replica"].cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE ecotone_not_here (id int)")


def test_searches_read_the_replica_and_a_writer_reads_its_own_writes():
    SolutionFactory(title_en="Tidal lagoon turbines")
    caught_up()
    on_replica("SELECT pg_wal_replay_pause()::text")
    try:
        while on_replica("SELECT pg_get_wal_replay_pause_state()") != "paused":
            time.sleep(0.05)
        # committed and indexed on the primary, not yet replayed on the replica
        SolutionFactory(title_en="Tidal kite generators")
        visitor = Client()
        assert search_titles(visitor, "tidal") == ["Tidal lagoon turbines"]

        UserFactory(username="writer")
        writer = Client()
        logged_in = writer.post(
            reverse("accounts:login"),
            {"username": "writer", "password": "correct-horse-battery"},
        )
        assert replica.STICKY_COOKIE in logged_in.cookies  # it wrote: the primary for now
        assert search_titles(writer, "tidal") == [
            "Tidal kite generators",
            "Tidal lagoon turbines",
        ]
    finally:
        on_replica("SELECT pg_wal_replay_resume()::text")
    caught_up()
    assert search_titles(Client(), "tidal") == ["Tidal kite generators", "Tidal lagoon turbines"]
