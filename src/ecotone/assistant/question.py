"""What a question asks for: its words without the question's own ("what", "哪些"), and
its *concepts*, each with the ways a passage may say it in either language.

A Chinese question's words are glossed into English with the search's dictionary
(``search.translation.translate_query``); an English question's words are looked up in the
climate glossary for their Chinese terms (``english_phrase_terms``). A concept is found in a
sentence when one of its alternatives is: the word itself, or every word of one sense.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba
from django.conf import settings

from ecotone.assistant.jurisdictions import country_names_of_adjective
from ecotone.core.files import write_atomically
from ecotone.search.backends import get_search_backend
from ecotone.search.text import ABSENT, CJK, Term, english_terms, fold, to_simplified
from ecotone.search.translation import (
    SKIPPED,
    country_names,
    dictionary,
    english_phrase_terms,
    translate_query,
)

#: an English word the climate glossary does not know is looked up in the dictionary the
#: search glosses Chinese with, read backwards: the Chinese words (two characters or more)
#: that give it among their first senses, and of those the few the index holds
DICTIONARY_SENSES = 3
DICTIONARY_WORDS = 4

#: words that make a sentence a question without saying what it is about
_ENGLISH_QUESTION_WORDS = (
    "what which who whom whose when where why how does do did done can could should would may "
    "might must shall there this these those about tell me please many much any some i we you "
    "they he she our your their my have had been being into than then so such if all also "
    "more most other only very just explain describe give list show find know want kind kinds "
    "type types way ways according say says said document documents platform ecotone question "
    "answer mean means meant get gets got make makes made one ones use used using able "
    "need needed supposed allowed go goes going take takes come comes back during still "
    "ever even really actually way thing things something anything happen happens count "
    "counts apply applies exactly sort higher lower bigger smaller larger "
    # how a question asks for an amount, a time or a yes/no, not what it is about
    "enough often long usually typically generally roughly approximately whether "
    "themselves itself himself herself anyone someone somebody "
    # a definition is asked for with these words and given with others ("the term … means")
    "define defines defined definition "
    # the kind of answer asked for is found as a kind (``asks_for``), not as a word: "by
    # what date" is answered by "9月30日前", "how much money" by "$200,000,000"
    "date dates amount amounts money "
)
ENGLISH_QUESTION_WORDS = frozenset(_ENGLISH_QUESTION_WORDS.split())
_CHINESE_QUESTION_WORDS = (
    "什么 哪些 哪个 哪 如何 怎么 怎样 怎么样 为什么 为何 多少 几 吗 呢 吧 是否 "
    "请问 请 有没有 是不是 能否 可以 哪里 哪儿 什么样 我 我们 你 你们 告诉 一下 "
    "介绍 说明 主要 有哪些 哪些是 么 啊 呀 文件 文档 平台 根据 提到 讲 说 了解 "
    "问题 回答 一些 这个 那个 这些 那些 其 之 所 时候 什么时候 何时 "
    "多久 哪年 哪一年 开始 能 会 要 需要 应该 应当 得 让 被 把 都 还 也 就 "
    # how a question asks for an amount, a time or a yes/no ("多长时间", "会不会")
    "多 多长 多长时间 多大 多高 多远 多少钱 几种 哪几种 几类 哪几类 几个 几月份 "
    "会不会 能不能 是不是 还会 还能 不会 最多 最长 最晚 最早 最迟 大概 通常 一般 具体 "
    "谁 由谁 一共 总共 共计 总计 钱 "
    "情况 情况下 程度 方面 打算 想 拿 觉得 自己 所说 所谓 "
    # a definition is asked for with 定义 and given with 是指
    "定义 "
    # where or when in relation to something (方位词): the relation, not the subject
    "里 里面 下 上 之后 以后 之前 以前 背后 手里 当中 期间 内 以内 之内 "
    # who does it and from when (由谁来审查, 2026年起, 完成后): the asking, not the subject
    "由 来 起 后 "
    # what refers back to the conversation's subject (``refers_back``), not a subject itself
    "它 它们 他们 她们 该 此 这 那 这里 那里 "
)
CHINESE_QUESTION_WORDS = frozenset(_CHINESE_QUESTION_WORDS.split())


#: a question that asks for an amount, a length of time or a date: its answer holds a figure
ASKS_FOR_FIGURE = re.compile(
    r"\bhow (?:much|many|long|often|large|big|high|far|old|soon)\b|\bwhen\b"
    r"|\b(?:what|which) (?:date|year|day|month|percentage|share|proportion|amount|threshold)\b"
    # "what is the capacity of …": the nouns that name a quantity
    r"|\bwhat (?:is|are|was|were) the (?:\w+ )?(?:capacity|capacities|size|cost|costs|price"
    r"|prices|amount|number|rate|percentage|share|volume|total|output|budget|value)\b"
    r"|多少|(?<!哪)几(?:个|年|月|天|日|次|吨|倍)|多长|多久|多大|多高|多远|比例|何时|什么时候|哪一?年|最晚|最早",
    re.IGNORECASE,
)
#: a figure as a sentence gives one: digits (not an enumerator such as "(1)" or "(B)"), a
#: Chinese number with its unit, or an English number word
FIGURE = re.compile(
    r"(?<![(\da-z])\d+(?:[.,]\d+)*(?![)\d])"
    r"|[〇零一二两三四五六七八九十百千万亿]+(?:个|年|月|日|天|倍|吨|元|次|类|种|项|工作日|%|％)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty"
    r"|hundred|thousand|million|billion|once|twice|half|percent)\b",
    re.IGNORECASE,
)


#: the currencies a sum is written in beside dollars, euros and yuan: the documents' funds
#: and fines are in kroner, pounds, reais … (287 亿丹麦克朗, DKK 28.7 billion)
_CHINESE_CURRENCIES = (
    "美元|欧元|英镑|日元|韩元|港元|澳元|加元|(?:丹麦|挪威|瑞典|冰岛)?克朗|卢比|雷亚尔|卢布"
    "|法郎|比索|兰特|林吉特|迪拉姆|里亚尔|元"
)
_ENGLISH_CURRENCIES = (
    "kroner|kronor|krone|pounds? sterling|yen|rupees?|reais|rubles?|roubles?|francs?|pesos?"
    "|ringgit|dirhams?|riyals?"
)
_CURRENCY_CODES = "dkk|nok|sek|isk|gbp|jpy|krw|chf|inr|brl|aud|cad|aed|sar|myr|zar|mxn"

#: what kind of answer a question asks for, and how a sentence gives one: a sum of money
#: ("how much funding", 罚多少钱), a length of time ("how long", 多久, 几年), a date ("when",
#: 何时), a limit ("at most", 最多, 最长: "not more than", 不得超过) and a definition or a
#: list ("which gases", 哪些, 是什么: "the term … means", 是指, 包括). A sentence of the kind
#: asked for may answer holding only one of the question's concepts itself when its passage
#: holds the rest (``extractive.select``), and it ranks higher (``extractive``)
ASKS_FOR = {
    "money": re.compile(
        r"\bhow much\b(?! (?:time|longer|co2|carbon|emissions?|capacity|energy|power))"
        r"|\b(?:funding|budget|cost|price|fine|penalty|appropriat\w*)\b.*\bhow much\b"
        r"|\b(?:what|which) (?:is the |are the )?(?:penalty|penalties|fines?|price|cost)\b"
        r"|多少钱|多少资金|多少经费|多少拨款|多少资助|金额|罚款\S*多少|多少(?:罚款|补贴|奖励)"
        rf"|多少(?:人民币|[万亿]*(?:{_CHINESE_CURRENCIES}))"
        r"|(?:怎么|如何|什么)处罚",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\bhow (?:long|many (?:years|months|days|weeks))\b|\bwhat (?:period|term)\b"
        r"|多久|多长时间|多少(?:个)?(?:年|月|天|日|周|工作日|自然日)"
        r"|几(?:个)?(?:年|月|天|日|周|工作日|自然日)"
        r"|期限|时限",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\bwhen\b|\b(?:what|which) (?:date|year|day|month)\b|\bby what (?:date|time)\b"
        r"|何时|什么时候|哪一?年|哪天|几月|截止",
        re.IGNORECASE,
    ),
    "limit": re.compile(
        r"\b(?:at most|maximum|longest|highest|largest|upper limit|cap|up to)\b"
        r"|最多|最长|最高|最大|上限|至多",
        re.IGNORECASE,
    ),
    "definition": re.compile(
        r"\b(?:which|what) (?:\w+ )?\w+s\b (?:does|do|are|were|have|has|can|count|should|must)\b"
        r"|\b(?:what|which) (?:types|kinds|sorts) of\b|\bdefin\w*\b|\bwhat does \w+ mean\b"
        r"|哪些|哪几(?:种|类)|什么是|是什么|包括什么|定义",
        re.IGNORECASE,
    ),
}
#: a question that asks only what something is ("What is 45Q?", "What are direct air
#: capture hubs?", 什么是碳捕集, 45Q是什么): its answer is a sentence that says what the
#: subject is or does (``introduces``), not one that only names it; a subject holding a
#: relation ("the capacity of the Kemper project", 碳市场的配额) asks for something *of* it
WHAT_IS = (
    re.compile(
        r"^\s*(?:what|who)(?:'s|\s+(?:is|are|was|were))\s+(?:an?\s+|the\s+)?"
        r"(?P<subject>[^?？]+?)\s*[?？]?\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*(?:什么是|何为|何谓)(?P<subject>[^?？]+?)[?？]?\s*$"),
    re.compile(r"^\s*(?P<subject>[^?？]+?)(?:是什么|是指什么|指什么|是啥)[?？]?\s*$"),
)
RELATION = re.compile(
    r"\b(?:of|in|for|by|on|at|to|from|under|with|between|about|does|do|did|can|will|should"
    r"|would|has|have|when|where|how|why|which|that)\b|的|在|对|如何|怎么",
    re.IGNORECASE,
)
#: an English sentence introduces its subject within its first few words ("Section 45Q of
#: the U.S. Internal Revenue Code provides …"), a Chinese one within its first characters
INTRODUCED_WITHIN_WORDS = 3
INTRODUCED_WITHIN_CHARACTERS = 12
#: a quantity measured in a unit (``asks_for``, ``gives``): a question that names the unit
#: of the figure it asks for ("how many gigatonnes", 多少亿吨, 多少度电) is answered only by
#: a sentence that gives a figure in a unit of the same kind ("50 million metric tons",
#: 2.6万吨): a date or a sum of money near the question's words is a figure of the wrong kind
MEASURES = {
    "mass": (
        r"吨|千克|公斤",
        r"(?:metric\s+)?(?:(?:giga|mega|kilo)?tons?|(?:giga|mega|kilo)?tonnes?|kilograms?|kg|gt|mt)",
    ),
    "energy": (
        r"千瓦时|兆瓦时|度电|焦耳|吉焦",
        r"(?:kilo|mega|giga|tera)?watt[- ]hours?|[kmgt]wh|(?:giga|mega)?joules?|gj|mj|btus?",
    ),
    "power": (
        r"千瓦(?!时)|兆瓦(?!时)|吉瓦(?!时)",
        r"(?:kilo|mega|giga)?watts?(?![- ]?hours?)|[kmg]w(?!h)",
    ),
    "volume": (
        r"立方米|桶|升",
        r"cubic\s+(?:meters?|metres?|feet)|barrels?|lit(?:er|re)s?|gallons?",
    ),
    "area": (r"公顷|亩|平方公里|平方米", r"hectares?|acres?|square\s+\w+|km2"),
}
_NUMBER = (
    r"(?:\d[\d,.]*|[〇零一二两三四五六七八九十百千万亿]+|\b(?:one|two|three|four|five|six|seven"
    r"|eight|nine|ten|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion))"
    r"\s*(?:(?:hundred|thousand|million|billion)\s+)?(?:[十百千万亿]+)?\s*"
)
for _kind, (_chinese, _english) in MEASURES.items():
    ASKS_FOR[_kind] = re.compile(
        rf"(?:多少|几)个?[十百千万亿]*(?:{_chinese})"
        rf"|\bhow (?:many|much)\b(?:\s+[\w-]+){{0,2}}?\s+(?:{_english})\b",
        re.IGNORECASE,
    )
_DATE = (
    r"\b(?:1[89]|20)\d\d\b|\b(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december)\s+\d|\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[一二三四五六七八九十]+月(?:底|末|\d|[一二三四五六七八九十]+日)|年底|年末|月底"
)
GIVES = {
    "money": re.compile(
        r"[$€£¥]\s?\d|\d[\d,.]*\s*(?:(?:million |billion )?(?:dollars|euros?|yuan|rmb|usd|eur"
        rf"|{_ENGLISH_CURRENCIES})\b|[百千万亿]*(?:{_CHINESE_CURRENCIES}))"
        rf"|\b(?:usd|eur|rmb|cny|{_CURRENCY_CODES})\s?\d|[一二两三四五六七八九十百千万亿]+元"
        r"|(?:成交价格|平均价格)\S{0,6}\d+倍",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
        r"(?:\s+|-)(?:full\s+|calendar\s+|fiscal\s+|working\s+|business\s+)?"
        r"(?:years?|months?|days?|weeks?)\b"
        r"|(?<!\d)(?:\d{1,3}|[一二两三四五六七八九十]+)\s*"
        r"(?:个月|个?工作日|个?自然日|年(?![度\d])|天|周|日内)",
        re.IGNORECASE,
    ),
    "date": re.compile(_DATE, re.IGNORECASE),
    "limit": re.compile(
        r"\b(?:not|no) (?:more|longer|greater|later) than\b|\bnot (?:to )?exceed|\bup to\b"
        r"|\bat most\b|\bmaximum\b|\bcap(?:ped)?\b"
        r"|不得(?:超过|高于|多于)|不超过|以下|以内|最多|最长|最高|上限|至多",
        re.IGNORECASE,
    ),
}
for _kind, (_chinese, _english) in MEASURES.items():
    GIVES[_kind] = re.compile(rf"{_NUMBER}(?:{_chinese}|(?:{_english})\b)", re.IGNORECASE)
#: a definition or a list of what the question asks about (its *focus*, ``focus``): the
#: focus followed by "means", 是指, 包括 …, or preceded by an enumeration (发电、钢铁、水泥行业)
DEFINES = re.compile(
    r"^[\s\"'”“’:：,，]{0,3}(?:是指|指的是|means|is defined|包括|includes?|including|are|：)",
    re.IGNORECASE,
)
ENUMERATION = re.compile(r"[^、，,]{1,6}、[^、，,]{1,6}(?:、|和|及|与)[^、，,。；]{1,6}等?$")
#: where a question asks which things or what a thing is: the focus is the concept written
#: next to it (after "which", before 是什么 / 有哪些 / 指哪几种, after 哪些)
FOCUS_AFTER = re.compile(
    r"\b(?:which|what (?:types|kinds|sorts) of|what)\s+|哪些|哪几(?:种|类)|什么是"
    r"|define\s+(?:an?\s+)?",
    re.IGNORECASE,
)
FOCUS_BEFORE = re.compile(r"(?:具体)?(?:是什么|有哪些|指哪|是指什么|包括哪|包括什么|涵盖哪)")
#: where a question asks for a figure *of* something: the concept written right before
#: 是多少 / 为多少 / 有多少 (成本是多少美元, 配额总量是多少亿吨), or right after "what is the"
#: ("What is the penalty …"); the sentence that gives the figure must name it (``extractive``)
FIGURE_OF_BEFORE = re.compile(
    r"(?:至少|最少|最多|大概|大约|约|一共|总共|通常|一般)?(?:是|为|有|达到|能达到|要)(?:多少|几)"
)
FIGURE_OF_AFTER = re.compile(r"\bwhat (?:is|was|are|were) the\s+", re.IGNORECASE)
#: or right after the unit it is asked in (多少美元资助 → 资助, 多少吨二氧化碳 → 二氧化碳): a
#: Chinese question often names the unit, then what is counted in it
FIGURE_OF_UNIT = re.compile(
    r"多少(?:个)?(?:美元|欧元|英镑|人民币|万元|亿元|元|亿吨|万吨|吨|千瓦时|度电|兆瓦时|兆瓦|千瓦)"
)


def asks_for_figure(question: str) -> bool:
    """Whether ``question`` asks how much, how many, how long or when."""
    return ASKS_FOR_FIGURE.search(question) is not None


def gives_figure(sentence: str) -> bool:
    return FIGURE.search(sentence) is not None


@dataclass(frozen=True)
class Concept:
    label: str  #: as the question writes it
    #: ways to say it; each is found when all of its terms are
    alternatives: tuple[tuple[Term, ...], ...]
    weight: float = 1.0
    #: the words of one glossary phrase ("national carbon market"), all found together
    phrase: bool = False

    @property
    def terms(self) -> list[Term]:
        return [term for alternative in self.alternatives for term in alternative]


def search_text(question: str) -> str:
    """The question as a search query: its question words left out."""
    text = fold(question)
    pieces: list[str] = []
    position = 0
    for run in CJK.finditer(text):
        pieces.append(_without_english_question_words(text[position : run.start()]))
        words = jieba.lcut(to_simplified(run.group()))
        pieces.append(" ".join(w for w in words if w not in CHINESE_QUESTION_WORDS))
        position = run.end()
    pieces.append(_without_english_question_words(text[position:]))
    return " ".join(" ".join(pieces).split())


def _without_english_question_words(text: str) -> str:
    words = text.replace("?", " ").split()
    return " ".join(w for w in words if w.lower().strip(".,;:!\"'()") not in ENGLISH_QUESTION_WORDS)


def concepts(question: str) -> list[Concept]:
    """The question's concepts, each weighted by the rarity of its words in the index."""
    text = search_text(question)
    if CJK.search(text):
        found = _chinese_concepts(text)
    else:
        found = _english_concepts(text, dictionary_words=True)
    unique: dict[str, Concept] = {}
    for concept in found:
        unique.setdefault(concept.label, concept)
    return _weighed(list(unique.values()))


