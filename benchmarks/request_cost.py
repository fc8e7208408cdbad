"""What one request costs the server, per request type of the load benchmark, in CPU.

    .venv/bin/python benchmarks/request_cost.py --home /path/to/demo-home
    .venv/bin/python benchmarks/request_cost.py --home H --repeat 20 --profile search-en-fresh

Under saturation (``benchmarks/load.py``: 50 clients on 2 cores) the latency percentiles
are decided by how much CPU each request takes, and on a machine shared with other work the
load benchmark's absolute figures move with the neighbours; this counts the cost itself.
It sets Django up in this process on a prepared demo home (``ECOTONE_HOME``, and
``DATABASE_URL`` if any; the home's cache is used as the server would), warms the models and
the index up, then sends ``--repeat`` requests of each type through Django's test client and
prints, per type, the median and the 90th percentile of the process's CPU time (every
thread: e5 embeds a query beside the search) and of the wall time, and the median number of
database queries. Types:

* ``search-en`` / ``search-zh``: a query of ``data/search_judgements.jsonl`` asked again
  (the cache answers, as for most of the load benchmark's searches: the whole page for a
  visitor who is not logged in, ``core/page_cache.py``);
* ``search-en-fresh`` / ``search-zh-fresh``: a query never asked before (a word of another
  query and a number added, as ``load.py`` does), so the whole search runs;
* ``api-en-fresh`` / ``api-zh-fresh``: the same through ``GET /api/v1/search`` (not in the
  load benchmark's mix; the API has no page to cache and no facets);
* ``need`` (a published need's page with its match list from the cache) and
  ``need-cold`` (the match list computed: the catalogue version is replaced first);
* ``home`` and ``list`` (a catalogue list page), each asked once before, as the load
  benchmark's two home pages and 18 list pages all are within its first seconds.

Before measuring, ``--warm`` fresh searches of each language fill what a long-running web
process keeps between requests (stems, records' words, the public records' ids).
``--profile TYPE`` runs cProfile (CPU time) over that type's requests and prints the
project's 45 costliest functions by cumulative time and the 25 costliest of all by their
own. It writes to the home as the server would (need pages count their showings; the cache
fills, and ``need-cold`` makes every cached figure stale): use a copy. Talks to no server and
no network. Asserts nothing.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = ROOT / "benchmarks" / "data" / "search_judgements.jsonl"
LISTS = ["solutions", "cases", "needs", "organisations", "resources", "events"]
TYPES = (
    "search-en",
    "search-zh",
    "search-en-fresh",
    "search-zh-fresh",
    "api-en-fresh",
    "api-zh-fresh",
    "need",
    "need-cold",
    "home",
    "list",
)

#: asked once before being measured: the cache answers them
CACHED = {"search-en", "search-zh", "need", "home", "list"}


def setup(home: Path) -> None:
    os.environ["ECOTONE_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def queries() -> dict[str, list[str]]:
    by_language = defaultdict(list)
    for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_language[row["language"]].append(row["query"])
    return by_language


def fresh(query: str, other: str, language: str, chance: random.Random) -> str:
    """``query`` made one never asked before, as ``load.py`` makes them."""
    words = other.split() if language == "en" else [other[: chance.randint(2, 4)]]
    return f"{query} {chance.choice(words)} {chance.randint(1, 10**6)}"


class Requests:
    def __init__(self, seed: int):
        from urllib.parse import quote

        from ecotone.catalog.models import Need

        self.quote = quote
        self.chance = random.Random(seed)
        self.texts = queries()
        self.needs = list(
            Need.objects.filter(Need.public_condition()).order_by("pk").values_list("pk", flat=True)
        )[:100]

    def path(self, kind: str) -> tuple[str, bool]:
        """The path to ask for ``kind`` and whether to make the catalogue's cache stale first."""
        chance = self.chance
        if kind.startswith(("search-", "api-")):
            language = kind.split("-")[1]
            query = chance.choice(self.texts[language])
            if kind.endswith("-fresh"):
                query = fresh(query, chance.choice(self.texts[language]), language, chance)
            if kind.startswith("api-"):
                return f"/api/v1/search?q={self.quote(query)}", False
            prefix = "/en" if language == "en" else "/zh-hans"
            return f"{prefix}/search/?q={self.quote(query)}", False
        if kind == "home":
            return chance.choice(["/en/", "/zh-hans/"]), False
        if kind == "list":
            return f"/en/{chance.choice(LISTS)}/?page={chance.randint(1, 3)}", False
        language = chance.choice(["en", "zh-hans"])
        return f"/{language}/needs/{chance.choice(self.needs)}/", kind == "need-cold"


def measure(client, requests: Requests, kind: str, repeat: int, profiler=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ecotone.core.cache import index_changed

    cpu, wall, counts = [], [], []
    for _ in range(repeat):
        path, stale = requests.path(kind)
        if stale:
            index_changed()  # a new catalogue version: every cached figure is recomputed
        elif kind in CACHED:
            client.get(path, SERVER_NAME="127.0.0.1")  # asked before: in the cache
        with CaptureQueriesContext(connection) as captured:
            if profiler:
                profiler.enable()
            started_cpu, started = time.process_time(), time.perf_counter()
            response = client.get(path, SERVER_NAME="127.0.0.1")
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
            if profiler:
                profiler.disable()
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        counts.append(len(captured.captured_queries))
    return {"cpu": cpu, "wall": wall, "queries": counts}


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a prepared demo ECOTONE_HOME")
    parser.add_argument("--repeat", type=int, default=15, help="requests per type")
    parser.add_argument("--warm", type=int, default=20, help="fresh searches first, per language")
    parser.add_argument("--types", nargs="*", default=list(TYPES), choices=TYPES)
    parser.add_argument("--profile", choices=TYPES, help="print where this type's time goes")
    parser.add_argument(
        "--seed", type=int, help="of the choices (default: a new one, so that fresh is fresh)"
    )
    parser.add_argument("--dump", type=Path, help="with --profile: write the profile here too")
    args = parser.parse_args()

    setup(args.home.resolve())
    from django.test import Client

    from ecotone.search.queries import search_records

    for query in ("solar heating", "太阳能供热"):  # as each web process does (config/gunicorn.py)
        search_records(query, limit=1)
    client = Client()
    requests = Requests(args.seed if args.seed is not None else random.SystemRandom().random())
    for kind in args.types:  # first requests: templates compiled, caches of the process filled
        measure(client, requests, kind, 2)
    for kind in ("search-en-fresh", "search-zh-fresh"):
        measure(client, requests, kind, args.warm)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{database}; {args.repeat} requests per type; load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'request':<16} {'cpu ms p50':>10} {'p90':>7} {'wall ms p50':>11} {'p90':>7} "
        f"{'queries':>7}"
    )
    for kind in args.types:
        profiler = cProfile.Profile(time.process_time) if kind == args.profile else None
        figures = measure(client, requests, kind, args.repeat, profiler)
        cpu, wall = figures["cpu"], figures["wall"]
        print(
            f"{kind:<16} {statistics.median(cpu) * 1000:>10.0f} {p90(cpu) * 1000:>7.0f} "
            f"{statistics.median(wall) * 1000:>11.0f} {p90(wall) * 1000:>7.0f} "
            f"{statistics.median(figures['queries']):>7.0f}"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            if args.dump:
                stats.dump_stats(args.dump)
            stats.sort_stats("cumulative").print_stats("ecotone", 45)
            stats.sort_stats("tottime").print_stats(25)
            profiles = out.getvalue()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.profile:
        print(profiles)


if __name__ == "__main__":
    main()
