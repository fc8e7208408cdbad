"""Known-item cross-lingual recall: find a record by its title written in the other language.

    .venv/bin/python benchmarks/crosslingual_recall.py --home /tmp/eco-xl-home
    .venv/bin/python benchmarks/crosslingual_recall.py --home DIR --directions zh→en --verbose

The measure issue 3 names ("cross-lingual Recall@10"): for each query there is exactly one
right record, and Recall@k is the share of queries whose record is in the top k. The
queries are the demo catalogue's own bilingual titles:

* **zh→en**: every target record loses its Chinese text (each indexed field written in
  Chinese: ``title_zh``, ``description_zh``, … ``city_zh``), so it can only be found
  through its English text; the query is its original Chinese title.
* **en→zh**: the reverse: the English text is blanked (``*_en`` and the unsuffixed fields
  that are English: ``city``, a resource's ``publisher`` and extracted ``text``), the
  Chinese restored; the query is the original English title.

Targets: every indexed, public record with a title (or name) in both languages. Left out,
and counted: records whose two titles are the same string (the CCUS facilities repeat the
English name) and people (their title is only a person's name). Awards and sessions have
bilingual titles but are not indexed, so they are not searched at all.

All targets are blanked at once, the changed records re-indexed through the product's
indexing (``indexing.refresh_records``; their vectors come from the embedding cache), and
every query runs through ``ecotone.search.queries.search_records(query, limit=10,
mode=m)``. The original text is kept in ``bench-crosslingual-stash.json`` in the home while
a direction runs and written back afterwards (also at the start of the next run, if a run
was interrupted), so the home stays usable by ``search_quality.py``.

Prints, per direction and mode, Recall@1/@5/@10, MRR@10 (``metrics.py``), the number of
queries and the median time of one search; ``--verbose`` lists every query whose record
was not first (its rank, or ``>10``, and what came first). Prints figures; asserts nothing.
Use ``--home`` as for ``search_quality.py``: a prepared home embeds nothing twice.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics import mean, recall, reciprocal_rank
from search_quality import ALL_MODES, embedder_setting, prepare_index

DIRECTIONS = {"zh→en": ("zh", "en"), "en→zh": ("en", "zh")}  #: query language, kept language
CUTS = (1, 5, 10)
K = max(CUTS)
STASH = "bench-crosslingual-stash.json"


@dataclass
class Target:
    kind: str
    pk: int
    external_id: str
    titles: dict[str, str]  #: language → original title
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  #: language → {name: text}

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)


def setup_environment(args) -> Path:
    """SQLite in ``--home`` (or a new temporary folder), never ``DATABASE_URL``: this
    benchmark rewrites records while it runs."""
    home = Path(args.home or tempfile.mkdtemp(prefix="ecotone-bench-crosslingual-")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ECOTONE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecotone.config.settings"
    if args.embedder:
        os.environ["ECOTONE_EMBEDDER"] = args.embedder
    return home


def field_language(name: str, text: str) -> str:
    from ecotone.search.passages import field_language as language

    return language(name, text)


def find_targets() -> tuple[list[Target], dict[str, int]]:
    """Indexed public records titled in both languages, and how many were left out why."""
    from ecotone.search.registry import indexes

    targets, excluded = [], {"same_title": 0, "person_name": 0}
    for index in indexes():
        for record in index.get_queryset().order_by("pk"):
            texts = index.field_texts(record)
            titles = {field_language(n, texts[n]): texts[n].strip() for n in index.title_fields}
            if not (titles.get("en") and titles.get("zh")):
                continue
            if titles["en"] == titles["zh"]:
                excluded["same_title"] += 1
            elif index.kind == "person":
                excluded["person_name"] += 1
            else:
                target = Target(index.kind, record.pk, record.external_id, titles)
                for name, text in texts.items():
                    if text:
                        target.fields.setdefault(field_language(name, text), {})[name] = text
                targets.append(target)
    return targets, excluded


def write_fields(changes: list[tuple[str, int, dict[str, str]]]) -> None:
    """Set stored fields without signals, then re-index exactly those records."""
    from django.db import transaction

    from ecotone.search.indexing import refresh_records
    from ecotone.search.registry import get_index

    with transaction.atomic():
        for kind, pk, values in changes:
            get_index(kind).model._default_manager.filter(pk=pk).update(**values)
    refresh_records({(kind, pk) for kind, pk, _ in changes})


def blank(home: Path, targets: list[Target], language: str) -> None:
    """Blank every target's ``language`` fields, stashing the originals first."""
    blank_each(home, [(target, language) for target in targets])


