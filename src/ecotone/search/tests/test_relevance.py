"""Real matches, related records and "nothing found" (search.relevance)."""

import pytest

from ecotone.core.testing import CaseFactory, SolutionFactory
from ecotone.search.backends.base import DenseHit, SearchHit
from ecotone.search.concepts import WeighedConcepts
from ecotone.search.embedding import get_embedders
from ecotone.search.queries import RELEVANCE, _Search, search_records
from ecotone.search.relevance import (
    Evidence,
    RelevanceSettings,
    StoredWords,
    order,
    title_match,
    weigh_words,
)
from ecotone.search.text import coverage_terms, coverage_units, query_terms

SETTINGS = RelevanceSettings(
    min_coverage=0.5,
    strong={"e5": 0.85},
    answer={"e5": 0.9},
    answer_coverage=0.67,
)


def test_coverage_counts_english_stems_chinese_substrings_and_prefixes():
    words = StoredWords.of({"title": "Heat pumps for buildings", "body": "公共建筑节能改造"})
    assert words.coverage(query_terms("heat pump")) == 1.0
    assert words.coverage(query_terms("heat exchanger")) == 0.5
    assert words.coverage(query_terms("build*")) == 1.0
    assert words.coverage(query_terms("建筑节能")) == 1.0
    assert words.coverage(query_terms("巴拉巴拉")) == 0.0
    assert words.coverage([]) == 0.0


def test_a_title_matches_exactly_whatever_the_case_width_script_or_spaces():
    assert title_match("Heat  Pumps for buildings", ["heat pumps for Buildings."], SETTINGS) == 2
    assert title_match("公共建築節能改造", ["公共建筑节能改造"], SETTINGS) == 2  # Traditional
    assert title_match("ＤＡＣ", ["DAC"], SETTINGS) == 2  # full-width
    assert title_match("heat pumps", ["Heat pumps for buildings"], SETTINGS) == 1
    assert title_match("heat", ["Heat pumps for buildings"], SETTINGS) == 0  # one word
    assert title_match("直接空气捕集", ["模块化直接空气捕集装置"], SETTINGS) == 1
    assert title_match("捕集", ["模块化直接空气捕集装置"], SETTINGS) == 0  # too short
    assert title_match("", ["anything"], SETTINGS) == 0


def test_exact_titles_lead_and_weak_neighbours_follow_every_match():
    ranked = [("near", 0.9), ("words", 0.8), ("weak", 0.7), ("title", 0.1)]
    evidence = {
        "near": Evidence(similarity={"e5": 0.92}),
        "words": Evidence(coverage=1.0, vouching_coverage=1.0),
        "weak": Evidence(similarity={"e5": 0.84}),
        "title": Evidence(coverage=1.0, title=2),
    }
    matches, related = order(ranked, evidence, SETTINGS)
    assert [key for key, _ in matches] == ["title", "near", "words"]
    assert [key for key, _ in related] == ["weak"]


def test_the_words_a_record_holds_move_it_up_the_fused_list():
    """Fusion by rank alone put a record holding one word of the query above one holding
    them all when the models ranked it a little higher (``queries.RELEVANCE``)."""
    from ecotone.search.queries import RELEVANCE

    ranked = [("close", 0.050), ("every_word", 0.045), ("unknown", 0.040)]
    evidence = {
        "close": Evidence(coverage=0.2, similarity={"e5-small-q4": 0.9}),
        "every_word": Evidence(coverage=1.0, vouching_coverage=1.0),
    }
    weighed = weigh_words(ranked, evidence, RELEVANCE)
    assert [key for key, _ in weighed] == ["every_word", "close", "unknown"]
    assert weighed[0][1] == pytest.approx(0.045 * (1 + RELEVANCE.word_weight))
    assert weigh_words(ranked, evidence, SETTINGS) == ranked  # no weight: the fused order
    matches, _ = order(weighed, evidence, RELEVANCE)
    assert [key for key, _ in matches] == ["every_word", "close"]


