"""What a query names, concept by concept, and what of it the catalogue knows
(search.concepts), and the answer gate that reads it (relevance.known_part_coverage)."""

from dataclasses import replace

import pytest

from ecotone.core.testing import SolutionFactory
from ecotone.search import queries
from ecotone.search.concepts import chinese_concepts, english_concepts, weigh
from ecotone.search.queries import search_records
from ecotone.search.relevance import Evidence, RelevanceSettings, StoredWords, order
from ecotone.search.text import ABSENT
from ecotone.search.translation import translate_query


def forms(concept) -> list[str]:
    return [" ".join(term.token for term in form) for form in concept.forms]


def test_a_chinese_word_is_named_as_written_and_by_each_english_sense():
    concepts = {c.name: forms(c) for c in chinese_concepts(translate_query("压电地砖"))}
    assert concepts["压电"][0] == "压电"
    assert "piezoelectr" in concepts["压电"]
    assert any(" " in form for form in concepts["地砖"])  # "floor tile": one form, held whole


def test_a_word_whose_every_sense_is_a_function_word_names_nothing():
    names = [c.name for c in chinese_concepts(translate_query("我们企业"))]
    assert names == ["企业"]  # 我们: "we", "us"


def test_a_sentence_particle_names_nothing():
    """吗 asks a yes-no question; the dictionary gives it no sense, and no record holds it:
    counted as a word, every such question named something the catalogue lacks."""
    names = [c.name for c in chinese_concepts(translate_query("资助期满后还能续吗？"))]
    assert "吗" not in names
    assert "资助" in names


def _index(words: dict[str, float]):
    """A fake IDF look-up: the words listed, every other term as rare as ``ABSENT``."""
    absent = 9.0

    def term_weights(terms):
        return [absent if t == ABSENT else words.get(t.token, absent) for t in terms]

    return term_weights


def test_a_word_no_form_of_which_the_index_holds_is_unknown_and_weighs_nothing():
    concepts = chinese_concepts(translate_query("竹结构建筑"))
    assert [c.name for c in concepts] == ["竹", "结构", "建筑"]
    weighed = weigh(concepts, _index({"structur": 4.0, "build": 3.0}), power=2.0)
    assert weighed.unknown == ["竹"]  # "bamboo": no record says it, in either language
    assert weighed.weights == (0.0, 16.0, 9.0)
    structure_only = StoredWords.of({"title": "Steel structure design"})
    both = StoredWords.of({"title": "Timber structures for tall buildings"})
    assert weighed.known_share(structure_only.holds) == pytest.approx(16 / 25)
    assert weighed.known_share(both.holds) == 1.0


def test_a_word_the_index_holds_only_as_written_in_chinese_is_known():
    concepts = chinese_concepts(translate_query("建筑"))
    weighed = weigh(concepts, _index({"建筑": 6.0}))
    assert weighed.unknown == []
    assert weighed.known_share(StoredWords.of({"title_zh": "公共建筑节能改造"}).holds) == 1.0


def test_with_an_unknown_concept_a_witness_must_hold_the_known_part_of_the_query():
    """Two models agree that a solar record is close to 压电地砖行人发电 (piezoelectric floor
    tiles for pedestrians); it holds a third of what the catalogue knows of the query: no
    answer. A title that is the query answers whatever it holds."""
    settings = RelevanceSettings(
        answer={"e5": 0.9}, corroborate={"e5": 0.8, "use": 0.3}, known_part_coverage=0.4
    )
    close = {"e5": 0.84, "use": 0.32}
    weak = Evidence(known_coverage=0.3, similarity=close, vouching_similarity=close)
    assert order([("a", 1.0)], {"a": weak}, settings) == ([], [])
    weak.known_coverage = 0.5
    assert order([("a", 1.0)], {"a": weak}, settings) != ([], [])
    titled = Evidence(title=2, known_coverage=0.0)
    assert order([("a", 1.0)], {"a": titled}, settings) != ([], [])


