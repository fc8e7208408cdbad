"""Search speed benchmark: indexing rate and query latency, lexical, dense and hybrid.

    .venv/bin/python benchmarks/search_speed.py                 # 10k and 100k documents
    .venv/bin/python benchmarks/search_speed.py --sizes 10000 --modes lexical
    .venv/bin/python benchmarks/search_speed.py --sizes 100000 --index /tmp/idx --existing
    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_speed.py --backend postgres

``--backend postgres`` migrates the database ``DATABASE_URL`` names and REPLACES its search
index: point it at a scratch database, never a live one.

1. ``embedding``: the configured embedders' own throughput on synthetic passages, against
   the whole indexing path (passages → vector cache → embedders → index writes) on the same
   number of new documents; the target is indexing at ≥ 90% of the embedders' rate.
2. per size: builds the embedded backend (tantivy BM25 + vector store) from synthetic
   bilingual documents in a temporary folder and times queries per mode, query analysis
   and query embedding included, database re-checks excluded. Embedding 100k documents
   would take hours with these models, so the documents' vectors are drawn from a pool of
   really embedded synthetic passages plus a little noise: the matrix has its real size
   and the query path does all its real work. Prints figures; asserts nothing.
"""

import argparse
import itertools
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

WORDS_EN = [
    "solar",
    "wind",
    "battery",
    "storage",
    "grid",
    "heat",
    "pump",
    "hydrogen",
    "carbon",
    "capture",
    "cement",
    "steel",
    "logistics",
    "fleet",
    "electric",
    "bus",
    "charging",
    "building",
    "retrofit",
    "insulation",
    "methane",
    "landfill",
    "biogas",
    "forest",
    "soil",
    "water",
    "desalination",
    "efficiency",
    "motor",
    "compressor",
    "waste",
    "recycling",
    "plastic",
    "textile",
    "dyeing",
    "park",
    "smart",
    "meter",
    "demand",
    "response",
    "microgrid",
    "rooftop",
]
WORDS_ZH = [
    "光伏",
    "风电",
    "储能",
    "电池",
    "电网",
    "热泵",
    "氢能",
    "碳捕集",
    "水泥",
    "钢铁",
    "物流",
    "车队",
    "电动",
    "公交",
    "充电",
    "建筑",
    "改造",
    "保温",
    "甲烷",
    "填埋",
    "沼气",
    "森林",
    "土壤",
    "海水淡化",
    "能效",
    "电机",
    "压缩机",
    "废弃物",
    "回收",
    "塑料",
    "纺织",
    "印染",
    "园区",
    "智能电表",
    "需求响应",
    "微电网",
    "屋顶",
]
QUERIES = [
    "solar storage",
    "heat pump retrofit",
    "electric bus charging",
    "carbon capture cement",
    "储能",
    "光伏 储能",
    "电动公交 充电",
    "园区 余热",
    "碳捕集",
    "smart meter 需求响应",
]
KINDS = ["organisation", "solution", "case", "need", "resource"]


