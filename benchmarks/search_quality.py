"""Search quality benchmark: nDCG@10, Recall@10 and MRR of search_records on judged queries.

    .venv/bin/python benchmarks/search_quality.py                       # every mode available
    .venv/bin/python benchmarks/search_quality.py --modes lexical --split dev
    .venv/bin/python benchmarks/search_quality.py --embedder use --home /tmp/ecotone-sq
    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_quality.py \
        --backend postgres --modes lexical --embedder none

Loads the demo data (``ecotone demo``) into SQLite in a temporary ECOTONE_HOME (or
``--home DIR``, kept and reused: the demo is not loaded twice and the index is rebuilt only
when the data or the embedder changed), builds the search index, then runs every query of
``benchmarks/data/search_judgements.jsonl`` through
``ecotone.search.queries.search_records(query, limit=10, mode=m)`` and compares the
``external_id`` of the results with the judgements (see ``benchmarks/data/README.md``).

``--backend postgres`` loads the demo into the PostgreSQL database ``DATABASE_URL`` names
instead (its search index is then the PostgreSQL backend) and REPLACES that database's
records and search index: point it at a scratch database, never a live one.

Prints one line per (mode, direction), ``direction=all`` first, then the ratio of hybrid
nDCG@10 to the better of lexical and dense. Metrics are defined in ``benchmarks/metrics.py``:
graded nDCG@10 (linear gains), Recall@10 capped at min(10, relevant), MRR over the top 10.
Records nobody judged count as not relevant. ``ms_p50`` is the median time of one
``search_records`` call (query embedding included). Prints figures; asserts nothing.

``--embedder`` sets ECOTONE_EMBEDDER (default, use, e5+use, none). Embedding the whole
catalogue with the default model takes minutes on two cores: use ``--home`` to keep the
prepared database, index and embedding cache between runs.
"""

import argparse
import inspect
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from metrics import mean, ndcg, recall, reciprocal_rank

JUDGEMENTS = Path(__file__).resolve().parent / "data" / "search_judgements.jsonl"
ALL_MODES = ("lexical", "dense", "hybrid")
K = 10
INDEX_MARKER = "bench-search-index.json"


def load_judgements(path: Path, split: str) -> list[dict]:
    queries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [q for q in queries if split == "all" or q["split"] == split]


