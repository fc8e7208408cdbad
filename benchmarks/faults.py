"""Fault benchmark: kill the task worker, the server and an import at chosen moments, and
print what survived: rows, agreement of the search index with the database, task states.

    .venv/bin/python benchmarks/faults.py --home /path/to/demo-home
    .venv/bin/python benchmarks/faults.py --home H --scenarios import --import-rows 5000
    .venv/bin/python benchmarks/faults.py --database-url postgres://u:p@host:5432/postgres

On SQLite, each scenario runs on a copy of ``--home`` (a prepared SQLite demo home:
``ecotone migrate`` and ``ecotone demo``), never on the home itself. On PostgreSQL
(``--database-url`` or ``DATABASE_URL``: a role that may create databases; the database the
URL names is only connected to), the demo is loaded once into a database ``faults_template``
and a fresh home, and each scenario runs on its own copy of both, ``faults_<scenario>``
(``CREATE DATABASE … TEMPLATE``); the script drops the databases it created, and no other.
Either way with the real ``ecotone serve`` on a free port of 127.0.0.1 and ``kill -9``:

* ``worker``: a rebuild of the index is running → the worker is killed. Expected: the
  supervisor starts a new worker, the rebuild is failed with the reason and run again.
* ``server``: a rebuild is running → ``serve`` itself is killed. Expected: no process of
  it is left (web processes, worker: sent SIGTERM, it finishes its task or fails it and
  queues it again); the next ``serve`` recovers what is left running, runs it again and
  repairs the index.
* ``import``: an import of ``--import-rows`` organisations is killed while it writes (after
  ``--import-kill-after`` seconds; an import that has ended by then is run again on a fresh
  copy with half the delay, up to three times)
  (expected: no row of it, all or nothing); run again to the end, its indexing runs in the
  worker, which is killed half-way (expected: resumed, index agrees, every row found).

Prints a line per check and a summary table; asserts nothing.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = "django_tasks_database_dbtaskresult"
CLI = [sys.executable, "-m", "ecotone.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exists(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that never reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return stat[0] != "Z"


def wait_for(condition, what: str, timeout: float = 600.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"gave up waiting: {what}")


def database_url(server_url: str, name: str) -> str:
    """``server_url`` with its database replaced by ``name``."""
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


class Postgres:
    """Creates and drops the script's own databases (``faults_*``) on one server, through
    the database ``url`` names, which it never changes."""

    PREFIX = "faults_"

    def __init__(self, url: str):
        import psycopg

        self.url = url
        self.connection = psycopg.connect(url, autocommit=True)

    def create(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        assert name.startswith(self.PREFIX), name
        self.drop(name)  # left by a run that was itself killed
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self.connection.execute(statement)
        return database_url(self.url, name)

    def drop(self, name: str) -> None:
        from psycopg import sql

        assert name.startswith(self.PREFIX), name
        self.connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def fresh_home(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"ecotone-faults-{name}-")) / "home"


def cli_env(home: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "ECOTONE_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    return env


def prepare_postgres(server: Postgres) -> Path:
    """The demo in ``faults_template`` and a fresh home, its index built (tasks run in
    the process: no worker runs yet); the scenarios copy both."""
    home = fresh_home("template")
    url = server.create(f"{Postgres.PREFIX}template")
    env = {**cli_env(home, url), "ECOTONE_TASKS": "immediate"}
    for command in (("migrate", "-v", "0"), ("demo",), ("index", "repair")):
        subprocess.run([*CLI, *command], env=env, check=True, capture_output=True, text=True)
    server.connection.execute("CHECKPOINT")
    return home


#: the homes whose databases the script created, dropped at its end
CREATED: list["Home"] = []


class Home:
    """A copy of the prepared home (and on PostgreSQL of its database), and the commands
    run against it."""

    def __init__(self, source: Path, name: str, postgres: Postgres | None = None):
        self.path = fresh_home(name)
        shutil.copytree(source, self.path, ignore=shutil.ignore_patterns("cache", "*.log"))
        for stale in ("worker.json",):
            (self.path / stale).unlink(missing_ok=True)
        self.postgres, self.database = postgres, f"{Postgres.PREFIX}{name}"
        self.url = None
        if postgres:
            self.url = postgres.create(self.database, template=f"{Postgres.PREFIX}template")
            CREATED.append(self)
        self.env = cli_env(self.path, self.url)
        self.run("migrate", "-v", "0")

    def drop(self) -> None:
        if self.postgres:
            self.postgres.drop(self.database)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLI, *args], env=self.env, check=check, capture_output=True, text=True
        )

    def query(self, sql: str, *params) -> list[tuple]:
        """``sql`` with ``?`` for each of ``params``."""
        if self.url:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                if params:
                    return db.execute(sql.replace("?", "%s"), params).fetchall()
                return db.execute(sql).fetchall()
        with sqlite3.connect(self.path / "ecotone.sqlite3", timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def task_states(self) -> dict[str, int]:
        rows = self.query(f"SELECT status, count(*) FROM {TASKS} GROUP BY status")  # noqa: S608
        return dict(rows)

    def tasks(self, name: str) -> list[tuple]:
        """(status, worker ids, exception, return value) of each ``name`` task, oldest
        first; the JSON columns decoded (PostgreSQL's driver does, SQLite's does not)."""
        rows = self.query(
            f"SELECT status, worker_ids, exception_class_path, return_value FROM {TASKS} "  # noqa: S608
            "WHERE task_path LIKE ? ORDER BY enqueued_at",
            f"%{name}",
        )
        if self.url:
            return rows
        return [
            (status, json.loads(ids or "null"), error, json.loads(value or "null"))
            for status, ids, error, value in rows
        ]

    def agreement(self) -> str:
        answer = self.run("index", "repair", "--check", check=False)
        text = (answer.stdout + answer.stderr).strip().splitlines()
        return text[-1] if text else f"exit code {answer.returncode}"

    def worker_pid(self) -> int | None:
        try:
            return json.loads((self.path / "worker.json").read_text())["pid"]
        except (OSError, ValueError, KeyError):
            return None

    def enqueue(self, code: str) -> None:
        self.run("shell", "-c", code)


class Server:
    def __init__(self, home: Home):
        self.home, self.port = home, free_port()
        self.log = open(home.path / "faults-server.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--workers", "2"],
            env=home.env,
            stdout=self.log,
            stderr=self.log,
        )
        wait_for(self.answers, "the server's home page")

    def answers(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/en/"
            with urllib.request.urlopen(url, timeout=30) as answer:
                return answer.status == 200
        except OSError:
            return False

    def family(self) -> list[int]:
        """Every process the server started, and theirs (Linux's /proc)."""
        found, frontier = [], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(stat[1]) == parent:
                        found.append(int(entry.name))
                        frontier.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=120)
        self.log.close()


def report(name: str, checks: list[tuple[str, bool, str]]) -> None:
    print(f"\n== {name}")
    for what, ok, detail in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}: {detail}")


REBUILD = "from ecotone.search.tasks import rebuild_index_task; rebuild_index_task.enqueue()"


def running(home: Home, name: str):
    return [t for t in home.tasks(name) if t[0] == "RUNNING"]


def settled(home: Home) -> bool:
    """No index task waits or runs: whatever was to be redone has been."""
    pending = home.query(
        f"SELECT count(*) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')"  # noqa: S608
    )
    return pending[0][0] == 0


def scenario_worker(source: Path, postgres: Postgres | None) -> list[tuple[str, bool, str]]:
    home = Home(source, "worker", postgres)
    server = Server(home)
    try:
        wait_for(lambda: not running(home, "repair_index_task"), "the start-up repair")
        home.enqueue(REBUILD)
        wait_for(lambda: running(home, "rebuild_index_task"), "the rebuild to start")
        time.sleep(2)
        victim = home.worker_pid()
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        new = wait_for(lambda: (p := home.worker_pid()) and p != victim and p, "a new worker")
        restarted = time.monotonic() - killed_at
        time.sleep(5)
        wait_for(lambda: settled(home), "the tasks to settle", timeout=1200)
        states = [t[0] for t in home.tasks("rebuild_index_task")]
        failed = home.tasks("rebuild_index_task")[0][2]
    finally:
        server.stop()
    agreement = home.agreement()
    return [
        ("worker restarted", new != victim, f"pid {victim} → {new} after {restarted:.1f} s"),
        ("killed rebuild", states[-1:] == ["SUCCESSFUL"], f"{states}, first: {failed}"),
        ("index", "agrees" in agreement, agreement),
        ("task states", True, json.dumps(home.task_states())),
    ]


