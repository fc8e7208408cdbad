"""The ranking policy: reciprocal-rank fusion, language interleaving, score fusion and the
rules for sentence-long queries."""

from dataclasses import replace

import pytest

from ecotone.core.testing import SolutionFactory
from ecotone.search import queries
from ecotone.search.fusion import (
    FusionSettings,
    fuse,
    interleave_by_language,
    normalise,
    query_words,
    reciprocal_rank_fusion,
    score_fusion,
)
from ecotone.search.passages import document_chunks, record_passages
from ecotone.search.queries import search_records


def test_rrf_rewards_agreement_and_respects_weights():
    rankings = {"lexical": ["a", "b", "c"], "e5": ["b", "d"]}
    fused = reciprocal_rank_fusion(rankings, {"lexical": 1.0, "e5": 1.0}, rank_constant=60)
    assert [key for key, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == 1 / 62 + 1 / 61
    heavy = reciprocal_rank_fusion(rankings, {"lexical": 1.0, "e5": 3.0}, rank_constant=60)
    assert [key for key, _ in heavy][:2] == ["b", "d"]


def test_interleaving_lifts_the_best_answer_in_the_other_language():
    fused = [("zh1", 0.9), ("zh2", 0.8), ("zh3", 0.7), ("en1", 0.6), ("en2", 0.5)]
    language = {"zh1": "zh", "zh2": "zh", "zh3": "zh", "en1": "en", "en2": "en"}
    interleaved = interleave_by_language(fused, language, "zh", 1.0, 1)
    assert [key for key, _ in interleaved] == ["zh1", "en1", "zh2", "en2", "zh3"]
    scores = [score for _, score in interleaved]
    assert scores == sorted(scores, reverse=True)  # what an API client sees falls with rank
    # a lighter other language waits longer for its turn
    order = [key for key, _ in interleave_by_language(fused, language, "zh", 0.5, 1)]
    assert order == ["zh1", "zh2", "zh3", "en1", "en2"]


def test_single_language_results_keep_the_fused_order():
    rankings = {"lexical": ["a", "b"], "use-m3": ["c"]}
    settings = FusionSettings(weights={"lexical": 1.0, "use-m3": 1.0})
    assert [key for key, _ in fuse(rankings, {}, "en", settings)] == ["a", "c", "b"]


def test_passages_one_per_language_with_short_fields_joining_the_first():
    texts = {
        "name_en": "Sun Power",
        "name_zh": "",
        "description_en": "We build rooftop solar for factories across the delta.",
        "city": "Shenzhen",
        "city_zh": "深圳",
    }
    passages = record_passages(texts, tuple(texts))
    assert [(p.language, p.text) for p in passages] == [
        ("en", "Sun Power. We build rooftop solar for factories across the delta. Shenzhen. 深圳")
    ]
    texts["name_zh"] = "太阳能公司"
    languages = [p.language for p in record_passages(texts, tuple(texts))]
    assert languages == ["en", "zh"]


def test_long_documents_are_chunked_by_paragraph_with_their_page():
    page_one = "\n\n".join(["First paragraph."] * 3)
    page_two = "x" * 2500
    chunks = document_chunks(f"{page_one}\f{page_two}")
    assert chunks[0] == ("p. 1", " ".join(["First paragraph."] * 3))
    assert [label for label, _ in chunks[1:]] == ["p. 2", "p. 2", "p. 2"]
    assert max(len(text) for _, text in chunks) <= 1000
    passages = record_passages(
        {"title_en": "Report", "text": f"{page_one}\f{page_two}"}, ("title_en", "text"), ("text",)
    )
    assert passages[1].label == "p. 1" and passages[1].text.startswith("Report. First")


def test_a_scaled_ranking_weighs_more_in_the_fusion():
    rankings = {"lexical": ["a", "b"], "e5:zh-only": ["c"]}
    settings = FusionSettings(weights={"lexical": 1.0}, interleave=False)
    plain = fuse(rankings, {}, "en", settings)
    assert [key for key, _ in plain] == ["a", "c", "b"]
    scaled = fuse(rankings, {}, "en", settings, scale={"e5:zh-only": 2.0})
    assert next(key for key, _ in scaled) == "c"


def test_the_first_place_of_the_strongest_ranking_is_not_outvoted_by_the_middle():
    """The shipped fusion (``queries.FUSION``): a record e5 alone puts first stays above
    one that every ranking puts 20th. With RRF's usual constant (60) the 20th won: the
    first places of a ranking counted hardly more than the twentieth."""
    from ecotone.search.queries import FUSION

    filler = [f"x{n}" for n in range(19)]
    rankings = {
        "lexical": [*filler, "everywhere"],
        "e5-small-q4": ["first", *filler[:18], "everywhere"],
        "use-m3": [*filler, "everywhere"],
    }
    assert rankings["e5-small-q4"].index("everywhere") == 19
    fused = [key for key, _ in fuse(rankings, {}, "en", FUSION)]
    assert fused.index("first") < fused.index("everywhere")


def test_scores_normalised_over_the_querys_candidates():
    assert normalise([3.0, 2.0, 1.0], "minmax") == [1.0, 0.5, 0.0]
    assert normalise([4.0, 2.0], "max") == [1.0, 0.5]
    assert normalise([2.0, 0.0], "zscore") == [1.0, -1.0]
    assert normalise([0.9, 0.9], "minmax") == [1.0, 1.0]  # one score: all equally good
    assert normalise([], "minmax") == []


def test_score_fusion_keeps_how_far_apart_a_retriever_puts_two_candidates():
    # BM25 puts "a" far ahead of "b"; e5 puts "b" barely ahead of "a": by rank the two
    # rankings cancel out, by normalised score BM25's clear verdict wins
    rankings = {"lexical": ["a", "b", "c"], "e5": ["b", "a", "c"]}
    scores = {"lexical": [30.0, 10.0, 9.0], "e5": [0.90, 0.89, 0.80]}
    weights = {"lexical": 1.0, "e5": 1.0}
    fused = score_fusion(rankings, scores, weights, "minmax")
    assert [key for key, _ in fused] == ["a", "b", "c"]
    assert fused[0][1] == 1.0 + 0.9  # 1 from BM25, (0.89 − 0.80) / (0.90 − 0.80) from e5
    # a key one ranking does not hold gets nothing from it
    only = score_fusion({"lexical": ["a"], "e5": ["b"]}, {"lexical": [5.0], "e5": [0.8]}, {}, "max")
    assert dict(only) == {"a": 1.0, "b": 1.0}


def test_fuse_combines_scores_only_when_asked_and_given_them():
    rankings = {"lexical": ["a", "b"], "e5": ["b", "a"]}
    scores = {"lexical": [30.0, 1.0], "e5": [0.90, 0.89]}
    weights = {"lexical": 1.0, "e5": 1.0}
    by_rank = FusionSettings(weights=weights, interleave=False)
    # equal rank sums: the key breaks the tie under reciprocal-rank fusion
    assert [k for k, _ in fuse(rankings, {}, "en", by_rank, scores=scores)] == ["a", "b"]
    rankings = {"lexical": ["b", "a"], "e5": ["a", "b"]}
    scores = {"lexical": [30.0, 1.0], "e5": [0.90, 0.89]}
    assert [k for k, _ in fuse(rankings, {}, "en", by_rank, scores=scores)] == ["a", "b"]
    by_score = FusionSettings(
        weights=weights, interleave=False, method="convex", normalisation="max"
    )
    assert [k for k, _ in fuse(rankings, {}, "en", by_score, scores=scores)] == ["b", "a"]
    # without scores the fusion is by rank whatever the method
    assert [k for k, _ in fuse(rankings, {}, "en", by_score)] == ["a", "b"]


def test_query_words_counts_latin_words_and_two_chinese_characters_as_one():
    assert query_words("electric trucks for port logistics") == 5
    assert query_words("光伏发电功率预测") == 4
    assert query_words("CCUS 政策") == 2
    assert query_words("") == 0


def test_a_sentence_long_query_scales_its_rankings_weights():
    settings = FusionSettings(
        weights={"lexical": 0.5, "e5": 2.0},
        long_query_words=8,
        long_query_scale={"lexical": 3.0},
    )
    assert settings.weights_for("en", 5) == {"lexical": 0.5, "e5": 2.0}
    assert settings.weights_for("en", 8) == {"lexical": 1.5, "e5": 2.0}
    never = FusionSettings(weights={"lexical": 0.5}, long_query_scale={"lexical": 3.0})
    assert never.weights_for("en", 40) == {"lexical": 0.5}


def test_a_sentence_long_query_has_its_own_rank_constant_and_word_weight():
    settings = FusionSettings(
        weights={},
        rank_constant=20,
        long_query_words=10,
        long_query_rank_constant=10,
        long_query_word_weight=3.0,
    )
    assert (settings.rank_constant_for(4), settings.rank_constant_for(10)) == (20, 10)
    assert (settings.word_weight_for(4, 0.4), settings.word_weight_for(12, 0.4)) == (0.4, 3.0)
    # a smaller k lets one ranking's first place count more against a third place that
    # two rankings share
    rankings = {"e5": ["a", "x", "b"], "use-m3": ["c", "y", "b"]}
    weighed = FusionSettings(
        weights={"e5": 2.0, "use-m3": 1.0},
        rank_constant=60,
        interleave=False,
        long_query_words=10,
        long_query_rank_constant=1,
    )
    assert fuse(rankings, {}, "en", weighed, words=4)[0][0] == "b"
    assert fuse(rankings, {}, "en", weighed, words=12)[0][0] == "a"


@pytest.mark.django_db
def test_a_sentence_long_query_lifts_the_record_holding_its_words(settings, committed, monkeypatch):
    """With the real models: a claim of fourteen words is fused as a sentence (BM25 and the
    words a record holds weigh more, ``queries.FUSION.long_query_*``), so the record that
    holds its words ("sea", "grow") passes one that is only close in meaning; a query of
    keywords ranks as before."""
    settings.ECOTONE_EMBEDDER = "default"
    texts = {
        "Sea ice records": "Satellite records show the thickness of Arctic sea ice falling "
        "in most years since 1979.",
        "Polar ice cap": "The polar ice cap in the far north keeps shrinking as the climate warms.",
        "Antarctic ice": "Antarctic ice shelves lose mass to warmer ocean water underneath them.",
        "Greenland melt": "Summer melting of Greenland glaciers has sped up over recent decades.",
        "Northern ice": "Ice cover in the northern polar ocean has retreated and thinned.",
        "Winter freeze": "Each winter the frozen surface of northern seas grows back, though "
        "less than before.",
    }
    with committed():
        names = {
            SolutionFactory(title_en=title, description_en=text).external_id: title
            for title, text in texts.items()
        }
    claim = "Arctic sea ice has been growing thicker every year since the satellite records began"
    keywords = "arctic sea ice thickness"

    def ranked(q):  # the solutions' order (their providers are indexed too)
        found = search_records(q, mode="hybrid").results
        return [names[r["external_id"]] for r in found if r["external_id"] in names]

    as_sentence, keyword_order = ranked(claim), ranked(keywords)
    assert as_sentence.index("Winter freeze") < as_sentence.index("Northern ice")
    monkeypatch.setattr(queries, "FUSION", replace(queries.FUSION, long_query_words=0))
    as_keywords = ranked(claim)
    assert as_keywords.index("Northern ice") < as_keywords.index("Winter freeze")
    assert ranked(keywords) == keyword_order


@pytest.mark.django_db
def test_the_words_of_a_candidate_found_by_meaning_alone_are_weighed_too(
    settings, committed, monkeypatch
):
    """A record the word search did not return is still weighed by the words it holds
    once it is among the first fused candidates (``FusionSettings.words_depth``). Here the
    word search's window is three places, filled by short records holding two of the
    claim's words in their titles; the record that holds all of them in its English
    description (and a long Chinese annex, which sinks it in BM25) was found by meaning
    alone, counted as holding none of the words and came after them."""
    settings.ECOTONE_EMBEDDER = "use"
    titles = ["Mercury fish", "Coal mercury", "Rivers fish", "Poisons mercury"]
    with committed():
        names = {SolutionFactory(title_en=title).pk: title for title in titles}
        report = SolutionFactory(
            title_en="Report 17",
            description_en="Burning coal in power stations releases mercury, which settles "
            "in rivers and poisons the fish.",
            description_zh="附件列出了各个采样地点、实验室和分析方法。" * 60,
        )
        names[report.pk] = "Report 17"
    claim = (
        "Burning coal in power stations releases mercury that settles into rivers and poisons fish"
    )
    monkeypatch.setattr(queries, "CANDIDATES", 3)  # each retriever's window

    def ranked():
        return [names[pk] for _, pk in queries.retrieve(claim, kinds=("solution",), limit=10).keys]

    assert ranked()[0] == "Report 17"
    monkeypatch.setattr(queries, "FUSION", replace(queries.FUSION, words_depth=0))
    assert ranked().index("Report 17") > 0
