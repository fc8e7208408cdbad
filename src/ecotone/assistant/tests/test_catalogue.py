"""Questions about the catalogue: counted from published records, cited by them, declined
(left to the documents) when the place or sector is unknown."""

import pytest

from ecotone.assistant.models import AnswerMode
from ecotone.assistant.services import ask
from ecotone.catalog.models import Sector
from ecotone.core.testing import CaseFactory, NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    needs = [
        NeedFactory(title_en="Rooftop solar for schools", city="Shenzhen", city_zh="深圳"),
        NeedFactory(title_en="Flood risk model", city="Shenzhen", city_zh="深圳"),
        NeedFactory(title_en="Closed one", city="Shenzhen", need_status="closed"),
        NeedFactory(title_en="Draft one", city="Shenzhen", status="draft"),
        NeedFactory(title_en="Battery storage", city="Dongguan", city_zh="东莞"),
    ]
    transport = Sector.objects.get(slug="low-carbon-transportation")
    byd = CaseFactory(title_en="BYD: one of Shenzhen's Top Ten Green and Low-Carbon Cases")
    byd.sectors.add(transport)
    other = CaseFactory(title_en="Some other bus case")
    other.sectors.add(transport)
    return needs


def cited(answer) -> list[str]:
    return [c["external_id"] for s in answer.sentences for c in s["citations"]]


def test_open_needs_in_a_city(catalogue):
    answer = ask("How many needs are open in Shenzhen?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "2 published needs are open in Shenzhen."
    assert sorted(cited(answer)) == sorted(n.external_id for n in catalogue[:2])


def test_open_needs_in_chinese(catalogue):
    answer = ask("深圳有多少个开放的需求？", language="zh")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "深圳有 2 个已发布的开放需求。"


def test_top_ten_cases_of_a_sector(catalogue):
    answer = ask("Which Top Ten cases are in low-carbon transport?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.status == "answered"
    assert len(cited(answer)) == 1 and "Top Ten" in answer.sentences[0]["citations"][0]["title"]


def test_an_unknown_place_is_not_guessed(catalogue):
    answer = ask("How many needs are open in Atlantis?", language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE
    assert answer.status == "not_answered"


@pytest.fixture
def city_cases():
    shenzhen = [
        CaseFactory(title_en="Electric bus fleet", city="Shenzhen", city_zh="深圳"),
        CaseFactory(title_en="Sponge city park", city="Shenzhen", city_zh="深圳"),
    ]
    CaseFactory(title_en="Unpublished depot", city="Shenzhen", city_zh="深圳", status="draft")
    CaseFactory(title_en="Harbour shore power", city="Dongguan", city_zh="东莞")
    return shenzhen


def test_cases_of_a_city(city_cases):
    answer = ask("How many cases are there in Shenzhen?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "2 published cases are in Shenzhen."
    assert sorted(cited(answer)) == sorted(case.external_id for case in city_cases)


def test_cases_of_a_city_in_chinese(city_cases):
    answer = ask("深圳有多少个案例？", language="zh")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "深圳有 2 个已发布的案例。"
    assert answer.sentences[0]["citations"][0]["title"]


def test_cases_of_a_city_no_case_names_are_left_to_the_documents(city_cases):
    answer = ask("How many cases are there in Atlantis?", language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE
