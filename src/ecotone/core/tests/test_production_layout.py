"""The production layout of docs/operations.md, on one machine: two app servers (``ecotone
serve --no-worker``, each with a home of its own, as two machines behind a load balancer
have) and one task worker (``ecotone worker``), all on one PostgreSQL database, with the
database cache. A record written through one server is indexed by the worker and found
through the other; an edit through the other is seen through the first."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections

from ecotone.accounts.models import ApiToken
from ecotone.core.testing import UserFactory
from ecotone.core.tests.test_replica import real_replica
from ecotone.core.tests.test_serve import fetch, free_port
from ecotone.core.tests.test_worker_supervision import wait_for

SRC = str(Path(__file__).resolve().parents[3])

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="machines share PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    ),
    pytest.mark.django_db(transaction=True),
]


def url(database: dict) -> str:
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


def machine_environment(home: Path) -> dict:
    (home / "static").mkdir(parents=True)
    environment = {**os.environ}
    environment.pop("DATABASE_REPLICA_URL", None)
    if real_replica():  # the servers search the replica's copy of the test database
        environment["DATABASE_REPLICA_URL"] = url(connections["replica"].settings_dict)
    return {
        **environment,
        "ECOTONE_HOME": str(home),
        "PYTHONPATH": SRC,
        "DJANGO_SETTINGS_MODULE": "ecotone.config.settings",
        "DATABASE_URL": url(connection.settings_dict),
        "ECOTONE_SECRET_KEY": "one key for every machine of the site",
        "ECOTONE_CACHE": "database",
        "ECOTONE_TASKS": "database",
        "ECOTONE_EMBEDDER": "none",
    }


def start(command: list[str], home: Path) -> subprocess.Popen:
    log = (home.parent / f"{home.name}.log").open("w")
    return subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "ecotone.cli", *command],
        env=machine_environment(home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def api(port: int, method: str, path: str, token: str, body: dict) -> tuple[int, dict]:
    import json
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())


def found(port: int, q: str) -> list[str]:
    import json

    status, body = fetch(port, f"/api/v1/search?q={q}")
    assert status == 200
    return sorted(result["title"] for result in json.loads(body)["results"])


def on_page(port: int, q: str) -> str:
    return fetch(port, f"/en/search/?q={q}")[1]


def test_two_app_servers_and_a_worker_share_one_postgresql(tmp_path):
    staff = UserFactory(username="editor", is_staff=True)
    _, token = ApiToken.issue(user=staff, name="layout test")
    ports = {"a": free_port(), "b": free_port()}
    processes = {
        name: start(
            ["serve", "--no-worker", "--workers", "1", "--port", str(port)], tmp_path / name
        )
        for name, port in ports.items()
    }
    processes["worker"] = start(["worker"], tmp_path / "worker")
    try:

        def serving(port: int) -> bool:
            try:
                return fetch(port, "/en/")[0] == 200
            except OSError:
                return False

        for name, port in ports.items():
            wait_for(lambda port=port: serving(port), f"server {name}", timeout=180)
        assert processes["worker"].poll() is None

        # written through server a; its indexing is a task, run by the worker
        status, record = api(
            ports["a"], "POST", "/api/v1/solutions", token, {"title_en": "Kelp farm carbon sinks"}
        )
        assert status == 201
        wait_for(lambda: found(ports["b"], "kelp") == ["Kelp farm carbon sinks"], "b finds it")
        assert "Kelp farm carbon sinks" in on_page(ports["a"], "kelp")
        assert "Kelp farm carbon sinks" in on_page(ports["b"], "kelp")  # cached now

        # changed through server b: both servers' pages follow, the cached ones included
        status, _ = api(
            ports["b"],
            "PATCH",
            f"/api/v1/solutions/{record['id']}",
            token,
            {"title_en": "Seaweed farm carbon sinks"},
        )
        assert status == 200
        wait_for(lambda: found(ports["a"], "seaweed") == ["Seaweed farm carbon sinks"], "a")
        for port in ports.values():
            assert "Seaweed farm carbon sinks" in on_page(port, "seaweed")
            assert "Kelp farm carbon sinks" not in on_page(port, "kelp")

        from django_tasks_db.models import DBTaskResult

        ran = DBTaskResult.objects.filter(task_path__endswith="refresh_index_task")
        assert ran.count() >= 2
        assert set(ran.values_list("status", flat=True)) == {"SUCCESSFUL"}
        assert all(worker_ids for worker_ids in ran.values_list("worker_ids", flat=True))
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=120)