def test_a_keyword_querys_words_outweigh_a_few_places_of_the_models():
    """With the shipped fusion (``queries.FUSION``, a four-word query), a record holding
    every word of the query, BM25's first and e5's tenth, passes one both models put first
    that holds none of them: e5 weighs four times BM25, so by rank alone the models' pick
    scores 1.6 times as much. At the weight of before round 14 (0.4) the words moved a
    record up only past near neighbours: 冰岛直接空气捕集 left two of its six Icelandic DAC
    sites, each in the first ten of both BM25 and e5, out of its first ten (catalogue
    dev nDCG@10 0.589; now all six are in, 0.808)."""
    from ecotone.search.fusion import fuse
    from ecotone.search.queries import FUSION

    rankings = {
        "lexical": ["every_word"],
        "e5-small-q4": ["close", *(f"e5_{n}" for n in range(2, 10)), "every_word"],
        "use-m3": ["close"],
    }
    fused = fuse(rankings, {}, "en", FUSION, words=4)
    assert fused[0][0] == "close"  # by rank alone
    evidence = {"close": Evidence(coverage=0.0), "every_word": Evidence(coverage=1.0)}
    assert weigh_words(fused, evidence, RELEVANCE)[0][0] == "every_word"


def test_without_one_strong_answer_there_is_nothing():
    ranked = [("a", 0.5), ("b", 0.4)]
    evidence = {
        "a": Evidence(similarity={"e5": 0.88}, vouching_similarity={"e5": 0.88}),
        "b": Evidence(coverage=0.5, vouching_coverage=0.5),
    }
    assert order(ranked, evidence, SETTINGS) == ([], [])
    evidence["b"] = Evidence(coverage=0.67, vouching_coverage=0.67)
    assert [key for key, _ in order(ranked, evidence, SETTINGS)[0]] == ["a", "b"]


def test_evidence_that_cannot_vouch_ranks_but_does_not_answer():
    """A glossed word of a sports question may match a record fully; it is not the
    question."""
    ranked = [("a", 0.5)]
    glossed = {"a": Evidence(coverage=1.0, similarity={"e5": 0.95})}
    assert order(ranked, glossed, SETTINGS) == ([], [])
    glossed["a"].vouching_similarity = {"e5": 0.95}
    assert order(ranked, glossed, SETTINGS)[0] == [("a", 0.5)]


