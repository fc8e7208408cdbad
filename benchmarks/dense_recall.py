"""Dense search on PostgreSQL: recall of pgvector's HNSW index (with filtered iterative
scans) against exact search, and its latency, per ``hnsw.ef_search``.

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/dense_recall.py --size 20000
    DATABASE_URL=… .venv/bin/python benchmarks/dense_recall.py --keep   # reuse the index

Migrates the database ``DATABASE_URL`` names and REPLACES its search index with
``search_speed``'s synthetic documents (vectors drawn from a pool of really embedded
passages plus noise), unless ``--keep`` says the index there is already that. Queries are
other really embedded synthetic passages. For each ``ef_search`` and filter (none; one
country, a quarter of the documents; one kind and one country, a twentieth) it prints
recall@k of ``PostgresBackend.nearest`` against the exact nearest documents and the p50 /
p95 time of a query, then the smallest ``ef_search`` whose recall is at least the target in
every filter (the backend's ``EF_SEARCH`` should be at least that), for each ``--per-hit``
(passages asked per wanted document, the backend's ``CANDIDATES_PER_HIT``). Asserts nothing.
"""

import argparse
import itertools
import os
import statistics
import tempfile
import time

FILTERS = {
    "none": {},
    "country": {"country": ["CN"]},
    "kind+country": {"kind": ["case"], "country": ["DE"]},
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--k", type=int, default=100, help="documents per query (hybrid's)")
    parser.add_argument("--ef", type=int, nargs="+", default=[40, 80, 120, 200, 300, 400])
    parser.add_argument(
        "--per-hit",
        type=float,
        nargs="+",
        default=[4.0],
        help="passages the walk asks per wanted document (the backend's CANDIDATES_PER_HIT)",
    )
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--pool", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="search the index already built")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("needs DATABASE_URL naming a scratch PostgreSQL database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    import django

    django.setup()
    from django.core.management import call_command
    from search_speed import synthetic_documents, synthetic_passages, vector_pool, with_pool_vectors

    from ecotone.search.backends.postgres import PostgresBackend
    from ecotone.search.embedding import get_embedders

    call_command("migrate", verbosity=0)
    embedders = get_embedders()
    if not embedders:
        parser.error("no embedder is configured (ECOTONE_EMBEDDER)")
    if not args.keep:
        pool = vector_pool(args.pool)
        began = time.perf_counter()
        PostgresBackend().rebuild(with_pool_vectors(synthetic_documents(args.size), pool))
        print(f"dense_recall built docs={args.size} build_s={time.perf_counter() - began:.1f}")
    texts = synthetic_passages(args.queries, seed=77)
    exact = PostgresBackend(exact_below=10**12)
    best_ef = {}
    for embedder in embedders:
        vectors = embedder.embed_passages(texts)
        for name, filters in FILTERS.items():
            truth = [
                {hit.key for hit in exact.nearest(embedder.space, v, filters, args.k)}
                for v in vectors
            ]
            for ef, per_hit in itertools.product(args.ef, args.per_hit):
                approximate = PostgresBackend(ef_search=ef, candidates_per_hit=per_hit)
                recalls, took = [], []
                for vector, wanted in zip(vectors, truth, strict=True):
                    tick = time.perf_counter()
                    hits = approximate.nearest(embedder.space, vector, filters, args.k)
                    took.append((time.perf_counter() - tick) * 1000)
                    found = {hit.key for hit in hits}
                    recalls.append(len(found & wanted) / len(wanted) if wanted else 1.0)
                recall = statistics.mean(recalls)
                print(
                    f"dense_recall space={embedder.space} docs={args.size} filter={name} "
                    f"k={args.k} ef_search={ef} per_hit={per_hit:g} recall={recall:.3f} "
                    f"min_recall={min(recalls):.2f} p50_ms={statistics.median(took):.1f} "
                    f"p95_ms={percentile(took, 0.95):.1f} load={os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                if recall >= args.target:
                    best_ef.setdefault((embedder.space, name, per_hit), ef)
    for embedder, per_hit in itertools.product(embedders, args.per_hit):
        chosen = [best_ef.get((embedder.space, name, per_hit)) for name in FILTERS]
        smallest = None if None in chosen else max(chosen)
        print(
            f"dense_recall space={embedder.space} per_hit={per_hit:g} smallest_ef_search_for_"
            f"recall_{args.target}={smallest if smallest is not None else 'not reached'}"
        )


if __name__ == "__main__":
    main()
