"""Rubric totals, reviewer calibration and ranking (pure core, no ORM).

``weighted_total`` turns one review's scores into a 0–100 total. ``calibrate`` removes each
reviewer's additive bias (a lenient or a severe hand) with the least-squares model
total = submission quality + reviewer bias + noise, biases summing to zero in every group
of reviewers linked by shared submissions. ``rank_submissions`` ranks on the calibrated
means with ties (1, 2, 2, 4) and flags submissions whose raw totals spread too far.
The method and its guarantees are in ``docs/assignment.md``.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ecotone.core.refusals import Refused

# Calibrated means closer than this (points on the 0–100 scale) are tied: they are sums of
# floats, and rounding noise must not split submissions that are equal in exact arithmetic.
TIE_TOLERANCE = 1e-9


class CalibrationError(Refused, ValueError):
    """Bad scores; the message names the criterion."""

    def __init__(self, message: str, criterion: str | None = None) -> None:
        super().__init__(message, field=criterion)
        self.args = (message,)
        self.criterion = criterion


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: float  # > 0
    scale_min: int  # e.g. 1
    scale_max: int  # e.g. 5 or 10


@dataclass(frozen=True)
class ScoredReview:
    reviewer: Hashable
    submission: Hashable
    total: float  # weighted_total of the review


@dataclass(frozen=True)
class RankedSubmission:
    submission: Hashable
    mean_raw: float
    mean_calibrated: float
    rank: int  # standard competition ranking on mean_calibrated: 1, 2, 2, 4
    tied: bool
    spread: float  # max - min of the raw totals
    disagreement: bool  # spread > threshold
    review_count: int


# Rubric totals ----------------------------------------------------------------------------


def weighted_total(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """Weighted mean of the scores, each mapped linearly from its scale onto 0–100."""
    _check_criteria(criteria)
    known = {criterion.key for criterion in criteria}
    for key in scores:
        if key not in known:
            raise CalibrationError(f"{key}: not a criterion of this rubric", key)
    weighted = sum(c.weight * _percent(scores, c) for c in criteria)
    return weighted / sum(c.weight for c in criteria)


def _check_criteria(criteria: Sequence[Criterion]) -> None:
    if not criteria:
        raise CalibrationError("the rubric has no criteria")
    seen: set[str] = set()
    for criterion in criteria:
        key = criterion.key
        if key in seen:
            raise CalibrationError(f"{key}: criterion listed twice", key)
        seen.add(key)
        if not _is_number(criterion.weight) or not criterion.weight > 0:
            raise CalibrationError(f"{key}: weight must be a positive number", key)
        if not _is_number(criterion.scale_min) or not _is_number(criterion.scale_max):
            raise CalibrationError(f"{key}: scale bounds must be numbers", key)
        if not criterion.scale_max > criterion.scale_min:
            raise CalibrationError(f"{key}: scale_max must be above scale_min", key)


def _percent(scores: Mapping[str, float], criterion: Criterion) -> float:
    key, low, high = criterion.key, criterion.scale_min, criterion.scale_max
    if key not in scores:
        raise CalibrationError(f"{key}: score missing", key)
    score = scores[key]
    if not _is_number(score):
        raise CalibrationError(f"{key}: score must be a number, got {score!r}", key)
    if not low <= score <= high:
        raise CalibrationError(f"{key}: score {score} is outside {low}–{high}", key)
    return (score - low) / (high - low) * 100.0


def _is_number(value: object) -> bool:
    is_real = isinstance(value, int | float | np.integer | np.floating)
    return is_real and not isinstance(value, bool | np.bool_) and math.isfinite(value)


# Calibration ------------------------------------------------------------------------------


def reviewer_biases(reviews: Sequence[ScoredReview]) -> dict[Hashable, float]:
    """Each reviewer's additive bias in total points (positive = more lenient than peers).

    Least squares on total = quality(submission) + bias(reviewer), biases summing to zero
    within each connected group; a reviewer who shares no submission with anyone is a
    group of one and gets 0 (nothing to compare against)."""
    _check_reviews(reviews)
    biases: dict[Hashable, float] = {}
    for group in _groups(reviews):
        biases.update(_group_biases(group))
    return biases


def calibrate(reviews: Sequence[ScoredReview]) -> dict[tuple[Hashable, Hashable], float]:
    """Calibrated total per (reviewer, submission): the raw total minus the reviewer's bias."""
    biases = reviewer_biases(reviews)
    return {(r.reviewer, r.submission): r.total - biases[r.reviewer] for r in reviews}


def _check_reviews(reviews: Sequence[ScoredReview]) -> None:
    seen: set[tuple[Hashable, Hashable]] = set()
    for review in reviews:
        pair = (review.reviewer, review.submission)
        if pair in seen:
            raise CalibrationError(
                f"reviewer {review.reviewer!r} reviewed submission {review.submission!r} twice"
            )
        seen.add(pair)
        if not _is_number(review.total):
            raise CalibrationError(
                f"total of reviewer {review.reviewer!r} on submission {review.submission!r} "
                f"must be a finite number, got {review.total!r}"
            )


