"""The relevance gate and text relevance on their own: no index, only sectors."""

import pytest

from ecotone.catalog.models import Sector
from ecotone.matching import relevance
from ecotone.matching.relevance import (
    NEED_TEXT_VIEWS,
    relevance_gate,
    sector_relation,
    text_relevance,
)

pytestmark = pytest.mark.django_db


def sectors(*slugs):
    return [Sector.objects.get(slug=slug) for slug in slugs]


def test_sectors_relate_exactly_as_parent_or_child_or_by_family():
    wanted = sectors("electric-vehicles", "modern-logistics")
    exact = sector_relation(wanted, sectors("electric-vehicles"))
    assert [s.slug for s in exact.exact] == ["electric-vehicles"] and exact.share == 0.5
    parent = sector_relation(wanted, sectors("transport"))
    assert [s.slug for s in parent.related] == ["transport"]
    sibling = sector_relation(wanted, sectors("public-transit"))
    assert sibling.exact == sibling.related == ()
    assert [s.slug for s in sibling.family] == ["public-transit"]
    assert sibling.share == pytest.approx(relevance.FAMILY_SECTOR_CREDIT / 2)
    unrelated = sector_relation(wanted, sectors("ccus"))
    assert unrelated.compared and not (unrelated.exact or unrelated.related or unrelated.family)
    assert not sector_relation([], sectors("ccus")).compared


def test_text_relevance_rewards_agreement_between_the_searches():
    first_everywhere = {"words": 1, "title": 1, "lexical": 1}
    assert text_relevance(first_everywhere, NEED_TEXT_VIEWS) == 1.0
    assert text_relevance({}, NEED_TEXT_VIEWS) == 0.0
    words_only = text_relevance({"words": 1}, NEED_TEXT_VIEWS)
    agreed = text_relevance({"words": 3, "title": 3}, NEED_TEXT_VIEWS)
    assert 0 < words_only < 1 and agreed > text_relevance({"words": 3}, NEED_TEXT_VIEWS)
    assert text_relevance({"words": 2}, NEED_TEXT_VIEWS) < words_only


def test_a_shared_sector_is_evidence_on_the_subject_without_any_text():
    relation = sector_relation(sectors("electric-vehicles"), sectors("electric-vehicles"))
    gate = relevance_gate(relation, {})
    assert gate.passed and gate.reason == "shares sector Electric vehicles and charging"


def test_a_close_sector_needs_a_text_match_beside_it():
    relation = sector_relation(sectors("electric-vehicles"), sectors("public-transit"))
    assert not relevance_gate(relation, {}).passed
    assert relevance_gate(relation, {"words": 40}).passed


def test_one_shared_word_is_not_enough_for_an_unrelated_sector():
    """The demo's need 8: a CO2 shipping terminal shares "port" with an electric-truck
    need; it is found by the words, but not near the top of both searches."""
    relation = sector_relation(sectors("electric-vehicles", "modern-logistics"), sectors("ccus"))
    for places in ({"words": 2}, {"words": 8, "title": 12}, {"words": 3, "title": 40}):
        gate = relevance_gate(relation, places)
        assert not gate.passed, places
        assert gate.reason == "no shared sector and only a weak text match"
    strong = relevance_gate(relation, {"words": 2, "title": 4})
    assert strong.passed and "strong text match" in strong.reason


def test_without_sectors_to_compare_a_close_text_match_suffices():
    relation = sector_relation([], sectors("ccus"))
    assert relevance_gate(relation, {"words": relevance.TEXT_ONLY_PLACE}).passed
    assert not relevance_gate(relation, {"words": relevance.TEXT_ONLY_PLACE + 1}).passed
    assert not relevance_gate(relation, {}).passed


def test_an_unrelated_sector_needs_the_need_s_exact_words_beside_a_strong_text_match():
    """Closeness in meaning alone is a loose likeness: near the top of both searches of a
    need for a mall's air-conditioning control came an airborne wind-energy tool (issue
    12). A candidate in no related sector must be found by the exact words too."""
    relation = sector_relation(sectors("green-building"), sectors("wind-power"))
    by_meaning = relevance_gate(relation, {"words": 1, "title": 1}, "lexical")
    assert not by_meaning.passed
    assert by_meaning.reason == "no shared sector and only a weak text match"
    by_words_too = relevance_gate(relation, {"words": 1, "title": 1, "lexical": 40}, "lexical")
    assert by_words_too.passed and "strong text match" in by_words_too.reason
    # without sectors to compare, and without a search of the exact words, as before
    unnamed = sector_relation([], sectors("wind-power"))
    assert relevance_gate(unnamed, {"words": 1, "title": 1}, "lexical").passed
    assert relevance_gate(relation, {"words": 1, "title": 1}).passed


def test_a_close_sector_needs_a_close_text_match_or_the_exact_words():
    relation = sector_relation(sectors("electric-vehicles"), sectors("public-transit"))
    place = relevance.TEXT_ONLY_PLACE
    assert relevance_gate(relation, {"words": place}, "lexical").passed
    assert relevance_gate(relation, {"words": 40, "lexical": 60}, "lexical").passed
    far = relevance_gate(relation, {"words": place + 1, "title": 2}, "lexical")
    assert not far.passed
    # a venture's single search has no exact-words view: any text match still counts
    assert relevance_gate(relation, {"words": 40}).passed
