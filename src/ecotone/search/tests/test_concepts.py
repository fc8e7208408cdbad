"""What a query names, concept by concept, and what of it the catalogue knows
(search.concepts), and the answer gate that reads it (relevance.known_part_coverage)."""

import pytest

from ecotone.core.testing import SolutionFactory
from ecotone.search.concepts import chinese_concepts, weigh
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
