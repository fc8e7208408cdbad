"""Extractive answers from the real search index, on SQLite and PostgreSQL (whichever
``DATABASE_URL`` names): cited sentences, both languages, honest refusals."""

import dataclasses

import pytest

from ecotone.assistant import extractive
from ecotone.assistant.passages import normalised
from ecotone.assistant.question import Concept, concepts
from ecotone.catalog.models import Resource
from ecotone.search.text import Term

pytestmark = pytest.mark.django_db


def cited(extract) -> list[tuple[str, str]]:
    return [(c["external_id"], c["page"]) for s in extract.sentences for c in s["citations"]]


def test_english_question_over_an_english_document(documents):
    extract = extractive.answer(
        "What was the coefficient of performance of heat pumps in Harbin?", "en"
    )
    assert extract.status == "answered"
    first = extract.sentences[0]
    assert "coefficient of performance was 2.6" in first["text"]
    citation = first["citations"][0]
    assert (citation["external_id"], citation["page"]) == ("res-heat-pumps", "p. 2")
    assert first["text"] in citation["passage"]
    assert citation["title"] == "Heat pumps in cold regions"
    assert "<mark>" in citation["passage_html"]


def test_every_sentence_is_a_sentence_of_its_cited_passage(documents):
    extract = extractive.answer("How much did a heat pump cost to install?", "en")
    assert extract.status == "answered"
    for sentence in extract.sentences:
        assert sentence["citations"]
        assert all(sentence["text"] in c["passage"] for c in sentence["citations"])
    assert ("res-heat-pumps", "p. 3") in cited(extract)


def test_chinese_question_over_an_english_document(documents):
    extract = extractive.answer("哈尔滨的热泵性能系数是多少？", "zh")
    assert extract.status == "answered"
    assert ("res-heat-pumps", "p. 2") in cited(extract)
    # the record's title in the reader's language
    assert extract.sentences[0]["citations"][0]["title"] == "寒冷地区的热泵"


def test_english_question_over_a_chinese_document(documents):
    extract = extractive.answer("How many CCUS demonstration projects by 2025?", "en")
    assert extract.status == "answered"
    assert ("res-ccus-policy", "p. 2") in cited(extract)
    assert "百万吨级" in extract.sentences[0]["text"]
    assert extract.sentences[0]["citations"][0]["title"] == "Guidance on CCUS demonstration"


def test_chinese_question_over_a_chinese_document(documents):
    extract = extractive.answer("各地应当为碳捕集示范项目提供什么支持？", "zh")
    assert extract.status == "answered"
    assert ("res-ccus-policy", "p. 2") in cited(extract)


def test_cases_and_needs_answer_too(documents):
    extract = extractive.answer("How many buses does the Shenzhen depot charge?", "en")
    assert extract.status == "answered"
    assert cited(extract)[0][0] == "case-bus-depot"
    extract = extractive.answer("Why do farmers lose their harvest?", "en")
    assert extract.status == "answered"
    assert cited(extract)[0][0] == "need-cold-storage"


@pytest.mark.parametrize(
    "question",
    [
        "Who won the football world cup in 1998?",
        "qwertyzzk blorf",
        "谁赢得了1998年世界杯足球赛？",
        "!!! ??? ...",
    ],
)
def test_questions_the_documents_do_not_answer_are_declined(documents, question):
    extract = extractive.answer(question, "en")
    assert extract.status == "not_answered"
    assert extract.sentences == []


def test_a_decline_offers_the_closest_passages(documents):
    extract = extractive.answer("Salmon export volumes of Norwegian fjords and heat pumps", "en")
    assert extract.status == "not_answered"
    assert extract.sentences == []
    assert extract.reading[0]["external_id"] == "res-heat-pumps"


def test_unpublished_records_are_never_cited(documents):
    extract = extractive.answer("secret coefficient of performance of heat pumps in Harbin", "en")
    everything = cited(extract) + [(c["external_id"], c["page"]) for c in extract.reading]
    assert "res-draft-secret" not in {external_id for external_id, _ in everything}
    # the draft's text, in no sentence and no passage shown (not the whole answer's string:
    # a record's version time, "10:43:39.938718", holds "9.9" too)
    shown = [s["text"] for s in extract.sentences] + [
        c["passage"] for s in extract.sentences for c in s["citations"]
    ]
    assert not any("secret coefficient of performance of 9.9" in text for text in shown)


def test_a_follow_up_is_narrowed_by_the_previous_question(documents):
    extract = extractive.answer(
        "And how much does it cost?", "en", previous="air-source heat pumps in Harbin"
    )
    assert extract.status == "answered"
    assert cited(extract)[0] == ("res-heat-pumps", "p. 3")


def test_sentences_are_split_at_both_languages_full_stops():
    assert extractive.sentences_of(
        "第一句话在这里。第二句话在这里！Third one is here. The fourth is here."
    ) == [
        "第一句话在这里。",
        "第二句话在这里！",
        "Third one is here.",
        "The fourth is here.",
    ]