def test_a_chinese_query_needs_a_closer_neighbour_to_have_an_answer():
    settings = RelevanceSettings(
        strong={"e5": 0.9}, answer={"e5": 0.9}, chinese_query_answer={"e5": 0.95}
    )
    evidence = {"a": Evidence(similarity={"e5": 0.92}, vouching_similarity={"e5": 0.92})}
    assert order([("a", 1.0)], evidence, settings, "en")[0] == [("a", 1.0)]
    assert order([("a", 1.0)], evidence, settings, "zh") == ([], [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["qwertyzzk", "xkcd zzvv plorf", "巴拉巴拉咕噜", "chocolate cake recipe"]
)
def test_nonsense_finds_nothing_with_the_real_models(settings, committed, query):
    settings.ECOTONE_EMBEDDER = "default"
    assert get_embedders()
    with committed():
        SolutionFactory(
            title_en="Modular direct air capture units",
            description_en="Containerised sorbent units that capture CO2 from ambient air.",
        )
        SolutionFactory(
            title_zh="公共建筑节能改造", description_zh="学校和医院的照明与暖通空调改造。"
        )
    page = search_records(query, mode="hybrid")
    assert page.results == []
    assert page.empty_reason == "no_match"
    assert search_records("direct air capture", mode="hybrid").results  # real words still do


@pytest.mark.django_db
def test_a_record_written_only_in_chinese_is_first_for_its_own_title(settings, committed):
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        target = SolutionFactory(
            title_zh="公共建筑节能改造", description_zh="学校和医院的照明与暖通空调改造。"
        )
        for topic in ("建筑节能监测平台", "公共建筑能耗统计", "既有建筑节能改造技术导则"):
            SolutionFactory(title_zh=topic, description_zh=f"{topic}，面向公共建筑和节能改造。")
    page = search_records("公共建筑节能改造", mode="hybrid")
    assert page.results[0]["external_id"] == target.external_id
    assert page.results[0]["match"] == "match"


def test_chinese_coverage_counts_words_not_the_bigrams_between_them():
    terms = coverage_terms("大功率电动汽车快充桩")
    tokens = {term.token for term in terms}
    assert "电动汽车" in tokens
    assert not tokens & {"率电", "动汽", "车快"}  # bigrams across word boundaries
    # a record saying the same in another order holds every word, if not every bigram
    words = StoredWords.of({"title": "大功率直流快充桩，为电动汽车快速补电"})
    assert words.coverage(terms) == 1.0
    assert words.coverage(query_terms("大功率电动汽车快充桩")) < 1.0


@pytest.mark.django_db
def test_words_only_search_says_nothing_answers_as_the_fused_search_does(committed):
    """Words alone (no embedder): a query sharing one common word with the catalogue finds
    nothing, however the query is searched."""
    with committed():
        SolutionFactory(title_en="Concert hall heat recovery", description_en="Tour of a plant")
        SolutionFactory(title_en="Grid dates and schedules", description_en="Tour planning")
    nothing = search_records("taylor swift world tour", mode="lexical")
    assert (nothing.results, nothing.empty_reason, nothing.next) == ([], "no_match", None)
    assert search_records("concert hall heat recovery", mode="lexical").results


@pytest.mark.django_db
def test_an_english_description_finds_a_record_written_only_in_chinese(settings, committed):
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        target = SolutionFactory(
            title_en="",
            description_en="",
            title_zh="无六氟化硫环保气体绝缘开关柜",
            description_zh="用干燥空气代替六氟化硫作绝缘介质的中压开关柜，消除六氟化硫泄漏排放。",
        )
        for title in (
            "Medium voltage grid monitoring",
            "Voltage regulation for rural feeders",
            "Substation asset management software",
            "Smart meters for low voltage networks",
        ):
            SolutionFactory(title_en=title, description_en=f"{title} for distribution utilities.")
    page = search_records("SF6 free medium voltage switchgear", mode="hybrid")
    top = [result["external_id"] for result in page.results[:3]]
    assert target.external_id in top


def _port_catalogue():
    """The demo's "electric trucks for port logistics" in small: one record holds every
    word; a CO2 shipping case holds only the query's two commonest words ("electric" of a
    utility's name, "port"), which other records share too."""
    every_word = SolutionFactory(
        title_en="Electric trucks for port logistics",
        description_en="Battery trucks and chargers for container terminal logistics.",
    )
    shipping = CaseFactory(
        title_en="Port cluster CO2 shipping",
        description_en="Chubu Electric captures CO2 at the port and ships it abroad.",
    )
    for thing in ("boilers", "grid maps", "ferries", "kilns"):  # "electric": common
        SolutionFactory(title_en=f"Electric {thing}", description_en=f"Electric {thing}.")
    for thing in ("emissions", "dredging", "tariffs", "cranes"):  # "port": common
        SolutionFactory(title_en=f"Port {thing}", description_en=f"Port {thing} data.")
    for topic in ("Soil carbon", "Peatland", "Mangroves", "Wind farms", "Heat pumps"):
        for place in ("maps", "monitoring", "finance", "models"):
            SolutionFactory(title_en=f"{topic} {place}", description_en=f"{topic} and {place}.")
    return every_word, shipping


@pytest.mark.django_db
def test_sharing_only_the_querys_common_words_is_related_not_a_match(committed):
    """By IDF alone the shipping case held about 40% of the query's weight (two words of
    four) and ranked among the matches; counted by IDF squared it holds under a third."""
    with committed():
        every_word, shipping = _port_catalogue()
    results = search_records("electric trucks for port logistics", mode="lexical").results
    verdict = {r["external_id"]: r["match"] for r in results}
    assert verdict[every_word.external_id] == "match"
    assert verdict[shipping.external_id] == "related"
    assert results[0]["external_id"] == every_word.external_id
    assert all(r["match"] == "related" for r in results[1:])


def test_one_model_alone_must_be_very_close_two_agreeing_witnesses_less_so():
    """e5 alone found gibberish a neighbour at 0.865 and USE alone a crypto-mining question
    one at 0.41; a record that two witnesses place near the query, each less close, is an
    answer (the shipped levels, ``queries.RELEVANCE``)."""
    from ecotone.search.queries import RELEVANCE

    def answered(language="en", coverage=0.0, **cosines):
        cosines = {space.replace("_", "-"): score for space, score in cosines.items()}
        found = Evidence(
            coverage=coverage,
            vouching_coverage=coverage,
            similarity=dict(cosines),
            vouching_similarity=dict(cosines),
        )
        return order([("a", 1.0)], {"a": found}, RELEVANCE, language) != ([], [])

    assert not answered(e5_small_q4=0.865)  # one model, not close enough
    assert not answered(use_m3=0.41)
    assert answered(e5_small_q4=0.88)  # one model, very close
    assert answered(e5_small_q4=0.83, use_m3=0.305)  # both models agree
    assert answered(coverage=0.25, e5_small_q4=0.825)  # a model and a fifth of the words
    assert not answered(coverage=0.25)  # words alone: the share they need
    assert not answered("zh", e5_small_q4=0.83, use_m3=0.31)  # Chinese: USE from 0.33
    assert answered("zh", e5_small_q4=0.83, use_m3=0.34)
    # a witness that may not vouch (an English query's Chinese glossary terms) is no witness
    unvouched = Evidence(similarity={"e5-small-q4": 0.83, "use-m3": 0.35})
    assert order([("a", 1.0)], {"a": unvouched}, RELEVANCE) == ([], [])


@pytest.mark.django_db
def test_words_only_a_long_question_holding_its_topic_words_has_an_answer(committed):
    # every record speaks of sea level; the question's rare words are filler no record
    # holds, and by rarity they outweigh the topic words it shares with them
    with committed():
        for place in ("Jakarta", "Miami", "Venice", "Lagos", "Dhaka", "Manila"):
            SolutionFactory(title_en=f"Sea level rise defences for {place}")
        wanted = SolutionFactory(
            title_en="Sea level rise and ocean temperature",
            description_en="How warmer ocean water expands and raises the sea level.",
        )
    question = "Sea level rise does not seem to depend on ocean temperature, certainly not"
    found = search_records(question, mode="lexical")
    assert found.results[0]["external_id"] == wanted.external_id
    assert search_records("seem certainly plorf", mode="lexical").results == []


def test_two_models_corroborate_only_when_both_put_the_record_among_their_first():
    """Nonsense finds neighbours in each model, rarely the same record: 红烧鱼的做法 met a
    record USE put first and e5 65th (both above their corroborating levels). Two models
    vouch together when each ranks the record among its first ``agreeing_rank``; a model
    and the words a record holds need no such agreement."""
    from dataclasses import replace

    from ecotone.search.queries import RELEVANCE as SHIPPED

    RELEVANCE = replace(SHIPPED, agreeing_rank=10)  # measured, ships off (queries.py)

    def answered(ranks, coverage=0.0, language="zh"):
        cosines = {"e5-small-q4": 0.83, "use-m3": 0.37}
        found = Evidence(
            coverage=coverage,
            vouching_coverage=coverage,
            similarity=dict(cosines),
            vouching_similarity=dict(cosines),
            vouching_rank=dict(zip(cosines, ranks, strict=True)),
        )
        return order([("a", 1.0)], {"a": found}, RELEVANCE, language) != ([], [])

    assert not answered((64, 0))  # USE's first, e5's 65th: no agreement
    assert not answered((0, 34))
    assert answered((3, 0))  # both among their first ten
    assert answered((64, 0), coverage=0.25)  # a model and a fifth of the words
    off = RelevanceSettings(answer={}, corroborate=RELEVANCE.corroborate)
    loose = Evidence(
        vouching_similarity={"e5-small-q4": 0.83, "use-m3": 0.37},
        vouching_rank={"e5-small-q4": 64, "use-m3": 0},
    )
    assert order([("a", 1.0)], {"a": loose}, off, "en") != ([], [])  # 0: anywhere


def test_a_glossed_words_sense_is_held_only_whole():
    """电动卡车 is one word, glossed "electric truck": a record naming a utility "Chubu
    Electric" holds no part of it, though it holds the sense's commoner word."""
    terms, units = coverage_units(["port", "electric truck"])
    assert [term.token for term in terms] == ["port", "electr", "truck"]
    assert units == [(0,), (1, 2)]
    shipping = StoredWords.of({"title": "Port CO2 shipping by Chubu Electric"})
    trucks = StoredWords.of({"title": "Battery electric trucks at the port"})
    assert shipping.coverage(terms) == pytest.approx(2 / 3)  # word by word
    assert shipping.coverage(terms, None, units) == pytest.approx(1 / 3)
    assert trucks.coverage(terms, None, units) == 1.0


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["港口 电动卡车", "港口物流电动卡车"])
def test_a_chinese_query_holding_a_glossed_word_in_part_is_related(committed, query):
    """The Chinese query's gloss, "port (logistics) electric truck", held by the shipping
    case only in "port" and the utility's "electric": related, as for the English query."""
    with committed():
        every_word, shipping = _port_catalogue()
    results = search_records(query, mode="lexical").results
    verdict = {r["external_id"]: r["match"] for r in results}
    assert results[0]["external_id"] == every_word.external_id
    assert verdict[every_word.external_id] == "match"
    assert verdict[shipping.external_id] == "related"


