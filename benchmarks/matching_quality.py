"""Matching quality benchmark: nDCG@10 of the need matcher against plain search.

    .venv/bin/python benchmarks/matching_quality.py
    .venv/bin/python benchmarks/matching_quality.py --baseline-only --search-mode lexical
    .venv/bin/python benchmarks/matching_quality.py --home /tmp/ecotone-mq --per-need

Prepares a demo database and index as ``search_quality.py`` does (temporary ECOTONE_HOME,
or ``--home DIR`` reused), then imports the judged needs of
``benchmarks/data/matching_judgements.jsonl``: the demo has no needs, so the file carries
fictitious ones (``external_id`` ``bench-need-…``, posted by fictitious ``bench-org-…``
organisations). They are removed again at the end, so the home stays fit for
``search_quality.py``.

For every need it compares two rankings of published solutions and cases with the judged
fits (``benchmarks/data/README.md``):

- ``method=matcher``: ``ecotone.matching.services.matches_for_need(need, limit=10)``;
- ``method=search``: ``search_records(title + problem, limit=100)`` in every language the
  need is written in, kept to solutions and cases, first 10.

Prints nDCG@10 (graded, linear gains), Recall@10 (capped) and MRR per method. Exits with
status 2 if the matcher is not there (unless ``--baseline-only``). Asserts nothing.
"""

import argparse
import importlib
import inspect
import json
import sys
import tempfile
from pathlib import Path

from metrics import mean, ndcg, recall, reciprocal_rank
from search_quality import prepare_index, setup_environment

JUDGEMENTS = Path(__file__).resolve().parent / "data" / "matching_judgements.jsonl"
K = 10
MATCH_KINDS = ("solution", "case")
PREFIXES = {"need": "bench-need-", "organisation": "bench-org-"}


def load(path: Path, split: str) -> list[dict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [item for item in items if split == "all" or item["split"] == split]


def remove_benchmark_records() -> None:
    from ecotone.catalog.models import Need, Organisation

    Need.objects.filter(external_id__startswith=PREFIXES["need"]).delete()
    Organisation.objects.filter(external_id__startswith=PREFIXES["organisation"]).delete()


def import_needs(items: list[dict]) -> None:
    organisations = {item["organisation"]["external_id"]: item["organisation"] for item in items}
    for row in organisations.values():
        assert row["external_id"].startswith(PREFIXES["organisation"]), row["external_id"]
    for item in items:
        assert item["need"]["external_id"].startswith(PREFIXES["need"]), item["need"]
    import_rows(
        [
            ("organisation", list(organisations.values())),
            ("need", [item["need"] for item in items]),
        ]
    )


def import_rows(rows_by_kind: list[tuple[str, list[dict]]]) -> None:
    """Import rows through the product's importer (``ecotone import``), kind after kind in
    the order given; ``catalog_relevance.py`` imports its records the same way."""
    from ecotone.catalog.importing import import_file
    from ecotone.catalog.kinds import KINDS

    with tempfile.TemporaryDirectory(prefix="ecotone-bench-rows-") as folder:
        for kind, rows in rows_by_kind:
            path = Path(folder) / f"{kind}.jsonl"
            path.write_text(
                "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                encoding="utf-8",
            )
            import_file(KINDS[kind], path)


def need_text(need) -> str:
    parts = (need.title_en, need.problem_en, need.title_zh, need.problem_zh)
    return "\n".join(part for part in parts if part)


def search_ranking(need, mode: str | None) -> list[str]:
    from ecotone.search.queries import InvalidSearch, search_records

    kwargs = {"mode": mode} if mode else {}
    try:
        results = search_records(need_text(need), limit=100, **kwargs).results
    except InvalidSearch:
        return []
    return [r["external_id"] for r in results if r["kind"] in MATCH_KINDS][:K]


def find_matcher():
    try:
        services = importlib.import_module("ecotone.matching.services")
    except ImportError as problem:
        return None, f"ecotone.matching.services cannot be imported ({problem})"
    matcher = getattr(services, "matches_for_need", None)
    if matcher is None:
        return None, "ecotone.matching.services has no matches_for_need"
    return matcher, ""


def report(method: str, items: list[dict], rankings: dict[str, list[str]], split: str) -> None:
    per_need = [
        (ndcg(rankings[i["id"]], i["relevant"], K), recall(rankings[i["id"]], i["relevant"], K))
        for i in items
    ]
    mrr = mean(reciprocal_rank(rankings[i["id"]], i["relevant"], K) for i in items)
    print(
        f"matching_quality method={method} split={split} needs={len(items)} "
        f"ndcg10={mean(n for n, _ in per_need):.3f} "
        f"recall10={mean(r for _, r in per_need):.2f} mrr={mrr:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", choices=("default", "use", "e5+use", "none"), default=None)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if current")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument(
        "--search-mode",
        choices=("lexical", "dense", "hybrid"),
        default=None,
        help="mode of the search baseline (default: search_records' own default)",
    )
    parser.add_argument("--baseline-only", action="store_true", help="run the search baseline only")
    parser.add_argument("--per-need", action="store_true", help="also print each need's nDCG")
    parser.add_argument("--dump", type=Path, help="write both rankings (top 10 per need) as JSON")
    args = parser.parse_args()

    home = setup_environment(args)
    import django

    django.setup()
    from ecotone.search.queries import search_records

    matcher, missing = find_matcher()
    if matcher is None and not args.baseline_only:
        print(f"matching_quality: the matcher is not available yet: {missing}")
        sys.exit(2)
    if args.search_mode and "mode" not in inspect.signature(search_records).parameters:
        sys.exit("search_records has no 'mode' argument yet: leave out --search-mode")

    items = load(args.judgements, args.split)
    info = prepare_index(home, args.rebuild)
    print(
        f"matching_quality setup home={home} embedder={info['embedder']} "
        f"documents={info['status'].get('documents')} split={args.split} needs={len(items)}"
    )
    from ecotone.catalog.models import Need

    remove_benchmark_records()
    try:
        import_needs(items)
        needs = {
            n.external_id: n for n in Need.objects.filter(external_id__startswith=PREFIXES["need"])
        }
        methods: dict[str, dict[str, list[str]]] = {}
        if matcher is not None:
            methods["matcher"] = {
                i["id"]: [
                    m.record.external_id for m in matcher(needs[i["need"]["external_id"]], limit=K)
                ]
                for i in items
            }
        methods["search"] = {
            i["id"]: search_ranking(needs[i["need"]["external_id"]], args.search_mode)
            for i in items
        }
    finally:
        remove_benchmark_records()

    if args.dump:
        args.dump.write_text(json.dumps(methods, ensure_ascii=False, indent=1), encoding="utf-8")
    for method, rankings in methods.items():
        report(method, items, rankings, args.split)
        if args.per_need:
            for i in items:
                print(
                    f"  need method={method} id={i['id']} "
                    f"ndcg10={ndcg(rankings[i['id']], i['relevant'], K):.3f} "
                    f"need={i['need']['external_id']}"
                )


if __name__ == "__main__":
    main()