def test_a_full_stop_of_an_abbreviation_does_not_end_a_sentence():
    assert extractive.sentences_of(
        "Section 45Q of the U.S. Internal Revenue Code provides a credit. See No. 3, e.g. this. "
        "It was signed in the U.S. The law was amended."
    ) == [
        "Section 45Q of the U.S. Internal Revenue Code provides a credit.",
        "See No. 3, e.g. this.",
        "It was signed in the U.S. The law was amended.",
    ]


def _sentence(
    text: str, score: float, pk: int = 1, page: str = "", full_text: bool = False
) -> extractive.Sentence:
    passage = extractive.SourcePassage(
        kind="resource",
        pk=pk,
        external_id=f"res-{pk}",
        titles={},
        page=page,
        text=text,
        url="",
        version="",
        full_text=full_text,
    )
    return extractive.Sentence(text, passage, coverage=1.0, score=score, matched=("a",))


def test_sentences_as_close_by_their_words_are_ranked_by_their_meaning(settings):
    settings.ECOTONE_EMBEDDER = "default"
    off_topic = _sentence("The committee met in Beijing in March to discuss the agenda.", 1.0)
    answering = _sentence("管理台账应当至少保存五年。", 1.0)
    sentences = [off_topic, answering]
    extractive.weigh_meaning("How many years must the emission ledgers be kept?", sentences)
    assert sentences[0] is answering
    assert answering.meaning == 0.0 and off_topic.meaning < 0


def test_without_an_embedder_the_words_alone_rank():
    first, second = _sentence("First sentence here.", 2.0), _sentence("Second one here.", 1.0)
    sentences = [first, second]
    extractive.weigh_meaning("anything at all?", sentences)
    assert sentences == [first, second] and first.score == 2.0


def test_a_records_pages_answer_before_its_summary():
    summary = _sentence("The regulation sets fines for late surrender.", 1.5, page="summary")
    page = _sentence("未按时清缴的，处以罚款。", 1.0, page="p. 4", full_text=True)
    other = _sentence("A record without pages keeps its summary.", 1.2, pk=2, page="summary")
    scored = [summary, page, other]
    extractive._prefer_pages(scored)
    scored.sort(key=lambda s: -s.score)
    assert scored == [other, page, summary]


def test_only_passages_holding_something_of_the_question_are_offered_to_read():
    wanted = concepts("chocolate cake recipe")
    facility = _sentence("Capture capacity: 1 Mt CO2/yr at the Belle Plaine hub.", 0.0, pk=1)
    bakery = _sentence("A bakery recipe line that cuts the gas used per chocolate cake.", 0.0, pk=2)
    passages = [facility.passage, bakery.passage]
    assert extractive.closest(passages, [], wanted) == [bakery.passage]
    assert extractive.closest([facility.passage], [], wanted) == []


def _concept(label: str, weight: float = 1.0):
    from ecotone.search.text import Term, stem

    return Concept(label, ((Term(label, stem(label), "en"),),), weight)


def _passage(text: str, pk: int = 1, page: str = "p. 1") -> extractive.SourcePassage:
    return extractive.SourcePassage(
        kind="resource",
        pk=pk,
        external_id=f"res-{pk}",
        titles={},
        page=page,
        text=text,
        url="",
        version="",
        full_text=True,
    )


def test_a_sentence_that_gives_a_figure_ranks_first_when_the_question_asks_for_one():
    wanted = [_concept("hubs"), _concept("authorized")]
    passage = _passage(
        "The hubs are authorized under this program. "
        "There is authorized for the hubs $3,500,000,000 for fiscal years 2022 through 2026."
    )
    plain = extractive.score_sentences([passage], wanted, [])
    assert plain[0].text.startswith("The hubs")  # the shorter, earlier one by its words
    asked = extractive.score_sentences([passage], wanted, [], figure=True)
    assert asked[0].text.startswith("There is authorized")


def test_a_sentence_under_a_heading_that_names_the_subject_answers():
    """The subsection's heading names the test centre; the sentence that answers gives the
    term of a grant (three quarters of what the passage holds besides counts)."""
    wanted = [_concept("center", 5.0), _concept("grant"), _concept("term")]
    passage = _passage(
        "Direct air capture test center established here. "
        "The Secretary shall report on progress. "
        "Each grant shall be for a term of not more than 5 years."
    )
    scored = extractive.score_sentences([passage], wanted, [])
    answering = next(s for s in scored if s.text.startswith("Each grant"))
    assert answering.coverage >= extractive.MIN_COVERAGE
    assert any(s is answering for s, _ in extractive.select(scored, wanted))


def test_a_record_without_a_figure_the_question_names_answers_nothing():
    wanted = [_concept("rooftop", 2.0), _concept("solar", 2.0), _concept("5")]
    passage = _passage("Sixty rooftop solar panels were installed on schools.")
    assert extractive.score_sentences([passage], wanted, []) == []
    with_figure = _passage("5 rooftop solar panels were installed on schools.")
    assert extractive.score_sentences([with_figure], wanted, [])


