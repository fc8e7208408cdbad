"""Several processes, one PostgreSQL database: nothing a process keeps for its searches
(the backend, the BM25 statistics, the vector spaces, cached search pages) hides a write
another process committed. Real processes (``ecotone shell``), as two app servers are;
each has a home of its own, as two machines do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

SRC = str(Path(__file__).resolve().parents[3])

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    ),
    pytest.mark.django_db(transaction=True),
]

#: a process that answers searches, one query per line of its input, as long as it runs:
#: the search function and the search page (cached between requests, ``core.cache``)
SEARCHER = """
import json, sys
from django.test import Client
from ecotone.search.queries import search_records
client = Client(HTTP_HOST="localhost")
for line in sys.stdin:
    q = line.strip()
    titles = [result["title"] for result in search_records(q).results]
    page = client.get("/en/search/", {"q": q}).content.decode()
    print("ANSWER", json.dumps({"titles": titles, "page": page}), flush=True)
"""


def database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


def environment(home: Path, **more: str) -> dict:
    (home / "static").mkdir(parents=True, exist_ok=True)
    # one database: a replica's searches see a write only once it is replayed, by design
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    return {
        **environment,
        "ECOTONE_HOME": str(home),
        "PYTHONPATH": SRC,
        "DJANGO_SETTINGS_MODULE": "ecotone.config.settings",
        "DATABASE_URL": database_url(),
        "ECOTONE_EMBEDDER": "none",
        **more,
    }


def run_in(env: dict, code: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "ecotone.cli", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Searcher:
    """A long-running process that searches: whatever it keeps, it keeps between queries."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "ecotone.cli", "shell", "-c", SEARCHER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def search(self, q: str) -> dict:
        self.process.stdin.write(q + "\n")
        self.process.stdin.flush()
        while line := self.process.stdout.readline():
            if line.startswith("ANSWER "):
                return json.loads(line.removeprefix("ANSWER "))
        raise AssertionError(f"the searching process ended (exit code {self.process.poll()})")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture
def searcher(tmp_path):
    # the setting several machines use (docs/operations.md); the table is the database's
    # the writer indexes what it writes itself (the worker's part has its own test)
    writer_env = environment(
        tmp_path / "writer", ECOTONE_CACHE="database", ECOTONE_TASKS="immediate"
    )
    run_in(
        writer_env, "from django.core.management import call_command as c; c('createcachetable')"
    )
    started = Searcher(environment(tmp_path / "searcher", ECOTONE_CACHE="database"))
    yield started, writer_env
    started.close()


def test_a_write_in_one_process_is_found_at_once_by_a_search_in_another(searcher):
    process, writer_env = searcher
    write = (
        "from ecotone.core.testing import SolutionFactory\n"
        "SolutionFactory(title_en={title!r}, external_id={external_id!r},\n"
        "                provider__external_id='org-' + {external_id!r})\n"
    )
    run_in(writer_env, write.format(title="Peat bog rewetting pumps", external_id="peat-1"))
    # the searcher has read the statistics, the spaces and cached its page for "rewetting"
    first = process.search("rewetting")
    assert first["titles"] == ["Peat bog rewetting pumps"]
    assert process.search("rewetting") == first  # the page again: from the cache

    # another process adds a record: found at once, on the page as in the function
    run_in(writer_env, write.format(title="Rewetting sluice gates", external_id="peat-2"))
    second = process.search("rewetting")
    assert sorted(second["titles"]) == ["Peat bog rewetting pumps", "Rewetting sluice gates"]
    assert "Rewetting sluice gates" in second["page"]

    # … renames one: the old word no longer finds it, the new one does
    run_in(
        writer_env,
        "from ecotone.catalog.models import Solution\n"
        "s = Solution.objects.get(external_id='peat-1')\n"
        "s.title_en = 'Peat bog irrigation pumps'\n"
        "s.save()\n",
    )
    assert process.search("rewetting")["titles"] == ["Rewetting sluice gates"]
    assert process.search("irrigation")["titles"] == ["Peat bog irrigation pumps"]

    # … and deletes the other: gone from the function and from the cached page
    run_in(
        writer_env,
        "from ecotone.catalog.models import Solution\n"
        "Solution.objects.filter(external_id='peat-2').delete()\n",
    )
    third = process.search("rewetting")
    assert third["titles"] == []
    assert "Rewetting sluice gates" not in third["page"]