def blank_each(home: Path, pairs: list[tuple[Target, str]]) -> None:
    """Blank each target's fields in the language paired with it (``catalog_relevance.py``
    blanks English in some records and Chinese in others), stashing the originals first."""
    originals = [(t.kind, t.pk, t.fields.get(language, {})) for t, language in pairs]
    (home / STASH).write_text(json.dumps(originals, ensure_ascii=False), encoding="utf-8")
    write_fields([(kind, pk, dict.fromkeys(values, "")) for kind, pk, values in originals])


def restore(home: Path) -> None:
    """Write back what ``blank`` stashed (also after an interrupted run)."""
    stash = home / STASH
    if stash.exists():
        write_fields([tuple(row) for row in json.loads(stash.read_text(encoding="utf-8"))])
        stash.unlink()


def run(targets: list[Target], query_language: str, mode: str) -> list[dict]:
    from ecotone.search.queries import search_records

    runs = []
    for target in targets:
        query = target.titles[query_language]
        started = time.perf_counter()
        results = search_records(query, limit=K, mode=mode).results
        ms = (time.perf_counter() - started) * 1000
        ranked = [f"{r['kind']}:{r['id']}" for r in results]
        names = [f"{r['kind']}:{r['external_id']}" for r in results]
        runs.append({"target": target, "query": query, "ranked": ranked, "names": names, "ms": ms})
    return runs


def summarise(runs: list[dict]) -> dict[str, float]:
    pairs = [(r["ranked"], {f"{r['target'].kind}:{r['target'].pk}": 1}) for r in runs]
    figures = {f"recall{k}": mean(recall(ranked, one, k) for ranked, one in pairs) for k in CUTS}
    figures["mrr"] = mean(reciprocal_rank(ranked, one, K) for ranked, one in pairs)
    figures["ms_p50"] = statistics.median(r["ms"] for r in runs) if runs else 0.0
    return figures


def print_misses(direction: str, mode: str, runs: list[dict]) -> None:
    for r in runs:
        target, ranked = r["target"], r["ranked"]
        key = f"{target.kind}:{target.pk}"
        if ranked[:1] == [key]:
            continue
        rank = str(ranked.index(key) + 1) if key in ranked else ">10"
        first = r["names"][0] if ranked else "-"
        print(
            f"  miss direction={direction} mode={mode} rank={rank} "
            f"target={target.kind}:{target.external_id} first={first} query={r['query']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    parser.add_argument("--embedder", choices=("default", "use", "e5+use", "none"), default=None)
    parser.add_argument("--modes", nargs="+", choices=ALL_MODES, default=None)
    parser.add_argument("--directions", nargs="+", choices=tuple(DIRECTIONS), default=None)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if current")
    parser.add_argument("--verbose", action="store_true", help="list queries not found first")
    args = parser.parse_args()

    home = setup_environment(args)
    import django

    django.setup()
    info = prepare_index(home, args.rebuild)
    restore(home)  # a run interrupted while records were blanked
    modes = args.modes or (ALL_MODES if embedder_setting() != "none" else ("lexical",))
    targets, excluded = find_targets()
    print(
        f"crosslingual_recall setup home={home} embedder={info['embedder']} "
        f"documents={info['status'].get('documents')} targets={len(targets)} "
        f"excluded_same_title={excluded['same_title']} "
        f"excluded_person_name={excluded['person_name']}"
    )
    for direction in args.directions or DIRECTIONS:
        query_language = DIRECTIONS[direction][0]
        try:
            blank(home, targets, query_language)
            for mode in modes:
                runs = run(targets, query_language, mode)
                s = summarise(runs)
                print(
                    f"crosslingual_recall direction={direction} mode={mode} queries={len(runs)} "
                    + " ".join(f"recall{k}={s[f'recall{k}']:.2f}" for k in CUTS)
                    + f" mrr={s['mrr']:.2f} ms_p50={s['ms_p50']:.1f}"
                )
                if args.verbose:
                    print_misses(direction, mode, runs)
        finally:
            restore(home)


if __name__ == "__main__":
    main()
