"""``ecotone serve`` as deployed: gunicorn with several web processes beside the supervised
task worker, serving pages and static files, with a cache the processes share; all of it
ends with the server. Real processes on a real port; the database is the test run's own
(SQLite: a file migrated for the test; PostgreSQL: the test database)."""

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ecotone.core.management.commands import serve
from ecotone.core.tests.test_worker_supervision import exists, wait_for

SRC = str(Path(__file__).resolve().parents[3])

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.fixture
def server_environment(tmp_path):
    env = {
        **os.environ,
        "ECOTONE_HOME": str(tmp_path),
        "PYTHONPATH": SRC,
        "DJANGO_SETTINGS_MODULE": "ecotone.config.settings",
        "ECOTONE_EMBEDDER": "none",
    }
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
        cli = [sys.executable, "-m", "ecotone.cli"]
        subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
    return env


def run_in(env: dict, code: str) -> str:
    """Python run by another process of the same install (as a second server would)."""
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "ecotone.cli", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fetch(port: int, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
        return answer.status, answer.read().decode()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_runs_several_web_processes_that_share_the_cache(server_environment, tmp_path):
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "ecotone.cli", "serve", "--port", str(port), "--workers", "3"],
        env=server_environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def answers():
            try:
                return fetch(port, "/en/")[0] == 200
            except OSError:
                return False

        wait_for(answers, "the home page", timeout=180)
        # the assistant's reverse dictionary is built once, before any visitor asks
        assert list((tmp_path / "cache").glob("en-zh-*.json"))
        gunicorn = [p for p in children(server.pid) if b"gunicorn" in _cmdline(p)]
        assert len(gunicorn) == 1
        web_processes = wait_for(lambda: len(children(gunicorn[0])) == 3, "three processes")
        assert web_processes
        workers = [p for p in children(server.pid) if b"ecotone.cli\x00worker" in _cmdline(p)]
        assert len(workers) == 1  # the task worker runs beside them

        status, _ = fetch(port, "/static/ecotone/ecotone.css")
        assert status == 200

        def published_cases() -> int:
            page = fetch(port, "/en/reports/")[1]
            return int(re.search(r'data-count="cases"><strong>(\d+)</strong>', page)[1])

        def cases_on_the_home_page() -> int:
            page = fetch(port, "/en/")[1]
            return int(re.search(r'cases/"><strong>(\d+)</strong>', page)[1])

        # the dashboard and the whole home page (for visitors) are cached by every web
        # process; a case published by another process shows at once, whichever answers
        before = {published_cases() for _ in range(6)}
        home_before = {cases_on_the_home_page() for _ in range(6)}
        run_in(
            server_environment,
            "from ecotone.core.testing import CaseFactory; CaseFactory(status='published')",
        )
        after = {published_cases() for _ in range(6)}
        assert len(before) == 1
        assert after == {before.pop() + 1}
        assert len(home_before) == 1
        assert {cases_on_the_home_page() for _ in range(6)} == {home_before.pop() + 1}
        everyone = [server.pid, *gunicorn, *children(gunicorn[0]), *workers]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    wait_for(lambda: not any(exists(pid) for pid in everyone[1:]), "every process to end")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_several_processes_write_to_sqlite_at_once_without_a_locked_database(
    server_environment,
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own locking")
    code = (
        "import os\n"
        "from ecotone.core.testing import OrganisationFactory\n"
        "for n in range(40): OrganisationFactory(external_id=f'org-{os.getpid()}-{n}')\n"
        "print('done')"
    )
    started = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "ecotone.cli", "shell", "-c", code],
            env=server_environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [process.communicate(timeout=300) for process in started]
    assert [process.returncode for process in started] == [0, 0, 0, 0], results
    count = run_in(
        server_environment,
        "from ecotone.catalog.models import Organisation; print(Organisation.objects.count())",
    )
    assert int(count.split()[-1]) >= 160


def serve_options(**changes) -> dict:
    parser = serve.Command().create_parser("ecotone", "serve")
    return {**vars(parser.parse_args([])), **changes}


def test_by_default_one_thread_a_process_serves_with_gunicorn_s_sync_worker():
    # a sync worker takes a connection only when it is free: one queue for every process
    default = serve.gunicorn_command(serve_options())
    assert default[default.index("--worker-class") + 1] == "sync"
    assert default[default.index("--threads") + 1] == "1"
    assert default[default.index("--keep-alive") + 1] == "2"
    command = serve.gunicorn_command(serve_options(threads=4, keep_alive=0))
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--keep-alive") + 1] == "0"


@pytest.mark.parametrize(
    ("option", "message"),
    [({"keep_alive": -1}, "--keep-alive must be 0 or more"), ({"threads": 0}, "--threads")],
)
def test_serve_refuses_impossible_options_before_starting_anything(option, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", **option)
