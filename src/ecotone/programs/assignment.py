"""Optimal reviewer assignment (pure core, no ORM).

The programmes app builds an ``AssignmentProblem`` (affinity, k, loads, conflicts, pairs to
keep) and stores the pairs of the ``AssignmentResult``. ``solve_assignment`` is a
min-cost max-flow (OR-Tools): it fills as many review slots as any feasible assignment can,
and among those fillings it maximises the total affinity. ``greedy_assignment`` is the
baseline the benchmark compares against. The model, the integer scaling and the measured
speed are in ``docs/assignment.md``.
"""

import numbers
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from ortools.graph.python import min_cost_flow

from ecotone.core.refusals import Refused

# Affinities become integer arc costs: the range [lowest, highest] allowed affinity maps onto
# [0, COST_RESOLUTION]. Pairs closer than range / COST_RESOLUTION are ties for the solver, so
# the assignment found is within (number of pairs) × range / COST_RESOLUTION of the optimum.
# OR-Tools multiplies costs by (nodes + 1) internally; 10^7 keeps that far below 2^63.
COST_RESOLUTION = 10_000_000


class AssignmentError(Refused, ValueError):
    """A malformed problem; the message names the parameter."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message, field=parameter)
        self.args = (message,)
        self.parameter = parameter


@dataclass(frozen=True)
class AssignmentProblem:
    affinity: np.ndarray  # float (n_submissions, n_reviewers); higher = better fit
    reviewers_per_submission: int | np.ndarray  # k, or one k per submission
    max_load: np.ndarray  # int (n_reviewers,)
    conflicts: np.ndarray  # bool (n_submissions, n_reviewers); True = never assign
    fixed: frozenset[tuple[int, int]] = frozenset()  # pairs that must stay; count to k and load
    min_affinity: float | None = None  # pairs below it are not allowed (fixed pairs excepted)


@dataclass(frozen=True)
class AssignmentResult:
    pairs: tuple[tuple[int, int], ...]  # every (submission, reviewer), fixed included, sorted
    total_affinity: float
    shortfall: dict[int, int]  # submission -> reviewers missing when k could not be met
    solve_seconds: float


@dataclass(frozen=True)
class _Checked:
    """The problem's arrays, validated and in canonical dtypes."""

    affinity: np.ndarray  # float64 (n, m)
    k: np.ndarray  # int64 (n,)
    max_load: np.ndarray  # int64 (m,)
    conflicts: np.ndarray  # bool (n, m)
    fixed_submissions: np.ndarray  # int64, one per fixed pair
    fixed_reviewers: np.ndarray  # int64, one per fixed pair
    min_affinity: float | None


@dataclass(frozen=True)
class _Candidates:
    """Pairs the solver may still add, and the slots and loads left after the fixed pairs."""

    submissions: np.ndarray  # int32
    reviewers: np.ndarray  # int32
    affinity: np.ndarray  # float64
    slots_left: np.ndarray  # int64 (n,)
    load_left: np.ndarray  # int64 (m,)


def solve_assignment(problem: AssignmentProblem) -> AssignmentResult:
    """The assignment filling the most slots and, among those, of the highest total affinity."""
    started = time.perf_counter()
    checked = _check(problem)
    candidates = _candidates(checked)
    chosen = _solve_flow(candidates)
    return _result(checked, candidates, chosen, started)


def greedy_assignment(problem: AssignmentProblem) -> AssignmentResult:
    """Baseline: allowed pairs by falling affinity, each taken while its slot and load allow."""
    started = time.perf_counter()
    checked = _check(problem)
    candidates = _candidates(checked)
    chosen = _greedy_choice(candidates)
    return _result(checked, candidates, chosen, started)


def assignment_violations(problem: AssignmentProblem, result: AssignmentResult) -> list[str]:
    """Every broken rule of ``result``, in words; an empty list means the result is valid."""
    checked = _check(problem)
    n, m = checked.affinity.shape
    inside = [(s, r) for s, r in result.pairs if 0 <= s < n and 0 <= r < m]
    outside = [
        f"pair {(s, r)} is outside the {n} × {m} problem"
        for s, r in result.pairs
        if not (0 <= s < n and 0 <= r < m)
    ]
    return (
        outside
        + _duplicate_violations(inside)
        + _pair_violations(checked, inside)
        + _count_violations(checked, inside)
        + _fixed_violations(checked, inside)
    )


# Validation -------------------------------------------------------------------------------


def _check(problem: AssignmentProblem) -> _Checked:
    affinity = _affinity(problem.affinity)
    n, m = affinity.shape
    fixed_submissions, fixed_reviewers = _fixed(problem.fixed, n, m)
    conflicts = _conflicts(problem.conflicts, (n, m))
    clashes = conflicts[fixed_submissions, fixed_reviewers]
    if clashes.any():
        pair = (int(fixed_submissions[clashes][0]), int(fixed_reviewers[clashes][0]))
        raise AssignmentError(f"fixed: pair {pair} is marked as a conflict", "fixed")
    return _Checked(
        affinity=affinity,
        k=_counts(problem.reviewers_per_submission, n, "reviewers_per_submission"),
        max_load=_counts(problem.max_load, m, "max_load", scalar_allowed=False),
        conflicts=conflicts,
        fixed_submissions=fixed_submissions,
        fixed_reviewers=fixed_reviewers,
        min_affinity=_min_affinity(problem.min_affinity),
    )