def _english_concepts(text: str, dictionary_words: bool = False) -> list[Concept]:
    """Each English word with the Chinese glossary terms of the phrase it is part of, or
    else (``dictionary_words``) the Chinese words the dictionary gives for it that the index
    holds (``_dictionary_chinese``). The words of one glossary phrase are one concept
    ("national carbon market" is 全国碳市场 once, not three words that one Chinese term
    holds: counted three times, a sentence naming the market outranked the one that
    answers)."""
    # a lone letter is what is left of a possessive ("China's") or an initial, not a concept
    terms = [t for t in english_terms(text) if len(t.surface) > 1 or t.surface.isdigit()]
    stems = [_dictionary_stem(term) for term in terms]
    phrases = _glossary_chinese(stems)
    in_phrase = {i for start, end, _ in phrases for i in range(start, end)}
    unknown = [i for i in range(len(terms)) if i not in in_phrase] if dictionary_words else []
    from_dictionary = _dictionary_chinese(stems, unknown)
    found = []
    phrase_at = {start: (end, chinese) for start, end, chinese in phrases}
    index = 0
    while index < len(terms):
        if index in phrase_at:
            end, chinese = phrase_at[index]
            words = tuple(terms[index:end])
            label = " ".join(term.surface for term in words)
            alternatives = (words, *((Term(w, w, "zh"),) for w in chinese))
            found.append(Concept(label, alternatives, phrase=len(words) > 1))
            index = end
            continue
        term = terms[index]
        chinese = from_dictionary.get(index, ())
        alternatives = ((term,), *_country_named(term), *((Term(w, w, "zh"),) for w in chinese))
        found.append(Concept(term.surface, alternatives))
        index += 1
    return found


