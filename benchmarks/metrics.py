"""Ranking metrics for the quality benchmarks: plain functions over judged relevance.

``ranked`` is the list of ``external_id`` a system returned, best first; ``judged`` maps the
``external_id`` of every record judged relevant to its grade (2 = highly relevant,
1 = relevant). Records not in ``judged`` count as not relevant (gain 0).

    .venv/bin/python benchmarks/metrics.py      # checks the functions on worked examples

- ``ndcg``: normalised discounted cumulative gain at ``k`` with graded, linear gains (the
  grade itself, as trec_eval's ``ndcg_cut`` does) and a log2(rank + 1) discount; the ideal
  ranking is every judged record sorted by grade. 0 when nothing is judged relevant.
- ``recall``: judged-relevant records (any grade) in the top ``k``, divided by
  ``min(k, number judged relevant)`` (capped recall, as BEIR's R_cap@k), so a query with
  40 relevant records can still reach 1.0 at k = 10.
- ``reciprocal_rank``: 1 / rank of the first judged-relevant record in the top ``k``, else 0.
"""

import math
from collections.abc import Iterable, Mapping, Sequence


def dcg(gains: Iterable[float]) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judged.get(key, 0) for key in _top(ranked, k)) / ideal


def recall(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    relevant = {key for key, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    found = sum(1 for key in _top(ranked, k) if key in relevant)
    return found / min(k, len(relevant))


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    for rank, key in enumerate(_top(ranked, k), start=1):
        if judged.get(key, 0) > 0:
            return 1.0 / rank
    return 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _top(ranked: Sequence[str], k: int) -> list[str]:
    """The first ``k`` results, a repeated id counted once (at its best rank)."""
    seen: list[str] = []
    for key in ranked:
        if key not in seen:
            seen.append(key)
        if len(seen) == k:
            break
    return seen


def _check() -> None:
    """Worked examples, computed by hand."""
    judged = {"a": 2, "b": 1, "c": 1}
    # ideal order a, b, c: 2/1 + 1/log2(3) + 1/2 = 3.1309; run x, a, c: 2/log2(3) + 1/2 = 1.7619
    assert math.isclose(ndcg(["x", "a", "c"], judged), 1.7619 / 3.1309, rel_tol=1e-3)
    assert ndcg(["a", "b", "c", "x"], judged) == 1.0
    assert ndcg(["x", "y"], judged) == 0.0
    assert ndcg(["a"], {}) == 0.0
    assert ndcg(["a", "a", "b", "c"], judged) == 1.0  # a repeated id earns nothing twice
    # cut at k: only the first k results count, and the ideal is cut at k too
    assert math.isclose(ndcg(["b", "a"], judged, k=1), 1 / 2)
    assert math.isclose(recall(["x", "a", "c"], judged), 2 / 3)
    many = {f"r{n}": 1 for n in range(40)}
    assert recall([f"r{n}" for n in range(10)], many) == 1.0  # capped at k
    assert math.isclose(recall(["r1", "x"], many, k=10), 1 / 10)
    assert reciprocal_rank(["x", "y", "b"], judged) == 1 / 3
    assert reciprocal_rank(["x", "y", "z", "a"], judged, k=3) == 0.0
    assert mean([]) == 0.0 and mean([1, 0]) == 0.5
    print("metrics: all checks passed")


if __name__ == "__main__":
    _check()