def _affinity(value: object) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 2:
        raise AssignmentError(
            f"affinity must be a 2-D array (submissions × reviewers), got {array.ndim}-D",
            "affinity",
        )
    if array.dtype.kind not in "biuf":
        raise AssignmentError(f"affinity must be numeric, got {array.dtype}", "affinity")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise AssignmentError("affinity must be finite (no NaN or infinity)", "affinity")
    return array


def _conflicts(value: object, shape: tuple[int, int]) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != shape:
        raise AssignmentError(
            f"conflicts must have the affinity's shape {shape}, got {array.shape}", "conflicts"
        )
    if array.dtype != np.bool_:
        if array.dtype.kind not in "iu" or not np.isin(array, (0, 1)).all():
            raise AssignmentError("conflicts must be booleans", "conflicts")
        array = array.astype(np.bool_)
    return array


def _counts(value: object, length: int, name: str, *, scalar_allowed: bool = True) -> np.ndarray:
    if isinstance(value, bool | np.bool_):
        raise AssignmentError(f"{name} must be whole numbers, got a boolean", name)
    array = np.asarray(value)
    if array.ndim == 0 and scalar_allowed:
        array = np.full(length, array)
    if array.shape != (length,):
        raise AssignmentError(f"{name} must have length {length}, got shape {array.shape}", name)
    if array.dtype.kind == "f" and np.isfinite(array).all() and (array == np.rint(array)).all():
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise AssignmentError(f"{name} must be whole numbers", name)
    if (array < 0).any():
        raise AssignmentError(f"{name} must not be negative", name)
    return array.astype(np.int64, copy=False)


def _fixed(pairs: object, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        unique = sorted({(_index(s), _index(r)) for s, r in pairs})  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise AssignmentError(
            "fixed must be a set of (submission, reviewer) index pairs", "fixed"
        ) from None
    for s, r in unique:
        if not (0 <= s < n and 0 <= r < m):
            raise AssignmentError(f"fixed: pair {(s, r)} is outside the {n} × {m} problem", "fixed")
    array = np.array(unique, dtype=np.int64).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _index(value: object) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(value)
    return int(value)


def _min_affinity(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        raise AssignmentError("min_affinity must be a number or None", "min_affinity")
    if not np.isfinite(float(value)):
        raise AssignmentError("min_affinity must be finite", "min_affinity")
    return float(value)


# Candidate arcs ---------------------------------------------------------------------------


def _candidates(checked: _Checked) -> _Candidates:
    n, m = checked.affinity.shape
    fixed_per_submission = np.bincount(checked.fixed_submissions, minlength=n)
    fixed_per_reviewer = np.bincount(checked.fixed_reviewers, minlength=m)
    slots_left = np.maximum(checked.k - fixed_per_submission, 0)
    load_left = np.maximum(checked.max_load - fixed_per_reviewer, 0)
    allowed = ~checked.conflicts
    if checked.min_affinity is not None:
        allowed &= checked.affinity >= checked.min_affinity
    allowed[checked.fixed_submissions, checked.fixed_reviewers] = False
    # Arcs into a full submission or out of a full reviewer could never carry flow.
    allowed[slots_left == 0, :] = False
    allowed[:, load_left == 0] = False
    submissions, reviewers = np.nonzero(allowed)
    del allowed
    return _Candidates(
        submissions=submissions.astype(np.int32),
        reviewers=reviewers.astype(np.int32),
        affinity=checked.affinity[submissions, reviewers],
        slots_left=slots_left,
        load_left=load_left,
    )


def _integer_costs(affinity: np.ndarray) -> np.ndarray:
    """Non-negative costs, 0 for the best pair: every maximum flow uses the same number of
    submission→reviewer arcs, so subtracting from the highest affinity changes no choice."""
    if affinity.size == 0:
        return np.zeros(0, dtype=np.int64)
    highest, lowest = float(affinity.max()), float(affinity.min())
    if highest == lowest:
        return np.zeros(affinity.size, dtype=np.int64)
    scale = COST_RESOLUTION / (highest - lowest)
    return np.rint((highest - affinity) * scale).astype(np.int64)


# Solvers ----------------------------------------------------------------------------------


def _solve_flow(candidates: _Candidates) -> np.ndarray:
    """Indices of the chosen candidates: a maximum flow of minimum cost on
    source → submission (slots left) → reviewer (1, −affinity) → sink (load left)."""
    n, m = candidates.slots_left.size, candidates.load_left.size
    demand = int(candidates.slots_left.sum())
    arc_count = candidates.submissions.size
    if demand == 0 or arc_count == 0:
        return np.zeros(0, dtype=np.int64)
    source, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        candidates.submissions,
        candidates.reviewers + np.int32(n),
        np.ones(arc_count, dtype=np.int64),
        _integer_costs(candidates.affinity),
    )
    _add_fan(flow, np.full(n, source), np.arange(n), candidates.slots_left)
    _add_fan(flow, np.arange(n, n + m), np.full(m, sink), candidates.load_left)
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([demand, -demand], dtype=np.int64)
    )
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with status {status!r}")
    return np.flatnonzero(np.asarray(flow.flows(np.asarray(pair_arcs, dtype=np.int32))) > 0)


