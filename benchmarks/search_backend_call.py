"""The PostgreSQL backend's own lexical call, timed on the index already built.

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_backend_call.py
    DATABASE_URL=… .venv/bin/python benchmarks/search_backend_call.py --limit 10 --repeats 20

Runs ``PostgresBackend.search`` (statistics, ranking, the page's stored fields) for the
queries of ``search_speed.py`` on the index ``DATABASE_URL`` holds (build it with
``search_speed.py --backend postgres``; this script writes nothing) and prints the wall
clock per call and the CPU time per call of this process (Python) and of the PostgreSQL
server process serving its connection (read from ``/proc``, so the server must run on this
machine). On a shared machine CPU time is what compares: run it with two versions of the
code (``PYTHONPATH``) one after the other, several times. Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import time
from pathlib import Path


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a local process (``/proc/PID/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=100, help="hits per call (hybrid asks 100)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--label", default="", help="printed in front (e.g. the code version)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("needs DATABASE_URL naming the PostgreSQL database search_speed.py built")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    import django

    django.setup()
    from django.db import connection
    from search_speed import QUERIES

    from ecotone.search.backends.base import SearchQuery
    from ecotone.search.backends.postgres import PostgresBackend
    from ecotone.search.text import query_terms

    backend = PostgresBackend()
    queries = [
        SearchQuery(terms=query_terms(text), filters={"status": ["published"]}, limit=args.limit)
        for text in QUERIES
    ]
    for query in queries:  # warm: the pages the index needs are cached
        backend.search(query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    latencies = []
    server, python = server_cpu_seconds(pid), time.process_time()
    for _ in range(args.repeats):
        for query in queries:
            began = time.perf_counter()
            backend.search(query)
            latencies.append((time.perf_counter() - began) * 1000)
    calls = len(latencies)
    python_ms = (time.process_time() - python) * 1000 / calls
    server_ms = (server_cpu_seconds(pid) - server) * 1000 / calls
    latencies.sort()
    print(
        f"search_backend_call {args.label} limit={args.limit} calls={calls} "
        f"p50_ms={statistics.median(latencies):.1f} "
        f"p95_ms={latencies[min(calls - 1, int(0.95 * calls))]:.1f} "
        f"python_cpu_ms={python_ms:.2f} server_cpu_ms={server_ms:.2f} "
        f"load={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
