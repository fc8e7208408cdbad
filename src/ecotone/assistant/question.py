"""What a question asks for: its words without the question's own ("what", "哪些"), and
its *concepts*, each with the ways a passage may say it in either language.

A Chinese question's words are glossed into English with the search's dictionary
(``search.translation.translate_query``); an English question's words are looked up in the
climate glossary for their Chinese terms (``english_phrases``). A concept is found in a
sentence when one of its alternatives is: the word itself, or every word of one sense.
"""

from dataclasses import dataclass

import jieba

from ecotone.search.backends import get_search_backend
from ecotone.search.text import CJK, Term, english_terms, fold, to_simplified
from ecotone.search.translation import SKIPPED, english_phrases, translate_query

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
)
ENGLISH_QUESTION_WORDS = frozenset(_ENGLISH_QUESTION_WORDS.split())
_CHINESE_QUESTION_WORDS = (
    "什么 哪些 哪个 哪 如何 怎么 怎样 怎么样 为什么 为何 多少 几 吗 呢 吧 是否 "
    "请问 请 有没有 是不是 能否 可以 哪里 哪儿 什么样 我 我们 你 你们 告诉 一下 "
    "介绍 说明 主要 有哪些 哪些是 么 啊 呀 文件 文档 平台 根据 提到 讲 说 了解 "
    "问题 回答 一些 这个 那个 这些 那些 其 之 所 时候 什么时候 何时 "
    "多久 哪年 哪一年 开始 能 会 要 需要 应该 应当 得 让 被 把 都 还 也 就 "
)
CHINESE_QUESTION_WORDS = frozenset(_CHINESE_QUESTION_WORDS.split())


@dataclass(frozen=True)
class Concept:
    label: str  #: as the question writes it
    #: ways to say it; each is found when all of its terms are
    alternatives: tuple[tuple[Term, ...], ...]
    weight: float = 1.0

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
    found = _chinese_concepts(text) if CJK.search(text) else _english_concepts(text)
    unique: dict[str, Concept] = {}
    for concept in found:
        unique.setdefault(concept.label, concept)
    return _weighed(list(unique.values()))


def _english_concepts(text: str) -> list[Concept]:
    terms = english_terms(text)
    chinese_for = _glossary_chinese([term.token for term in terms])
    return [
        Concept(
            term.surface,
            ((term,), *(((Term(zh, zh, "zh"),),) if (zh := chinese_for.get(index)) else ())),
        )
        for index, term in enumerate(terms)
    ]


def _glossary_chinese(stems: list[str], longest: int = 5) -> dict[int, str]:
    """Position of a stem → the Chinese glossary term of the longest phrase it is part of."""
    phrases, chinese, start = english_phrases(), {}, 0
    while start < len(stems):
        for end in range(min(len(stems), start + longest), start, -1):
            term = phrases.get(" ".join(stems[start:end]))
            if term:
                chinese.update((position, term) for position in range(start, end))
                start = end
                break
        else:
            start += 1
    return chinese


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
    """Each concept weighs what its rarest way of being said weighs, at most: the rarity
    of its own word, or of the most common word of a sense (a Chinese word no English
    document holds is as common as its English gloss)."""
    if not found:
        return []
    backend = get_search_backend()
    firsts = [concept.alternatives for concept in found]
    flat = [term for alternatives in firsts for alternative in alternatives for term in alternative]
    weights = iter(backend.term_weights(flat))
    weighed = []
    for concept in found:
        per_alternative = [min(next(weights) for _ in alt) for alt in concept.alternatives]
        weighed.append(Concept(concept.label, concept.alternatives, max(min(per_alternative), 0.1)))
    return weighed


def highlight_terms(question: str) -> list[Term]:
    """Every way the question's concepts may be written, for marking them in a passage
    (no index look-up: weights do not matter here)."""
    text = search_text(question)
    found = _chinese_concepts(text) if CJK.search(text) else _english_concepts(text)
    return [term for concept in found for term in concept.terms]
