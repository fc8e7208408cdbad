"""Rubric totals, the reviewer-bias model and ranking."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecotone.programs.calibration import (
    CalibrationError,
    Criterion,
    ScoredReview,
    calibrate,
    rank_submissions,
    reviewer_biases,
    weighted_total,
)

RUBRIC = [
    Criterion("technology", weight=2.0, scale_min=1, scale_max=5),
    Criterion("application", weight=1.0, scale_min=1, scale_max=10),
    Criterion("commercial", weight=1.0, scale_min=0, scale_max=4),
]


# weighted_total ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # (2 × 75 + 1 × 100 + 1 × 50) / 4
        ({"technology": 4, "application": 10, "commercial": 2}, 75.0),
        ({"technology": 1, "application": 1, "commercial": 0}, 0.0),
        ({"technology": 5, "application": 10, "commercial": 4}, 100.0),
        # (2 × 50 + 1 × 0 + 1 × 25) / 4 = 31.25
        ({"technology": 3, "application": 1, "commercial": 1}, 31.25),
        # half points: (2 × 87.5 + 1 × 50 + 1 × 87.5) / 4 = 78.125
        ({"technology": 4.5, "application": 5.5, "commercial": 3.5}, 78.125),
    ],
)
def test_weighted_total_on_hand_computed_examples(scores, expected):
    assert weighted_total(scores, RUBRIC) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "criterion", "words"),
    [
        ({"technology": 4, "application": 10}, "commercial", "missing"),
        ({"technology": 4, "application": 10, "commercial": 2, "team": 3}, "team", "not a"),
        ({"technology": 6, "application": 10, "commercial": 2}, "technology", "outside"),
        ({"technology": 4, "application": 0, "commercial": 2}, "application", "outside"),
        ({"technology": 4, "application": "9", "commercial": 2}, "application", "number"),
        ({"technology": 4, "application": 9, "commercial": True}, "commercial", "number"),
        ({"technology": math.nan, "application": 9, "commercial": 2}, "technology", "number"),
    ],
)
def test_bad_scores_name_the_criterion(scores, criterion, words):
    with pytest.raises(CalibrationError, match=words) as caught:
        weighted_total(scores, RUBRIC)
    assert criterion in str(caught.value)
    assert caught.value.criterion == criterion


@pytest.mark.parametrize(
    ("criteria", "criterion"),
    [
        ([Criterion("impact", 0, 1, 5)], "impact"),
        ([Criterion("impact", -1, 1, 5)], "impact"),
        ([Criterion("impact", 1, 5, 5)], "impact"),
        ([Criterion("impact", 1, 1, 5), Criterion("impact", 2, 1, 5)], "impact"),
    ],
)
def test_bad_rubrics_name_the_criterion(criteria, criterion):
    with pytest.raises(CalibrationError, match=criterion):
        weighted_total({"impact": 3}, criteria)


def test_an_empty_rubric_is_refused():
    with pytest.raises(CalibrationError, match="no criteria"):
        weighted_total({}, [])


# The bias model ---------------------------------------------------------------------------


def synthetic_reviews(quality, bias, per_submission=3, noise=0.0, seed=0):
    rng = random.Random(seed)
    reviewers = list(bias)
    reviews = []
    for index, (submission, value) in enumerate(quality.items()):
        # Consecutive submissions share a reviewer, so the design is connected.
        chosen = {reviewers[index % len(reviewers)]}
        chosen |= set(rng.sample(reviewers, per_submission - 1))
        reviews += [
            ScoredReview(r, submission, value + bias[r] + rng.gauss(0, noise)) for r in chosen
        ]
    return reviews


def test_known_biases_are_recovered_exactly_without_noise():
    bias = {"lenient": 12.0, "severe": -9.0, "fair": 0.0, "soft": 4.0, "hard": -7.0}
    rng = random.Random(3)
    quality = {f"s{i}": rng.uniform(30, 80) for i in range(25)}
    reviews = synthetic_reviews(quality, bias)
    found = reviewer_biases(reviews)
    assert found == pytest.approx(bias, abs=1e-9)
    for (reviewer, submission), value in calibrate(reviews).items():
        assert value == pytest.approx(quality[submission], abs=1e-9), reviewer


def test_known_biases_are_recovered_closely_with_noise():
    bias = {"a": 10.0, "b": -10.0, "c": 5.0, "d": -5.0, "e": 0.0, "f": 0.0}
    rng = random.Random(4)
    quality = {f"s{i}": rng.uniform(20, 90) for i in range(120)}
    found = reviewer_biases(synthetic_reviews(quality, bias, noise=3.0, seed=9))
    for reviewer, value in bias.items():
        # ~60 reviews each with noise of 3 points: the standard error is about 0.5.
        assert found[reviewer] == pytest.approx(value, abs=2.0)


def test_biases_sum_to_zero_in_each_connected_group():
    reviews = [
        ScoredReview("a", 1, 80),
        ScoredReview("b", 1, 60),
        ScoredReview("b", 2, 50),
        ScoredReview("c", 2, 58),
        # a second group, sharing nobody with the first
        ScoredReview("x", 9, 40),
        ScoredReview("y", 9, 70),
    ]
    biases = reviewer_biases(reviews)
    assert biases["a"] + biases["b"] + biases["c"] == pytest.approx(0, abs=1e-12)
    assert biases["x"] == pytest.approx(-15) and biases["y"] == pytest.approx(15)


def test_nothing_to_compare_removes_no_bias():
    assert calibrate([ScoredReview("a", 1, 73.0)]) == {("a", 1): 73.0}
    alone = [ScoredReview("a", 1, 90.0), ScoredReview("a", 2, 70.0)]
    assert calibrate(alone) == {("a", 1): 90.0, ("a", 2): 70.0}
    # "z" reviews on their own beside a connected pair: no bias for "z"
    mixed = [*alone, ScoredReview("b", 1, 80.0), ScoredReview("z", 3, 55.0)]
    assert reviewer_biases(mixed)["z"] == 0.0
    assert calibrate([]) == {} and rank_submissions([]) == []


def test_duplicate_or_non_finite_reviews_are_refused():
    with pytest.raises(CalibrationError, match="twice"):
        calibrate([ScoredReview("a", 1, 50), ScoredReview("a", 1, 60)])
    with pytest.raises(CalibrationError, match="finite"):
        calibrate([ScoredReview("a", 1, math.inf)])


@st.composite
def connected_designs(draw):
    """Reviews where consecutive submissions share a reviewer (one connected group)."""
    reviewer_count = draw(st.integers(2, 6))
    submission_count = draw(st.integers(2, 8))
    totals = st.integers(0, 200).map(lambda half_points: half_points / 2)
    reviews = []
    for s in range(submission_count):
        others = draw(st.sets(st.integers(0, reviewer_count - 1), max_size=3))
        for r in sorted({s % reviewer_count, (s + 1) % reviewer_count} | others):
            reviews.append(ScoredReview(f"r{r}", f"s{s}", draw(totals)))
    return reviews


def shifted(reviews, reviewer, constant):
    return [
        ScoredReview(r.reviewer, r.submission, r.total + constant * (r.reviewer == reviewer))
        for r in reviews
    ]


@settings(max_examples=150, deadline=None)
@given(connected_designs(), st.data(), st.floats(-40, 40))
def test_a_reviewer_adding_a_constant_changes_nothing_after_calibration(reviews, data, constant):
    reviewer = data.draw(st.sampled_from(sorted({r.reviewer for r in reviews})))
    group_size = len({r.reviewer for r in reviews})
    before, after = calibrate(reviews), calibrate(shifted(reviews, reviewer, constant))
    # The bias absorbs the constant; because biases sum to zero, the group's level moves by
    # constant / group size for everyone alike (see docs/assignment.md), nothing else moves.
    for pair, value in before.items():
        assert after[pair] - value == pytest.approx(constant / group_size, abs=1e-7)
    ranked_before = rank_submissions(reviews)
    ranked_after = rank_submissions(shifted(reviews, reviewer, constant))
    assert [(r.submission, r.rank, r.tied) for r in ranked_before] == [
        (r.submission, r.rank, r.tied) for r in ranked_after
    ]
    for first, second in zip(ranked_before, ranked_after, strict=True):
        gap = second.mean_calibrated - first.mean_calibrated
        assert gap == pytest.approx(constant / group_size, abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(connected_designs(), st.floats(-40, 40))
def test_calibration_follows_a_common_shift_of_every_total(reviews, constant):
    before = calibrate(reviews)
    after = calibrate([ScoredReview(r.reviewer, r.submission, r.total + constant) for r in reviews])
    for pair, value in before.items():
        assert after[pair] == pytest.approx(value + constant, abs=1e-7)


# Ranking ----------------------------------------------------------------------------------


def test_ranking_shares_ranks_between_ties():
    reviews = [ScoredReview("a", s, t) for s, t in [("w", 80), ("x", 90), ("y", 70), ("z", 80)]]
    ranked = rank_submissions(reviews)
    assert [(r.submission, r.rank, r.tied) for r in ranked] == [
        ("x", 1, False),
        ("w", 2, True),
        ("z", 2, True),
        ("y", 4, False),
    ]


def test_ties_survive_rounding_noise():
    calibrated = {("a", "p"): 0.1 + 0.2, ("a", "q"): 0.3, ("a", "r"): 0.2}
    reviews = [ScoredReview("a", s, 50) for s in "pqr"]
    ranked = rank_submissions(reviews, calibrated=calibrated)
    assert [(r.rank, r.tied) for r in ranked] == [(1, True), (1, True), (3, False)]


def test_ranking_uses_the_calibrated_values_given():
    reviews = [ScoredReview("a", "p", 60), ScoredReview("a", "q", 70)]
    ranked = rank_submissions(reviews, calibrated={("a", "p"): 90, ("a", "q"): 20})
    assert [r.submission for r in ranked] == ["p", "q"]
    assert ranked[0].mean_raw == 60 and ranked[0].mean_calibrated == 90
    with pytest.raises(CalibrationError, match="no value"):
        rank_submissions(reviews, calibrated={("a", "p"): 90})


def test_ranking_lifts_a_submission_held_down_by_a_severe_reviewer():
    # Severe "s" scores 20 below lenient "l" on the two submissions both read; "p" was read
    # by "s" only and "q" by "l" only, so raw means mislead and calibrated ones do not.
    reviews = [
        ScoredReview("s", "both1", 50),
        ScoredReview("l", "both1", 70),
        ScoredReview("s", "both2", 40),
        ScoredReview("l", "both2", 60),
        ScoredReview("s", "p", 65),
        ScoredReview("l", "q", 75),
    ]
    ranked = {r.submission: r for r in rank_submissions(reviews)}
    assert ranked["q"].mean_raw > ranked["p"].mean_raw
    assert ranked["p"].mean_calibrated > ranked["q"].mean_calibrated
    assert ranked["p"].rank == 1


def test_disagreement_is_flagged_above_the_threshold_only():
    reviews = [
        ScoredReview("a", "at", 50),
        ScoredReview("b", "at", 75),  # spread exactly 25
        ScoredReview("a", "above", 50),
        ScoredReview("b", "above", 75.5),
        ScoredReview("a", "single", 10),
    ]
    ranked = {r.submission: r for r in rank_submissions(reviews)}
    assert (ranked["at"].spread, ranked["at"].disagreement) == (25, False)
    assert (ranked["above"].spread, ranked["above"].disagreement) == (25.5, True)
    assert (ranked["single"].spread, ranked["single"].disagreement) == (0, False)
    assert ranked["at"].review_count == 2 and ranked["single"].review_count == 1
    strict = {r.submission: r for r in rank_submissions(reviews, disagreement_threshold=10)}
    assert strict["at"].disagreement
    with pytest.raises(CalibrationError, match="disagreement_threshold"):
        rank_submissions(reviews, disagreement_threshold=-1)