def _country_named(term: Term) -> tuple[tuple[Term, ...], ...]:
    """For an adjective of nationality, its country's names in English and in Chinese: the
    documents say "South Korea enacted …" and 韩国, not "Korean", which had left "What does
    the Korean CCUS act require?" with no sentence holding its subject. Not for "Chinese":
    China's own documents do not name their country (a ministry's notice never writes
    中国, round 7), so 中国 would count the sentences that do, which answer less (dev: the
    CCER question en80 was declined); the recorded jurisdiction holds it instead."""
    names = country_names_of_adjective(term.surface)
    if "China" in names:
        return ()
    chinese = {country_names().get(name, "") for name in names} - {""}
    return (
        *(tuple(english_terms(name)) for name in names),
        *((Term(word, word, "zh"),) for word in sorted(chinese)),
    )


def _dictionary_stem(term: Term) -> str:
    """The stem under which the glossary and the dictionary know ``term``: its own, or, when
    they know that of none but its singular, the singular's (the stemmer makes "gase" of
    "gases" and "gas" of "gas", so "greenhouse gases" missed 温室气体)."""
    senses = english_senses()
    if term.token in senses or not term.surface.lower().endswith("s"):
        return term.token
    for singular in _singulars(term.surface.lower()):
        stems = [t.token for t in english_terms(singular)]
        if len(stems) == 1 and stems[0] in senses:
            return stems[0]
    return term.token


