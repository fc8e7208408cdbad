"""The reviewer-assignment core against brute force, hand-made cases and a large instance."""

import itertools
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecotone.programs.assignment import (
    AssignmentError,
    AssignmentProblem,
    AssignmentResult,
    assignment_violations,
    greedy_assignment,
    solve_assignment,
)


def problem_of(affinity, k, loads, conflicts=None, fixed=(), min_affinity=None):
    affinity = np.asarray(affinity, dtype=float)
    if conflicts is None:
        conflicts = np.zeros(affinity.shape, dtype=bool)
    return AssignmentProblem(
        affinity=affinity,
        reviewers_per_submission=k,
        max_load=np.asarray(loads),
        conflicts=np.asarray(conflicts, dtype=bool),
        fixed=frozenset(fixed),
        min_affinity=min_affinity,
    )


def violations_of_fixed_alone(problem: AssignmentProblem) -> list[str]:
    """Fixed pairs may already exceed k or a load (a manager's choice); the solvers must add
    no violation of their own, so their results are judged against these."""
    alone = AssignmentResult(tuple(sorted(problem.fixed)), 0.0, {}, 0.0)
    return assignment_violations(problem, alone)


def brute_force_best(problem: AssignmentProblem) -> tuple[int, float]:
    """(filled slots, total affinity) of the lexicographically best assignment, fixed pairs
    included, by trying every subset of allowed reviewers for every submission."""
    affinity = problem.affinity
    n, m = affinity.shape
    k = np.broadcast_to(problem.reviewers_per_submission, (n,))
    fixed = problem.fixed
    slots = [max(int(k[s]) - sum(1 for fs, _ in fixed if fs == s), 0) for s in range(n)]
    loads = tuple(
        max(int(problem.max_load[r]) - sum(1 for _, fr in fixed if fr == r), 0) for r in range(m)
    )
    allowed = [
        [
            r
            for r in range(m)
            if not problem.conflicts[s, r]
            and (s, r) not in fixed
            and (problem.min_affinity is None or affinity[s, r] >= problem.min_affinity)
        ]
        for s in range(n)
    ]

    @cache
    def best(s: int, loads_left: tuple[int, ...]) -> tuple[int, float]:
        if s == n:
            return (0, 0.0)
        options = []
        for size in range(slots[s] + 1):
            for chosen in itertools.combinations(allowed[s], size):
                if any(loads_left[r] == 0 for r in chosen):
                    continue
                rest = tuple(load - (r in chosen) for r, load in enumerate(loads_left))
                filled, total = best(s + 1, rest)
                options.append((filled + size, total + sum(affinity[s, r] for r in chosen)))
        return max(options)

    filled, total = best(0, loads)
    return filled + len(fixed), total + sum(affinity[s, r] for s, r in fixed)


@st.composite
def small_problems(draw) -> AssignmentProblem:
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 4))
    value = st.one_of(st.integers(-2, 3).map(float), st.floats(-1, 1, width=32))
    affinity = np.array(draw(st.lists(value, min_size=n * m, max_size=n * m))).reshape(n, m)
    conflicts = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)))
    conflicts = conflicts.reshape(n, m)
    per_submission = draw(st.booleans())
    k = (
        np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
        if per_submission
        else draw(st.integers(0, 3))
    )
    loads = np.array(draw(st.lists(st.integers(0, 4), min_size=m, max_size=m)))
    free = [(s, r) for s in range(n) for r in range(m) if not conflicts[s, r]]
    fixed = draw(st.sets(st.sampled_from(free), max_size=3)) if free else set()
    min_affinity = draw(st.one_of(st.none(), st.floats(-1, 1)))
    return problem_of(affinity, k, loads, conflicts, fixed, min_affinity)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_solver_matches_brute_force(problem):
    result = solve_assignment(problem)
    filled, total = brute_force_best(problem)
    assert len(result.pairs) == filled
    spread = float(problem.affinity.max() - problem.affinity.min())
    # Integer costs resolve the affinity range to 10^-7; allow 10^-6 of it per pair.
    assert result.total_affinity == pytest.approx(total, abs=1e-6 * (1 + spread) * filled)
    assert assignment_violations(problem, result) == violations_of_fixed_alone(problem)
    assert set(problem.fixed) <= set(result.pairs)


