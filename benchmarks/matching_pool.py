"""Pool candidates for judging the matching set, and merge the judgements back.

    .venv/bin/python benchmarks/matching_pool.py --home /tmp/ecotone-mq --out /tmp/pool
    .venv/bin/python benchmarks/matching_pool.py --home /tmp/ecotone-mq --out /tmp/p --ids m19 m20
    .venv/bin/python benchmarks/matching_pool.py --home /tmp/ecotone-mq --out /tmp/p --depth 15
    .venv/bin/python benchmarks/matching_pool.py --merge

Pooling imports the judged needs as ``matching_quality.py`` does and gathers, for each need,
the solutions and cases that any of these proposes: the top ``--depth`` (10 unless given)
of the matcher in every setting of ``matching_quality.VARIANTS`` (the product's and the
views it keeps off), of the search in each of the lexical, dense and hybrid modes (the
need's title and problem as the query), and the topic searches of
``data/matching_pool_patterns.json`` over ``data/demo/solutions.jsonl`` and ``cases.jsonl``
(``--no-patterns``: the systems only). Pairs judged before (graded in
``data/matching_pool_judgements.tsv`` or listed as relevant in the judgement file) are left
out. What is left is shuffled (seeded by the need's id) and written without saying which
system proposed what: ``<out>/<id>.txt`` (the need, then every candidate's text) and
``<out>/pool.tsv`` (one line per pair, grade and reason to fill in; ``--round N`` fills the
``round`` column). The judge copies the graded lines into ``data/matching_pool_judgements.tsv``.

``--merge`` rewrites the ``relevant`` of every need in the judgement file from the TSV: a
pair graded there gets that grade (0 removes it); pairs the TSV does not name keep their
earlier grade.
"""

import argparse
import csv
import json
import random
import re
from pathlib import Path

from matching_quality import (
    JUDGEMENTS,
    VARIANTS,
    find_matcher,
    imported_needs,
    load,
    matcher_ranking,
    matcher_variant,
    remove_benchmark_records,
    search_ranking,
)
from search_quality import prepare_index, setup_environment

DATA = Path(__file__).resolve().parent / "data"
DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
PATTERNS = DATA / "matching_pool_patterns.json"
TSV = DATA / "matching_pool_judgements.tsv"
POOL_DEPTH = 10
TEXT_FIELDS = ("title_en", "title_zh", "description_en", "description_zh")
#: ``round``: the judging round of the pair (2 and 3: README's rounds; 4 on: later pools)
COLUMNS = ("need_id", "external_id", "grade", "reason", "round")


def catalogue() -> dict[str, dict]:
    """external_id → the row of every demo solution and case."""
    rows = {}
    for name in ("solutions", "cases"):
        for line in (DEMO / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["_kind"] = name[:-1]
            rows[row["external_id"]] = row
    return rows


def judged_pairs() -> dict[tuple[str, str], int]:
    if not TSV.exists():
        return {}
    with TSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return {(row["need_id"], row["external_id"]): int(row["grade"]) for row in reader}


def text_hits(patterns: list[str], rows: dict[str, dict]) -> list[str]:
    compiled = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in patterns]
    hits = []
    for key, row in rows.items():
        text = " ".join(str(row.get(f) or "") for f in TEXT_FIELDS)
        if any(p.search(text) for p in compiled):
            hits.append(key)
    return hits


def system_hits(need, depth: int = POOL_DEPTH) -> list[str]:
    matcher, _missing = find_matcher()
    found: list[str] = []
    for variant in VARIANTS if matcher else ():
        with matcher_variant(variant):
            found += matcher_ranking(matcher, need, depth)
    for mode in ("lexical", "dense", "hybrid"):
        found += search_ranking(need, mode, depth)
    return found


def reading_sheet(item: dict, keys: list[str], rows: dict[str, dict]) -> str:
    need = item["need"]
    lines = [
        f"# {item['id']} {need['external_id']}",
        *(
            f"{f}: {need[f]}"
            for f in ("title_en", "title_zh", "problem_en", "problem_zh")
            if need[f]
        ),
        f"sectors: {', '.join(need['sectors'])}; country: {need.get('country', '')}; "
        f"criteria: {json.dumps(item.get('criteria') or {})}",
        f"note: {item.get('note', '')}",
        "",
    ]
    for number, key in enumerate(keys, start=1):
        row = rows[key]
        title = row.get("title_en") or row.get("title_zh")
        lines.append(
            f"[{number}] {key} ({row['_kind']}; {', '.join(row.get('sectors', []))}; "
            f"{row.get('country', '')}) {title}"
        )
        lines.append(f"    {row.get('description_en') or row.get('description_zh')}")
    return "\n".join(lines) + "\n"


def pool(args) -> None:
    home = setup_environment(args)
    import django

    django.setup()
    every = load(JUDGEMENTS)
    items = [i for i in every if not args.ids or i["id"] in args.ids]
    prepare_index(home, False)
    rows = catalogue()
    patterns = json.loads(PATTERNS.read_text(encoding="utf-8"))
    judged = judged_pairs()
    args.out.mkdir(parents=True, exist_ok=True)
    remove_benchmark_records()
    try:
        needs, _ignored = imported_needs(items)
        with (args.out / "pool.tsv").open("w", encoding="utf-8") as sheet:
            sheet.write("\t".join(COLUMNS) + "\n")
            for item in items:
                need = needs[item["need"]["external_id"]]
                topics = [] if args.no_patterns else patterns.get(item["id"], [])
                found = system_hits(need, args.depth) + text_hits(topics, rows)
                fresh = [
                    key
                    for key in dict.fromkeys(found)
                    if key in rows
                    and (item["id"], key) not in judged
                    and key not in item["relevant"]
                ]
                random.Random(item["id"]).shuffle(fresh)
                (args.out / f"{item['id']}.txt").write_text(
                    reading_sheet(item, fresh, rows), encoding="utf-8"
                )
                sheet.writelines(f"{item['id']}\t{key}\t\t\t{args.round}\n" for key in fresh)
                print(f"matching_pool need={item['id']} candidates={len(fresh)}")
    finally:
        remove_benchmark_records()


def merge() -> None:
    items = load(JUDGEMENTS)
    judged = judged_pairs()
    for item in items:
        relevant = dict(item["relevant"])
        for (need_id, key), grade in judged.items():
            if need_id != item["id"]:
                continue
            if grade > 0:
                relevant[key] = grade
            else:
                relevant.pop(key, None)
        item["relevant"] = relevant
    JUDGEMENTS.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    print(f"matching_pool merged {len(judged)} judged pairs into {len(items)} needs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    parser.add_argument("--embedder", choices=("default", "use", "e5+use", "none"), default=None)
    parser.add_argument("--out", type=Path, help="folder for the reading sheets and pool.tsv")
    parser.add_argument("--ids", nargs="*", help="only these needs (m01 …)")
    parser.add_argument("--depth", type=int, default=POOL_DEPTH, help="pool each system's top N")
    parser.add_argument("--round", type=int, default=4, help="judging round of this pool")
    parser.add_argument(
        "--no-patterns", action="store_true", help="systems only, no topic searches"
    )
    parser.add_argument("--merge", action="store_true", help="merge the TSV into the judgements")
    args = parser.parse_args()
    if args.merge:
        merge()
    elif args.out:
        pool(args)
    else:
        parser.error("give --out to pool, or --merge")


if __name__ == "__main__":
    main()
