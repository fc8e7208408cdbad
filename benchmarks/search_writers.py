"""Concurrent writers of the PostgreSQL search index: N processes, each indexing its own
new documents a few at a time (as edits, imports and the worker do), against one index.

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_writers.py
    DATABASE_URL=… .venv/bin/python benchmarks/search_writers.py --writers 1 4 --serialised

Migrates the database ``DATABASE_URL`` names and REPLACES its search index: point it at a
scratch database. Vectors are left out (the embedders are not what is measured). Prints,
per number of writers, documents written per second by all of them together and the
p50 / p95 time of one ``update`` call. ``--serialised`` makes every writer take the index's
write lock exclusively, as every writer did before (one at a time), for comparison.
Asserts nothing.
"""

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    import django

    django.setup()


def documents(first_pk: int, count: int, seed: int):
    """Synthetic documents (``search_speed``'s) with pks from ``first_pk``."""
    import dataclasses

    from search_speed import synthetic_documents

    for n, doc in enumerate(synthetic_documents(count, seed=seed)):
        yield dataclasses.replace(doc, pk=first_pk + n, external_id=f"writer-{first_pk + n}")


def writer(args: tuple) -> tuple[float, float, int, list[float]]:
    """One process: ``count`` new documents in updates of ``batch``; (start, end, written,
    seconds per update)."""
    number, count, batch, serialised, start_at = args
    setup_django()
    from ecotone.search.backends import postgres_bm25
    from ecotone.search.backends.postgres import PostgresBackend

    if serialised:
        postgres_bm25.lock_writers = postgres_bm25.lock_rebuild
    backend = PostgresBackend()
    docs = list(documents(10_000_000 * (number + 1), count, seed=100 + number))
    while time.time() < start_at:  # every writer starts together, Django loaded
        time.sleep(0.01)
    began = time.time()
    took = []
    for start in range(0, len(docs), batch):
        tick = time.perf_counter()
        backend.update(docs[start : start + batch], [])
        took.append(time.perf_counter() - tick)
    return began, time.time(), len(docs), took


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--docs", type=int, default=400, help="per writer")
    parser.add_argument("--batch", type=int, default=10, help="documents per update")
    parser.add_argument("--base", type=int, default=5000, help="documents indexed first")
    parser.add_argument("--serialised", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("needs DATABASE_URL naming a scratch PostgreSQL database")
    setup_django()
    from django.core.management import call_command
    from django.db import connections
    from search_speed import synthetic_documents

    from ecotone.search.backends.postgres import PostgresBackend

    call_command("migrate", verbosity=0)
    context = multiprocessing.get_context("spawn")
    for count in args.writers:
        PostgresBackend().rebuild(synthetic_documents(args.base))
        connections.close_all()
        start_at = time.time() + 15  # time for every process to load Django and jieba
        jobs = [(n, args.docs, args.batch, args.serialised, start_at) for n in range(count)]
        with context.Pool(count) as pool:
            results = pool.map(writer, jobs)
        began = min(r[0] for r in results)
        ended = max(r[1] for r in results)
        written = sum(r[2] for r in results)
        took = [seconds * 1000 for r in results for seconds in r[3]]
        print(
            f"search_writers writers={count} serialised={args.serialised} docs={written} "
            f"batch={args.batch} base={args.base} docs_per_s={written / (ended - began):.0f} "
            f"update_p50_ms={statistics.median(took):.1f} "
            f"update_p95_ms={percentile(took, 0.95):.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