@settings(max_examples=60, deadline=None)
@given(small_problems())
def test_greedy_is_valid_and_never_beats_the_solver(problem):
    greedy, optimal = greedy_assignment(problem), solve_assignment(problem)
    assert assignment_violations(problem, greedy) == violations_of_fixed_alone(problem)
    assert set(problem.fixed) <= set(greedy.pairs)
    assert len(greedy.pairs) <= len(optimal.pairs)
    if len(greedy.pairs) == len(optimal.pairs):
        spread = float(problem.affinity.max() - problem.affinity.min())
        assert greedy.total_affinity <= optimal.total_affinity + 1e-6 * (1 + spread) * len(
            greedy.pairs
        )


def large_problem(seed=11, n=300, m=40, k=3):
    rng = np.random.default_rng(seed)
    affinity = rng.random((n, m)) + 0.5 * (rng.random((n, m)) < 0.2)
    loads = rng.integers(20, 32, size=m)  # capacity ≈ 1.02 × demand: tight on purpose
    conflicts = rng.random((n, m)) < 0.05
    free = np.argwhere(~conflicts)
    fixed = {tuple(map(int, pair)) for pair in free[rng.choice(len(free), 40, replace=False)]}
    return problem_of(affinity, k, loads, conflicts, fixed, min_affinity=0.05)


def test_large_instance_satisfies_every_constraint():
    problem = large_problem()
    result = solve_assignment(problem)
    assert assignment_violations(problem, result) == []
    pairs = result.pairs
    assert len(set(pairs)) == len(pairs)
    assert list(pairs) == sorted(pairs)
    per_submission, per_reviewer = {}, {}
    for s, r in pairs:
        per_submission[s] = per_submission.get(s, 0) + 1
        per_reviewer[r] = per_reviewer.get(r, 0) + 1
        assert not problem.conflicts[s, r]
        assert (s, r) in problem.fixed or problem.affinity[s, r] >= 0.05
    assert max(per_submission.values()) <= 3
    assert all(per_reviewer[r] <= problem.max_load[r] for r in per_reviewer)
    assert problem.fixed <= set(pairs)
    n = problem.affinity.shape[0]
    assert result.shortfall == {
        s: 3 - per_submission.get(s, 0) for s in range(n) if per_submission.get(s, 0) < 3
    }
    assert result.total_affinity == pytest.approx(sum(problem.affinity[s, r] for s, r in pairs))


def test_large_instance_has_no_improving_single_move():
    """Necessary conditions of optimality, checked independently of the solver: no empty
    slot could take a reviewer with spare load, and moving one review to a reviewer with
    spare load never raises the total."""
    problem = large_problem(seed=5)
    result = solve_assignment(problem)
    m = problem.affinity.shape[1]
    assigned = set(result.pairs)
    count = np.zeros(m, dtype=int)
    for _, r in result.pairs:
        count[r] += 1
    spare = [r for r in range(m) if count[r] < problem.max_load[r]]

    def allowed(s, r):
        return (
            not problem.conflicts[s, r]
            and (s, r) not in assigned
            and problem.affinity[s, r] >= problem.min_affinity
        )

    for s in result.shortfall:
        assert not any(allowed(s, r) for r in spare)
    for s, r in assigned - problem.fixed:
        best_move = max((problem.affinity[s, q] for q in spare if allowed(s, q)), default=-1)
        assert best_move <= problem.affinity[s, r] + 1e-6


def test_optimal_beats_greedy_on_a_large_instance():
    problem = large_problem(seed=3)
    optimal, greedy = solve_assignment(problem), greedy_assignment(problem)
    assert assignment_violations(problem, greedy) == []
    assert len(optimal.pairs) >= len(greedy.pairs)
    if len(optimal.pairs) == len(greedy.pairs):
        assert optimal.total_affinity >= greedy.total_affinity - 1e-6