def _hand_built_search(query: str) -> _Search:
    """A hybrid search of ``query`` made by the real constructor (so every attribute a later
    rule reads exists) without running it: each test sets the rankings it is about."""
    return _Search(query, query_terms(query), {}, "hybrid", ())


def test_meaning_alone_matches_only_near_the_querys_best_cosine_in_that_space():
    """A Chinese query's terse English gloss reaches lower cosines than its answer does by
    the query's own text: the floor is the best of both, less ``match_gap``; the English
    query's Chinese glossary terms' ranking, apart, sets none."""
    search = _hand_built_search("港口电动卡车")
    search.dense_hits = {
        "e5-small-q4": {"need:8": DenseHit("need", 8, 0.93, 0, "en")},
        "e5-small-q4:en": {"case:56": DenseHit("case", 56, 0.835, 0, "en")},
        "e5-small-q4:zh": {"need:9": DenseHit("need", 9, 0.99, 0, "zh")},
        "use-m3": {"need:8": DenseHit("need", 8, 0.35, 0, "en")},
    }
    search.lexical_hits, search.chinese_only_keys = {}, set()
    search.translation, search.chinese_share, search._coverage_idf = None, 0.0, []
    search._units = {"own": ([], None), "translated": ([], None), "chinese": ([], None)}
    floors = search._close_enough()
    assert floors == {"e5-small-q4": pytest.approx(0.93 - RELEVANCE.match_gap["e5-small-q4"])}
    evidence = search._evidence([("need:8", 1.0), ("case:56", 0.5)])
    assert evidence["case:56"].similarity == {}  # too far under the best: no match by meaning
    assert evidence["case:56"].vouching_similarity == {"e5-small-q4": 0.835}  # still a witness
    assert evidence["need:8"].similarity == {"e5-small-q4": 0.93, "use-m3": 0.35}