def synthetic_documents(count: int, seed: int = 11):
    from ecotone.search.backends import IndexedDocument

    rng = random.Random(seed)
    for pk in range(1, count + 1):
        chinese = rng.random() < 0.4
        words = WORDS_ZH if chinese else WORDS_EN
        joiner = "" if chinese else " "
        title = joiner.join(rng.choices(words, k=4))
        body = joiner.join(rng.choices(words, k=40))
        suffix = "zh" if chinese else "en"
        yield IndexedDocument(
            kind=rng.choice(KINDS),
            pk=pk,
            external_id=f"bench-{pk}",
            title_fields={f"title_{suffix}": title},
            body_fields={f"description_{suffix}": body},
            facets={"country": [rng.choice(["CN", "US", "GB", "DE"])], "status": ["published"]},
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def synthetic_passages(count: int, seed: int = 5) -> list[str]:
    return [
        with_passages(doc).passages[0].text
        for doc in itertools.islice(synthetic_documents(count, seed), count)
    ]


def measure_embedding(count: int) -> dict:
    """Embedders alone vs the indexing path, on ``count`` new documents each."""
    from ecotone.search.backends import get_search_backend
    from ecotone.search.embedding import get_embedders
    from ecotone.search.indexing import with_vectors

    embedders = get_embedders()
    texts = synthetic_passages(count, seed=21)
    began = time.perf_counter()
    for embedder in embedders:
        for start in range(0, len(texts), 32):
            embedder.embed_passages(texts[start : start + 32])
    alone = time.perf_counter() - began
    documents = list(synthetic_documents(count, seed=22))
    began = time.perf_counter()
    documents = [with_passages(doc) for doc in documents]
    get_search_backend().update(with_vectors(documents), [])
    indexing = time.perf_counter() - began
    spaces = "+".join(e.space for e in embedders)
    print(
        f"search_speed embedding spaces={spaces} docs={count} "
        f"embedders_docs_per_s={count / alone:.1f} "
        f"indexing_docs_per_s={count / indexing:.1f} ratio={alone / indexing:.2f}"
    )


def with_passages(doc):
    """A synthetic document's passages, cut the way ``indexing.document_for`` cuts a record's."""
    import dataclasses

    from ecotone.search.passages import record_passages

    texts = {**doc.title_fields, **doc.body_fields}
    return dataclasses.replace(doc, passages=record_passages(texts, tuple(texts)))


def vector_pool(size: int) -> dict:
    from ecotone.search.embedding import get_embedders

    texts = synthetic_passages(size, seed=33)
    return {e.space: e.embed_passages(texts) for e in get_embedders()}


def with_pool_vectors(documents, pool: dict, seed: int = 3, passages: int = 1):
    """Each document gets ``passages`` passages whose vectors are pool vectors plus noise
    (100,000 documents × 10 make the issue's 1,000,000 passages per vector space)."""
    import dataclasses

    import numpy as np

    from ecotone.search.backends import Passage

    rng = np.random.default_rng(seed)
    for n, doc in enumerate(documents):
        language = "zh" if "title_zh" in doc.title_fields else "en"
        vectors = {}
        for space, matrix in pool.items():
            rows = matrix[[(n * passages + k) % len(matrix) for k in range(passages)]]
            rows = rows + rng.normal(0, 0.02, rows.shape).astype("float32")
            vectors[space] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        chunks = tuple(Passage(k, language, "") for k in range(passages))
        yield dataclasses.replace(doc, passages=chunks, vectors=vectors)


def query_once(backend, mode: str, text: str, embed: bool = True) -> list[tuple[str, float]]:
    """What ``search_records`` does for one page (``queries._Search``: lexical search,
    query embedding and dense search per space, fusion, the page's stored fields), minus
    the database re-check of each hit."""
    from ecotone.search import queries
    from ecotone.search.embedding import get_embedders
    from ecotone.search.text import query_terms

    for embedder in get_embedders() if embed else ():
        embedder.forget_queries()  # each timed query is embedded, as a new query would be
    search = queries._Search(text, query_terms(text), {}, mode, get_embedders())
    search.backend = backend
    search.still_public = list  # synthetic documents have no database rows to check
    if not search.ranked_mode:  # a Chinese query is fused with its English gloss
        window = search.lexical(0, 10)
    else:
        window = search.ranked(depth=queries.CANDIDATES)[:10]
    search.hits([key for key, _ in window])
    return window


def make_backend(name: str, index: Path | None = None):
    if name == "postgres":
        from ecotone.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from ecotone.search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(index or Path(tempfile.mkdtemp(prefix="ecotone-search-bench-")))


def write_rankings(path: Path, backend, modes: list[str]) -> None:
    """Each query's first page (keys and scores) per mode, as JSON: two versions of the
    code give the same rankings when these files are equal."""
    import json

    pages = {
        mode: {
            text: [[key, round(score, 6)] for key, score in query_once(backend, mode, text)]
            for text in QUERIES
        }
        for mode in modes
    }
    path.write_text(json.dumps(pages, ensure_ascii=False, indent=1))


def measure(
    name: str,
    size: int,
    repeats: int,
    modes: list[str],
    pool: dict | None,
    existing: bool,
    passages: int = 1,
    index: Path | None = None,
    rankings: Path | None = None,
    embed: bool = True,
) -> None:
    backend = make_backend(name, index)
    if existing:  # the index already there (``--existing``): queries only
        written = backend.status()["documents"]
    else:
        documents = synthetic_documents(size)
        if pool:
            documents = with_pool_vectors(documents, pool, passages=passages)
        started = time.perf_counter()
        cpu = time.process_time()
        written = backend.rebuild(documents)
        build = time.perf_counter() - started
        print(
            f"search_speed backend={name} docs={written} build_s={build:.1f} "
            f"docs_per_s={written / build:.0f} python_cpu_s={time.process_time() - cpu:.1f} "
            f"passages_per_space={written * passages if pool else 0} (vectors given, not embedded)"
        )
    for mode in modes:
        for text in QUERIES:  # warm: models, matrices and dictionaries loaded once
            query_once(backend, mode, text)
        latencies, cpu_times = [], []
        cpu = time.process_time()
        for _ in range(repeats):
            for text in QUERIES:
                began, began_cpu = time.perf_counter(), time.process_time()
                query_once(backend, mode, text, embed)
                latencies.append((time.perf_counter() - began) * 1000)
                cpu_times.append((time.process_time() - began_cpu) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / len(latencies)
        # the process's CPU per query (every thread's): under other processes' load it
        # moves far less than the wall time; its median less than its mean
        print(
            f"search_speed backend={name} mode={mode} docs={written} queries={len(latencies)} "
            f"p50_ms={statistics.median(latencies):.2f} p95_ms={percentile(latencies, 0.95):.2f} "
            f"p99_ms={percentile(latencies, 0.99):.2f} python_cpu_ms={cpu_ms:.2f} "
            f"cpu_p50_ms={statistics.median(cpu_times):.2f}"
        )
    if rankings:
        write_rankings(rankings, backend, modes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--modes", nargs="+", default=["lexical", "dense", "hybrid"])
    parser.add_argument("--embedding-docs", type=int, default=200, help="0 to skip")
    parser.add_argument("--pool", type=int, default=500, help="really embedded passages")
    parser.add_argument(
        "--passages",
        type=int,
        default=1,
        help="passages (vectors per space) per document: 10 × 100,000 documents = 1M passages",
    )
    parser.add_argument("--backend", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="time queries on the index already built: in DATABASE_URL (postgres) or in --index",
    )
    parser.add_argument(
        "--index",
        type=Path,
        help="embedded: the index folder, kept (build it once, then time old and new code "
        "on it with --existing); a temporary folder by default",
    )
    parser.add_argument(
        "--without-embedding",
        action="store_true",
        help="each query's vectors kept from the warm-up: times the search's own work, "
        "without the models' (steadier, to compare two versions of the search code)",
    )
    parser.add_argument(
        "--rankings", type=Path, help="write each query's first page per mode (JSON) here"
    )
    args = parser.parse_args()
    if args.backend == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("--backend postgres needs DATABASE_URL naming a scratch PostgreSQL database")
    if args.existing and args.backend != "postgres" and not args.index:
        parser.error("--existing times an index already built: --backend postgres, or --index")
    if len(args.sizes) > 1 and args.index:
        parser.error("--index holds one size")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    import django

    django.setup()
    from django.core.management import call_command

    from ecotone.search.embedding import get_embedders

    call_command("migrate", verbosity=0)  # the vector cache lives in the database
    dense = bool(get_embedders())
    modes = [m for m in args.modes if dense or m == "lexical"]
    if dense and args.embedding_docs:
        measure_embedding(args.embedding_docs)
    pool = vector_pool(args.pool) if dense and modes != ["lexical"] and not args.existing else None
    for size in args.sizes:
        measure(
            args.backend,
            size,
            args.repeats,
            modes,
            pool,
            args.existing,
            args.passages,
            args.index,
            args.rankings,
            not args.without_embedding,
        )


if __name__ == "__main__":
    main()