def test_a_sentence_holding_half_the_question_overrules_the_searchs_verdict():
    wanted = [_concept("cancelled", 2.0), _concept("allowances", 2.0), _concept("again", 5.0)]
    strong = _sentence("Cancelled allowances are not allocated again.", 1.0)
    strong.matched = ("cancelled", "allowances", "again")
    weak = _sentence("Allowances are cancelled.", 1.0)
    weak.matched = ("cancelled", "allowances")  # half the question's weight is not held
    assert extractive.overrules_verdict([(strong, [strong.passage])], wanted)
    assert not extractive.overrules_verdict([(weak, [weak.passage])], wanted)


def test_of_a_long_document_the_pages_holding_the_rarest_words_are_read():
    """Ten passages of a long document are read: those holding most of the question's
    weight, so a page holding its one rare word beats pages holding two common ones."""
    from ecotone.assistant.passages import PASSAGES_PER_RECORD, _best_chunks

    pages = ["The carbon program funds storage projects."] * PASSAGES_PER_RECORD
    pages.insert(3, "There is authorized $2,500,000,000 for fiscal years 2022 through 2026.")
    words = {"carbon": 1.0, "storag": 1.0, "authorized": 9.0}
    kept = _best_chunks(
        "\f".join(pages),
        words,
        None,
        {
            "kind": "resource",
            "pk": 1,
            "external_id": "res-1",
            "titles": {},
            "url": "",
            "version": "",
            "rank": 0,
        },
    )
    assert len(kept) == PASSAGES_PER_RECORD
    assert "p. 4" in [passage.page for passage in kept]


def test_a_sentence_giving_the_sum_asked_for_answers_on_one_concept_of_its_own():
    """ "How much did Congress authorize for the storage program?": the sentence with the
    sum holds only "authorized" itself; its passage names the program."""
    wanted = [_concept("storage", 2.0), _concept("program", 2.0), _concept("authorized", 2.0)]
    passage = _passage(
        "The storage program shall test sites. The Secretary shall report on progress. "
        "There is authorized $2,500,000,000 for fiscal years 2022 through 2026."
    )
    scored = extractive.score_sentences([passage], wanted, [], kinds=frozenset({"money"}))
    sum_ = next(s for s in scored if s.text.startswith("There is authorized"))
    assert sum_.kinds == {"money"} and sum_.coverage >= extractive.MIN_COVERAGE
    assert scored[0] is sum_
    assert next(s for s, _ in extractive.select(scored, wanted)) is sum_
    # asked for nothing in particular, one concept of its own is not enough
    plain = extractive.score_sentences([passage], wanted, [])
    assert all(not s.text.startswith("There is") for s, _ in extractive.select(plain, wanted))


def test_the_definition_of_the_focus_outranks_sentences_that_only_name_it():
    gases = Concept(
        "greenhouse gases",
        (
            (Term("greenhouse", "greenhous", "en"), Term("gases", "gase", "en")),
            (Term("温室气体", "温室气体", "zh"),),
        ),
        3.0,
    )
    regulation = Concept("regulation", ((Term("条例", "条例", "zh"),),), 2.0)
    wanted = [gases, regulation]
    passage = _passage(
        "第一条 为了加强对温室气体排放的控制，制定本条例。"
        "第三十条 本条例下列用语的含义：（一）温室气体，是指大气中的气态成分，包括二氧化碳、甲烷。"
    )
    kinds = frozenset({"definition"})
    plain = extractive.score_sentences([passage], wanted, [], kinds=kinds)
    assert plain[0].text.startswith("第一条")  # no focus: the earlier one, as before
    focused = extractive.score_sentences([passage], wanted, [], kinds=kinds, focused=gases)
    assert focused[0].text.startswith("第三十条") and focused[0].kinds == kinds


def test_of_the_first_record_the_passages_giving_the_kind_asked_for_are_read_too():
    """The passage with the sum holds one rare word of the question at most: the ten chosen
    by the question's words leave it out, the one asking "how much" reads it too."""
    from ecotone.assistant.passages import PASSAGES_PER_RECORD, _best_chunks
    from ecotone.assistant.question import gives

    pages = ["The regional hubs program funds hubs."] * (PASSAGES_PER_RECORD + 2)
    pages.append("There is appropriated $3,500,000,000 for fiscal years 2022 through 2026.")
    common = {
        "kind": "resource",
        "pk": 1,
        "external_id": "res-1",
        "titles": {},
        "url": "",
        "version": "",
        "rank": 0,
    }
    words = {"hubs": 2.0, "region": 2.0}
    text = "\f".join(pages)
    assert all("$3,500" not in p.text for p in _best_chunks(text, words, None, common))
    kept = _best_chunks(text, words, None, common, lambda t: bool(gives(t, frozenset({"money"}))))
    assert [p.index for p in kept if "$3,500" in p.text] == [len(pages) - 1]