@pytest.mark.django_db
def test_a_chinese_query_naming_what_no_record_names_finds_nothing(settings, committed):
    """压电地砖行人发电 (piezoelectric floor tiles for pedestrians): the catalogue names
    floor tiles and power generation, not piezoelectricity; the models find power
    records close, and they hold only "power generation" of it: nothing. A query for what
    the records hold still finds them."""
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        SolutionFactory(title_en="Recycled ceramic floor tiles", description_en="Tiles from waste.")
        for title in ("Rooftop solar", "Small wind turbines", "Run-of-river hydro"):
            SolutionFactory(
                title_en=f"{title} for power generation",
                description_en="Electricity generation for towns and pedestrians' streets.",
            )
    page = search_records("压电地砖行人发电", mode="hybrid")
    assert page.results == []
    assert page.empty_reason == "no_match"
    assert search_records("屋顶光伏发电", mode="hybrid").results


@pytest.mark.django_db
def test_a_chinese_paragraph_naming_one_unknown_thing_among_many_still_finds_its_records(
    settings, committed
):
    """A need's description pasted into the search box names many things: one of them
    (压电, piezoelectric) is nearly always unknown, and no record holds 40% of the rest.
    The known-part rule is for short queries; a paragraph is ranked as any other."""
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        SolutionFactory(
            external_id="port-e-trucks",
            title_en="Electric trucks and fast charging for port logistics",
            description_en="Battery electric container trucks with megawatt charging at ports.",
        )
        for title in (
            "Logistics company emissions accounting",
            "Diesel generator replacement for industrial parks",
            "Fleet dispatch system for city buses",
            "Recycled ceramic floor tiles",
            "LED street lighting retrofit",
            "Facility energy audits",
            "Trial programme for new technology",
        ):
            SolutionFactory(title_en=title, description_en=title)
    paragraph = (
        "我们是一家港口物流公司，计划用电动卡车替代园区内的柴油集卡，"
        "需要大功率充电设施和车队调度系统，也想试试用压电地砖给照明供电。"
    )
    page = search_records(paragraph, mode="hybrid")
    assert "port-e-trucks" in [r["external_id"] for r in page.results]


def test_an_english_word_is_named_as_written_and_by_its_chinese_words():
    """CC-CEDICT read backwards gives the everyday words a Chinese record uses ("dry" 干燥,
    "insulation" 绝缘), the glossary the climate terms (SF6 六氟化硫); function words name
    nothing."""
    concepts = {c.name: forms(c) for c in english_concepts("dry air insulation to avoid SF6")}
    assert list(concepts) == ["dry", "air", "insulation", "avoid", "sf6"]
    assert concepts["dry"][0] == "dri" and "干燥" in concepts["dry"]
    assert "绝缘" in concepts["insulation"]
    assert "六氟化硫" in concepts["sf6"]


def test_a_phrase_gives_its_chinese_words_to_each_of_its_words():
    concepts = {c.name: forms(c) for c in english_concepts("wind turbine blades")}
    shared = set(concepts["wind"]) & set(concepts["turbine"])
    assert any(form.startswith("风力") for form in shared)  # "wind turbine"


def test_an_english_word_weighs_as_itself_not_as_its_commonest_chinese_word():
    """干 ("dry") is in most Chinese records: the concept weighs as rare as "dry" itself."""
    concepts = english_concepts("dry")
    weighed = weigh(concepts, _index({"dri": 4.0, "干": 0.5, "干燥": 2.0}))
    assert weighed.weights == (4.0,)
    unknown_as_written = weigh(concepts, _index({"干燥": 2.0, "干": 0.5}))
    assert unknown_as_written.weights == (0.5,)  # known only in Chinese: its commonest form
    assert weigh(concepts, _index({})).unknown == ["dry"]


@pytest.fixture
def english_rule(monkeypatch):
    """The known-part rule for English queries, whatever ``queries.RELEVANCE`` ships."""
    monkeypatch.setattr(
        queries, "RELEVANCE", replace(queries.RELEVANCE, known_part_in_english=True)
    )


