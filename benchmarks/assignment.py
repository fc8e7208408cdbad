"""Reviewer assignment benchmark: the optimal solver against the greedy baseline.

    .venv/bin/python benchmarks/assignment.py                     # 700×90 and 10000×1000, k=3
    .venv/bin/python benchmarks/assignment.py --sizes 700x90x3 --seed 7
    .venv/bin/python benchmarks/assignment.py --sizes 2000x200x3,10000x1000x3
    .venv/bin/python benchmarks/assignment.py --capacity 1.0      # loads just cover demand

Each size is ``submissions x reviewers x k``. The instances are synthetic but shaped like a
real call (``docs/assignment.md``):

- affinity = cosine similarity of random low-rank "topic" embeddings (submissions and
  reviewers drawn around a few shared topic centres, so some reviewers fit many
  submissions and some fit few) + 0.3 when the reviewer's expertise covers the
  submission's track (12 tracks, 1–3 per reviewer) + 0.2 for the ~5% of pairs a reviewer
  bid on;
- about 1.5% of pairs are conflicts;
- loads vary between reviewers and add up to about 1.2 × the demand (submissions × k),
  or the ``--capacity`` ratio given.

For every size it times ``solve_assignment`` (building the arcs included) and
``greedy_assignment``, checks both with ``assignment_violations``, and prints the filled
slots and total affinity of each. Targets (DESIGN §8): 700 × 90 × 3 ≤ 10 s, 10,000 × 1,000
× 3 ≤ 2 min. Ends with one line per size in the form other tools read:

    assignment submissions=700 reviewers=90 k=3 solve_s=<seconds> affinity=<total> \
greedy_affinity=<total> violations=<count>

``violations`` counts the optimal assignment's violations. Asserts nothing.
"""

import argparse
import sys

import numpy as np

from ecotone.programs.assignment import (
    AssignmentProblem,
    AssignmentResult,
    assignment_violations,
    greedy_assignment,
    solve_assignment,
)

DEFAULT_SIZES = "700x90x3,10000x1000x3"
TRACKS = 12
EMBEDDING_DIM = 16
TOPICS = 8
CONFLICT_RATE = 0.015
BID_RATE = 0.05
CAPACITY_RATIO = 1.2


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    sizes = []
    for item in text.split(","):
        parts = item.strip().lower().split("x")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            raise SystemExit(f"--sizes: {item!r} is not submissions x reviewers x k")
        sizes.append((int(parts[0]), int(parts[1]), int(parts[2])))
    return sizes


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def topic_embeddings(rng: np.random.Generator, count: int, centres: np.ndarray) -> np.ndarray:
    """Points scattered around randomly chosen topic centres, normalised."""
    topics = rng.integers(0, len(centres), size=count)
    noise = rng.normal(scale=0.8, size=(count, centres.shape[1]))
    return unit_rows(centres[topics] + noise).astype(np.float32)


def expertise_matrix(rng: np.random.Generator, reviewers: int) -> np.ndarray:
    """Bool (reviewers, tracks): each reviewer covers 1–3 tracks."""
    covered = np.zeros((reviewers, TRACKS), dtype=bool)
    for reviewer, count in enumerate(rng.integers(1, 4, size=reviewers)):
        covered[reviewer, rng.choice(TRACKS, size=count, replace=False)] = True
    return covered


def reviewer_loads(
    rng: np.random.Generator, submissions: int, reviewers: int, k: int, capacity: float
) -> np.ndarray:
    """Loads between 0.5× and 1.5× the mean, summing to about capacity × demand."""
    weights = rng.uniform(0.5, 1.5, size=reviewers)
    loads = np.ceil(weights / weights.sum() * capacity * submissions * k)
    return np.maximum(loads, 1).astype(np.int64)


def make_problem(
    seed: int, submissions: int, reviewers: int, k: int, capacity: float = CAPACITY_RATIO
) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(TOPICS, EMBEDDING_DIM))
    similarity = (
        topic_embeddings(rng, submissions, centres) @ topic_embeddings(rng, reviewers, centres).T
    )
    affinity = similarity.astype(np.float64)
    tracks = rng.integers(0, TRACKS, size=submissions)
    affinity += 0.3 * expertise_matrix(rng, reviewers)[:, tracks].T
    affinity += 0.2 * (rng.random((submissions, reviewers)) < BID_RATE)
    return AssignmentProblem(
        affinity=affinity,
        reviewers_per_submission=k,
        max_load=reviewer_loads(rng, submissions, reviewers, k, capacity),
        conflicts=rng.random((submissions, reviewers)) < CONFLICT_RATE,
    )


def describe(name: str, problem: AssignmentProblem, result: AssignmentResult) -> int:
    violations = assignment_violations(problem, result)
    missing = sum(result.shortfall.values())
    print(
        f"  {name:<8} {result.solve_seconds:8.2f} s   slots filled {len(result.pairs):>6}"
        f" (missing {missing})   total affinity {result.total_affinity:12.3f}"
        f"   mean per pair {result.total_affinity / max(len(result.pairs), 1):.4f}"
        f"   violations {len(violations)}"
    )
    for message in violations[:5]:
        print(f"      {message}")
    return len(violations)


def run_size(seed: int, capacity: float, submissions: int, reviewers: int, k: int) -> str:
    problem = make_problem(seed, submissions, reviewers, k, capacity)
    capacity = int(problem.max_load.sum())
    print(
        f"{submissions} submissions × {reviewers} reviewers × k={k}: "
        f"{submissions * k} slots, capacity {capacity} ({capacity / (submissions * k):.2f}×), "
        f"{int(problem.conflicts.sum())} conflicts",
        flush=True,
    )
    optimal = solve_assignment(problem)
    violations = describe("optimal", problem, optimal)
    greedy = greedy_assignment(problem)
    describe("greedy", problem, greedy)
    gain = optimal.total_affinity - greedy.total_affinity
    print(f"  optimal − greedy: {gain:+.3f} ({gain / max(greedy.total_affinity, 1e-9):+.2%})")
    return (
        f"assignment submissions={submissions} reviewers={reviewers} k={k} "
        f"solve_s={optimal.solve_seconds:.2f} affinity={optimal.total_affinity:.3f} "
        f"greedy_affinity={greedy.total_affinity:.3f} violations={violations}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="e.g. 700x90x3,10000x1000x3")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--capacity", type=float, default=CAPACITY_RATIO, help="total load ÷ demand (1.2)"
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    summary = [run_size(args.seed, args.capacity, *size) for size in sizes]
    print()
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
