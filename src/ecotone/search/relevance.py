"""Which fused results are real matches, which only related, and when nothing matches.

Fusion by reciprocal rank knows positions, not evidence: every query has nearest
neighbours in meaning, so ``qwertyzzk`` used to fill a page "close in meaning (0.85)", and
a weak neighbour could push out a record holding every word of the query. Here each
candidate's evidence is read in absolute terms:

* **words**: the share of the query's terms found in the record's stored text, each
  counted by its rarity squared (``coverage``: over the query, a Chinese query's English
  gloss and an English query's Chinese glossary terms): a record that shares only the
  query's common words ("electric", "port" of "electric trucks for port logistics") holds
  little of it;
* **meaning**: the cosine of its best passage in each vector space, against a level per
  model under which neighbours are found for nonsense too (``strong``), and for a match
  by meaning alone near the query's best cosine in that space (``match_gap``).

A Chinese query's English gloss counts each sense of a Chinese word as one unit, held
whole or not at all (``whole_gloss_units``).

A real match has enough of either; the rest is *related*, listed after every real match.
With no real match there is no result at all, and the search says why. The levels were set
on the dev half of the judged sets (docs/search.md).

Exact titles come first: a record whose title (in either language) is the query, after
folding case, width, script and spacing, leads the list, then records whose title holds
the whole query as written.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .text import CJK, WORD, Term, fold, stem, to_simplified

#: how much of each stored field is read for the words a record holds: its opening says
#: what it is about (2,000 characters cost a fifth of a hybrid query and changed no figure)
COVERAGE_CHARS = 600
#: records whose words a process keeps (a few KB each; the demo catalogue has ~4,650)
STORED_WORDS_KEPT = 8192


@dataclass(frozen=True)
class RelevanceSettings:
    #: share of the query's terms a record must hold to be a match by words
    min_coverage: float = 0.5
    #: count each term by its inverse document frequency rather than as one …
    weigh_terms: bool = True
    #: … raised to this power: 2 is what a term weighs in a TF-IDF match, where the query
    #: and the record each weigh it by its IDF. With IDF alone, a record holding the two
    #: commonest of four words ("electric", "port" for "electric trucks for port
    #: logistics": IDF 3.6 and 5.1 of 23.4) held 37% of the query and was a match
    term_weight_power: float = 1.0
    #: vector space → cosine at or above which closeness in meaning alone makes a match
    strong: Mapping[str, float] = field(default_factory=dict)
    #: … and the higher cosine one result at least must reach (or match by words or
    #: title) for the query to have any result: under it, nonsense finds neighbours too
    answer: Mapping[str, float] = field(default_factory=dict)
    #: … or the share of the query's words it must hold
    answer_coverage: float = 0.67
    #: … or two witnesses of one result must agree, each at a lower level: a cosine of
    #: each of two spaces, or a cosine and this share of the query's words (one model's
    #: neighbour of nonsense is rarely the other's, or holds its words)
    corroborate: Mapping[str, float] = field(default_factory=dict)
    corroborating_coverage: float = 1.01
    #: … and two models corroborate only when each puts the record among its first this
    #: many (0: anywhere): two models close to one record are two witnesses when they agree
    #: that it is among the closest; nonsense finds each model's neighbours, rarely the
    #: same ones (红烧鱼的做法: USE's first, e5's 65th)
    agreeing_rank: int = 0
    #: ``corroborate`` levels that differ for a query written in Chinese
    chinese_query_corroborate: Mapping[str, float] = field(default_factory=dict)
    #: ``answer`` and ``chinese_query_answer`` when the records' words are not read (dense
    #: mode): one model alone must then vouch at a lower level, words cannot corroborate
    dense_answer: Mapping[str, float] = field(default_factory=dict)
    dense_chinese_query_answer: Mapping[str, float] = field(default_factory=dict)
    #: … when words are all there is to go by (lexical mode, or no embedder): a record that
    #: shares a few rare words with a query is the best evidence there is
    lexical_answer_coverage: float = 0.15
    #: … or, then, this many of the query's own terms whatever their rarity: a long
    #: question's rare filler words ("seem", "certainly") outweigh its topic words, common
    #: in a catalogue about one subject (0: off, as when a model can vouch)
    answer_terms: int = 0
    lexical_answer_terms: int = 3
    #: a Chinese query's English gloss vouches by words in full when the climate glossary
    #: gave every word, and this much when the general dictionary gave them all (减肥食谱,
    #: "lose weight recipe", matched a recipe app); the models vouch for the rest
    gloss_trust_floor: float = 0.5
    #: ``answer`` levels that differ for a query written in Chinese: short Chinese texts
    #: sit closer to each other in every model, nonsense included
    chinese_query_answer: Mapping[str, float] = field(default_factory=dict)
    #: vector spaces whose ranking of a Chinese query's own text never vouches for an
    #: answer (e5: its cosines between short Chinese texts run high, nonsense included)
    silent_for_chinese_queries: frozenset[str] = frozenset()
    #: an English query's Chinese glossary terms vouch for an answer by meaning when they
    #: stand for at least this share of it (above 1: never)
    chinese_gloss_vouch_share: float = 1.01
    #: space → how far under the query's best cosine in it (over its own and its gloss's
    #: rankings) a record may be and still match by meaning alone (none: any distance)
    match_gap: Mapping[str, float] = field(default_factory=dict)
    #: the English senses of a Chinese query's words count in a record's share of the
    #: query only when it holds them whole ("electric truck" of 电动卡车)
    whole_gloss_units: bool = False
    #: a candidate's fused score is multiplied by 1 + this × its ``coverage``: fusion by
    #: rank cannot tell a record that holds every word of the query from one that holds
    #: one, and the models' rankings, weighed more, know nothing of words
    word_weight: float = 0.0
    #: … where a record with English text holds an English query's Chinese glossary terms
    #: only for the share of the query they stand for (as when they vouch): its English
    #: text already meets the query's own words, and a Chinese 电网 (one word of "how dirty
    #: is the power grid right now") weighed as if it held the whole query. A record
    #: written only in Chinese meets the query through those terms alone and counts them
    #: in full
    weigh_glossary_terms_by_share: bool = False
    #: when a Chinese query names a concept no record holds in either language
    #: (``concepts``), a record vouches that it has an answer only when it also holds this
    #: share of what the catalogue knows of the query (0: off): the models find records
    #: close to "power generation" for 压电地砖行人发电 that answer none of it
    known_part_coverage: float = 0.0
    #: … and the same for an English query naming a word that neither the index nor any
    #: of its Chinese words (glossary, CC-CEDICT) holds, and that no dictionary translates
    #: (``concepts.WeighedConcepts.unknown_untranslated``; docs/search.md, rounds 14–15)
    known_part_in_english: bool = False
    #: a query of this many characters (Chinese) or words (other) matches titles as a phrase
    min_phrase_chars: int = 4
    min_phrase_words: int = 2

    def answer_levels(self, query_language: str) -> Mapping[str, float]:
        if query_language == "zh":
            return {**self.answer, **self.chinese_query_answer}
        return self.answer

    def corroborating_levels(self, query_language: str) -> Mapping[str, float]:
        if query_language == "zh":
            return {**self.corroborate, **self.chinese_query_corroborate}
        return self.corroborate


@dataclass
class Evidence:
    coverage: float = 0.0
    similarity: dict[str, float] = field(default_factory=dict)  #: space → best cosine
    title: int = 0  #: 2 the title is the query, 1 the title holds it, 0 neither
    #: the same, from the retrievals that may vouch that the query has an answer at all:
    #: not those of an English query's Chinese glossary terms (one glossed word of a
    #: sports question is not the question) nor e5 on a Chinese query's own text (its
    #: cosines between short Chinese texts run high, nonsense included)
    vouching_coverage: float = 0.0
    vouching_similarity: dict[str, float] = field(default_factory=dict)
    #: space → its best place (0 first) in that space's rankings that may vouch
    vouching_rank: dict[str, int] = field(default_factory=dict)
    #: how many of the query's own terms it holds, each counted once
    terms_held: int = 0
    #: the share of the query's known concepts it holds (``concepts.WeighedConcepts``);
    #: ``None`` when the query names no unknown concept and nothing is asked of it
    known_coverage: float | None = None
    #: the share the words weighed after fusion read (``weigh_words``) when it is not
    #: ``coverage`` (``RelevanceSettings.weigh_glossary_terms_by_share``)
    weighed_coverage: float | None = None

    def weighed_share(self) -> float:
        return self.coverage if self.weighed_coverage is None else self.weighed_coverage

    def is_match(self, settings: RelevanceSettings, *, answers: str = "") -> bool:
        """A real match; with ``answers`` (the query's language), one strong enough to show
        that the query has results."""
        if answers:
            if not self._holds_known_part(settings):
                return False
            return (
                self._holds(
                    settings.answer_coverage,
                    self.vouching_coverage,
                    settings.answer_levels(answers),
                    self.vouching_similarity,
                )
                or self._corroborated(settings, answers)
                or self.holds_terms(settings)
            )
        return self._holds(settings.min_coverage, self.coverage, settings.strong, self.similarity)

    def _corroborated(self, settings: RelevanceSettings, query_language: str) -> bool:
        """Two witnesses that may vouch agree: the words it holds and a model, or two
        models, each at its ``corroborate`` level (and, two models, each ranking the
        record among its first ``agreeing_rank``)."""
        levels = settings.corroborating_levels(query_language)
        models = [
            space
            for space, score in self.vouching_similarity.items()
            if space in levels and score >= levels[space]
        ]
        if self.vouching_coverage >= settings.corroborating_coverage:
            return bool(models)
        if settings.agreeing_rank:
            models = [
                space
                for space in models
                if self.vouching_rank.get(space, 0) < settings.agreeing_rank
            ]
        return len(models) >= 2

    def _holds_known_part(self, settings: RelevanceSettings) -> bool:
        if self.known_coverage is None or self.title:
            return True
        return self.known_coverage >= settings.known_part_coverage

    def holds_terms(self, settings: RelevanceSettings) -> bool:
        return bool(settings.answer_terms) and self.terms_held >= settings.answer_terms

    def _holds(self, min_coverage, coverage, levels, similarity) -> bool:
        if self.title or coverage >= min_coverage:
            return True
        return any(score >= levels[space] for space, score in similarity.items() if space in levels)


@dataclass(frozen=True)
class StoredWords:
    """A record's stored text, read once for every list of terms it is checked against."""

    text: str
    stems: frozenset[str]

    @classmethod
    def of(cls, fields: Mapping[str, str]) -> "StoredWords":
        return _stored_words(tuple(t[:COVERAGE_CHARS] for t in fields.values() if t))

    def coverage(
        self,
        terms: list[Term],
        weights: list[float] | None = None,
        units: list[tuple[int, ...]] | None = None,
    ) -> float:
        """The share of ``terms`` found, each counted by its weight (its rarity: one rare
        word of a question outweighs three common ones): an English term by its stem (or
        as a prefix), a Chinese one as a substring. With ``units`` (the places of the terms
        that together name one thing, ``text.coverage_units``), a term counts only as part
        of a unit the record holds whole: "Chubu Electric" holds no part of 电动卡车's
        "electric truck"."""
        if not terms:
            return 0.0
        weights = weights or [1.0] * len(terms)
        held = [self.holds(term) for term in terms]
        if units is not None:
            whole = [False] * len(terms)
            for unit in units:
                if all(held[place] for place in unit):
                    for place in unit:
                        whole[place] = True
            held = whole
        found = sum(weight for weight, holds in zip(weights, held, strict=True) if holds)
        return found / (sum(weights) or 1.0)

    def held(self, terms: list[Term]) -> int:
        """How many of ``terms`` it holds."""
        return sum(1 for term in terms if self.holds(term))

    def holds(self, term: Term) -> bool:
        if term.language == "zh":
            return term.token in self.text
        if term.prefix:  # a word as written starts with it (stems are cut shorter)
            return re.search(rf"(?<![^\W_]){re.escape(term.token)}", self.text) is not None
        return term.token in self.stems


#: titles (and queries) normalised, kept per process: a search compares its query with the
#: titles of up to a hundred candidates, and the same records come back query after query
TITLES_KEPT = 20_000


@lru_cache(maxsize=TITLES_KEPT)
def normalised_title(text: str) -> str:
    """Case, width and everything but letters and digits folded away (a query is also
    converted to Simplified by the caller; stored titles are read as written)."""
    return re.sub(r"[\W_]+", "", fold(text).lower())


@lru_cache(maxsize=1024)
def _normalised_query(query: str) -> str:
    """The query as a title to compare (pure-Python OpenCC costs ~0.1 ms a call, and a
    search compared the same query with every candidate's titles)."""
    return normalised_title(to_simplified(query))


def title_match(query: str, titles: list[str], settings: RelevanceSettings) -> int:
    wanted = _normalised_query(query)
    if not wanted:
        return 0
    normal = [normalised_title(title) for title in titles if title]
    if wanted in normal:
        return 2
    long_enough = (
        len(wanted) >= settings.min_phrase_chars
        if re.search(r"[^\x00-\x7f]", wanted)
        else len(query.split()) >= settings.min_phrase_words
    )
    return int(long_enough and any(wanted in title for title in normal))


def weigh_words(
    ranked: list[tuple[str, float]], evidence: Mapping[str, Evidence], settings: RelevanceSettings
) -> list[tuple[str, float]]:
    """``ranked`` re-ordered by fused score × (1 + ``word_weight`` × the share of the
    query's weighted terms each candidate holds, ``Evidence.weighed_share``)."""
    if not settings.word_weight:
        return ranked
    weighed = [
        (key, score * (1 + settings.word_weight * evidence[key].weighed_share()))
        if key in evidence
        else (key, score)
        for key, score in ranked
    ]
    return sorted(weighed, key=lambda item: (-item[1], item[0]))


def has_answer(
    evidence: Mapping[str, Evidence], settings: RelevanceSettings, query_language: str
) -> bool:
    """Whether one candidate at least answers the query (``RelevanceSettings.answer``)."""
    return any(found.is_match(settings, answers=query_language) for found in evidence.values())


def holds_several_words(evidence: Mapping[str, Evidence], settings: RelevanceSettings) -> bool:
    """Whether a candidate holds ``answer_terms`` of the query's words (words-only mode)."""
    return any(found.holds_terms(settings) for found in evidence.values())


def order(
    ranked: list[tuple[str, float]],
    evidence: Mapping[str, Evidence],
    settings: RelevanceSettings,
    query_language: str = "en",
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(real matches, related) from a fused ranking: exact titles first, then titles that
    hold the query, then the fused order; records without evidence are related. Both are
    empty when no record answers the query (``RelevanceSettings.answer``)."""
    if not has_answer(evidence, settings, query_language):
        return [], []
    matches: list[tuple[str, float]] = []
    related: list[tuple[str, float]] = []
    for key, score in ranked:
        found = evidence.get(key, Evidence())
        (matches if found.is_match(settings) else related).append((key, score))
    position = {key: index for index, (key, _) in enumerate(ranked)}
    matches.sort(key=lambda item: (-evidence[item[0]].title, position[item[0]]))
    return matches, related


@lru_cache(maxsize=STORED_WORDS_KEPT)
def _stored_words(texts: tuple[str, ...]) -> StoredWords:
    """The words of a record's stored texts, kept per process: the same records come back
    for query after query, and stemming their words cost a search ~6 ms."""
    # not converted to Simplified: pure-Python OpenCC would cost more than the search
    text = fold(" ".join(texts)).lower()
    return StoredWords(text, frozenset(stem(word) for word in WORD.findall(CJK.sub(" ", text))))