@pytest.mark.django_db
def test_an_english_query_naming_what_no_record_names_finds_nothing(
    settings, committed, english_rule
):
    """ "aquaponics fish and vegetable farm": no record names aquaponics, in English or in
    a Chinese word CC-CEDICT gives for it; the models find the fish, vegetable and farm
    records close, and each holds a third of the rest of the query: nothing. A query for
    what one of them holds still finds it."""
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        for title in (
            "Recirculating aquaculture tanks for tilapia",
            "Hydroponic lettuce in vertical greenhouses",
            "Fish stock monitoring for coastal fisheries",
            "Vegetable prices dashboard",
            "Farm energy audits for dairy producers",
        ):
            SolutionFactory(title_en=title, description_en=title)
    page = search_records("aquaponics fish and vegetable farm", mode="hybrid")
    assert page.results == []
    assert page.empty_reason == "no_match"
    assert search_records("fish stock monitoring", mode="hybrid").results


@pytest.mark.django_db
def test_an_english_description_of_a_chinese_only_record_still_finds_it(
    settings, committed, english_rule
):
    """ "switchgear" is in no record and in no Chinese word CC-CEDICT gives; the record,
    written only in Chinese, holds the rest of the query as Chinese words (干燥 空气 绝缘
    六氟化硫 泄漏), so it answers (a guard: with the climate glossary alone as the English
    words' Chinese forms, round 13 found such records holding little and emptied queries)."""
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        SolutionFactory(
            external_id="sf6-free-switchgear",
            title_en="",
            description_en="",
            title_zh="无六氟化硫环保气体绝缘开关柜",
            description_zh="用干燥空气代替六氟化硫作绝缘介质，杜绝泄漏，用于中压配电。",
        )
        SolutionFactory(title_en="Rooftop solar for power generation", description_en="Solar.")
    query = "switchgear using dry air insulation to avoid SF6 leaks"
    page = search_records(query, mode="hybrid")
    assert [r["external_id"] for r in page.results][:1] == ["sf6-free-switchgear"]


def test_an_unknown_word_a_dictionary_translates_is_an_ordinary_word_not_a_term_of_art():
    """ "cascade" has Chinese words (级联, 小瀑布) and no record says it; "aquaponics" has
    none: only the second is a thing the catalogue does not name."""
    weighed = weigh(
        english_concepts("aquaponics for a cascade of fish farms"),
        _index({"fish": 3.0, "farm": 2.0}),
    )
    assert weighed.unknown == ["aquaponics", "cascade"]
    assert weighed.unknown_untranslated == ["aquaponics"]


@pytest.mark.django_db
def test_an_english_query_naming_an_ordinary_word_no_record_says_still_finds_its_records(
    settings, committed, english_rule
):
    """A matching need's title, "Reservoir release scheduling for a cascade of hydropower
    plants": no record says "cascade", and the hydropower record holds a fifth of what the
    catalogue knows of the rest. The word is an ordinary one (a dictionary gives its
    Chinese), so the rule does not read the query, and the record the models find close
    answers it (catalog_relevance's real-query guard, dev: three need titles emptied)."""
    settings.ECOTONE_EMBEDDER = "default"
    with committed():
        SolutionFactory(
            external_id="hydro-dispatch",
            title_en="Hydropower dispatch optimisation",
            description_en="Hydropower dispatch optimisation for river basins.",
        )
        for title in (
            "Water reservoir level sensors",
            "Software release notes generator",
            "Meeting scheduling assistant",
            "Emissions dashboard for power plants",
        ):
            SolutionFactory(title_en=title, description_en=title)
    query = "Reservoir release scheduling for a cascade of hydropower plants"
    page = search_records(query, mode="hybrid")
    assert "hydro-dispatch" in [r["external_id"] for r in page.results]


def test_the_english_rule_ships_on():
    """Round 15: on for words no dictionary translates (docs/search.md); round 14's rule,
    for every unknown word, lost one real test-half query and shipped off."""
    assert queries.RELEVANCE.known_part_in_english is True