def test_a_passage_giving_the_sum_continues_the_section_before_it():
    """ "(4) Authorization of appropriations …" is a passage of its own; the hubs are named in
    the passage before it, which counts as its passage when it gives what is asked."""
    wanted = [_concept("hubs", 3.0), _concept("regional", 3.0), _concept("authorized", 2.0)]
    section = dataclasses.replace(
        _passage("The regional hubs shall be selected. Each hub reports."), index=4
    )
    sum_ = dataclasses.replace(
        _passage("(4) There is authorized $3,500,000,000 for the period of 2022 through 2026."),
        index=5,
    )
    money = frozenset({"money"})
    alone = extractive.score_sentences([sum_], wanted, [], kinds=money)
    assert alone == []  # its record holds too little of the question
    both = extractive.score_sentences([section, sum_], wanted, [], kinds=money)
    answering = next(s for s in both if "$3,500" in s.text)
    assert answering.coverage >= extractive.MIN_COVERAGE
    far = dataclasses.replace(sum_, index=9)  # not the next passage: its own passage only
    apart = extractive.score_sentences([section, far], wanted, [], kinds=money)
    assert next(s for s in apart if "$3,500" in s.text).coverage < answering.coverage


def test_a_question_asking_how_much_is_not_answered_without_a_sum():
    named = _sentence("The storage program is authorized.", 1.0)
    priced = _sentence("There is authorized $2,500,000,000.", 1.0)
    priced.kinds = frozenset({"money"})
    money = frozenset({"money"})
    assert not extractive.gives_what_is_asked([(named, [named.passage])], money)
    assert extractive.gives_what_is_asked([(named, []), (priced, [])], money)
    assert extractive.gives_what_is_asked([(named, [])], frozenset({"definition"}))


def test_a_quantity_must_be_given_of_what_the_question_asks_it_of():
    threshold = _sentence("年度直接排放量达到2.6万吨二氧化碳当量的单位纳入名录。", 1.0)
    threshold.kinds, threshold.matched = frozenset({"mass"}), ("碳", "年度")
    total = Concept("总量", ((Term("总量", "总量", "zh"),),))
    mass = frozenset({"mass"})
    # "2.6万吨" is a figure in tonnes, but not of the allowance total asked for
    assert not extractive.gives_what_is_asked([(threshold, [])], mass, total)
    assert extractive.gives_what_is_asked([(threshold, [])], mass)  # no subject said
    named = dataclasses.replace(threshold, nearby=("总量",))  # the sentence before names it
    assert extractive.gives_what_is_asked([(named, [])], mass, total)
    # a length of time or a date is of an event, worded too many ways to insist on
    dated = dataclasses.replace(threshold, kinds=frozenset({"date"}))
    assert extractive.gives_what_is_asked([(dated, [])], frozenset({"date"}), total)


def test_a_word_of_a_sentence_counts_for_one_concept_of_the_question():
    united_states = (Term("united", "unit", "en"), Term("states", "state", "en"))
    america = Concept("美国", ((Term("美国", "美国", "zh"),), united_states))
    state = Concept("州", ((Term("州", "州", "zh"),), (Term("state", "state", "en"),)))
    held = extractive._held_in(
        "Each hub shall be located in a region of the United States.",
        [
            america,
            state,
        ],
    )
    assert held == [america]  # "States" says 美国 here, not 州 as well
    both = extractive._held_in(
        "The Secretary shall consult State geological surveys of the United States.",
        [america, state],
    )
    assert both == [america, state]


def test_the_best_sentences_of_every_record_are_weighed_by_meaning(settings):
    """A record whose answer is worded unlike the question ranks its sentences below ten
    of another record that repeat the question's words: its best are weighed too."""
    settings.ECOTONE_EMBEDDER = "default"
    repeating = [
        _sentence(f"Article {n}: the committee of the market met again in session {n}.", 1.1)
        for n in range(extractive.MEANING_CANDIDATES)
    ]
    answering = _sentence("禁止通过恶意串通、散布虚假信息等方式操纵市场。", 1.0, pk=2)
    sentences = [*repeating, answering]
    extractive.weigh_meaning("Is it forbidden to rig prices or spread rumours?", sentences)
    assert answering.cosine is not None
    assert sentences[0] is answering


def test_a_sentence_close_in_meaning_answers_on_one_concept_of_its_own():
    """en: "Can emitters use credits they bought …?" over 购买经核证的温室气体减排量用于清缴:
    one concept shared, the meaning the same."""
    wanted = [_concept("emission reduction", 3.0), _concept("bought", 3.0), _concept("meet")]
    close = _sentence("重点排放单位可以购买经核证的温室气体减排量用于清缴其碳排放配额。", 1.0)
    close.coverage, close.matched = 0.3, ("emission reduction",)
    close.cosine, close.meaning = extractive.MEANING_FLOOR + 0.1, 0.0
    assert [s for s, _ in extractive.select([close], wanted)] == [close]
    # the same words, not weighed or far in meaning: not enough
    far = dataclasses.replace(close, cosine=extractive.MEANING_FLOOR - 0.2)
    assert extractive.select([far], wanted) == []
    unweighed = dataclasses.replace(close, cosine=None)
    assert extractive.select([unweighed], wanted) == []
    behind = dataclasses.replace(close, meaning=-2 * extractive.MEANING_MARGIN)
    assert extractive.select([behind], wanted) == []


