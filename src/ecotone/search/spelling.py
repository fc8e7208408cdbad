""" "Did you mean …?": a query's misspelt English words, corrected from the catalogue's own.

A word is misspelt when the index holds no document with it (``hydrogne``), and a
correction is the closest word of the catalogue's vocabulary — the English words of every
public record's title, so every correction finds something — one edit away (a letter added, dropped,
changed, or two letters swapped), two for a word of eight letters or more. Ties go to the
word more records use. Chinese is not corrected: a Chinese query's typo is a wrong
character, which edit distance cannot tell from another word.

The vocabulary is read once per catalogue version (``core.cache``: after any catalogue
write), ~60 ms for 5,000 records, and the index is asked only about a query's English words
the titles do not hold, so a search with known words costs one set look-up per word.
"""

import re
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ecotone.core.cache import catalogue_version

from .backends import get_search_backend
from .registry import indexes
from .text import FUNCTION_WORDS, WORD, Term, fold, stem

#: shorter words are left alone: one edit turns them into too many others
SHORTEST_CORRECTED = 4
#: a word this long may be two edits from its correction; shorter ones, one
TWO_EDITS_FROM = 8
#: a correction two edits away must be used by at least this many titles
TWO_EDITS_USES = 2
#: stands for a word no document holds: its weight is the highest the index gives
ABSENT = Term("\ue000", "\ue000", "zh")
LATIN_WORD = re.compile(r"[a-z]+")

#: (catalogue version, English word → how many titles use it)
_VOCABULARY: list[tuple[str, Counter[str]]] = []


def did_you_mean(query: str, terms: list[Term]) -> str:
    """``query`` with its misspelt English words corrected, or "" when none is (or none
    has a correction)."""
    words = _correctable(terms)
    if not words:
        return ""
    vocabulary = _vocabulary()
    unseen = [word for word in words if word not in vocabulary]
    if not unseen:
        return ""
    corrections = {
        word: found for word in _not_indexed(unseen) if (found := _closest(word, vocabulary))
    }
    if not corrections:
        return ""
    return WORD.sub(lambda m: _corrected(m.group(), corrections), fold(query))


def _corrected(word: str, corrections: dict[str, str]) -> str:
    """``word``'s correction written as ``word`` was: "Hydrogne" → "Hydrogen"."""
    found = corrections.get(word.lower())
    if not found:
        return word
    return (
        found.upper()
        if word.isupper() and len(word) > 1
        else found.capitalize()
        if word[0].isupper()
        else found
    )


def _correctable(terms: list[Term]) -> list[str]:
    return [
        t.surface
        for t in terms
        if t.language == "en"
        and not t.prefix
        and len(t.surface) >= SHORTEST_CORRECTED
        and LATIN_WORD.fullmatch(t.surface)
        and t.surface not in FUNCTION_WORDS
    ]


def _not_indexed(words: list[str]) -> list[str]:
    """The ``words`` no indexed document holds in any form (by their stems)."""
    absent, *weights = get_search_backend().term_weights(
        [ABSENT, *(Term(word, stem(word), "en") for word in words)]
    )
    return [word for word, weight in zip(words, weights, strict=True) if weight >= absent - 1e-9]


def _closest(word: str, vocabulary: Counter[str]) -> str:
    most = 2 if len(word) >= TWO_EDITS_FROM else 1
    found = process.extract(
        word, vocabulary.keys(), scorer=OSA.distance, score_cutoff=most, limit=None
    )
    usable = [
        (distance, -vocabulary[candidate], candidate)
        for candidate, distance, _ in found
        if candidate != word and (distance < 2 or vocabulary[candidate] >= TWO_EDITS_USES)
    ]
    return min(usable)[2] if usable else ""


def _vocabulary() -> Counter[str]:
    version = catalogue_version()
    if _VOCABULARY and _VOCABULARY[0][0] == version:
        return _VOCABULARY[0][1]
    counts: Counter[str] = Counter()
    for index in indexes():
        english = [name for name in index.title_fields if not name.endswith("_zh")]
        if not english:
            continue
        rows = index.get_queryset().order_by().values_list(*english)
        for row in rows.iterator(chunk_size=2000):
            counts.update(_words(" ".join(text for text in row if text)))
    _VOCABULARY[:] = [(version, counts)]
    return counts


def _words(text: str) -> set[str]:
    return {
        word
        for word in LATIN_WORD.findall(fold(text).lower())
        if len(word) >= SHORTEST_CORRECTED - 1
    }