def _singulars(plural: str) -> list[str]:
    """The forms an English plural may have in the singular, likeliest first."""
    if plural.endswith("ies"):
        return [plural[:-3] + "y"]
    forms = [plural[:-2]] if re.search(r"(?:s|x|z|ch|sh)es$", plural) else []
    return [*forms, plural[:-1]] if not plural.endswith("ss") else forms


def _dictionary_chinese(stems: list[str], positions: list[int]) -> dict[int, tuple[str, ...]]:
    """Position → the Chinese words the dictionary gives for the stem there, or for the
    two-word phrase it begins or ends ("greenhouse gas" → 温室气体), phrases first; of them
    the ``DICTIONARY_WORDS`` most common in the index (one it does not hold matches nothing)."""
    if not positions:
        return {}
    senses = english_senses()
    candidates = {}
    for index in positions:
        pairs = [" ".join(stems[i : i + 2]) for i in (index - 1, index) if 0 <= i < len(stems) - 1]
        words = [w for pair in pairs for w in senses.get(pair, ())]
        candidates[index] = list(dict.fromkeys(words + list(senses.get(stems[index], ()))))
    every = sorted({w for words in candidates.values() for w in words})
    if not every:
        return {}
    weights = get_search_backend().term_weights([ABSENT, *(Term(w, w, "zh") for w in every)])
    absent, weight_of = weights[0], dict(zip(every, weights[1:], strict=True))
    chosen = {}
    for index, words in candidates.items():
        held = sorted((w for w in words if weight_of[w] < absent), key=lambda w: weight_of[w])
        if held:
            chosen[index] = tuple(held[:DICTIONARY_WORDS])
    return chosen