def _english_query_with_glossary_terms(
    query: str, chinese_text: str, share: float, hits: list[SearchHit], idf: dict[str, float]
) -> _Search:
    """A search of English ``query`` whose Chinese glossary terms are ``chinese_text``,
    standing for ``share`` of it, that found ``hits`` by words (term weights: ``idf``)."""
    search = _hand_built_search(query)
    search.chinese_share, search.gloss_trust = share, 1.0
    search.dense_hits, search.chinese_only_keys, search.fetched = {}, set(), {}
    search.lexical_hits = {hit.key: hit for hit in hits}
    own, chinese = coverage_terms(query), coverage_terms(chinese_text)
    search._units = {"own": (own, None), "translated": ([], None), "chinese": (chinese, None)}
    search._coverage_idf = [idf.get(term.token, 1.0) for term in [*own, *chinese]]
    search._concepts = WeighedConcepts((), ())  # names nothing unknown: the gate is not tested
    return search


def test_a_record_in_english_is_weighed_by_its_glossary_terms_only_for_their_share():
    """电网 is one word of "how dirty is the power grid right now": a bilingual wind-farm
    case holding it in Chinese was weighed after fusion as if it held the whole query,
    above a record holding the query's English words. A record written only in Chinese
    meets the query through those terms alone and still counts them in full."""
    query = "how dirty is the power grid right now"
    bilingual = SearchHit(
        "case", 1, "wind", 0.0, {"title_en": "Wind farm", "title_zh": "风电场并网电网"}
    )
    english = SearchHit("solution", 2, "grid", 0.0, {"title_en": "Dirty power grid tracker"})
    chinese = SearchHit("solution", 3, "zh", 0.0, {"title_zh": "电网调度系统"})
    search = _english_query_with_glossary_terms(
        query, "电网", 1 / 3, [bilingual, english, chinese], {}
    )
    ranked = [("case:1", 0.050), ("solution:2", 0.049), ("solution:3", 0.048)]
    evidence = search._evidence(ranked)
    assert evidence["case:1"].coverage == 1.0  # a match by words, as before
    assert evidence["case:1"].weighed_share() == pytest.approx(1 / 3)
    assert evidence["solution:3"].weighed_share() == 1.0
    assert evidence["solution:2"].weighed_share() == 0.5  # dirty, power, grid of six
    weighed = weigh_words(ranked, evidence, RELEVANCE)
    assert [key for key, _ in weighed] == ["solution:3", "solution:2", "case:1"]


