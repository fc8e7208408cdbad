"""Load benchmark: N concurrent visitors against the real server for a bounded time.

    .venv/bin/python benchmarks/load.py --home /path/to/demo-home            # 50 clients, 150 s
    .venv/bin/python benchmarks/load.py --home H --clients 20 --seconds 60 --workers 3
    .venv/bin/python benchmarks/load.py --home H --threads 1 --keep-alive 0   # serve's options
    DATABASE_URL=postgres://…/ecotone .venv/bin/python benchmarks/load.py --home H

Starts ``ecotone serve`` on 127.0.0.1 (a free port) on a prepared demo home (``ecotone
migrate`` and ``ecotone demo`` with that ``ECOTONE_HOME``, and the same ``DATABASE_URL`` if
any; without ``--home`` a temporary one is prepared first, which takes minutes), waits until
every web process has warmed up, then runs ``--clients`` threads for ``--seconds``. Each
client, in a loop, picks a request: a hybrid search in English or in Chinese (queries from
``data/search_judgements.jsonl``; ``--fresh-share`` of them, 0.2 by default, with a word of
another query and a number added, so that they were never asked before and the cache
cannot answer), the home page, a list page, or a published need's page (its match list
included). Prints the CPU time the server's processes and the clients used per request
(Linux's /proc: on a shared machine it says what the server costs, whatever the neighbours
take), per request type: count, throughput, errors and the latency percentiles, and
whether the targets (0 errors, p99 ≤ 1 s for search, ≤ 2 s for
need pages) were met. Talks to 127.0.0.1 only. Asserts nothing.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = ROOT / "benchmarks" / "data" / "search_judgements.jsonl"
LISTS = ["solutions", "cases", "needs", "organisations", "resources", "events"]
#: request type → share of the requests
MIX = {"search-en": 0.25, "search-zh": 0.25, "home": 0.1, "list": 0.2, "need": 0.2}
TARGET_P99 = {"search-en": 1.0, "search-zh": 1.0, "need": 2.0}
CLIENT_TIMEOUT = 60.0
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def environment(home: Path) -> dict:
    return {**os.environ, "ECOTONE_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}


def prepare_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="ecotone-load-home-"))
    for command in (["migrate", "-v", "0"], ["demo"], ["index", "rebuild", "-v", "0"]):
        print(f"preparing {home}: ecotone {' '.join(command)}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "ecotone.cli", *command], env=environment(home), check=True
        )
    return home


def get(connection_box: list, path: str) -> tuple[int, bytes]:
    """One GET on the client's kept-alive connection (opened again after any failure)."""
    if connection_box[0] is None:
        connection_box[0] = http.client.HTTPConnection(HOST, connection_box[1], timeout=60)
    connection = connection_box[0]
    try:
        connection.request("GET", path, headers={"Accept-Language": "en"})
        response = connection.getresponse()
        return response.status, response.read()
    except Exception:
        connection.close()
        connection_box[0] = None
        raise


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 600) -> float:
    started = time.monotonic()
    box = [None, port]
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            if get(box, "/en/")[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not answer in time")


def published_needs(port: int) -> list[int]:
    status, body = get([None, port], "/api/v1/needs?limit=100")
    if status != 200:
        raise SystemExit(f"GET /api/v1/needs answered {status}")
    data = json.loads(body)
    items = data["results"] if isinstance(data, dict) else data
    return [item["id"] for item in items]


def queries() -> dict[str, list[str]]:
    by_language = defaultdict(list)
    for line in JUDGEMENTS.read_text().splitlines():
        row = json.loads(line)
        by_language[row["language"]].append(row["query"])
    return by_language


class Load:
    def __init__(
        self,
        port: int,
        needs: list[int],
        texts: dict[str, list[str]],
        seed: int,
        fresh_share: float = 0.0,
    ):
        self.port, self.needs, self.texts = port, needs, texts
        self.seed, self.fresh_share = seed, fresh_share
        self.fresh = 0
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def path(self, kind: str, chance: random.Random) -> str:
        if kind in {"search-en", "search-zh"}:
            language = kind.removeprefix("search-")
            query = chance.choice(self.texts[language])
            if chance.random() < self.fresh_share:
                other = chance.choice(self.texts[language])
                words = other.split() if language == "en" else [other[: chance.randint(2, 4)]]
                query = f"{query} {chance.choice(words)} {chance.randint(1, 10**6)}"
                self.fresh += 1
            prefix = "/en" if language == "en" else "/zh-hans"
            return f"{prefix}/search/?q={quote(query)}"
        if kind == "home":
            return chance.choice(["/en/", "/zh-hans/"])
        if kind == "list":
            return f"/en/{chance.choice(LISTS)}/?page={chance.randint(1, 3)}"
        return f"/{chance.choice(['en', 'zh-hans'])}/needs/{chance.choice(self.needs)}/"

    def client(self, number: int, deadline: float) -> None:
        chance = random.Random(self.seed * 1000 + number)
        box = [None, self.port]
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            kind = chance.choices(kinds, weights)[0]
            path = self.path(kind, chance)
            started = time.monotonic()
            try:
                status, _ = get(box, path)
                problem = f"{status} {path}" if status >= 400 else ""
            except Exception as error:
                problem = f"{type(error).__name__} {path}"
            elapsed = time.monotonic() - started
            with self.lock:
                self.samples[kind].append(elapsed)
                if problem:
                    self.errors[kind].append(problem)

    def run(self, clients: int, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=self.client, args=(n, deadline), daemon=True)
            for n in range(clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + CLIENT_TIMEOUT + 10)
        return time.monotonic() - started


def tree_cpu_seconds(root: int) -> float | None:
    """CPU time (user + system) used so far by process ``root`` and every descendant still
    running (Linux's /proc; None elsewhere): the server's own cost, whatever its neighbours
    on a shared machine take."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    parents, times = {}, {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime (ticks)
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(times.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def report(load: Load, elapsed: float) -> bool:
    print(
        f"{'request':<10} {'count':>6} {'req/s':>7} {'errors':>6} "
        f"{'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'max s':>7}"
    )
    met = True
    everything = []
    for kind in [*MIX, "all"]:
        values = everything if kind == "all" else sorted(load.samples[kind])
        if kind != "all":
            everything.extend(values)
        else:
            values.sort()
        errors = (
            sum(len(e) for e in load.errors.values()) if kind == "all" else len(load.errors[kind])
        )
        if not values:
            print(f"{kind:<10} {0:>6}")
            continue
        p99 = percentile(values, 0.99)
        print(
            f"{kind:<10} {len(values):>6} {len(values) / elapsed:>7.1f} {errors:>6} "
            f"{percentile(values, 0.5):>7.3f} {percentile(values, 0.95):>7.3f} "
            f"{p99:>7.3f} {values[-1]:>7.3f}"
        )
        if kind in TARGET_P99 and p99 > TARGET_P99[kind]:
            met = False
    errors = [problem for kind in MIX for problem in load.errors[kind]]
    for problem in errors[:10]:
        print(f"  error: {problem}")
    return met and not errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a prepared demo ECOTONE_HOME")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--workers", type=int, help="web processes (default: serve's own)")
    parser.add_argument("--threads", type=int, help="threads per web process")
    parser.add_argument("--keep-alive", type=int, help="serve's --keep-alive, in seconds")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--fresh-share",
        type=float,
        default=0.2,
        help="share of searches never asked before (not in the cache)",
    )
    args = parser.parse_args()

    home = args.home.resolve() if args.home else prepare_home()
    subprocess.run(  # a home prepared by an older version: its tables as this one has them
        [sys.executable, "-m", "ecotone.cli", "migrate", "-v", "0"],
        env=environment(home),
        check=True,
    )
    port = free_port()
    command = [sys.executable, "-m", "ecotone.cli", "serve", "--host", HOST, "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.keep_alive is not None:
        command += ["--keep-alive", str(args.keep_alive)]
    log = open(home / "load-benchmark-server.log", "w")  # noqa: SIM115 - open while it runs
    server = subprocess.Popen(command, env=environment(home), stdout=log, stderr=log)
    try:
        up = wait_until_up(port, server)
        needs = published_needs(port)
        if not needs:
            raise SystemExit("no published need: is this a demo home?")
        texts = queries()
        warm = Load(port, needs, texts, seed=0)
        warm_seconds = warm.run(min(args.clients, 10), 10.0)
        database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        print(
            f"server up after {up:.0f} s, warmed for {warm_seconds:.0f} s; {database}; "
            f"{os.cpu_count()} cores; {args.clients} clients for {args.seconds:.0f} s; "
            f"{len(needs)} need pages, {len(texts['en'])} English and {len(texts['zh'])} "
            f"Chinese queries; server log: {home / 'load-benchmark-server.log'}"
        )
        load = Load(port, needs, texts, seed=args.seed, fresh_share=args.fresh_share)
        server_cpu, client_cpu = tree_cpu_seconds(server.pid), time.process_time()
        load_average = os.getloadavg()[0]
        elapsed = load.run(args.clients, args.seconds)
        client_cpu = time.process_time() - client_cpu
        searches = len(load.samples["search-en"]) + len(load.samples["search-zh"])
        print(f"{load.fresh} of {searches} searches never asked before")
        requests = sum(len(values) for values in load.samples.values()) or 1
        if server_cpu is not None:
            server_cpu = tree_cpu_seconds(server.pid) - server_cpu
            print(
                f"CPU per request: server {server_cpu / requests * 1000:.1f} ms (its processes "
                f"used {server_cpu / elapsed:.2f} of {os.cpu_count()} cores), clients "
                f"{client_cpu / requests * 1000:.1f} ms; load average {load_average:.1f} "
                f"before, {os.getloadavg()[0]:.1f} after"
            )
        met = report(load, elapsed)
        print(
            "targets (0 errors, p99 search ≤ 1 s, need pages ≤ 2 s): "
            + ("met" if met else "NOT met")
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


if __name__ == "__main__":
    main()
