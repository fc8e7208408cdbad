"""The judged needs of ``benchmarks/matching_quality.py``: how they are split into a dev and a
test half, and that the shipped set keeps to that rule."""

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[4] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCHMARKS))  # the script imports its sibling modules by name
    try:
        yield importlib.import_module("matching_quality")
    finally:
        sys.path.remove(str(BENCHMARKS))


def need(key: str, language: str = "en", round_: int | None = None) -> dict:
    text = {"en": ("title_en", "problem_en"), "zh": ("title_zh", "problem_zh")}[language]
    item: dict = {"id": key, "need": dict.fromkeys(text, "text"), "relevant": {"x": 1}}
    if round_ is not None:
        item["round"] = round_
    return item


def test_a_new_round_leaves_every_earlier_need_in_its_half(bench):
    first = [need(f"m{n:02}") for n in range(1, 12)] + [need(f"m{n}", "zh") for n in range(12, 20)]
    before = bench.expected_splits(first)
    later = [need(f"m{n}", "en", 8) for n in range(45, 52)] + [need("m52", "zh", 8)]
    after = bench.expected_splits(first + later)
    assert {key: after[key] for key in before} == before


def test_a_round_is_split_half_and_half_within_each_language(bench):
    later = [need(f"m{n}", "en", 8) for n in range(45, 53)]
    halves = list(bench.expected_splits(later).values())
    assert halves.count("dev") == halves.count("test") == 4


def test_the_shipped_set_keeps_to_the_split_rule(bench):
    items = bench.load(bench.JUDGEMENTS)
    bench.check_splits(items)  # exits with a message naming the needs that break it
    assert all(item["relevant"] for item in items)


def test_the_shipped_set_has_enough_english_needs_in_each_half(bench):
    items = bench.load(bench.JUDGEMENTS)
    english = [i for i in items if bench.need_language(i) == "en"]
    assert sum(i["split"] == "test" for i in english) >= 15
    assert sum(i["split"] == "dev" for i in english) >= 15


@pytest.fixture(scope="module")
def replay():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("matching_replay")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_replay_scores_as_the_product_does(replay):
    """``matching_replay.py`` copies the product's weights and text fit: they must agree."""
    from ecotone.matching import coverage, relevance, scoring

    product = replay.PRODUCT
    first_pass = {k: v for k, v in scoring.NEED_WEIGHTS.items() if k not in ("coverage", "focus")}
    assert product["weights"] == first_pass
    assert (product["coverage"], product["focus"]) == (
        scoring.NEED_WEIGHTS["coverage"],
        scoring.NEED_WEIGHTS["focus"],
    )
    assert product["depth"] == coverage.DEPTH
    assert product["rank_constant"] == relevance.RANK_CONSTANT
    assert product["views"] == tuple((v.name, v.weight) for v in relevance.NEED_TEXT_VIEWS)
    for places in ({"words": 1, "title": 3}, {"lexical": 7}, {"words": 12, "lexical": 2}, {}):
        expected = relevance.text_relevance(places, relevance.NEED_TEXT_VIEWS)
        assert replay.text_fit(places, product["views"], product["rank_constant"]) == expected


def test_the_replay_keeps_the_product_gate_unless_a_setting_replaces_it(replay):
    need = {
        "rows": [
            {"id": "kept", "gate": True, "excluded": False, "places": {"words": 9}, "parts": {}},
            {"id": "gated", "gate": False, "excluded": False, "places": {"words": 1}, "parts": {}},
        ]
    }
    assert replay.ranking_of(need, replay.PRODUCT) == ["kept"]
    opened = {**replay.PRODUCT, "gate": lambda row: True}
    assert replay.ranking_of(need, opened) == ["gated", "kept"]
