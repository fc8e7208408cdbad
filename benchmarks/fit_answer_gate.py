"""A calibrated "has this query any answer?" classifier, cross-validated on the dev half.

    .venv/bin/python benchmarks/fit_answer_gate.py --home DIR [--folds 5 --repeats 5]

Issue 12 §3. The answer gate (``relevance.has_answer``) is a set of hand-set levels per
witness (a model's cosine, two models agreeing, a share of the query's words). Tuned round
by round on the dev half, it empties 0.90 of dev's no-answer queries and 0.81 of test's.
This script asks whether a small logistic regression over per-query evidence generalises
better, measured where the levels cannot have been fitted: by cross-validation inside dev
(stratified folds over the dev queries of ``catalog_relevance``, repeated with shuffles).

Per query, from one hybrid search over the benchmark's catalogue (``catalog_relevance``'s
setup: its Chinese-only records imported, the policies one-sided): e5's and USE's best
cosine among the rankings that may vouch and their margin over the 20th neighbour, whether
the two models' top 10 share a record, the best share of the query's IDF² weight one record
holds, the share of the query's own terms the index holds at all, the query's length
(log of its terms) and script, an exact title, and four per-record joint witnesses (the
best rank both models give one record; each pair of e5, USE and words summed in units of
their levels). The label: a no-answer query (0) or any other judged query (1).

In each fold the model is fitted on the other folds (L2-regularised, Newton's method) and
its threshold set there so that at most ``--allowed`` real queries would have no result;
the held-out fold gives the no-answer share emptied and the real queries emptied. The
current rule's verdicts (an empty page or not) are printed beside it for the same folds:
they were tuned on the whole of dev, so for them dev is not held out. Prints figures;
writes nothing but ``--dump`` (the features, JSON).
"""

import argparse
import json
import logging
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_relevance as bench

FEATURES = (
    "e5",
    "e5_margin",
    "use",
    "use_margin",
    "top10_overlap",
    "words",
    "known_terms",
    "log_terms",
    "chinese",
    "title",
    "agreeing_rank",
    "e5_use",
    "e5_words",
    "use_words",
)
SETS = {
    "all": FEATURES,
    "models": ("e5", "e5_margin", "use", "use_margin", "top10_overlap"),
    "models+words+known": (
        *("e5", "e5_margin", "use", "use_margin", "top10_overlap"),
        *("words", "known_terms"),
    ),
    "per-record": ("agreeing_rank", "e5_use", "e5_words", "use_words"),
    "per-record+known": ("agreeing_rank", "e5_use", "e5_words", "use_words", "known_terms"),
}
E5, USE = "e5-small-q4", "use-m3"
MARGIN_RANK = 20
#: a token no index holds (words never contain spaces): its IDF is that of an unknown term
ABSENT = " absent "


def query_features(search, evidence, absent_idf: float) -> dict[str, float]:
    """The evidence of one searched query (``queries._Search`` after ``ranked``)."""
    from ecotone.search.queries import IN_CHINESE, TRANSLATED

    vouching: dict[str, list[float]] = {}
    top10: dict[str, set[str]] = {}
    for name, hits in search.dense_hits.items():
        space = name.removesuffix(TRANSLATED)
        chinese_query_own = search.language == "zh" and name == space and space == E5
        if name.endswith(IN_CHINESE) or chinese_query_own:
            continue
        scores = [hit.score for hit in hits.values()]
        if scores and max(scores) > max(vouching.get(space, [0.0])):
            vouching[space] = scores
            top10[space] = set(list(hits)[:10])

    def best(space):
        return max((e.vouching_similarity.get(space, 0.0) for e in evidence.values()), default=0.0)

    def margin(space):
        scores = vouching.get(space, [])
        return scores[0] - scores[min(MARGIN_RANK, len(scores)) - 1] if scores else 0.0

    own = search._coverage_listing()["own"]
    weights = search.backend.term_weights(own) if own else []
    found = list(evidence.values())

    def joint(pick):
        return max((pick(e) for e in found), default=-30.0)

    return {
        "e5": best(E5),
        "e5_margin": margin(E5),
        "use": best(USE),
        "use_margin": margin(USE),
        "top10_overlap": float(bool(top10.get(E5, set()) & top10.get(USE, set()))),
        "words": max((e.vouching_coverage for e in found), default=0.0),
        "known_terms": sum(abs(w - absent_idf) > 1e-9 for w in weights) / len(own) if own else 0,
        "log_terms": math.log(len(own) or 1),
        "chinese": float(search.language == "zh"),
        "title": float(any(e.title for e in found)),
        "agreeing_rank": math.log1p(
            min(
                (max(e.vouching_rank.get(E5, 999), e.vouching_rank.get(USE, 999)) for e in found),
                default=999,
            )
        ),
        "e5_use": max(-30.0, joint(lambda e: _units(e, E5) + _units(e, USE))),
        "e5_words": max(-30.0, joint(lambda e: _units(e, E5) + e.vouching_coverage / 0.2)),
        "use_words": max(-30.0, joint(lambda e: _units(e, USE) + e.vouching_coverage / 0.2)),
    }


def _units(evidence, space: str) -> float:
    """A cosine in units of the corroborating level's scale (e5 0.82 ± 0.05, USE 0.30 ±
    0.10): how far past the level it is."""
    level, unit = {E5: (0.82, 0.05), USE: (0.30, 0.10)}[space]
    return (evidence.vouching_similarity.get(space, 0.0) - level) / unit