@pytest.mark.parametrize(
    "note",
    [
        "AI-written summary from ccus-policy-hub (author recorded as 'Gemini Intelligence'); "
        "demo text, not an authoritative summary of the policy.",
        "本摘要由 ccus-policy-hub 的AI撰写（记录的作者为“Gemini”），"
        "仅作演示文本，不是该政策的权威摘要。",
    ],
)
def test_a_note_on_who_wrote_the_record_is_never_an_answer_sentence(note):
    """The demo's provenance note holds the record's own words (summary, policy, 政策, 摘要)
    and ranked as the answer to questions about the policy: it is metadata, not content."""
    wanted = [_concept("summary"), _concept("policy"), _concept("政策"), _concept("摘要")]
    wanted = [
        Concept(c.label, ((Term(c.label, c.label, "zh"),),), 1.0) if not c.label.isascii() else c
        for c in wanted
    ]
    passage = _passage(f"The policy summary: offshore CO2 storage needs a safety case. {note}")
    texts = [s.text for s in extractive.score_sentences([passage], wanted, [])]
    assert texts and all("offshore" in text for text in texts)


def test_a_bilingual_record_answers_in_the_readers_language(documents, committed):
    from ecotone.core.testing import CaseFactory

    with committed():
        CaseFactory(
            external_id="case-foshan-depot",
            title_en="Hydrogen bus depot in Foshan",
            title_zh="佛山氢能公交车场",
            description_en="The Foshan depot refuels 120 hydrogen buses every night.",
            description_zh="佛山车场每晚为120辆氢能公交车加注氢气。",
        )
    for question, language, kept, dropped in [
        ("How many hydrogen buses does the Foshan depot refuel?", "en", "120 hydrogen", "120辆"),
        ("佛山车场每晚为多少辆氢能公交车加氢？", "zh", "120辆", "120 hydrogen"),
    ]:
        extract = extractive.answer(question, language)
        assert extract.status == "answered"
        texts = [sentence["text"] for sentence in extract.sentences]
        assert any(kept in text for text in texts)
        assert not any(dropped in text for text in texts)


#: the demo's Northern Lights Phase 1 (``ccus-fac-295``), as the demo writes it in both languages
NORTHERN_LIGHTS = {
    "external_id": "ccus-fac-295",
    "title_en": "Northern Lights Phase 1",
    "description_en": "This t&s project is located in Norway (Europe) and is currently "
    "Operational. The primary sector classification is T&S. The reported fate of captured "
    "carbon is Dedicated storage. The project is associated with the Northern Lights hub. "
    "Announcement year: 2017. Final investment decision year: 2020. Planned or actual "
    "operation year: 2025. Reported partners: Shell (33.3%), TotalEnergies (33.3%), "
    "Equinor (33.3%).",
    "description_zh": "该项目位于 挪威（欧洲），项目类型为 运输与封存，当前状态为 运行中。"
    "主要行业分类为 运输与封存。二氧化碳去向为 永久封存。该项目与 Northern Lights 枢纽相关。"
    "首次公开年份：2017。最终投资决策年份：2020。投运或计划投运年份：2025。"
    "已披露合作方：Shell (33.3%)、TotalEnergies (33.3%)、Equinor (33.3%)。",
    "outcomes_en": "Capacity (T&S project): 1.5 Mt CO2/yr (IEA CCUS Projects Database via "
    "ccus-policy-hub).",
    "outcomes_zh": "规模（运输与封存项目）：每年1.5百万吨二氧化碳（IEA CCUS项目数据库，经 "
    "ccus-policy-hub）。",
}


#: the demo's Kemper county CCUS (``ccus-fac-241``) and the storage complex planned in the
#: same county (``ccus-fac-334``), as the demo writes them (the complex's capacity, 3 Mt in
#: the demo too, is 2 Mt here so that the two answers can be told apart)
KEMPER = {
    "external_id": "ccus-fac-241",
    "title_en": "Kemper county CCUS (MS)",
    "description_en": "This full chain project is located in United States (North America) "
    "and is currently Decommissioned. The primary sector classification is Power and heat. "
    "Final investment decision year: 2010. Planned or actual operation year: 2017. "
    "Suspension, decommissioning, or cancellation year: 2017. Reported partners: Mississippi "
    "Power (Southern Company).",
    "outcomes_en": "Capture capacity: 3 Mt CO2/yr (IEA CCUS Projects Database via "
    "ccus-policy-hub).",
    "description_zh": "该项目位于 美国（北美），项目类型为 全流程项目，当前状态为 已退役。"
    "主要行业分类为 电力与供热。最终投资决策年份：2010。投运或计划投运年份：2017。"
    "暂停、退役或取消年份：2017。已披露合作方：Mississippi Power (Southern Company)。",
    "outcomes_zh": "捕集能力：每年3百万吨二氧化碳（IEA CCUS项目数据库，经 ccus-policy-hub）。",
}
ECO2S = {
    "external_id": "ccus-fac-334",
    "title_en": "ECO2S: Early CO2 Storage Complex in Kemper County (MS)",
    "description_en": "This t&s project is located in United States (North America) and is "
    "currently Planned. The project is associated with the Project ECO2S: Early CO2 Storage "
    "Complex in Kemper County (MS) hub. Announcement year: 2017.",
    "outcomes_en": "Capacity (T&S project): 2 Mt CO2/yr (IEA CCUS Projects Database via "
    "ccus-policy-hub).",
}