def test_slots_are_filled_before_affinity_is_maximised():
    # Reviewer 0 fits both submissions best but can take one; reviewer 1 only fits
    # submission 0, weakly. The most affinity alone would leave submission 1 empty.
    problem = problem_of(
        [[0.9, 0.1], [0.8, 0.0]], k=1, loads=[1, 1], conflicts=[[False, False], [False, True]]
    )
    result = solve_assignment(problem)
    assert result.pairs == ((0, 1), (1, 0))
    assert result.shortfall == {}
    assert result.total_affinity == pytest.approx(0.9)


def test_fixed_pairs_are_kept_and_count_towards_k_and_load():
    affinity = [[0.1, 0.9, 0.8], [0.2, 0.95, 0.7]]
    problem = problem_of(affinity, k=2, loads=[2, 1, 2], fixed={(0, 0)}, min_affinity=0.5)
    result = solve_assignment(problem)
    # (0, 0) stays although it is below min_affinity; reviewer 1 (load 1) goes to
    # submission 1, where it adds the most.
    assert result.pairs == ((0, 0), (0, 2), (1, 1), (1, 2))
    assert assignment_violations(problem, result) == []


def test_rerun_after_late_changes_keeps_finished_reviews():
    problem = large_problem(seed=8, n=60, m=12)
    first = solve_assignment(problem)
    finished = frozenset(first.pairs[::3])
    changed = problem_of(
        problem.affinity[:, ::-1],  # expertise re-scored: every affinity changes
        3,
        problem.max_load,
        problem.conflicts & False,
        finished,
        min_affinity=None,
    )
    second = solve_assignment(changed)
    assert finished <= set(second.pairs)
    assert assignment_violations(changed, second) == []


def test_conflicts_are_never_used_even_when_they_fit_best():
    affinity = np.array([[10.0, 0.1, 0.2], [10.0, 0.3, 0.1]])
    conflicts = np.array([[True, False, False], [True, False, False]])
    result = solve_assignment(problem_of(affinity, k=2, loads=[5, 5, 5], conflicts=conflicts))
    assert all(r != 0 for _, r in result.pairs)
    assert len(result.pairs) == 4


def test_min_affinity_is_respected_and_leaves_a_shortfall():
    affinity = [[0.9, 0.2, 0.6], [0.3, 0.1, 0.2]]
    result = solve_assignment(problem_of(affinity, k=2, loads=[2, 2, 2], min_affinity=0.5))
    assert result.pairs == ((0, 0), (0, 2))
    assert result.shortfall == {1: 2}


def test_infeasible_capacity_gives_a_shortfall_not_an_error():
    rng = np.random.default_rng(1)
    problem = problem_of(rng.random((5, 2)), k=3, loads=[10, 10])
    result = solve_assignment(problem)
    assert len(result.pairs) == 10
    assert result.shortfall == dict.fromkeys(range(5), 1)
    tight = problem_of(rng.random((4, 3)), k=2, loads=[1, 2, 2])
    result = solve_assignment(tight)
    assert len(result.pairs) == 5
    assert sum(result.shortfall.values()) == 3
    assert assignment_violations(tight, result) == []


def test_per_submission_k_and_empty_problems():
    result = solve_assignment(
        problem_of([[0.5, 0.4], [0.3, 0.2]], k=np.array([0, 2]), loads=[1, 1])
    )
    assert result.pairs == ((1, 0), (1, 1))
    empty = solve_assignment(problem_of(np.zeros((0, 3)), k=2, loads=[1, 1, 1]))
    assert empty.pairs == () and empty.shortfall == {} and empty.total_affinity == 0.0
    nobody = solve_assignment(problem_of(np.zeros((2, 0)), k=1, loads=np.zeros(0, dtype=int)))
    assert nobody.shortfall == {0: 1, 1: 1}


GOOD = {
    "affinity": np.zeros((2, 3)),
    "reviewers_per_submission": 1,
    "max_load": np.ones(3, dtype=int),
    "conflicts": np.zeros((2, 3), dtype=bool),
}


@pytest.mark.parametrize(
    ("parameter", "changes"),
    [
        ("affinity", {"affinity": np.zeros(3)}),
        ("affinity", {"affinity": np.array([[0.0, np.nan, 0.0], [0.0, 0.0, 0.0]])}),
        ("affinity", {"affinity": np.array([["a", "b", "c"], ["d", "e", "f"]])}),
        ("conflicts", {"conflicts": np.zeros((3, 2), dtype=bool)}),
        ("conflicts", {"conflicts": np.full((2, 3), 2)}),
        ("max_load", {"max_load": np.ones(2, dtype=int)}),
        ("max_load", {"max_load": np.array([1, -1, 1])}),
        ("max_load", {"max_load": np.array([1.5, 1, 1])}),
        ("reviewers_per_submission", {"reviewers_per_submission": -1}),
        ("reviewers_per_submission", {"reviewers_per_submission": np.array([1, 1, 1])}),
        ("reviewers_per_submission", {"reviewers_per_submission": True}),
        ("fixed", {"fixed": frozenset({(2, 0)})}),
        ("fixed", {"fixed": frozenset({(0, 0.5)})}),
        ("fixed", {"fixed": frozenset({(0, 1)}), "conflicts": np.eye(2, 3, 1, dtype=bool)}),
        ("min_affinity", {"min_affinity": float("nan")}),
        ("min_affinity", {"min_affinity": "high"}),
    ],
)
def test_bad_problems_raise_an_error_naming_the_parameter(parameter, changes):
    problem = AssignmentProblem(**{**GOOD, **changes})
    for function in (solve_assignment, greedy_assignment):
        with pytest.raises(AssignmentError, match=parameter) as caught:
            function(problem)
        assert caught.value.parameter == parameter


def test_violations_name_every_kind_of_broken_rule():
    problem = problem_of(
        [[0.9, 0.1, 0.5], [0.4, 0.6, 0.7]],
        k=1,
        loads=[1, 1, 1],
        conflicts=[[False, True, False], [False, False, False]],
        fixed={(1, 2)},
        min_affinity=0.3,
    )
    bad = AssignmentResult(
        pairs=((0, 0), (0, 1), (1, 0), (1, 0), (5, 0)),
        total_affinity=0.0,
        shortfall={},
        solve_seconds=0.0,
    )
    text = "\n".join(assignment_violations(problem, bad))
    assert "outside" in text and "(5, 0)" in text
    assert "more than once" in text and "(1, 0)" in text
    assert "conflict used: reviewer 1 on submission 0" in text
    assert "below min_affinity: reviewer 1 on submission 0" in text
    assert "over k: submission 0" in text and "over k: submission 1" in text
    assert "over load: reviewer 0" in text
    assert "fixed pair (1, 2) is missing" in text


def test_fixed_pairs_beyond_k_or_load_are_kept_and_reported():
    # A manager added a third reviewer by hand where k is 2; the solver keeps the pairs,
    # adds nobody there, and the violations say what is over.
    problem = problem_of(
        np.ones((2, 3)), k=2, loads=[1, 2, 2], fixed={(0, 0), (0, 1), (0, 2), (1, 0)}
    )
    result = solve_assignment(problem)
    assert result.pairs == ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1))
    assert result.shortfall == {}
    assert assignment_violations(problem, result) == [
        "over k: submission 0 has 3 reviewers, k is 2",
        "over load: reviewer 0 has 2 submissions, max_load is 1",
    ]


def test_min_affinity_may_come_as_a_decimal():
    from decimal import Decimal

    affinity = [[0.9, 0.2], [0.3, 0.6]]
    result = solve_assignment(problem_of(affinity, k=1, loads=[2, 2], min_affinity=Decimal("0.5")))
    assert result.pairs == ((0, 0), (1, 1))
