"""The jurisdictions a question names, in both languages, and which records they leave out."""

import pytest

from ecotone.assistant.jurisdictions import named_jurisdictions, outside
from ecotone.catalog.models import Case, Resource


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("What does the EU require for CO2 storage permits?", {"EU"}),
        ("What does the European Union require?", {"EU"}),
        ("What is the penalty in China's national carbon market?", {"CN"}),
        ("How much did the U.S. Congress authorize for hydrogen hubs?", {"US"}),
        ("Compare the US and Canada on storage permits", {"US", "CA"}),
        ("加拿大的碳捕集税收抵免政策", {"CA"}),
        ("欧盟碳边境调节机制从哪一年开始收费？", {"EU"}),
        ("美国能源部的碳移除计划涵盖哪些技术？", {"US"}),
        ("印度尼西亚的碳市场", {"ID"}),
        # an adjective of nationality names its country: the Japanese act had answered
        # "What does the Korean CCUS act require?"
        ("What does the Korean CCUS act require?", {"KR"}),
        ("What does the South Korean CCUS law require?", {"KR"}),
        ("Which Norwegian rules cover offshore CO2 storage?", {"NO"}),
        ("When do the Chinese ETS regulations take effect?", {"CN"}),
        # a name inside another word is not one: 内蒙古 is not 蒙古 (Mongolia), 增加纳入 holds
        # 加纳 (Ghana) across two words; "us" is a pronoun
        ("内蒙古有哪些碳捕集项目？", set()),
        ("哪些行业会增加纳入全国碳市场？", set()),
        ("Can you tell us how storage permits work?", set()),
    ],
)
def test_the_jurisdictions_a_question_names(question, codes):
    assert named_jurisdictions(question) == codes


def test_only_a_record_recorded_as_applying_elsewhere_is_outside():
    canada, eu = Resource(jurisdiction="CA"), Resource(jurisdiction="EU")
    assert outside(canada, frozenset({"EU"}))
    assert not outside(eu, frozenset({"EU"}))
    assert not outside(Resource(jurisdiction=""), frozenset({"EU"}))
    assert not outside(Case(country="CA"), frozenset({"EU"}))  # a case records no jurisdiction
    assert not outside(canada, frozenset())