def _add_fan(flow, tails: np.ndarray, heads: np.ndarray, capacities: np.ndarray) -> None:
    """Zero-cost arcs with the given capacities (those of capacity 0 are left out)."""
    used = capacities > 0
    flow.add_arcs_with_capacity_and_unit_cost(
        tails[used].astype(np.int32),
        heads[used].astype(np.int32),
        capacities[used].astype(np.int64),
        np.zeros(int(used.sum()), dtype=np.int64),
    )


def _greedy_choice(candidates: _Candidates, chunk: int = 65_536) -> np.ndarray:
    order = np.argsort(-candidates.affinity, kind="stable")
    slots, load = candidates.slots_left.copy(), candidates.load_left.copy()
    chosen: list[int] = []
    for start in range(0, order.size, chunk):
        if not slots.any():
            break
        block = order[start : start + chunk]
        s, r = candidates.submissions[block], candidates.reviewers[block]
        # Vectorised pre-filter: most pairs fail because the submission or reviewer is full.
        open_now = (slots[s] > 0) & (load[r] > 0)
        slots_list, load_list = slots.tolist(), load.tolist()
        for index, si, ri in zip(
            block[open_now].tolist(), s[open_now].tolist(), r[open_now].tolist(), strict=True
        ):
            if slots_list[si] and load_list[ri]:
                slots_list[si] -= 1
                load_list[ri] -= 1
                chosen.append(index)
        slots, load = np.array(slots_list, dtype=np.int64), np.array(load_list, dtype=np.int64)
    return np.array(chosen, dtype=np.int64)


def _result(
    checked: _Checked, candidates: _Candidates, chosen: np.ndarray, started: float
) -> AssignmentResult:
    submissions = np.concatenate([checked.fixed_submissions, candidates.submissions[chosen]])
    reviewers = np.concatenate([checked.fixed_reviewers, candidates.reviewers[chosen]])
    order = np.lexsort((reviewers, submissions))
    submissions, reviewers = submissions[order], reviewers[order]
    n = checked.affinity.shape[0]
    missing = checked.k - np.bincount(submissions, minlength=n)
    return AssignmentResult(
        pairs=tuple(zip(submissions.tolist(), reviewers.tolist(), strict=True)),
        total_affinity=float(checked.affinity[submissions, reviewers].sum()),
        shortfall={int(s): int(missing[s]) for s in np.flatnonzero(missing > 0)},
        solve_seconds=time.perf_counter() - started,
    )


# Violations -------------------------------------------------------------------------------


def _duplicate_violations(pairs: list[tuple[int, int]]) -> list[str]:
    seen: set[tuple[int, int]] = set()
    repeated = []
    for pair in pairs:
        if pair in seen:
            repeated.append(f"pair {pair} appears more than once")
        seen.add(pair)
    return repeated


def _pair_violations(checked: _Checked, pairs: list[tuple[int, int]]) -> list[str]:
    fixed = set(
        zip(checked.fixed_submissions.tolist(), checked.fixed_reviewers.tolist(), strict=True)
    )
    messages = []
    for s, r in sorted(set(pairs)):
        if checked.conflicts[s, r]:
            messages.append(f"conflict used: reviewer {r} on submission {s}")
        low = checked.min_affinity is not None and checked.affinity[s, r] < checked.min_affinity
        if low and (s, r) not in fixed:
            messages.append(
                f"below min_affinity: reviewer {r} on submission {s} "
                f"({checked.affinity[s, r]:.6g} < {checked.min_affinity:.6g})"
            )
    return messages


def _count_violations(checked: _Checked, pairs: list[tuple[int, int]]) -> list[str]:
    n, m = checked.affinity.shape
    columns = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    per_submission = np.bincount(columns[:, 0], minlength=n)
    per_reviewer = np.bincount(columns[:, 1], minlength=m)
    over_k = [
        f"over k: submission {s} has {per_submission[s]} reviewers, k is {checked.k[s]}"
        for s in np.flatnonzero(per_submission > checked.k)
    ]
    over_load = [
        f"over load: reviewer {r} has {per_reviewer[r]} submissions, "
        f"max_load is {checked.max_load[r]}"
        for r in np.flatnonzero(per_reviewer > checked.max_load)
    ]
    return over_k + over_load


def _fixed_violations(checked: _Checked, pairs: list[tuple[int, int]]) -> list[str]:
    present = set(pairs)
    fixed = zip(checked.fixed_submissions.tolist(), checked.fixed_reviewers.tolist(), strict=True)
    return [f"fixed pair {pair} is missing" for pair in fixed if pair not in present]