#: the demo's BYD case, one of Shenzhen's Top Ten of 2023 (``szs-2023-case-byd``): the Chinese
#: names the company 比亚迪 only
TOP_TEN_BYD = {
    "external_id": "szs-2023-case-byd",
    "title_en": "BYD: one of Shenzhen's Top Ten Green and Low-Carbon Cases of 2023",
    "description_en": "The case of BYD was named one of Shenzhen's Top Ten Green and "
    "Low-Carbon Cases of 2023, announced at the Shenzhen Session of the China Pavilion at COP28 "
    "(Dubai, 5 December 2023). Our sources name the company and the award but do not describe "
    "the content of the case. Sector assigned by Ecotone editors from the company's main "
    "business; the award announcement's category list is not matched to companies in our "
    "sources.",
    "description_zh": "比亚迪的案例入选深圳市2023年绿色低碳典型案例（十大案例），于2023年12月5日"
    "在迪拜COP28中国角深圳边会上揭晓。我们的资料给出了企业名称和奖项，但没有介绍案例内容。"
    "所属领域由Ecotone编辑根据企业主营业务指定；获奖公告中的类别未与具体企业对应。",
}


@pytest.mark.parametrize(
    "question, language, given, field",
    [
        # the question's glossed words (carbon dioxide, each year) are written in the Chinese
        # outcomes only (the English says "Mt CO2/yr"): the Chinese sentence answered
        (
            "How much carbon dioxide can Northern Lights Phase 1 store each year?",
            "en",
            "Capacity (T&S project): 1.5 Mt CO2/yr",
            ("ccus-fac-295", "outcomes (English)"),
        ),
        # "BYD" is written in the English description only: the English sentence answered
        (
            "BYD的案例是在哪里宣布的？",
            "zh",
            "于2023年12月5日在迪拜COP28中国角深圳边会上揭晓",
            ("szs-2023-case-byd", "description (Chinese)"),
        ),
    ],
)
def test_a_bilingual_record_answers_from_its_field_in_the_readers_language(
    documents, committed, question, language, given, field
):
    from ecotone.core.testing import CaseFactory

    with committed():
        CaseFactory(**NORTHERN_LIGHTS)
        CaseFactory(**TOP_TEN_BYD)
    extract = extractive.answer(question, language)
    assert extract.status == "answered"
    first = extract.sentences[0]
    assert given in first["text"]
    assert [(c["external_id"], c["page"]) for c in first["citations"]] == [field]
    assert first["text"] in first["citations"][0]["passage"]


def test_the_twin_sentence_is_the_one_in_the_same_place_or_with_the_same_figures():
    english, chinese = NORTHERN_LIGHTS["description_en"], NORTHERN_LIGHTS["description_zh"]
    # as many sentences: the one in the same place
    assert extractive.twin_sentence("主要行业分类为 运输与封存。", chinese, english) == (
        "The primary sector classification is T&S."
    )
    # in the same place, the figures of one among the other's ("5 December 2023": 2023年12月5日)
    byd_en, byd_zh = TOP_TEN_BYD["description_en"], TOP_TEN_BYD["description_zh"]
    first_zh = extractive.sentences_of(byd_zh)[0]
    assert (extractive.twin_sentence(first_zh, byd_zh, byd_en) or "").startswith("The case of BYD")
    # the English split at a semicolon the Chinese does not have: the same figures decide
    english = "Data: a database; the text is generated. Announcement year: 2017. Final year: 2020."
    chinese = "数据来源：数据库，文本由字段生成。首次公开年份：2017。最终投资决策年份：2020。"
    assert (
        extractive.twin_sentence("最终投资决策年份：2020。", chinese, english)
        == "Final year: 2020."
    )
    # neither: the original is kept
    assert extractive.twin_sentence("数据来源：数据库，文本由字段生成。", chinese, english) is None
    assert extractive.twin_sentence("首次公开年份：2017。", chinese, "It started in 2016.") is None


