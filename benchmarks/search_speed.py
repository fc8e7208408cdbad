"""Search speed benchmark (lexical slice): index build rate and query latency.

    .venv/bin/python benchmarks/search_speed.py                 # 10k and 100k documents
    .venv/bin/python benchmarks/search_speed.py --sizes 10000

Builds the embedded (tantivy BM25) index from synthetic bilingual documents in a temporary
folder, then times queries through the backend: query analysis (jieba, stemming)
included, database re-checks excluded. Prints figures; asserts nothing. Dense retrieval is
not built yet, so there is no embedding time in these figures.
"""

import argparse
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


def measure(size: int, repeats: int) -> None:
    from ecotone.search.backends.base import SearchQuery
    from ecotone.search.backends.embedded import EmbeddedBackend
    from ecotone.search.text import query_terms

    backend = EmbeddedBackend(Path(tempfile.mkdtemp(prefix="ecotone-search-bench-")))
    started = time.perf_counter()
    written = backend.rebuild(synthetic_documents(size))
    build = time.perf_counter() - started
    latencies = []
    for _ in range(repeats):
        for text in QUERIES:
            began = time.perf_counter()
            backend.search(SearchQuery(terms=query_terms(text), limit=10))
            latencies.append((time.perf_counter() - began) * 1000)
    print(
        f"search_speed backend=embedded docs={written} build_s={build:.1f} "
        f"docs_per_s={written / build:.0f} queries={len(latencies)} "
        f"p50_ms={statistics.median(latencies):.2f} p95_ms={percentile(latencies, 0.95):.2f} "
        f"p99_ms={percentile(latencies, 0.99):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    import django

    django.setup()
    for size in args.sizes:
        measure(size, args.repeats)


if __name__ == "__main__":
    main()
