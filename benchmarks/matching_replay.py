"""Replay the need matcher offline, to try ranking changes on the dev half without searching.

    .venv/bin/python benchmarks/matching_replay.py capture --home DIR --out /tmp/replay.json
    .venv/bin/python benchmarks/matching_replay.py settings /tmp/replay.json

``capture`` imports the judged needs of one half (``--split``, dev unless given) as
``matching_quality.py`` does and keeps, for each need, every candidate the matcher gathers:
whether it passes the relevance gate, how its sectors relate to the need's, its places in
the need's three searches and in four more (the full text; the words in dense mode; the
full text and the title in lexical mode), the raw parts of its first-pass score, and for the
first 50 by that score the sentence cosines ``coverage`` reads (per embedder). It also keeps
plain search's first 100, the benchmark's baseline. ``settings`` scores the product and
each setting of ``SETTINGS`` from that file: nDCG@10 over plain search per language, then
the setting chosen on the other folds and scored on the held-out needs (leave one out, and
5 folds × 10 shuffles). With the product's setting it gives the benchmark's own figures.
Prints its figures, asserts nothing (docs/matching.md, round thirteen).
"""

import argparse
import copy
import hashlib
import json
import random
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metrics import ndcg
from search_quality import prepare_index, setup_environment

K = 10
#: the first-pass weights and reading of ``scoring.NEED_WEIGHTS`` and ``coverage`` as shipped
WEIGHTS = {
    "text": 0.58,
    "sectors": 0.20,
    "evidence": 0.05,
    "place": 0.03,
    "readiness": 0.02,
    "feedback": 0.12,
}
PRODUCT: dict[str, Any] = {
    "views": (("words", 1.0), ("title", 0.3), ("lexical", 0.3)),
    "rank_constant": 10,
    "weights": WEIGHTS,
    "coverage": 0.05,
    "focus": 0.20,
    "depth": 30,
    "gate": None,  #: None: the product's gate; else a function of the candidate's row
}
READ = 50  #: candidates whose sentence cosines are kept


# --- capture ------------------------------------------------------------------------------


def capture(args) -> None:
    home = setup_environment(args)
    import django

    django.setup()
    from matching_quality import (
        JUDGEMENTS,
        imported_needs,
        load,
        need_language,
        remove_benchmark_records,
        search_ranking,
    )

    prepare_index(home, False)
    items = load(JUDGEMENTS, args.split)
    remove_benchmark_records()
    try:
        needs, _ignored = imported_needs(items)
        out = {}
        for item in items:
            need = needs[item["need"]["external_id"]]
            out[item["id"]] = {
                "language": need_language(item),
                "relevant": item["relevant"],
                "rows": candidate_rows(need),
                "plain": search_ranking(need, None, 100),
            }
            print(f"matching_replay captured {item['id']}", flush=True)
    finally:
        remove_benchmark_records()
    args.out.write_text(json.dumps(out), encoding="utf-8")