@cache
def english_senses() -> dict[str, tuple[str, ...]]:
    """Stemmed English sense → the Chinese words of the search's dictionary (glossary and
    CC-CEDICT) that give it among their first ``DICTIONARY_SENSES`` senses, two characters
    or more (one character has too many senses to stand for a word). Reading the dictionary
    backwards takes seconds, so the result is kept as JSON under ``ECOTONE_HOME/cache``."""
    words = dictionary()
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(str(len(words)).encode())
    cached = settings.ECOTONE_HOME / "cache" / f"en-zh-{digest.hexdigest()[:16]}.json"
    if cached.exists():
        return {sense: tuple(ws) for sense, ws in json.loads(cached.read_text()).items()}
    senses: dict[str, list[str]] = {}
    for chinese, english in words.items():
        if len(chinese) < 2 or not CJK.fullmatch(chinese):
            continue
        for sense in english[:DICTIONARY_SENSES]:
            stems = " ".join(term.token for term in english_terms(fold(sense)))
            if stems and len(stems.split()) <= 2 and chinese not in senses.get(stems, ()):
                senses.setdefault(stems, []).append(chinese)
    cached.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(cached, json.dumps(senses, ensure_ascii=False))
    return {sense: tuple(ws) for sense, ws in senses.items()}


def _glossary_chinese(stems: list[str], longest: int = 5) -> list[tuple[int, int, tuple]]:
    """The glossary phrases among the stems, longest first, each as its start, its end and
    its Chinese terms (all of them: a regulation writes 碳排放权交易市场 where a notice writes
    碳市场)."""
    phrases, found, start = english_phrase_terms(), [], 0
    while start < len(stems):
        for end in range(min(len(stems), start + longest), start, -1):
            terms = phrases.get(" ".join(stems[start:end]))
            if terms:
                found.append((start, end, terms))
                start = end
                break
        else:
            start += 1
    return found