def test_a_translation_split_elsewhere_is_not_paired_by_place():
    """The demo's VM0049 summary: the English splits its first sentence at a semicolon, the
    Chinese a later one, so both have as many sentences, each after the first shifted by one;
    and VM0049 is written in three Chinese sentences, so its figures say nothing of which."""
    english = (
        "Written by AI; demo text, not authoritative. Legal weight: Voluntary methodology. "
        "VM0049 is Verra's CCS methodology. Approved on 27 June 2024, it is modular. "
        "Use of VM0049 does not generate credits: projects must qualify."
    )
    chinese = (
        "本摘要由AI撰写，仅作演示文本。法律效力：Voluntary methodology。"
        "VM0049是Verra的CCS方法学，于2024年6月27日批准发布。方法学采用模块化结构，须与VM0049总体要求"
        "组合使用。采用VM0049并不自动产生核证碳单位；项目还需满足要求。"
    )
    assert len(extractive.sentences_of(english)) == len(extractive.sentences_of(chinese)) == 6
    for sentence in extractive.sentences_of(chinese)[2:5]:
        assert extractive.twin_sentence(sentence, chinese, english) is None


def test_a_twin_sentence_already_chosen_is_given_once_with_both_citations():
    """The demo's Alberta TIER policy: its page and its English summary say the same, its
    Chinese summary says it too. An English answer gave the page's sentence and then the
    Chinese; it now gives the English sentence once, cited with the page and the summary."""
    english = "The TIER framework set a carbon price floor of $170/t by 2030."
    chinese = "TIER 框架设定了到 2030 年每吨 170 加元的碳价地板。"
    page = _passage(f"Overview. {english}")
    summaries = [
        dataclasses.replace(page, page=name, text=text, full_text=False, index=-1, field=field)
        for name, text, field in [
            ("summary (English)", f"An overview of the policy. {english}", "summary_en"),
            ("summary (Chinese)", f"该政策的概述。{chinese}", "summary_zh"),
        ]
    ]

    def chosen(text, passage):
        sentence = extractive.Sentence(text, passage, 1.0, 1.0, ("tier",))
        return (sentence, [passage])

    given = extractive.in_twin_fields(
        [chosen(english, page), chosen(chinese, summaries[1])], "en", [page, *summaries]
    )
    assert [(s.text, [p.page for p in cited]) for s, cited in given] == [
        (english, ["p. 1", "summary (English)"])
    ]


@pytest.fixture
def storage_rules(committed):
    """Two policies on CO2 storage permits, recorded as applying in Canada and in the EU,
    neither writing where it applies, and a report on them that applies nowhere."""
    with committed():
        for external_id, jurisdiction, text in [
            (
                "ca-storage-rules",
                "CA",
                "Storage permits. A CO2 storage permit requires a closure plan and financial "
                "security for the storage site.",
            ),
            (
                "eu-storage-rules",
                "EU",
                "Permits. A CO2 storage permit requires a monitoring plan approved by the "
                "competent authority.",
            ),
            (
                "storage-review",
                "",
                "Review. Every CO2 storage permit requires a site characterisation first.",
            ),
        ]:
            Resource.objects.create(
                external_id=external_id,
                kind="policy" if jurisdiction else "report",
                title_en=external_id.replace("-", " "),
                text=text,
                jurisdiction=jurisdiction,
                status="published",
            )


def test_a_question_naming_a_jurisdiction_reads_no_document_recorded_as_applying_elsewhere(
    storage_rules,
):
    extract = extractive.answer("What does the EU require for a CO2 storage permit?", "en")
    assert extract.status == "answered"
    records = {external_id for external_id, _page in cited(extract)}
    assert "eu-storage-rules" in records
    assert "ca-storage-rules" not in records
    assert "ca-storage-rules" not in {p.external_id for p in extract.retrieved}
    # a record that applies nowhere in particular is read as before
    assert "storage-review" in {p.external_id for p in extract.retrieved}


def test_a_question_naming_no_jurisdiction_reads_every_document(storage_rules):
    extract = extractive.answer("What does a CO2 storage permit require?", "en")
    retrieved = {p.external_id for p in extract.retrieved}
    assert {"ca-storage-rules", "eu-storage-rules", "storage-review"} <= retrieved


#: the demo's 26 U.S.C. § 45Q, its first page and summary as the demo writes them
SECTION_45Q = {
    "external_id": "doc-us-usc-26-45q",
    "kind": "policy",
    "title_en": "26 U.S.C. § 45Q — Credit for carbon oxide sequestration",
    "title_zh": "美国法典第26编第45Q条：碳氧化物封存税收抵免",
    "text": "26 U.S.C. § 45Q. Credit for carbon oxide sequestration\n\n(a) General rule For "
    "purposes of section 38, the carbon oxide sequestration credit for any taxable year is an "
    "amount equal to the sum of $20 per metric ton of qualified carbon oxide.",
    "status": "published",
}
#: and the policy record that says what the credit is
POLICY_45Q = {
    "external_id": "ccus-pol-us-45q-ira",
    "kind": "policy",
    "title_en": "US 45Q Tax Credit (IRA Enhanced)",
    "title_zh": "美国 45Q 税收抵免 (IRA 增强版)",
    "text": "Section 45Q of the U.S. Internal Revenue Code provides a federal tax credit for "
    "qualified carbon oxide captured at eligible facilities and then securely stored. It also "
    "reduced annual capture thresholds and made 45Q eligible for elective payment.",
    "status": "published",
}


@pytest.mark.parametrize("question", ["What is 45Q?", "45Q是什么？", "什么是45Q？"])
def test_what_something_is_is_answered_by_the_sentence_that_says_it(committed, question):
    with committed():
        Resource.objects.create(**SECTION_45Q)
        Resource.objects.create(**POLICY_45Q)
    extract = extractive.answer(question, "zh" if "是" in question else "en")
    texts = [sentence["text"] for sentence in extract.sentences]
    assert extract.status == "answered"
    # the heading names 45Q and says nothing of it; "U.S." ends no sentence
    assert "26 U.S.C. § 45Q." not in texts
    assert texts[0].startswith("Section 45Q of the U.S. Internal Revenue Code provides")


def test_what_a_record_is_is_the_first_sentence_of_its_description(committed):
    from ecotone.core.testing import CaseFactory

    with committed():
        CaseFactory(**KEMPER)
    extract = extractive.answer("What is the Kemper project?", "en")
    assert extract.status == "answered"
    assert extract.sentences[0]["text"].startswith("This full chain project is located in")


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What is 45Q?", "identity"),
        ("什么是碳捕集？", "identity"),
        ("45Q是什么？", "identity"),
        ("What is the capacity of the Kemper project?", None),
        ("碳市场的配额是什么？", None),
    ],
)
def test_a_question_asking_only_what_something_is(question, kind):
    from ecotone.assistant.question import asks_for

    assert ("identity" in asks_for(question)) == (kind == "identity")


@pytest.fixture
def kemper(committed):
    from ecotone.core.testing import CaseFactory

    with committed():
        CaseFactory(**KEMPER)
        CaseFactory(**ECO2S)


@pytest.mark.parametrize(
    "question, language, figure",
    [
        ("What is the capacity of the Kemper project?", "en", "Capture capacity: 3 Mt"),
        ("How much CO2 does the Kemper project capture?", "en", "Capture capacity: 3 Mt"),
        ("Kemper项目的捕集能力是多少？", "zh", "捕集能力：每年3百万吨"),
    ],
)
def test_a_figure_asked_of_a_named_facility_is_that_facilitys(kemper, question, language, figure):
    extract = extractive.answer(question, language)
    assert extract.status == "answered"
    first = extract.sentences[0]
    assert first["text"].startswith(figure)
    assert [c["external_id"] for c in first["citations"]] == ["ccus-fac-241"]
    # "The project is associated with … Kemper County (MS) hub." gives no figure: no answer
    assert not any("associated" in s["text"] or "相关" in s["text"] for s in extract.sentences)


@pytest.mark.parametrize(
    "previous, question, language, said",
    [
        (
            "What is the capacity of the Kemper project?",
            "When did it close?",
            "en",
            "Suspension, decommissioning, or cancellation year: 2017.",
        ),
        (
            "Kemper项目的捕集能力是多少？",
            "它是哪一年关闭的？",
            "zh",
            "暂停、退役或取消年份：2017。",
        ),
    ],
)
def test_a_follow_up_saying_it_asks_about_the_previous_questions_subject(
    kemper, previous, question, language, said
):
    extract = extractive.answer(question, language, previous)
    assert extract.status == "answered"
    assert said in [s["text"] for s in extract.sentences]
    assert {c["external_id"] for s in extract.sentences for c in s["citations"]} == {"ccus-fac-241"}


def test_a_field_whose_value_is_only_the_questions_words_says_nothing(documents):
    """ "What does the Korean CCUS act require?" was answered "Jurisdiction: South Korea." and
    "适用范围：韩国。", the demo summaries' fact lines, which only repeat the question."""
    wanted = concepts("What does the Korean CCUS act require?")
    for line in ("Jurisdiction: South Korea.", "适用范围：韩国。"):
        assert extractive.adds_nothing(normalised(line), wanted), line
    for line in ("Status: Active.", "Jurisdiction: South Korea and Japan.", "状态：现行。"):
        assert not extractive.adds_nothing(normalised(line), wanted), line


def test_the_other_languages_field_answers_when_only_it_gives_the_sum_asked_for(
    documents, committed
):
    """The demo's Danish NECCS policy: its English summary states no sum, its Chinese one
    says 287 亿丹麦克朗; the Chinese sentence was dropped for the English reader because a
    sentence of the English summary was chosen too, and the question was declined."""
    with committed():
        Resource.objects.create(
            external_id="dk-neccs",
            title_en="Denmark NECCS Fund",
            title_zh="丹麦负排放基金",
            summary_en="The Danish NECCS fund is a 20-year subsidy scheme based on tendering.",
            summary_zh="丹麦负排放基金是为期20年的补贴计划。2024年，丹麦政府为该基金累计投入287亿丹麦克朗。",
            status="published",
        )
    extract = extractive.answer("How much has Denmark put into its NECCS fund?", "en")
    assert extract.status == "answered"
    texts = [sentence["text"] for sentence in extract.sentences]
    assert any("287亿丹麦克朗" in text for text in texts), texts