def _groups(reviews: Sequence[ScoredReview]) -> list[list[ScoredReview]]:
    """Reviews split by connected component of the reviewer–submission graph."""
    parent: dict[tuple[str, Hashable], tuple[str, Hashable]] = {}

    def root(node: tuple[str, Hashable]) -> tuple[str, Hashable]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps the trees flat
            node = parent[node]
        return node

    for review in reviews:
        parent[root(("reviewer", review.reviewer))] = root(("submission", review.submission))
    groups: dict[tuple[str, Hashable], list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        groups[root(("reviewer", review.reviewer))].append(review)
    return list(groups.values())


def _group_biases(group: list[ScoredReview]) -> dict[Hashable, float]:
    """Exact least squares for one connected group.

    Eliminating the qualities (each is the mean of its bias-corrected totals) leaves
    L b = y over the reviewers, L = diag(reviews per reviewer) − Aᵀ diag(1 / reviews per
    submission) A, a weighted Laplacian whose null space in a connected group is the
    constants, and y = each reviewer's summed distance from the submissions' raw means.
    Adding 1 1ᵀ makes it regular and selects the solution whose biases sum to zero."""
    reviewers = list(dict.fromkeys(r.reviewer for r in group))
    submissions = list(dict.fromkeys(r.submission for r in group))
    if len(reviewers) == 1:
        return {reviewers[0]: 0.0}
    row = {key: i for i, key in enumerate(submissions)}
    column = {key: j for j, key in enumerate(reviewers)}
    incidence = np.zeros((len(submissions), len(reviewers)))
    totals = np.zeros_like(incidence)
    for review in group:
        incidence[row[review.submission], column[review.reviewer]] = 1.0
        totals[row[review.submission], column[review.reviewer]] = review.total
    per_submission = incidence.sum(axis=1)
    raw_means = totals.sum(axis=1) / per_submission
    laplacian = np.diag(incidence.sum(axis=0)) - incidence.T @ (incidence / per_submission[:, None])
    distances = (totals - incidence * raw_means[:, None]).sum(axis=0)
    biases = np.linalg.solve(laplacian + 1.0, distances)
    biases -= biases.mean()  # exact in theory; removes the last rounding
    return dict(zip(reviewers, biases.tolist(), strict=True))


# Ranking ----------------------------------------------------------------------------------


def rank_submissions(
    reviews: Sequence[ScoredReview],
    *,
    disagreement_threshold: float = 25.0,
    calibrated: Mapping[tuple, float] | None = None,
) -> list[RankedSubmission]:
    """Submissions best first by mean calibrated total; equal means share a rank (1, 2, 2, 4)."""
    if not _is_number(disagreement_threshold) or disagreement_threshold < 0:
        raise CalibrationError("disagreement_threshold must be a number ≥ 0")
    if calibrated is None:
        calibrated = calibrate(reviews)
    else:
        _check_reviews(reviews)
    by_submission: dict[Hashable, list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        by_submission[review.submission].append(review)
    rows = [
        _summary(submission, items, calibrated, disagreement_threshold)
        for submission, items in by_submission.items()
    ]
    return _with_ranks(rows)


def _summary(
    submission: Hashable,
    reviews: list[ScoredReview],
    calibrated: Mapping[tuple, float],
    threshold: float,
) -> RankedSubmission:
    raw = [review.total for review in reviews]
    adjusted = [_calibrated_value(calibrated, review) for review in reviews]
    spread = max(raw) - min(raw)
    return RankedSubmission(
        submission=submission,
        mean_raw=math.fsum(raw) / len(raw),
        mean_calibrated=math.fsum(adjusted) / len(adjusted),
        rank=0,
        tied=False,
        spread=spread,
        disagreement=spread > threshold,
        review_count=len(reviews),
    )


def _calibrated_value(calibrated: Mapping[tuple, float], review: ScoredReview) -> float:
    pair = (review.reviewer, review.submission)
    if pair not in calibrated:
        raise CalibrationError(f"calibrated has no value for reviewer/submission {pair!r}")
    value = calibrated[pair]
    if not _is_number(value):
        raise CalibrationError(f"calibrated value for {pair!r} must be a finite number")
    return float(value)


def _with_ranks(rows: list[RankedSubmission]) -> list[RankedSubmission]:
    """Standard competition ranking: a run of equal means takes the rank of its first place;
    inside a run, submissions keep the order in which the reviews first named them."""
    order = sorted(range(len(rows)), key=lambda i: -rows[i].mean_calibrated)
    runs: list[list[int]] = []
    for i in order:
        previous = runs[-1][-1] if runs else None
        close = previous is not None and (
            rows[previous].mean_calibrated - rows[i].mean_calibrated <= TIE_TOLERANCE
        )
        if close:
            runs[-1].append(i)
        else:
            runs.append([i])
    ranked, position = [], 1
    for run in runs:
        ranked += [replace(rows[i], rank=position, tied=len(run) > 1) for i in sorted(run)]
        position += len(run)
    return ranked
