"""Where one search's time goes on the PostgreSQL backend: each SQL statement and each
query embedding of ``search_speed.py``'s query path, per query.

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_time_split.py
    DATABASE_URL=… .venv/bin/python benchmarks/search_time_split.py --mode lexical --repeats 5

Runs the ten queries of ``search_speed.py`` (``query_once``: lexical search, query
embedding and dense search per space, fusion, the page's stored fields) on the index
``DATABASE_URL`` holds (build it with ``search_speed.py --backend postgres``; this script
writes nothing) and prints the mean wall time of a query, the CPU time per query of this
process (Python, e5 included) and of the PostgreSQL server process serving it (``/proc``: the
server must run on this machine) and the statements per query, then the wall time per query
spent in each statement (by its first words) and in each embedder's query embedding (e5
embeds on a thread beside the word search, so its time overlaps the statements'). Wall
time on a loaded machine includes the wait for a core: quote the load average printed.
The statements are timed on this thread's connection, so the search's statements run one
after another here (``ECOTONE_SEARCH_READ_WORKERS=0`` unless set; ``search_speed.py`` times
them side by side). Prints figures; asserts nothing.
"""

import argparse
import collections
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["lexical", "dense", "hybrid"], default="hybrid")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("needs DATABASE_URL naming the PostgreSQL database search_speed.py built")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    os.environ.setdefault("ECOTONE_SEARCH_READ_WORKERS", "0")  # every statement on one connection
    import django

    django.setup()
    from django.db import connection
    from search_backend_call import server_cpu_seconds
    from search_speed import QUERIES, query_once

    from ecotone.search.backends.postgres import PostgresBackend
    from ecotone.search.embedding import get_embedders

    backend = PostgresBackend()
    query_once(backend, args.mode, QUERIES[0])  # warm: models loaded, pages cached
    timings: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])
    embedding: dict[str, float] = collections.defaultdict(float)

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = timings[" ".join(sql.split())[:72]]
            spent[0] += 1
            spent[1] += time.perf_counter() - began

    for embedder in get_embedders():

        def embed(texts, embed=embedder.embed_query_texts, space=embedder.space):
            began = time.perf_counter()
            try:
                return embed(texts)
            finally:
                embedding[space] += time.perf_counter() - began

        embedder.embed_query_texts = embed
    load = os.getloadavg()[0]
    total = 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    server, python = server_cpu_seconds(pid), time.process_time()
    with connection.execute_wrapper(timed):
        for _ in range(args.repeats):
            for text in QUERIES:
                began = time.perf_counter()
                query_once(backend, args.mode, text)
                total += time.perf_counter() - began
    queries = args.repeats * len(QUERIES)
    python_ms = (time.process_time() - python) * 1000 / queries
    server_ms = (server_cpu_seconds(pid) - server) * 1000 / queries
    statements = sum(count for count, _ in timings.values()) / queries
    print(
        f"search_time_split mode={args.mode} queries={queries} "
        f"mean_ms={total * 1000 / queries:.1f} python_cpu_ms={python_ms:.1f} "
        f"server_cpu_ms={server_ms:.1f} statements={statements:.1f} "
        f"load={load:.1f}-{os.getloadavg()[0]:.1f}"
    )
    for sql, (count, spent) in sorted(timings.items(), key=lambda item: -item[1][1]):
        print(f"  sql {spent * 1000 / queries:7.1f} ms/query {count / queries:4.1f}/query  {sql}")
    for space, spent in sorted(embedding.items()):
        print(f"  embed {space} {spent * 1000 / queries:7.1f} ms/query")


if __name__ == "__main__":
    main()