def _chinese_concepts(text: str) -> list[Concept]:
    concepts_: list[Concept] = []
    for gloss in translate_query(text).glosses:
        word = gloss.word
        if word in SKIPPED or word in CHINESE_QUESTION_WORDS or not word.strip():
            continue
        own = (Term(word, word, "zh"),) if CJK.fullmatch(word) else tuple(english_terms(word))
        senses = tuple(tuple(english_terms(sense)) for sense in gloss.english)
        alternatives = tuple(a for a in (own, *senses) if a)
        if alternatives:
            concepts_.append(Concept(word, alternatives))
    return concepts_


def _weighed(found: list[Concept]) -> list[Concept]:
    """Each concept weighs what its most common way of being said weighs: the rarity of
    its own word (of a glossary phrase of the question: its rarest word), or of the most
    common word of a sense (a Chinese word no English document holds is as common as its
    English gloss)."""
    if not found:
        return []
    backend = get_search_backend()
    firsts = [concept.alternatives for concept in found]
    flat = [term for alternatives in firsts for alternative in alternatives for term in alternative]
    weights = iter(backend.term_weights(flat))
    weighed = []
    for concept in found:
        per_alternative = [[next(weights) for _ in alt] for alt in concept.alternatives]
        # a sense weighs its most common word; the question's own phrase, whose words are
        # all found together, its rarest
        own = max if concept.phrase else min
        weight = min([own(per_alternative[0]), *(min(w) for w in per_alternative[1:])])
        weighed.append(
            Concept(concept.label, concept.alternatives, max(weight, 0.1), concept.phrase)
        )
    return weighed


