"""The optional read replica (core/replica.py): searches and lists read from it, writes and
a client's reads after its own writes go to the primary. The ``replica`` alias is the
primary's test database here (Django's TEST MIRROR), so these tests see where each query
goes, on SQLite and PostgreSQL alike; ``test_replication.py`` runs against a real replica
fed by streaming replication."""

import socket
import time

import pytest
from django.db import close_old_connections, connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecotone.catalog.models import Solution
from ecotone.core import replica
from ecotone.core.testing import SolutionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replica_on(settings):
    settings.ECOTONE_READ_REPLICA = "replica"
    replica._unreachable_until = 0.0
    yield
    replica._unreachable_until = 0.0


class Queries:
    """The queries each database answered within the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def on_replica(self, text: str = "") -> int:
        return sum(text in query["sql"] for query in self.replica.captured_queries)


def real_replica() -> bool:
    """The replica alias is a server of its own (scripts/test-replica.sh), not a mirror."""
    primary, copy = connections["default"].settings_dict, connections["replica"].settings_dict
    return copy["ENGINE"].endswith("postgresql") and (copy["HOST"], str(copy["PORT"])) != (
        primary["HOST"],
        str(primary["PORT"]),
    )


def caught_up() -> None:
    """Wait until a real replica has replayed everything the primary has committed."""
    if not real_replica():
        return  # the replica alias is the primary's own database
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        written = cursor.fetchone()[0]
    deadline = time.monotonic() + 60  # only keeps a broken replica from hanging the run
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) <= 0", [written])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not replay the primary's writes")


@pytest.fixture
def solution():
    created = SolutionFactory(title_en="Tidal lagoon turbines")
    caught_up()
    return created


def test_a_search_page_reads_from_the_replica(client, solution):
    with Queries() as queries:
        page = client.get(reverse("search:search"), {"q": "lagoon"})
    assert page.status_code == 200
    assert "Tidal lagoon turbines" in page.content.decode()
    assert queries.on_replica("catalog_solution")
    if connections["default"].vendor == "postgresql":
        assert queries.on_replica("search_pg_")  # the index itself, not only the records
    assert replica.STICKY_COOKIE not in page.cookies  # nothing was written


def test_the_search_api_and_the_lists_read_from_the_replica(client, solution):
    with Queries() as queries:
        found = client.get("/api/v1/search", {"q": "lagoon"})
        listed = client.get(reverse("catalog:record_list", args=["solutions"]))
    assert found.status_code == listed.status_code == 200
    assert [r["title"] for r in found.json()["results"]] == ["Tidal lagoon turbines"]
    assert "Tidal lagoon turbines" in listed.content.decode()
    assert queries.on_replica("catalog_solution") >= 2


def test_other_pages_read_the_primary(client, solution):
    with Queries() as queries:
        page = client.get(reverse("catalog:record_detail", args=["solutions", solution.pk]))
    assert page.status_code == 200
    assert queries.on_replica() == 0


def test_after_a_write_the_client_reads_the_primary_for_a_while(client, settings, solution):
    UserFactory(username="ana")
    settings.ECOTONE_REPLICA_STICKY_SECONDS = 7
    with Queries() as queries:
        logged_in = client.post(
            reverse("accounts:login"),
            {"username": "ana", "password": "correct-horse-battery"},
        )
    assert logged_in.status_code == 302
    assert queries.on_replica() == 0  # a POST never reads the replica
    cookie = logged_in.cookies[replica.STICKY_COOKIE]
    assert cookie["max-age"] == 7
    assert cookie["httponly"]
    with Queries() as queries:
        page = client.get(reverse("search:search"), {"q": "lagoon"})  # sends the cookie
    assert "Tidal lagoon turbines" in page.content.decode()
    assert queries.on_replica() == 0
    client.cookies.pop(replica.STICKY_COOKIE)  # the cookie expired
    with Queries() as queries:
        client.get(reverse("search:search"), {"q": "lagoon"})
    assert queries.on_replica() > 0


def test_the_rest_of_a_request_that_wrote_reads_the_primary(solution):
    seen = {}

    def view(request):
        with Queries() as queries:
            seen["before"] = Solution.objects.get(pk=solution.pk).title_en
        seen["read before the write"] = queries.on_replica()
        Solution.objects.filter(pk=solution.pk).update(title_en="Tidal lagoon turbines II")
        with Queries() as queries:
            seen["after"] = Solution.objects.get(pk=solution.pk).title_en
        seen["read after the write"] = queries.on_replica()
        return HttpResponse("done")

    handler = replica.ReplicaMiddleware(replica.read_from_replica(view))
    response = handler(RequestFactory().get("/"))
    assert seen == {
        "before": "Tidal lagoon turbines",
        "read before the write": 1,
        "after": "Tidal lagoon turbines II",
        "read after the write": 0,
    }
    assert response.cookies[replica.STICKY_COOKIE].value == "1"


def test_reads_in_a_transaction_and_outside_requests_use_the_primary(solution):
    def view(request):
        with transaction.atomic():
            Solution.objects.count()
        return HttpResponse("done")

    with Queries() as queries:
        replica.ReplicaMiddleware(replica.read_from_replica(view))(RequestFactory().get("/"))
        Solution.objects.count()  # a command, the worker: no request
    assert queries.on_replica() == 0


def test_sessions_accounts_and_the_cache_are_always_read_from_the_primary():
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    def view(request):
        assert router.db_for_read(Solution) == "replica"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(get_user_model()) == "default"
        return HttpResponse("done")

    assert (
        replica.ReplicaMiddleware(replica.read_from_replica(view))(
            RequestFactory().get("/")
        ).content
        == b"done"
    )


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("replica", "catalog", model_name="solution") is False
    assert router.allow_migrate("default", "catalog", model_name="solution") is not False


def test_without_a_replica_everything_reads_the_primary(client, settings, solution):
    settings.ECOTONE_READ_REPLICA = ""
    with Queries() as queries:
        page = client.get(reverse("search:search"), {"q": "lagoon"})
    assert "Tidal lagoon turbines" in page.content.decode()
    assert queries.on_replica() == 0
    assert replica.STICKY_COOKIE not in page.cookies


def test_an_unreachable_replica_sends_the_reads_to_the_primary(client, solution, caplog):
    if connections["replica"].vendor != "postgresql":
        pytest.skip("a replica is a PostgreSQL server")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings_dict = connections["replica"].settings_dict
    address = settings_dict["HOST"], settings_dict["PORT"]
    connections["replica"].close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed
    try:
        page = client.get(reverse("search:search"), {"q": "lagoon"})
        again = client.get(reverse("search:search"), {"q": "lagoon"})
    finally:
        connections["replica"].close()
        settings_dict["HOST"], settings_dict["PORT"] = address
    assert page.status_code == again.status_code == 200
    assert "Tidal lagoon turbines" in again.content.decode()
    warnings = [r for r in caplog.records if "read replica" in r.getMessage()]
    assert len(warnings) == 1  # then left alone for a while, not tried on every query


def test_a_replica_connection_dropped_between_requests_is_opened_again(client, solution):
    if connections["replica"].vendor != "postgresql":
        pytest.skip("a replica is a PostgreSQL server")
    assert "Tidal lagoon turbines" in client.get("/en/search/?q=lagoon").content.decode()
    kept = connections["replica"]
    assert kept.connection is not None  # kept for the next request (CONN_MAX_AGE)
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    # the replica's server drops it (as a restart does), seen from another connection
    with kept.get_new_connection(kept.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    close_old_connections()  # what every request does first (the test client leaves it out)
    with Queries() as queries:
        page = client.get("/en/search/?q=lagoon")
    assert page.status_code == 200
    assert "Tidal lagoon turbines" in page.content.decode()
    assert queries.on_replica("catalog_solution")  # on a new connection to the replica