def collect(queries) -> list[dict]:
    """Each query's features, label and the current rule's verdict."""
    from ecotone.search import queries as search_queries
    from ecotone.search.relevance import has_answer
    from ecotone.search.text import Term

    captured: dict = {}
    order = search_queries.order

    def capturing(ranked, evidence, settings, language="en"):
        captured["evidence"] = evidence
        return order(ranked, evidence, settings, language)

    search_queries.order = capturing
    rows = []
    try:
        for q in queries:
            terms = search_queries.query_terms(q.text)
            if not terms:
                continue
            search = search_queries._Search(
                q.text[: search_queries.MAX_QUERY_CHARS],
                terms,
                {},
                "hybrid",
                search_queries.get_embedders(),
                True,
            )
            captured.clear()
            ranked = search.ranked(depth=search_queries.CANDIDATES)
            evidence = captured.get("evidence", {})
            absent = search.backend.term_weights([Term(ABSENT, ABSENT, "en")])[0]
            features = query_features(search, evidence, absent)
            answered = bool(ranked) and has_answer(evidence, search._relevance(), search.language)
            rows.append(
                {
                    "id": q.id,
                    "text": q.text,
                    "label": int(q.section != "no_answer"),
                    "current": int(answered),
                    "features": features,
                }
            )
    finally:
        search_queries.order = order
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 50) -> tuple:
    """Logistic regression on standardised features (Newton's method, L2 on the weights)."""
    mean, spread = x.mean(0), x.std(0) + 1e-9
    z = np.c_[np.ones(len(x)), (x - mean) / spread]
    penalty = l2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        w -= np.linalg.solve(hessian, gradient)
    return w, mean, spread


def score(model: tuple, x: np.ndarray) -> np.ndarray:
    w, mean, spread = model
    return np.c_[np.ones(len(x)), (x - mean) / spread] @ w


def threshold(scores: np.ndarray, y: np.ndarray, allowed: int) -> float:
    """The score under which at most ``allowed`` real queries fall."""
    real = np.sort(scores[y == 1])
    return float(real[min(allowed, len(real) - 1)])


def cross_validate(rows, names, l2, allowed, folds, seed) -> tuple[float, int, float, int]:
    """(no-answer emptied, real emptied) of the classifier and of the current rule, the
    no-answer share averaged over the folds and the real queries summed."""
    x = np.array([[row["features"][name] for name in names] for row in rows])
    y = np.array([row["label"] for row in rows])
    current = np.array([row["current"] for row in rows]).astype(bool)
    # an exact title or most of the query's weighted words answer whatever the models say
    sure = np.array(
        [bool(row["features"]["title"]) or row["features"]["words"] >= 0.6 for row in rows]
    )
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), int)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        fold[members] = np.arange(len(members)) % folds
    emptied, lost, rule_emptied, rule_lost = [], 0, [], 0
    for held in range(folds):
        train, test = fold != held, fold == held
        model = fit(x[train], y[train], l2)
        cut = threshold(np.where(sure[train], np.inf, score(model, x[train])), y[train], allowed)
        answered = sure[test] | (score(model, x[test]) >= cut)
        nonsense, real = y[test] == 0, y[test] == 1
        emptied.append(float((~answered[nonsense]).mean()))
        lost += int((~answered[real]).sum())
        rule_emptied.append(float((~current[test][nonsense]).mean()))
        rule_lost += int((~current[test][real]).sum())
    return float(np.mean(emptied)), lost, float(np.mean(rule_emptied)), rule_lost


def report(rows, folds: int, repeats: int) -> None:
    labels = [row["label"] for row in rows]
    print(
        f"fit_answer_gate queries={len(rows)} no_answer={labels.count(0)} real={labels.count(1)} "
        f"folds={folds} repeats={repeats}"
    )
    for set_name, names in SETS.items():
        for l2 in (0.3, 1.0, 3.0):
            for allowed in (0, 1):
                runs = [
                    cross_validate(rows, names, l2, allowed, folds, seed) for seed in range(repeats)
                ]
                emptied, lost, rule_emptied, rule_lost = np.mean(runs, axis=0)
                print(
                    f"fit_answer_gate features={set_name} l2={l2} allowed={allowed} "
                    f"cv_no_answer_empty={emptied:.3f} cv_real_empty={lost:.1f} "
                    f"current_no_answer_empty={rule_emptied:.3f} current_real_empty={rule_lost:.1f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=None, help="ECOTONE_HOME to create or reuse")
    parser.add_argument("--embedder", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if current")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="shuffles of the folds")
    parser.add_argument("--features", type=Path, help="read the features from this dump")
    parser.add_argument("--dump", type=Path, help="write the features (JSON)")
    args = parser.parse_args()
    if args.features:
        rows = json.loads(args.features.read_text(encoding="utf-8"))
    else:
        home = bench.setup_environment(args)
        import django

        django.setup()
        logging.getLogger("django_tasks").setLevel(logging.WARNING)
        from ecotone.search.indexing import rebuild_index

        items, queries = bench.load_queries("dev")  # tuned on dev only: test is not read
        bench.prepare_index(home, args.rebuild)
        bench.restore(home)
        bench.remove_bench_records()
        try:
            bench.add_bench_records(bench.read_jsonl(bench.BENCH_RECORDS))
            bench.blank_policies(home, items)
            rebuild_index()
            rows = collect(queries)
        finally:
            bench.restore(home)
            bench.remove_bench_records()
            rebuild_index()
    if args.dump:
        args.dump.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    report(rows, args.folds, args.repeats)


if __name__ == "__main__":
    main()