def highlight_terms(question: str) -> list[Term]:
    """Every way the question's concepts may be written, for marking them in a passage
    (no index look-up: weights do not matter here)."""
    text = search_text(question)
    found = _chinese_concepts(text) if CJK.search(text) else _english_concepts(text)
    return [term for concept in found for term in concept.terms]


def asks_for(question: str) -> frozenset[str]:
    """The kinds of answer ``question`` asks for (``ASKS_FOR``): none, one or several; and
    ``identity`` for a question that asks only what something is (``what_is``)."""
    kinds = {kind for kind, pattern in ASKS_FOR.items() if pattern.search(question)}
    if what_is(question):
        kinds.add("identity")
    return frozenset(kinds)


#: a word that refers back to what the conversation was about ("When did it close?")
REFERS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|there|he|she|his|her)\b"
    r"|它|它们|其|该|此|这个|那个|这些|那些|这里|那里|他们|她们",
    re.IGNORECASE,
)


def refers_back(question: str) -> bool:
    """Whether ``question`` refers to something it does not name (a pronoun: "it", 它, 该)."""
    return REFERS_BACK.search(fold(question)) is not None


def subject_of(question: str) -> list[Concept]:
    """What ``question`` is about: its concepts less what it asks for (the figure it asks
    the value of, "capacity" in "What is the capacity of the Kemper project?", and the
    thing a "which …" question asks to be named). A follow-up that says "it" means this."""
    found = without_kind_words(concepts(question), asks_for(question))
    asked = {figure_subject(question, found)}
    if "identity" not in asks_for(question):
        asked.add(focus(question, found))
    # with the words written right before it: "capture capacity", 捕集能力 (捕集 + 能力)
    text, places = _concept_places(question, found)
    starts = {concept: start for start, _, concept in places}
    widened = True
    while widened:
        widened = False
        for _, end, concept in places:
            if concept not in asked and any(
                c in starts and starts[c] >= end and not text[end : starts[c]].strip()
                for c in asked
                if c is not None
            ):
                asked.add(concept)
                widened = True
    return [c for c in found if c not in asked] or found


def what_is(question: str) -> str | None:
    """The subject of a question that asks only what something is ("What is 45Q?" → 45Q,
    什么是碳捕集 → 碳捕集), else ``None``; "the capacity of the Kemper project" holds a
    relation (``RELATION``) and asks for something of its subject instead."""
    text = " ".join(fold(question).split())
    for pattern in WHAT_IS:
        match = pattern.match(text)
        if match is None:
            continue
        subject = match.group("subject").strip()
        if subject and len(subject.split()) <= 6 and not RELATION.search(subject):
            return subject
    return None


def introduces(sentence: str, concept: Concept) -> bool:
    """Whether ``sentence`` is about ``concept``: it names it first thing, within its first
    few words (``INTRODUCED_WITHIN_WORDS``) or characters, where a sentence says what it
    is about; "… and made 45Q eligible for elective payment" only mentions it."""
    text = to_simplified(fold(sentence)).lower()
    for term in concept.terms:
        token = term.token.lower()
        pattern = re.escape(token) if term.language == "zh" else rf"\b{re.escape(token)}"
        match = re.search(pattern, text)
        if match is None:
            continue
        before = text[: match.start()]
        if CJK.search(before) or term.language == "zh":
            if len(before.strip()) <= INTRODUCED_WITHIN_CHARACTERS:
                return True
        elif len(before.split()) <= INTRODUCED_WITHIN_WORDS:
            return True
    return False


def without_kind_words(concepts_: list[Concept], kinds: frozenset[str]) -> list[Concept]:
    """The concepts less the words that name the kind of answer asked for (时限 "time
    limit", 期限, 金额, "maximum"): the answer says them by giving a length of time, a sum or
    a limit ("七个工作日内" is the 时限 asked for), and the kind is required of it as a kind
    (``extractive.gives_what_is_asked``). A question that is nothing else keeps them."""
    kept = [
        c
        for c in concepts_
        if not any(ASKS_FOR[kind].fullmatch(c.label) for kind in kinds - {"definition", "identity"})
    ]
    return kept or concepts_


