"""The sentence-by-sentence reading of a need against a candidate (pure parts)."""

import numpy as np
import pytest

from ecotone.core.testing import NeedFactory
from ecotone.matching import coverage


def test_sentences_split_at_western_and_chinese_stops_and_drop_fragments():
    text = "We run a port. Ice runs out! 夏天冰不够。我们需要冷库；Ltd."
    assert coverage.sentences(text, 4) == [
        "We run a port.",
        "Ice runs out!",
        "夏天冰不够。",
        "我们需要冷库；",
        "Ltd.",
    ]
    assert coverage.sentences(text, 6) == [
        "We run a port.",
        "Ice runs out!",
        "夏天冰不够。",
        "我们需要冷库；",
    ]


@pytest.mark.django_db
def test_a_need_is_read_as_its_titles_then_each_sentence_of_its_problems():
    need = NeedFactory.build(
        title_en="Cold storage",
        title_zh="冷库",
        problem_en="Ice runs out. We need storage.",
        problem_zh="夏天冰不够。",
    )
    assert coverage.need_sentences(need) == [
        "Cold storage",
        "冷库",
        "Ice runs out.",
        "We need storage.",
        "夏天冰不够。",
    ]


def test_coverage_is_the_mean_of_each_need_sentence_s_best_fit():
    need = np.array([[1.0, 0.0], [0.0, 1.0]])
    # one text answers the first sentence fully; nothing answers the second
    one_part = np.array([[1.0, 0.0], [1.0, 0.0]])
    both_parts = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert coverage.coverage(need, one_part) == pytest.approx(0.5)
    assert coverage.coverage(need, both_parts) == pytest.approx(1.0)
    assert coverage.coverage(need, np.zeros((0, 2))) == 0.0


def test_focus_is_the_mean_of_each_candidate_text_s_best_fit():
    need = np.array([[1.0, 0.0]])
    # two texts, both about the need's one sentence, against one of two and one of four
    focused = np.array([[1.0, 0.0], [1.0, 0.0]])
    diluted = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    assert coverage.focus(need, focused) == pytest.approx(1.0)
    assert coverage.focus(need, diluted) == pytest.approx(0.25)
    # coverage cannot tell them apart: each answers the need's sentence fully
    assert coverage.coverage(need, focused) == coverage.coverage(need, diluted) == 1.0
    assert coverage.focus(need, np.zeros((0, 2))) == 0.0


def test_spread_runs_from_the_least_to_the_most():
    assert coverage.spread([0.8, 0.9, 0.85]) == pytest.approx([0.0, 1.0, 0.5])
    assert coverage.spread([0.7, 0.7]) == [0.0, 0.0]
