"""Lexical affinity (tests run without an embedder): the right expert scores highest."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ecotone.programs.affinity import lexical_similarity


def test_the_matching_expert_has_the_highest_similarity_in_both_languages():
    reviewers = [
        "battery storage electrochemistry",
        "wind turbine aerodynamics",
        "建筑节能 智能电表",
    ]
    submissions = [
        "A battery storage system for homes",
        "Offshore wind turbine blades",
        "楼宇智能电表与节能管理",
    ]
    matrix = lexical_similarity(reviewers, submissions)
    assert list(matrix.argmax(axis=1)) == [0, 1, 2]


def test_unrelated_text_has_no_similarity():
    matrix = lexical_similarity(["forest carbon"], ["electric buses"])
    assert matrix[0, 0] == 0.0


@given(
    st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=4),
    st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=4),
)
def test_similarities_are_between_zero_and_one(reviewers, submissions):
    matrix = lexical_similarity(reviewers, submissions)
    assert matrix.shape == (len(submissions), len(reviewers))
    assert np.all((matrix >= 0) & (matrix <= 1))