def _concept_places(
    question: str, concepts_: list[Concept]
) -> tuple[str, list[tuple[int, int, Concept]]]:
    """The question as matched (simplified, folded, lower case) and (start, end, concept)
    of each concept written in it."""
    text = to_simplified(fold(question)).lower()
    places = []
    for concept in concepts_:
        at = text.find(concept.label.lower())
        if at >= 0:
            places.append((at, at + len(concept.label), concept))
    return text, places


def focus(question: str, concepts_: list[Concept]) -> Concept | None:
    """The concept a "which …" / "what is …" / 哪些 / 是什么 question asks about: the one
    written right after "which" or 哪些, or right before 是什么 / 有哪些 / 指哪几种."""
    text, places = _concept_places(question, concepts_)
    subject = what_is(question)
    if subject is not None:  # "What is 45Q?": the first concept of its subject
        at = text.find(to_simplified(subject).lower())
        inside = [(start, c) for start, _, c in places if at >= 0 and start >= at]
        if inside:
            return min(inside, key=lambda place: place[0])[1]
    best: tuple[int, Concept] | None = None
    for match in FOCUS_AFTER.finditer(text):
        for start, _, concept in places:
            gap = start - match.end()
            if 0 <= gap <= 2 and (best is None or gap < best[0]):
                best = (gap, concept)
    if best is not None:  # 涵盖哪些储能技术: what follows 哪些 is asked about
        return best[1]
    for match in FOCUS_BEFORE.finditer(text):
        for _, end, concept in places:
            gap = match.start() - end
            if 0 <= gap <= 2 and (best is None or gap < best[0]):
                best = (gap, concept)
    return best[1] if best else None


def figure_subject(question: str, concepts_: list[Concept]) -> Concept | None:
    """What a question asking for a figure asks the figure *of*: the concept written right
    before 是多少 (成本是多少美元 → 成本), right after "what is the" ("What is the penalty
    …" → penalty), or right after the unit it is asked in (多少美元资助 → 资助); ``None`` when
    the question does not say it that way."""
    if not asks_for_figure(question):
        return None
    text, places = _concept_places(question, concepts_)
    best: tuple[int, Concept] | None = None
    for match in FIGURE_OF_BEFORE.finditer(text):
        for _, end, concept in places:
            gap = match.start() - end
            if 0 <= gap <= 1 and (best is None or gap < best[0]):
                best = (gap, concept)
    for match in FIGURE_OF_AFTER.finditer(text):
        for start, _, concept in places:
            gap = start - match.end()
            if 0 <= gap <= 1 and (best is None or gap < best[0]):
                best = (gap, concept)
    for match in FIGURE_OF_UNIT.finditer(text):
        for start, _, concept in places:
            # a word of one character there says how, not what (多少吨才算: 才 "only then")
            if start == match.end() and len(concept.label) > 1 and best is None:
                best = (0, concept)
    return best[1] if best else None


def defines(sentence: str, concept: Concept) -> bool:
    """Whether ``sentence`` defines or lists ``concept``: one of its terms followed by
    "means", 是指, 包括 …, or preceded by an enumeration."""
    text = to_simplified(fold(sentence)).lower()
    for term in concept.terms:
        token = term.token.lower()
        pattern = re.escape(token) if term.language == "zh" else rf"\b{re.escape(token)}\w*"
        for match in re.finditer(pattern, text):
            if DEFINES.match(text[match.end() :]) or ENUMERATION.search(text[: match.start()]):
                return True
    return False


def gives(sentence: str, kinds: frozenset[str], focused: Concept | None = None) -> frozenset[str]:
    """The kinds among ``kinds`` that ``sentence`` gives (``GIVES``; a definition: of the
    question's focus, ``defines``); a date is not a length of time ("December 27, 2020"
    gives no duration)."""
    found = set()
    if "definition" in kinds and focused is not None and defines(sentence, focused):
        found.add("definition")
    if "identity" in kinds and focused is not None and introduces(sentence, focused):
        found.add("identity")
    for kind in kinds - {"definition", "identity"}:
        text = re.sub(_DATE, " ", sentence, flags=re.IGNORECASE) if kind == "duration" else sentence
        if GIVES[kind].search(text):
            found.add(kind)
    return frozenset(found)
