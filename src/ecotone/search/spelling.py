""" "Did you mean …?": a query's misspelt English words, corrected from the catalogue's own.

A word is misspelt when no indexed document holds it in any form (``hydrogne``) and it is
not an English word at all (pyspellchecker's list of 160,000: "lettuce" and "cake" are
words the catalogue lacks, not misspellings of "make" or of anything else). Its
correction is the closest word of a vocabulary — the English words of the public records'
titles and of the start of their texts, and the search glossary's English terms — one edit
away (a letter added, dropped or changed, or two letters swapped), two for a word of eight
letters or more; among equally close words, the one more records use. A correction counts
only when the index holds it, so the corrected query finds something. Chinese is not
corrected: a mistyped Chinese character is another word, which edit distance cannot tell.

The vocabulary is read once per catalogue version (``core.cache``: after any catalogue
write): ~0.2 s for the demo's 4,600 records; of each kind only the newest
``VOCABULARY_RECORDS`` are read, so a large catalogue costs about a second. A query whose
words are all English words costs no look-up at all; the vocabulary is read only for one
with another word of four letters or more.
"""

import re
from collections import Counter
from functools import cache

from django.db.models.functions import Left
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from ecotone.core.cache import catalogue_version

from .backends import get_search_backend
from .registry import indexes
from .text import ABSENT, FUNCTION_WORDS, WORD, Term, fold, stem
from .translation import glossary_english

#: shorter words are left alone: one edit turns them into too many others
SHORTEST_CORRECTED = 4
#: a word this long may be two edits from its correction; shorter ones, one
TWO_EDITS_FROM = 8
#: how many of the closest words of a misspelt one are checked against the index
CANDIDATES = 5
#: of each kind, the newest records whose words make the vocabulary
VOCABULARY_RECORDS = 5000
#: how much of each text field's start is read (a title is read whole in practice)
FIELD_CHARS = 400
LATIN_WORD = re.compile(r"[a-z]+")

#: (catalogue version, English word → how many records and glossary terms use it)
_VOCABULARY: list[tuple[str, Counter[str]]] = []


def did_you_mean(query: str, terms: list[Term]) -> str:
    """``query`` with its misspelt English words corrected, or "" when none is (or none
    has a correction the index holds)."""
    words = _correctable(terms)
    english = _english().known(words) if words else set()
    words = [word for word in words if word not in english]
    if not words:  # most queries: no look-up in the database
        return ""
    vocabulary = _vocabulary()
    unseen = [word for word in words if word not in vocabulary]
    if not unseen:
        return ""
    candidates = {word: _closest(word, vocabulary) for word in unseen}
    asked = [*unseen, *{c for found in candidates.values() for c in found}]
    held = _held(asked)
    corrections = {
        word: next(c for c in found if c in held)
        for word, found in candidates.items()
        if word not in held and any(c in held for c in found)
    }
    if not corrections:
        return ""
    return WORD.sub(lambda m: _corrected(m.group(), corrections), fold(query))


@cache
def _english() -> SpellChecker:
    """The English dictionary, read once per process (~0.5 s) when first needed."""
    return SpellChecker(language="en", distance=1)


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


def _held(words: list[str]) -> set[str]:
    """The ``words`` some indexed document holds in some form (by their stems): one look-up."""
    absent, *weights = get_search_backend().term_weights(
        [ABSENT, *(Term(word, stem(word), "en") for word in words)]
    )
    return {word for word, weight in zip(words, weights, strict=True) if weight < absent - 1e-9}


def _closest(word: str, vocabulary: Counter[str]) -> list[str]:
    """Up to ``CANDIDATES`` words of ``vocabulary`` close enough to ``word``, closest and
    then most used first."""
    most = 2 if len(word) >= TWO_EDITS_FROM else 1
    found = process.extract(
        word, vocabulary.keys(), scorer=OSA.distance, score_cutoff=most, limit=None
    )
    ranked = sorted((distance, -vocabulary[c], c) for c, distance, _ in found if c != word)
    return [candidate for _, _, candidate in ranked[:CANDIDATES]]


def _corrected(word: str, corrections: dict[str, str]) -> str:
    """``word``'s correction written as ``word`` was: "Hydrogne" → "Hydrogen"."""
    found = corrections.get(word.lower())
    if not found:
        return word
    if word.isupper() and len(word) > 1:
        return found.upper()
    return found.capitalize() if word[0].isupper() else found


def _vocabulary() -> Counter[str]:
    version = catalogue_version()
    if _VOCABULARY and _VOCABULARY[0][0] == version:
        return _VOCABULARY[0][1]
    counts: Counter[str] = Counter()
    for index in indexes():
        english = [
            name for name in (*index.title_fields, *index.body_fields) if not name.endswith("_zh")
        ]
        starts = {f"start_{n}": Left(name, FIELD_CHARS) for n, name in enumerate(english)}
        newest = index.get_queryset().order_by("-pk").annotate(**starts)
        for row in newest.values_list(*starts)[:VOCABULARY_RECORDS].iterator(chunk_size=2000):
            counts.update(_words(" ".join(text for text in row if text)))
    for term in glossary_english():
        counts.update(_words(term))
    _VOCABULARY[:] = [(version, counts)]
    return counts


def _words(text: str) -> set[str]:
    return {
        word
        for word in LATIN_WORD.findall(fold(text).lower())
        if len(word) >= SHORTEST_CORRECTED - 1
    }
