"""Questions about the catalogue: counted from published records, cited by them, declined
(left to the documents) when the place or sector is unknown."""

import pytest

from ecotone.assistant.catalogue import Place
from ecotone.assistant.models import AnswerMode
from ecotone.assistant.services import ask
from ecotone.catalog.models import Organisation, Resource, Sector
from ecotone.core.testing import (
    CaseFactory,
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
)

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
    assert answer.sentences[0]["text"] == "深圳有 2 个已发布、正在征集中的需求。"


def test_open_needs_in_the_words_the_pages_use(catalogue):
    """The site calls an open need 征集中 (its status on every need page)."""
    answer = ask("深圳有多少个征集中的需求？", language="zh")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "深圳有 2 个已发布、正在征集中的需求。"


@pytest.mark.parametrize(
    "question",
    [
        "十大案例中哪些属于低碳交通？",
        "深圳十大绿色低碳案例中有哪些是低碳交通领域的？",
        "Which of Shenzhen's Top Ten Green and Low-Carbon cases are in low-carbon transport?",
    ],
)
def test_top_ten_cases_of_a_sector_as_people_write_it(catalogue, question):
    """Asking "among the cases" (案例中) and the award's full name ask nothing more than Top Ten:
    these used to go to the documents, which answered with cases of any sector."""
    answer = ask(question, language="zh" if "十大" in question else "en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert len(cited(answer)) == 1 and "Top Ten" in answer.sentences[0]["citations"][0]["title"]


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


@pytest.fixture
def world():
    """Cases in two countries, solutions of two sectors from providers in two countries."""
    norway = [
        CaseFactory(title_en="Northern Lights storage", country="NO"),
        CaseFactory(title_en="Sleipner injection", country="NO"),
    ]
    CaseFactory(title_en="Draft fjord case", country="NO", status="draft")
    CaseFactory(title_en="Boundary Dam", country="CA")
    hydrogen = Sector.objects.get(name_en="Hydrogen")
    storage = Sector.objects.get(name_en="Energy storage")
    german = OrganisationFactory(name_en="Elektrolyse GmbH", country="DE", city="")
    electrolysers = SolutionFactory(title_en="PEM electrolyser", provider=german)
    electrolysers.sectors.add(hydrogen)
    battery = SolutionFactory(title_en="Sodium battery", provider=german)
    battery.sectors.add(storage)
    chinese_h2 = SolutionFactory(title_en="Hydrogen bus refuelling")
    chinese_h2.sectors.add(hydrogen)
    return {"norway": norway, "german_h2": electrolysers, "all_h2": [electrolysers, chinese_h2]}


def test_cases_of_a_country_in_english_and_chinese(world):
    norway = sorted(case.external_id for case in world["norway"])
    answer = ask("How many cases are there in Norway?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "2 published cases are in Norway."
    assert sorted(cited(answer)) == norway
    answer = ask("挪威有哪些案例？", language="zh")
    assert answer.sentences[0]["text"] == "挪威有 2 个已发布的案例。"
    assert sorted(cited(answer)) == norway


def test_solutions_of_a_sector_in_english_and_chinese(world):
    hydrogen = sorted(solution.external_id for solution in world["all_h2"])
    answer = ask("Which solutions are there for hydrogen?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "2 published solutions are in Hydrogen."
    assert sorted(cited(answer)) == hydrogen
    answer = ask("氢能领域有哪些解决方案？", language="zh")
    assert answer.sentences[0]["text"] == "氢能领域有 2 个已发布的解决方案。"
    assert sorted(cited(answer)) == hydrogen


def test_solutions_of_a_sector_from_a_country(world):
    answer = ask("How many hydrogen solutions are from Germany?", language="en")
    assert answer.sentences[0]["text"] == "1 published solution is in Hydrogen in Germany."
    assert cited(answer) == [world["german_h2"].external_id]


def test_organisations_of_a_country(world):
    answer = ask("Which organisations are based in Germany?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert cited(answer) == [Organisation.objects.get(country="DE").external_id]


@pytest.mark.parametrize(
    "question",
    [
        "Which cases in Norway store CO2 offshore?",
        "What does the case in Norway achieve?",
        "挪威的案例每年封存多少二氧化碳？",
        "Which needs and solutions are in Shenzhen?",
    ],
)
def test_a_question_about_the_records_content_goes_to_the_documents(world, question):
    """Words beyond the kind, place and sector ask about what the records say, which a
    count does not answer."""
    answer = ask(question, language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE


def test_a_sector_named_exactly_is_that_sector_not_every_name_holding_the_word(world):
    """ "energy" is the sector Energy (its children counted with it), not also Bioenergy."""
    answer = ask("How many solutions are in energy?", language="en")
    assert answer.sentences[0]["text"] == "3 published solutions are in Energy."


@pytest.fixture
def policies():
    """Documents recorded as applying in Canada, the EU and China (one of Canada's is a
    report, one is a draft)."""

    def document(external_id: str, jurisdiction: str, kind="policy", status="published"):
        return Resource.objects.create(
            external_id=external_id,
            title_en=external_id,
            summary_en=f"About {external_id}.",
            kind=kind,
            jurisdiction=jurisdiction,
            status=status,
        )

    canada = [document("ca-ccus-itc", "CA"), document("ca-storage-act", "CA")]
    document("ca-outlook-report", "CA", kind="report")
    document("ca-draft-rule", "CA", status="draft")
    document("eu-mrr", "EU")
    document("cn-ets-measures", "CN")
    return {"canada": sorted(record.external_id for record in canada)}


def test_the_policies_of_a_country_are_counted_by_where_they_apply(policies):
    answer = ask("Which policies are in Canada?", language="en")
    assert answer.mode == AnswerMode.CATALOGUE
    assert answer.sentences[0]["text"] == "2 published policies are in Canada."
    assert sorted(cited(answer)) == policies["canada"]
    assert {c["kind"] for c in answer.sentences[0]["citations"]} == {"resource"}
    assert answer.sentences[0]["list_url"] == "/en/resources/?kind=policy&jurisdiction=CA"
    answer = ask("加拿大有哪些政策？", language="zh")
    assert answer.sentences[0]["text"] == "加拿大有 2 项已发布的政策。"
    assert sorted(cited(answer)) == policies["canada"]


def test_the_documents_of_the_european_union(policies):
    answer = ask("How many documents are in the EU?", language="en")
    assert answer.sentences[0]["text"] == "1 published document is in the European Union."
    assert cited(answer) == ["eu-mrr"]
    answer = ask("欧盟有多少份文件？", language="zh")
    assert answer.sentences[0]["text"] == "欧盟有 1 份已发布的文件。"
    documents = ask("How many documents are there in Canada?", language="en")
    assert documents.sentences[0]["text"] == "3 published documents are in Canada."


def test_a_question_about_what_a_countrys_policies_say_goes_to_the_documents(policies):
    answer = ask("Which policies in Canada give a tax credit for carbon capture?", language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE


@pytest.mark.parametrize(
    ("place", "language", "written"),
    [
        (Place(country="EU"), "en", "the European Union"),
        (Place(country="GB"), "en", "the United Kingdom"),
        (Place(country="NL"), "en", "the Netherlands"),
        (Place(country="PH"), "en", "the Philippines"),
        (Place(country="CA"), "en", "Canada"),
        (Place(country="BS"), "en", "Bahamas (The)"),
        (Place(city_en="Shenzhen", city_zh="深圳"), "en", "Shenzhen"),
        (Place(country="EU"), "zh", "欧盟"),
    ],
)
def test_a_sentence_puts_the_before_country_names_that_take_it(place, language, written):
    assert place.in_sentence(language) == written