def candidate_rows(need) -> list[dict]:
    from ecotone.catalog.models import Case, Solution
    from ecotone.matching import ranking
    from ecotone.matching.relevance import FULL_TEXT_VIEW, TextView, relevance_gate
    from ecotone.matching.relevance import sector_relation as relation_of

    sectors = list(need.sectors.all())
    sector_ids = {s.pk for s in sectors}
    extra = (
        FULL_TEXT_VIEW,
        TextView("full_lexical", "full", 0.0, mode="lexical"),
        TextView("title_lexical", "title", 0.0, mode="lexical"),
        TextView("words_dense", "words", 0.0, mode="dense"),
    )
    views = ranking.NEED_TEXT_VIEWS + extra
    queries = {view.query: ranking.NEED_QUERIES[view.query](need) for view in views}
    places = ranking.text_places(queries, views, ("solution", "case"))
    solutions = ranking.load_solutions(
        {pk for kind, pk in places if kind == "solution"}
        | set(ranking.sector_candidate_ids(Solution, sector_ids))
    )
    cases = ranking.load_cases(
        {pk for kind, pk in places if kind == "case"}
        | set(ranking.sector_candidate_ids(Case, sector_ids))
    )
    context = ranking.NeedContext(
        need, sectors, places, ranking.feedback_tally(need), ranking.need_limits(need)
    )
    rows: list[dict[str, Any]] = []
    records = {}
    for kind, record in [("solution", s) for s in solutions] + [("case", c) for c in cases]:
        own = places.get((kind, record.pk), {})
        relation = relation_of(sectors, record.sectors.all())
        match = ranking._score_for_need(context, kind, record)
        records[record.external_id] = (kind, record)
        rows.append(
            {
                "id": record.external_id,
                "gate": relevance_gate(relation, own, None).passed,
                "sectors": [len(relation.exact), len(relation.related), len(relation.family)],
                "places": own,
                "parts": {c.name: c.raw for c in match.components},
                "excluded": match.excluded,
                "score": match.score,
            }
        )
    passed = sorted((r for r in rows if r["gate"] and not r["excluded"]), key=lambda r: -r["score"])
    read_sentences(need, passed[:READ], records)
    return rows


def read_sentences(need, rows: list[dict], records: dict) -> None:
    """Adds each row's coverage and focus and the cosines they come from, per embedder."""
    import numpy as np

    from ecotone.matching import coverage
    from ecotone.search.embedding import get_embedders, passage_vectors

    sentences = coverage.need_sentences(need)
    texts = [coverage.candidate_texts(*records[row["id"]]) for row in rows]
    for embedder in get_embedders():
        need_vectors = np.stack(embedder.embed_query_texts(sentences))
        vectors = passage_vectors(embedder, [t for own in texts for t in own])
        start = 0
        for row, own_texts in zip(rows, texts, strict=True):
            own = vectors[start : start + len(own_texts)]
            start += len(own_texts)
            row.setdefault("coverage", []).append(coverage.coverage(need_vectors, own))
            row.setdefault("focus", []).append(coverage.focus(need_vectors, own))
            cosines = (need_vectors @ own.T).round(4).tolist() if len(own) else []
            row.setdefault("cosines", []).append(cosines)


# --- scoring from a capture ---------------------------------------------------------------


def spread(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [0.0 for _ in values]
    return [(value - low) / (high - low) for value in values]


def text_fit(places: dict, views, rank_constant: int) -> float:
    best = sum(weight / (rank_constant + 1) for _name, weight in views)
    found = sum(
        weight / (rank_constant + places[name])
        for name, weight in views
        if places.get(name) is not None
    )
    return round(found / best, 4) if best else 0.0


def spread_over_spaces(rows: list[dict], value: Callable[[dict, int], float]) -> list[float]:
    spaces = len(rows[0]["coverage"])
    columns = [spread([value(row, space) for row in rows]) for space in range(spaces)]
    return [sum(column) / spaces for column in zip(*columns, strict=True)]


def sentence_fit(row: dict, space: int, which: str) -> float:
    """The best cosine of the need's title (``which`` "title") or last sentence ("last")."""
    cosines = row["cosines"][space]
    if not cosines or not cosines[0]:
        return 0.0
    return max(cosines[0] if which == "title" else cosines[-1])


def supported_places(row: dict, dense_place: int | None) -> dict:
    """The row's places; with ``dense_place``, its title and exact-word places count only
    when the dense search of the need's words has it at that place or better."""
    if dense_place is None or place_of(row, "words_dense") <= dense_place:
        return row["places"]
    return {k: v for k, v in row["places"].items() if k not in ("title", "lexical")}


def sentence_fits(rows: list[dict], which: str) -> list[float]:
    return spread_over_spaces(rows, lambda row, space: sentence_fit(row, space, which))


def ranking_of(need: dict, setting: dict) -> list[str]:
    gate = setting["gate"] or (lambda row: row["gate"])
    scored = []
    for row in need["rows"]:
        if row["excluded"] or not gate(row):
            continue
        parts = dict(row["parts"])
        places = supported_places(row, setting.get("dense_support"))
        parts["text"] = text_fit(places, setting["views"], setting["rank_constant"])
        score = sum(weight * parts.get(name, 0.0) for name, weight in setting["weights"].items())
        scored.append([score, row])
    scored.sort(key=lambda pair: -pair[0])
    leading = [pair for pair in scored[: setting["depth"]] if "coverage" in pair[1]]
    if len(leading) >= 2:
        rows = [row for _score, row in leading]
        reading = [
            (setting["coverage"], spread_over_spaces(rows, lambda r, s: r["coverage"][s])),
            (setting["focus"], spread_over_spaces(rows, lambda r, s: r["focus"][s])),
        ]
        for which in ("title", "last"):
            if setting.get(which):
                reading.append((setting[which], sentence_fits(rows, which)))
        for place, pair in enumerate(leading):
            pair[0] += sum(weight * round(values[place], 4) for weight, values in reading)
    scored.sort(key=lambda pair: -pair[0])
    return [row["id"] for _score, row in scored[:K]]


def place_of(row: dict, view: str) -> int:
    return row["places"].get(view) or 10**6


def settings() -> dict[str, dict]:
    """The settings tried on the dev half (docs/matching.md, round thirteen)."""
    views = PRODUCT["views"]
    out = {"product": PRODUCT}

    def variant(**changes) -> dict:
        return {**PRODUCT, **changes}

    for place in (2, 3, 5):
        out[f"gate: words first {place}"] = variant(
            gate=lambda r, p=place: r["gate"] or place_of(r, "words") <= p
        )
    out["no gate"] = variant(gate=lambda r: True)
    out["gate: words and dense first 5"] = variant(
        gate=lambda r: r["gate"] or max(place_of(r, "words"), place_of(r, "words_dense")) <= 5
    )
    for weight in (0.0, 0.15):
        out[f"title view {weight}"] = variant(views=(views[0], ("title", weight), views[2]))
        out[f"lexical view {weight}"] = variant(views=(*views[:2], ("lexical", weight)))
    out["lexical view 0.6"] = variant(views=(*views[:2], ("lexical", 0.6)))
    for place in (10, 30, 50):
        out[f"title and lexical only with dense first {place}"] = variant(dense_support=place)
    for name in ("full", "words_dense", "full_lexical", "title_lexical"):
        out[f"fourth view {name} 0.3"] = variant(views=(*views, (name, 0.3)))
    for part, values in (("sectors", (0.1, 0.3)), ("text", (0.45, 0.7))):
        for value in values:
            out[f"{part} weight {value}"] = variant(weights={**WEIGHTS, part: value})
    for value in (5, 20):
        out[f"rank constant {value}"] = variant(rank_constant=value)
    for value in (0.1, 0.3):
        out[f"focus {value}"] = variant(focus=value)
    for value in (0.0, 0.1):
        out[f"coverage {value}"] = variant(coverage=value)
    out["title sentence 0.2"] = variant(title=0.2)
    out["last sentence 0.3"] = variant(last=0.3)
    out.update(round_fifteen_settings())
    return out


def best_text_place(row: dict) -> int:
    """The candidate's best place in the need's three searches."""
    return min(place_of(row, view) for view in ("words", "title", "lexical"))


def round_fifteen_settings() -> dict[str, dict]:
    """Round fifteen (docs/matching.md): a shared sector lets a candidate through the gate
    only with a text place as well (a one-sector tie with the need let "Gym Electric
    Motor", 21st to 28th in every search, into the electric-truck need's matches); and
    other view weights and rank constants for English needs only."""
    out = {}
    for place in (10, 15, 20, 30, 50):
        out[f"one shared sector needs a place <= {place}"] = {
            **PRODUCT,
            "gate": lambda r, p=place: (
                r["gate"] and (r["sectors"][0] + r["sectors"][1] != 1 or best_text_place(r) <= p)
            ),
        }
    for title, lexical, constant in (
        (0.5, 0.0, 20),
        (0.5, 0.15, 20),
        (0.5, 0.15, 10),
        (0.0, 0.3, 10),
        (0.3, 0.0, 20),
    ):
        out[f"english needs: title {title} lexical {lexical} constant {constant}"] = {
            **PRODUCT,
            "views": (("words", 1.0), ("title", title), ("lexical", lexical)),
            "rank_constant": constant,
            "languages": ("en",),
        }
    return out


def per_need(data: dict, setting: dict) -> dict[str, float]:
    """nDCG@10 of each need; a setting naming ``languages`` applies to those needs only,
    the others keep the product's."""
    languages = setting.get("languages")

    def applied(need: dict) -> dict:
        return setting if not languages or need["language"] in languages else PRODUCT

    return {
        key: ndcg(ranking_of(need, applied(need)), need["relevant"], K)
        for key, need in data.items()
    }


def hash_fold(key: str, folds: int) -> int:
    """A need's fold by the SHA-256 of its id: the same folds on every run and machine."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % folds


def held_out_by_hash(data: dict, table: dict[str, dict[str, float]], folds: int):
    """Each fold's needs scored with the setting best on the other folds."""
    scores = {}
    for fold in range(folds):
        train = [k for k in data if hash_fold(k, folds) != fold]
        best = max(table, key=lambda n: (statistics.mean(table[n][k] for k in train), n))
        print(f"matching_replay hash_fold={fold} chooses={best!r}")
        scores.update({k: table[best][k] for k in data if hash_fold(k, folds) == fold})
    return scores


def by_language(data: dict, scores: dict[str, float]) -> dict[str, float]:
    return {
        language: statistics.mean(v for k, v in scores.items() if data[k]["language"] == language)
        for language in ("zh", "en")
    }


def held_out(data: dict, table: dict[str, dict[str, float]], folds: int, shuffles: int):
    keys = sorted(data)
    scores: dict[str, list[float]] = {}
    for shuffle in range(shuffles):
        order = keys[:]
        random.Random(shuffle).shuffle(order)
        for fold in range(folds):
            test = set(order[fold::folds])
            train = [k for k in keys if k not in test]
            best = max(table, key=lambda n: (statistics.mean(table[n][k] for k in train), n))
            for key in test:
                scores.setdefault(key, []).append(table[best][key])
    return {key: statistics.mean(values) for key, values in scores.items()}


def report(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    plain = by_language(data, {k: ndcg(n["plain"][:K], n["relevant"], K) for k, n in data.items()})
    table = {name: per_need(data, setting) for name, setting in settings().items()}
    for name, scores in table.items():
        means = by_language(data, scores)
        ratios = " ".join(f"{lang}={means[lang] / plain[lang]:.3f}" for lang in means)
        print(f"matching_replay setting={name!r} matcher_over_search {ratios}")
    for folds, shuffles in ((len(data), 1), (5, 10)):
        means = by_language(data, held_out(data, copy.deepcopy(table), folds, shuffles))
        ratios = " ".join(f"{lang}={means[lang] / plain[lang]:.3f}" for lang in means)
        print(f"matching_replay held_out folds={folds} shuffles={shuffles} {ratios}")
    means = by_language(data, held_out_by_hash(data, table, 5))
    ratios = " ".join(f"{lang}={means[lang] / plain[lang]:.3f}" for lang in means)
    print(f"matching_replay held_out hash_folds=5 {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("capture", help="search once and keep every candidate's parts")
    take.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    take.add_argument("--embedder", choices=("default", "use", "e5+use", "none"), default=None)
    take.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    take.add_argument("--out", type=Path, required=True)
    score = commands.add_parser("settings", help="score the settings from a capture")
    score.add_argument("capture", type=Path)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args)
    else:
        report(args.capture)


if __name__ == "__main__":
    main()