def test_only_records_holding_the_glossary_terms_enter_their_chinese_only_word_ranking():
    """No record holds 珊瑚礁 of 珊瑚礁 监测 ("coral reef monitoring"), so BM25 ranked first a
    Chinese-only solution holding the common 监测 alone, and its ranking of the records
    written only in Chinese put it among the coral-reef tools. The models' rankings of
    those terms keep every record written only in Chinese, as before, and so does BM25's
    when there is no model."""
    forest = SearchHit("solution", 1, "forest", 0.0, {"title_zh": "森林碳汇遥感监测"})
    reef = SearchHit("solution", 2, "reef", 0.0, {"title_zh": "珊瑚礁监测浮标"})
    search = _english_query_with_glossary_terms(
        "coral reef monitoring", "珊瑚礁 监测", 1.0, [forest, reef], {"珊瑚礁": 8.0, "监测": 3.0}
    )
    search.embedders = ("a model",)  # only whether there is one counts here
    rankings = {"lexical:zh": ["solution:1", "solution:2"], "e5-small-q4:zh": ["solution:1"]}
    only = search._chinese_only(rankings, list(rankings), depth=5)
    assert only == {"lexical:zh-only": ["solution:2"], "e5-small-q4:zh-only": ["solution:1"]}
    # with words alone, BM25's is the only bridge to those records: it keeps them all
    search.embedders = ()
    rankings = {"lexical:zh": ["solution:1", "solution:2"]}
    assert search._chinese_only(rankings, list(rankings), depth=5) == {
        "lexical:zh-only": ["solution:1", "solution:2"]
    }