def scenario_server(source: Path, postgres: Postgres | None) -> list[tuple[str, bool, str]]:
    home = Home(source, "server", postgres)
    server = Server(home)
    wait_for(lambda: not running(home, "repair_index_task"), "the start-up repair")
    home.enqueue(REBUILD)
    wait_for(lambda: running(home, "rebuild_index_task"), "the rebuild to start")
    time.sleep(2)
    family = server.family()
    server.process.kill()
    server.process.wait()
    server.log.close()
    deadline = time.monotonic() + 60  # gunicorn's graceful stop, the worker's task
    while any(exists(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = [pid for pid in family if exists(pid)]
    before = [t[0] for t in home.tasks("rebuild_index_task")]
    second = Server(home)
    try:
        time.sleep(5)
        wait_for(lambda: settled(home), "the tasks to settle", timeout=1200)
        states = [t[0] for t in home.tasks("rebuild_index_task")]
        repairs = [(t[0], t[3]) for t in home.tasks("repair_index_task")][-1]
    finally:
        second.stop()
    agreement = home.agreement()
    return [
        ("processes left after kill -9", not left, f"{len(left)} of {len(family)}"),
        (
            "rebuild when the server was gone",  # its worker, sent SIGTERM, may finish it
            before[-1:] in (["RUNNING"], ["SUCCESSFUL"], ["READY"]),
            f"{before}",
        ),
        ("rebuild tasks after restart", True, f"{states}"),
        ("start-up repair", repairs[0] == "SUCCESSFUL", f"{repairs[0]}: {repairs[1]}"),
        ("index", "agrees" in agreement, agreement),
        ("task states", True, json.dumps(home.task_states())),
    ]


def import_file(home: Home, rows: int) -> Path:
    path = home.path.parent / "organisations.csv"
    lines = ["external_id,name_en,kind,country,description_en"]
    lines += [
        f"fault-org-{n},Tidal lagoon builder {n},corporate,CN,Builds tidal lagoons {n}"
        for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def organisations(home: Home) -> int:
    sql = "SELECT count(*) FROM catalog_organisation WHERE external_id LIKE 'fault-org-%'"
    return home.query(sql)[0][0]


KILL_ATTEMPTS = 3


def kill_import(home, path: Path, kill_after: float) -> tuple[bool, int]:
    """(whether the import was still running when killed, the rows it left)."""
    importing = subprocess.Popen(
        [*CLI, "import", "organisation", str(path)],
        env=home.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    still_running = importing.poll() is None
    importing.kill()
    importing.wait()
    return still_running, organisations(home)


def scenario_import(
    source: Path, postgres: Postgres | None, rows: int, kill_after: float
) -> list[tuple[str, bool, str]]:
    # an import that ends before its kill proves nothing: again on a fresh copy, with half
    # the delay (a quiet machine imports 2,000 rows in under 4 s)
    for attempt in range(KILL_ATTEMPTS):
        home = Home(source, "import", postgres)
        path = import_file(home, rows)
        still_running, after_kill = kill_import(home, path, kill_after)
        if still_running or attempt == KILL_ATTEMPTS - 1:
            break
        home.drop()
        kill_after /= 2

    started = time.monotonic()
    home.run("import", "organisation", str(path))
    imported = time.monotonic() - started
    after_import = organisations(home)
    # the progress of this import's indexing, not of the demo's (the PostgreSQL template's
    # tasks ran in the process that loaded it, and wrote their progress too)
    before = home.query("SELECT coalesce(max(id), 0) FROM core_taskprogress")[0][0]
    this_import = (
        "SELECT done, total FROM core_taskprogress"
        " WHERE label LIKE 'search index: organisation' AND id > ?"
    )
    server = Server(home)
    try:
        wait_for(lambda: running(home, "index_records_task"), "the import's indexing")
        wait_for(
            lambda: [row for row in home.query(this_import, before) if row[0] > 0],
            "some progress",
        )
        progress = home.query(this_import + " ORDER BY id DESC", before)[0]
        os.kill(home.worker_pid(), signal.SIGKILL)
        time.sleep(5)
        wait_for(lambda: settled(home), "the tasks to settle", timeout=1200)
        tasks = home.tasks("index_records_task")
    finally:
        server.stop()
    agreement = home.agreement()
    return [
        (
            f"import killed after {kill_after:.1f} s",
            still_running and after_kill == 0,
            f"{'while running' if still_running else 'it had ended'}; {after_kill} rows kept",
        ),
        ("import run again", after_import == rows, f"{after_import} rows in {imported:.1f} s"),
        ("worker killed while indexing", True, f"at {progress[0]} of {progress[1]}"),
        (
            "indexing resumed",
            [t[0] for t in tasks][-1:] == ["SUCCESSFUL"],
            f"{[t[0] for t in tasks]}, indexed on resuming: {tasks[-1][3]}",
        ),
        ("index", "agrees" in agreement, agreement),
        ("task states", True, json.dumps(home.task_states())),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a prepared SQLite demo home")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to create faults_* databases on (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["worker", "server", "import"],
        choices=["worker", "server", "import"],
    )
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--import-kill-after", type=float, default=6.0, help="seconds")
    args = parser.parse_args()
    postgres = None
    if args.database_url:
        if not args.database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url: a postgres:// URL (SQLite: --home)")
        postgres = Postgres(args.database_url)
    elif not args.home:
        raise SystemExit("--home (a prepared SQLite demo home) or --database-url")
    try:
        if postgres:
            started = time.monotonic()
            source = prepare_postgres(postgres)
            print(f"demo loaded into faults_template in {time.monotonic() - started:.0f} s")
        else:
            source = args.home
        for name in args.scenarios:
            started = time.monotonic()
            if name == "worker":
                checks = scenario_worker(source, postgres)
            elif name == "server":
                checks = scenario_server(source, postgres)
            else:
                checks = scenario_import(source, postgres, args.import_rows, args.import_kill_after)
            report(f"{name} ({time.monotonic() - started:.0f} s)", checks)
    finally:
        if postgres:
            for home in CREATED:
                home.drop()
            postgres.drop(f"{Postgres.PREFIX}template")


if __name__ == "__main__":
    main()
