"""What a Chinese query names, one concept at a time, in both languages, and what of it
the catalogue knows.

A concept is one word of the query as its gloss cuts it (``translation``). It has several
*forms*, any of which a record may hold: the word as written, and each of its English
senses, held whole ("electric truck" of 电动卡车). A concept is *known* when the index
holds one of its forms.

Why: near-domain questions the catalogue cannot answer (压电地砖行人发电, piezoelectric
floor tiles; 竹结构建筑固碳, bamboo buildings) name a thing no record names in either
language, and the models still find records close to the rest of the query ("power
generation", "building"). A record that holds little of what the catalogue knows of such
a query is no evidence that the query has an answer
(``RelevanceSettings.known_part_coverage``).

Only Chinese queries: the dictionary gives nearly every Chinese word English senses, so a
word the index holds in neither form is one the catalogue does not name. An English word
the index lacks may be what a record written only in Chinese says in Chinese (the
glossary has the climate terms only), or a searcher's everyday word ("how dirty is the
power grid right now"): the same rule for English queries emptied real ones on dev
(docs/search.md).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .text import ABSENT, FUNCTION_WORDS, Term, coverage_terms
from .translation import QueryTranslation

#: a form: the terms a record must all hold to hold it
Form = tuple[Term, ...]


@dataclass(frozen=True)
class Concept:
    name: str  #: the word as the query (or its gloss) writes it
    forms: tuple[Form, ...]


def chinese_concepts(translation: QueryTranslation) -> list[Concept]:
    """Each word of a Chinese query's gloss, as written and in each English sense; not a
    word whose every sense is a function word (我们 "we, us", 他们 "they"): it names
    nothing."""
    concepts = []
    for gloss in translation.glosses:
        senses = [tuple(coverage_terms(sense)) for sense in gloss.english]
        if gloss.english and all(_says_nothing(form) for form in senses):
            continue
        forms = [tuple(coverage_terms(gloss.word)), *senses]
        concepts.append(Concept(gloss.word, tuple(form for form in forms if form)))
    return concepts


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
    its rarest term), raised to ``power``; ``term_weights`` is the backend's IDF look-up,
    asked once. A form is known when none of its terms weighs as much as a term no
    document holds (``text.ABSENT``)."""
    terms = list(dict.fromkeys(term for c in concepts for form in c.forms for term in form))
    absent, *looked_up = term_weights([ABSENT, *terms])
    weight_of = dict(zip(terms, looked_up, strict=True))
    weights = []
    for concept in concepts:
        known = [
            max(weight_of[term] for term in form)
            for form in concept.forms
            if all(weight_of[term] < absent - 1e-9 for term in form)
        ]
        weights.append(min(known) ** power if known else 0.0)
    return WeighedConcepts(tuple(concepts), tuple(weights))
