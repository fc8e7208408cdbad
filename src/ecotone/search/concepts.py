"""What a query names, one concept at a time, in both languages, and what of it the
catalogue knows.

A concept is one word of the query (of a Chinese query, as its gloss cuts it:
``translation``). It has several *forms*, any of which a record may hold: the word as
written, and each of its senses in the other language, held whole ("electric truck" of
电动卡车). A concept is *known* when the index holds one of its forms.

Why: near-domain questions the catalogue cannot answer (压电地砖行人发电, piezoelectric
floor tiles; 竹结构建筑固碳, bamboo buildings) name a thing no record names in either
language, and the models still find records close to the rest of the query ("power
generation", "building"). A record that holds little of what the catalogue knows of such
a query is no evidence that the query has an answer
(``RelevanceSettings.known_part_coverage``).

A Chinese word's forms are its English senses (the dictionary gives nearly every Chinese
word some), so a word the index holds in no form is one the catalogue does not name. An
English word's forms are its Chinese words: the climate glossary's, and CC-CEDICT's read
backwards (``english_concepts``). With the glossary alone, an English word the index
lacks was often a searcher's everyday word that a Chinese record says in Chinese ("dirty"
污, "dry" 干燥, "insulation" 绝缘), and a record written only in Chinese held little of an
English description of it: the rule emptied real English queries on dev (docs/search.md).
Even with CC-CEDICT, an ordinary English word may be one no record says ("cascade" of
hydropower plants, "fishers", "congested feeders"), and the answers to such a query hold
as little of the rest as near-domain nonsense does; only a word no dictionary translates
either (``WeighedConcepts.unknown_untranslated``: "stellarator", "aquaponics") reads as a
thing the catalogue does not name.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .text import ABSENT, FUNCTION_WORDS, Term, coverage_terms
from .translation import (
    LONGEST_PHRASE,
    LONGEST_SENSE,
    QueryTranslation,
    chinese_words_of_english,
    english_phrase_terms,
    english_stems,
)

#: a form: the terms a record must all hold to hold it
Form = tuple[Term, ...]


#: CC-CEDICT words kept as one English word's Chinese forms, in its order: a common word
#: has many ("power": over a hundred), and each is looked up in the index
CHINESE_FORMS_KEPT = 12
#: Chinese forms kept cut per process (``_chinese_form``)
CHINESE_FORMS_CACHED = 20_000
#: a Chinese sentence's particles (a question's 吗, a suggestion's 吧) are grammar and name
#: nothing; CC-CEDICT gives 吗 and 嘛 only notes ("(question particle …)"), so the gloss has
#: no sense for them and, held by no record, they read as a thing the catalogue does not
#: name: 美国直接空气捕集测试中心的资助期满后还能续吗？ found nothing (docs/search.md)
CHINESE_PARTICLES = frozenset("吗嘛呢吧么啦呀哇哦呗啊")


@dataclass(frozen=True)
class Concept:
    name: str  #: the word as the query (or its gloss) writes it
    forms: tuple[Form, ...]
    #: how many of the first forms weigh the concept when the index holds one of them (0:
    #: every form): an English word weighs as rare as the word itself, not as its commonest
    #: Chinese word (干 of "dry" is in most Chinese records)
    weighing_forms: int = 0

    @property
    def translated(self) -> bool:
        """Whether a dictionary gives the word in the other language: a form past its own
        (a Chinese word's English senses; an English word's Chinese words)."""
        return len(self.forms) > max(self.weighing_forms, 1)


def chinese_concepts(translation: QueryTranslation) -> list[Concept]:
    """Each word of a Chinese query's gloss, as written and in each English sense; not a
    word whose every sense is a function word (我们 "we, us", 他们 "they") nor a particle
    (``CHINESE_PARTICLES``): it names nothing."""
    concepts = []
    for gloss in translation.glosses:
        if gloss.word in CHINESE_PARTICLES:
            continue
        senses = [tuple(coverage_terms(sense)) for sense in gloss.english]
        if gloss.english and all(_says_nothing(form) for form in senses):
            continue
        forms = [tuple(coverage_terms(gloss.word)), *senses]
        concepts.append(Concept(gloss.word, tuple(form for form in forms if form)))
    return concepts


def english_concepts(query: str) -> list[Concept]:
    """Each word of an English query that says something (not a function word), as
    written (its stem, and in American spelling) and in Chinese: the climate glossary's
    terms and CC-CEDICT's words (``CHINESE_FORMS_KEPT``) for the word or a phrase holding
    it ("wind turbine" → 风力涡轮机 is a form of both words)."""
    chinese = _chinese_forms(english_stems(query))
    concepts = []
    for term in coverage_terms(query):
        if term.language != "en" or term.prefix or term.surface in FUNCTION_WORDS:
            continue
        american = english_stems(term.surface)
        own = [(term,), *((Term(s, s, "en"),) for s in american if s != term.token)]
        key = american[0] if american else term.token
        glossed = [_chinese_form(word) for word in chinese.get(key, [])]
        forms = tuple(form for form in [*own, *glossed] if form)
        concepts.append(Concept(term.surface, forms, weighing_forms=len(own)))
    return concepts


def _chinese_forms(stems: list[str]) -> dict[str, list[str]]:
    """Stem → the Chinese words given for it, or for a phrase of the query holding it: the
    glossary's (phrases of up to ``LONGEST_PHRASE`` words), then CC-CEDICT's (up to
    ``LONGEST_SENSE``; ``CHINESE_FORMS_KEPT`` a word)."""
    glossary = _words_of_phrases(stems, english_phrase_terms(), LONGEST_PHRASE)
    dictionary = _words_of_phrases(stems, chinese_words_of_english(), LONGEST_SENSE)
    return {
        stem: [*glossary.get(stem, []), *dictionary.get(stem, [])[:CHINESE_FORMS_KEPT]]
        for stem in stems
    }


@lru_cache(maxsize=CHINESE_FORMS_CACHED)
def _chinese_form(word: str) -> Form:
    """A Chinese word as a form, cut as a record's share of a query is (``coverage_terms``);
    kept per process, as the same dictionary words come back query after query."""
    return tuple(coverage_terms(word))


def _words_of_phrases(
    stems: list[str], table: Mapping[str, Sequence[str]], longest: int
) -> dict[str, list[str]]:
    words_of: dict[str, list[str]] = {}
    for start in range(len(stems)):
        for end in range(start + 1, min(len(stems), start + longest) + 1):
            for word in table.get(" ".join(stems[start:end]), ()):
                for stem in stems[start:end]:
                    if word not in words_of.setdefault(stem, []):
                        words_of[stem].append(word)
    return words_of


def _says_nothing(form: Form) -> bool:
    return all(term.surface in FUNCTION_WORDS for term in form)


@dataclass(frozen=True)
class WeighedConcepts:
    """Concepts with the weight of each (0: unknown, no record holds any of its forms)."""

    concepts: tuple[Concept, ...]
    weights: tuple[float, ...]

    @property
    def unknown(self) -> list[str]:
        return [c.name for c, weight in zip(self.concepts, self.weights, strict=True) if not weight]

    @property
    def unknown_untranslated(self) -> list[str]:
        """The unknown concepts that no dictionary translates either ("stellarator",
        "aquaponics"): a term of art the catalogue does not use. An unknown word that a
        dictionary knows is an ordinary one ("cascade", "fishers", "congested"), which a
        record answering the query may simply say otherwise."""
        return [
            c.name
            for c, weight in zip(self.concepts, self.weights, strict=True)
            if not weight and not c.translated
        ]

    def known_share(self, holds: Callable[[Term], bool]) -> float:
        """The share of the known concepts' weight a record holds (``holds`` says whether
        it holds a term): a concept counts when the record holds one form whole."""
        total = sum(self.weights)
        if not total:
            return 0.0
        held = sum(
            weight
            for concept, weight in zip(self.concepts, self.weights, strict=True)
            if weight and any(all(holds(term) for term in form) for form in concept.forms)
        )
        return held / total


def weigh(
    concepts: Sequence[Concept],
    term_weights: Callable[[list[Term]], list[float]],
    power: float = 1.0,
) -> WeighedConcepts:
    """Weigh each concept by the rarity of its commonest known form (a form as rare as
    its rarest term; of its ``weighing_forms`` when the index holds one), raised to
    ``power``; ``term_weights`` is the backend's IDF look-up, asked once. A form is known
    when none of its terms weighs as much as a term no document holds (``text.ABSENT``)."""
    terms = list(dict.fromkeys(term for c in concepts for form in c.forms for term in form))
    absent, *looked_up = term_weights([ABSENT, *terms])
    weight_of = dict(zip(terms, looked_up, strict=True))

    def known(forms: Sequence[Form]) -> list[float]:
        return [
            max(weight_of[term] for term in form)
            for form in forms
            if all(weight_of[term] < absent - 1e-9 for term in form)
        ]

    weights = []
    for concept in concepts:
        weighing = known(concept.forms[: concept.weighing_forms]) or known(concept.forms)
        weights.append(min(weighing) ** power if weighing else 0.0)
    return WeighedConcepts(tuple(concepts), tuple(weights))