def setup_environment(args) -> Path:
    home = Path(args.home or tempfile.mkdtemp(prefix="ecotone-bench-quality-")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ECOTONE_HOME"] = str(home)
    if getattr(args, "backend", "embedded") == "embedded":  # tune_fusion, matching_quality
        os.environ.pop("DATABASE_URL", None)  # SQLite in ECOTONE_HOME, never a shared one
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecotone.config.settings"
    if args.embedder:
        os.environ["ECOTONE_EMBEDDER"] = args.embedder
    return home


def embedder_setting() -> str:
    from django.conf import settings

    return getattr(settings, "ECOTONE_EMBEDDER", "none")  # "none" before dense search exists


def prepare_index(home: Path, rebuild: bool) -> dict:
    """Migrate, load the demo (indexing switched off while it loads) and build the index
    once; a reused home whose index matches the data and the embedder is left alone."""
    from django.conf import settings
    from django.core.management import call_command

    from ecotone.core.signals import records_imported
    from ecotone.search.backends import get_search_backend
    from ecotone.search.indexing import count_indexable, rebuild_index

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    records_imported.disconnect(dispatch_uid="ecotone.search:imported")
    call_command("demo", verbosity=0, stdout=io.StringIO())
    load_s = time.perf_counter() - started

    from ecotone.catalog.management.commands.demo import fingerprint

    wanted = {
        "demo": fingerprint(settings.DATA_DIR / "demo"),
        "embedder": embedder_setting(),
        "documents": count_indexable(),
    }
    marker = home / INDEX_MARKER
    current = json.loads(marker.read_text()) if marker.exists() else None
    documents = get_search_backend().status().get("documents")
    index_s = 0.0
    if rebuild or current != wanted or documents != wanted["documents"]:
        started = time.perf_counter()
        rebuild_index()
        index_s = time.perf_counter() - started
        marker.write_text(json.dumps(wanted))
    status = get_search_backend().status()
    return {**wanted, "load_s": load_s, "index_s": index_s, "status": status}


def run_mode(queries: list[dict], mode: str, with_mode: bool) -> dict[str, dict]:
    """``{query id: {"ranked": [...], "ms": float, "error": str}}`` for one mode."""
    from ecotone.search.queries import InvalidSearch, search_records

    runs = {}
    for q in queries:
        kwargs = {"mode": mode} if with_mode else {}
        started = time.perf_counter()
        error = ""
        try:
            results = search_records(q["query"], limit=K, **kwargs).results
        except InvalidSearch as problem:
            results, error = [], str(problem)
        ms = (time.perf_counter() - started) * 1000
        runs[q["id"]] = {"ranked": [r["external_id"] for r in results], "ms": ms, "error": error}
    return runs


def scores(query: dict, run: dict) -> dict[str, float]:
    ranked, judged = run["ranked"], query["relevant"]
    return {
        "ndcg10": ndcg(ranked, judged, K),
        "recall10": recall(ranked, judged, K),
        "mrr": reciprocal_rank(ranked, judged, K),
    }


def summarise(queries: list[dict], runs: dict[str, dict]) -> dict[str, dict]:
    """Mean metrics per direction (and ``all``) for one mode."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for q in queries:
        groups["all"].append(q)
        groups[q["direction"]].append(q)
    out = {}
    for direction, members in groups.items():
        per_query = [scores(q, runs[q["id"]]) for q in members]
        out[direction] = {
            "queries": len(members),
            **{m: mean(s[m] for s in per_query) for m in ("ndcg10", "recall10", "mrr")},
            "ms_p50": statistics.median(runs[q["id"]]["ms"] for q in members),
            "errors": sum(1 for q in members if runs[q["id"]]["error"]),
        }
    return out


def directions_in_order(summary: dict[str, dict]) -> list[str]:
    return ["all", *sorted(d for d in summary if d != "all")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=ALL_MODES, default=None)
    parser.add_argument(
        "--embedder",
        choices=("default", "use", "e5+use", "none"),
        default=None,
        help="sets ECOTONE_EMBEDDER (unset: the environment's, else the project default)",
    )
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument(
        "--backend",
        choices=("embedded", "postgres"),
        default="embedded",
        help="postgres: the scratch database DATABASE_URL names (its records are replaced)",
    )
    parser.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if current")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--per-query", action="store_true", help="also print each query's nDCG")
    parser.add_argument("--dump", type=Path, help="write every run (top 10 per query) as JSON")
    args = parser.parse_args()
    if args.backend == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("--backend postgres needs DATABASE_URL naming a scratch PostgreSQL database")

    home = setup_environment(args)
    import django

    django.setup()
    from ecotone.search.queries import search_records

    with_mode = "mode" in inspect.signature(search_records).parameters
    dense_ok = with_mode and embedder_setting() != "none"
    modes = args.modes or (ALL_MODES if dense_ok else ("lexical",))
    if not with_mode and set(modes) - {"lexical"}:
        sys.exit("search_records has no 'mode' argument yet: only --modes lexical can run")
    if not dense_ok and set(modes) - {"lexical"}:
        sys.exit("ECOTONE_EMBEDDER=none: dense and hybrid need an embedder (--embedder)")
    if not args.modes and not dense_ok:
        reason = "no 'mode' argument" if not with_mode else "ECOTONE_EMBEDDER=none"
        print(f"search_quality note: lexical only ({reason})")

    queries = load_judgements(args.judgements, args.split)
    info = prepare_index(home, args.rebuild)
    vectors = info["status"].get("vectors", {})
    print(
        f"search_quality setup backend={info['status'].get('backend')} home={home} "
        f"embedder={info['embedder']} "
        f"documents={info['status'].get('documents')} vectors={json.dumps(vectors)} "
        f"demo_load_s={info['load_s']:.1f} index_s={info['index_s']:.1f} "
        f"split={args.split} queries={len(queries)}"
    )

    summaries, all_runs = {}, {}
    for mode in modes:
        runs = run_mode(queries, mode, with_mode)
        all_runs[mode] = runs
        summaries[mode] = summary = summarise(queries, runs)
        for direction in directions_in_order(summary):
            s = summary[direction]
            errors = f" errors={s['errors']}" if s["errors"] else ""
            print(
                f"search_quality mode={mode} direction={direction} split={args.split} "
                f"queries={s['queries']} ndcg10={s['ndcg10']:.3f} recall10={s['recall10']:.2f} "
                f"mrr={s['mrr']:.2f} ms_p50={s['ms_p50']:.1f}{errors}"
            )
        if args.per_query:
            for q in queries:
                s = scores(q, runs[q["id"]])
                print(
                    f"  query mode={mode} id={q['id']} direction={q['direction']} "
                    f"ndcg10={s['ndcg10']:.3f} mrr={s['mrr']:.2f} query={q['query']}"
                )

    if {"lexical", "dense", "hybrid"} <= set(summaries):
        for direction in directions_in_order(summaries["hybrid"]):
            best = max(summaries[m][direction]["ndcg10"] for m in ("lexical", "dense"))
            hybrid = summaries["hybrid"][direction]["ndcg10"]
            ratio = f"{hybrid / best:.3f}" if best else "n/a"
            print(
                f"search_quality ratio direction={direction} split={args.split} "
                f"hybrid_over_best_single={ratio} hybrid={hybrid:.3f} "
                f"lexical={summaries['lexical'][direction]['ndcg10']:.3f} "
                f"dense={summaries['dense'][direction]['ndcg10']:.3f}"
            )

    if args.dump:
        args.dump.write_text(
            json.dumps(
                {"setup": {k: v for k, v in info.items() if k != "status"}, "runs": all_runs},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
