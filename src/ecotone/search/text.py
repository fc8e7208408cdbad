"""Text analysis shared by indexing, querying and snippets.

Both languages go through one analyser: NFKC folding (full-width → half-width), then the
text is cut into runs of Chinese characters and runs of everything else. Chinese runs are
converted Traditional → Simplified, segmented with jieba's search mode and also cut into
character bigrams (and single characters when indexing) so short queries still match.
Other runs are lower-cased, split into words, stop words dropped and stemmed (Snowball).
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import snowballstemmer
from opencc import OpenCC

from ecotone.core.bilingual import CJK_CLASS

jieba.setLogLevel(logging.WARNING)

CJK = re.compile(f"[{CJK_CLASS}]+")
WORD = re.compile(r"[^\W_]+")
ENGLISH_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "is", "it"}
    | {"its", "of", "on", "or", "that", "the", "to", "was", "were", "will", "with"}
)
#: English words that say nothing of a topic ("how can cities …"): searched like any word,
#: but not named as the reason a result matched, nor marked in its snippet, when the result
#: also matched a word that does say something
FUNCTION_WORDS = ENGLISH_STOP_WORDS | frozenset(
    {"about", "after", "all", "also", "am", "any", "been", "before", "being", "between"}
    | {"both", "but", "can", "could", "did", "do", "does", "doing", "done", "each", "else"}
    | {"few", "had", "have", "having", "he", "her", "here", "him", "his", "how", "i", "if"}
    | {"into", "just", "may", "me", "might", "more", "most", "much", "must", "my", "no"}
    | {"nor", "not", "now", "only", "other", "our", "ours", "out", "over", "own", "same"}
    | {"shall", "she", "should", "so", "some", "such", "than", "their", "them", "then"}
    | {"there", "these", "they", "this", "those", "through", "too", "under", "until", "up"}
    | {"us", "very", "want", "we", "what", "when", "where", "which", "while", "who", "whom"}
    | {"why", "would", "you", "your"}
)
#: queries are cut here; a longer query is treated as its first part
MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64
MAX_WORD_CHARS = 64

#: a snowball stemmer keeps the word it works on in itself: one per thread, or two requests
#: stemming at once corrupt each other's word (IndexError under load, a 500 on search)
_stemmers = threading.local()
_t2s = OpenCC("t2s")


@dataclass(frozen=True)
class Term:
    surface: str  #: as the user wrote it (after folding)
    token: str  #: what the index holds
    language: str  #: ``en`` or ``zh``
    prefix: bool = False  #: ``electr*``: any index token starting with ``token``
    #: two Chinese characters cut across words (动卡 of 电动卡车): searched for recall, not
    #: named as a reason a result matched; not part of a term's identity
    bigram: bool = field(default=False, compare=False)


#: stands for a term no document holds: ``term_weights`` gives it the highest weight the
#: index gives, so a term weighed as much is one no document holds either
#: (a private-use character: no analyser makes one; PostgreSQL refuses a NUL)
ABSENT = Term("\ue000", "\ue000", "zh")


def fold(text: str) -> str:
    """Full-width → half-width and compatibility forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    return _t2s.convert(text)


def detect_language(text: str) -> str:
    """``zh`` when at least 30% of the letters are Chinese characters, else ``en``."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    chinese = sum(len(run) for run in CJK.findall(text))
    return "zh" if chinese / len(letters) >= 0.3 else "en"


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def english_words(text: str) -> list[str]:
    """The words of a non-Chinese run that are indexed (as their stems)."""
    return [
        w
        for w in WORD.findall(text.lower())
        if w not in ENGLISH_STOP_WORDS and len(w) <= MAX_WORD_CHARS
    ]


def english_terms(text: str) -> list[Term]:
    return [Term(w, stem(w), "en") for w in english_words(text)]


def chinese_pieces(run: str, *, for_index: bool) -> tuple[list[str], list[str], list[str]]:
    """A Chinese run's jieba words, character bigrams and (when indexing, or for a
    single character) single characters, in Simplified characters."""
    simplified = to_simplified(run)
    words = [w for w in jieba.lcut_for_search(simplified) if w.strip()]
    bigrams = [simplified[i : i + 2] for i in range(len(simplified) - 1)]
    characters = list(simplified) if for_index or len(simplified) == 1 else []
    return words, bigrams, characters


def chinese_terms(run: str, *, for_index: bool) -> list[Term]:
    words, bigrams, characters = chinese_pieces(run, for_index=for_index)
    terms = [Term(w, w, "zh") for w in words]
    terms += [Term(b, b, "zh", bigram=True) for b in bigrams]
    terms += [Term(c, c, "zh") for c in characters]
    return terms


def runs(text: str) -> Iterator[tuple[str, bool]]:
    """Folded ``text`` cut into runs (text, is Chinese), in order; a run may be empty."""
    text = fold(text)
    position = 0
    for match in CJK.finditer(text):
        yield text[position : match.start()], False
        yield match.group(), True
        position = match.end()
    yield text[position:], False


def analyze(text: str, *, for_index: bool = True) -> list[Term]:
    """Split mixed-language text into index terms, in order of appearance."""
    terms: list[Term] = []
    for run, chinese in runs(text):
        terms += chinese_terms(run, for_index=for_index) if chinese else english_terms(run)
    return terms


def index_tokens(text: str) -> list[str]:
    """The tokens of ``analyze(text)``, without making a ``Term`` of each: every indexed
    document goes through here, and a term object cost more than its token (round 17)."""
    tokens: list[str] = []
    for run, chinese in runs(text):
        if chinese:
            for pieces in chinese_pieces(run, for_index=True):
                tokens += pieces
        else:
            tokens += [stem(w) for w in english_words(run)]
    return tokens


PREFIX = re.compile(r"(?<![^\W_])([^\W\d_]{3,})\*")  #: ``electr*``: three letters or more
PHRASE = re.compile(r'"([^"]+)"')
MIN_PREFIX_CHARS = 3


def query_terms(query: str) -> list[Term]:
    """The distinct terms of a query. Two pieces of syntax mean something: a Latin word
    ending in ``*`` is a prefix; quotes mark phrases (``query_phrases``). Everything else
    (``( ) : -``, AND, OR, NEAR) is just text."""
    query = fold(query[:MAX_QUERY_CHARS])
    seen: dict[str, Term] = {}
    for match in PREFIX.finditer(query):
        word = match.group(1).lower()
        seen.setdefault(f"{word}*", Term(f"{word}*", word, "en", prefix=True))
    for term in analyze(PREFIX.sub(" ", query), for_index=False):
        seen.setdefault(term.token, term)
    return list(seen.values())[:MAX_QUERY_TERMS]


def coverage_terms(query: str) -> list[Term]:
    """The units a record is checked against for how much of the query it holds: English
    terms as ``query_terms`` gives them, Chinese as jieba's words in precise mode. The
    character bigrams that help retrieval would count here as words nobody wrote
    (大功率电动汽车 → 率电, 动汽), so that a paraphrase seemed to share little."""
    query = fold(query[:MAX_QUERY_CHARS])
    seen: dict[str, Term] = {}
    position = 0
    for match in CJK.finditer(query):
        for term in query_terms(query[position : match.start()]):
            seen.setdefault(term.token, term)
        for word in jieba.lcut(to_simplified(match.group())):
            if word.strip():
                seen.setdefault(word, Term(word, word, "zh"))
        position = match.end()
    for term in query_terms(query[position:]):
        seen.setdefault(term.token, term)
    return list(seen.values())[:MAX_QUERY_TERMS]


def coverage_units(units: list[str]) -> tuple[list[Term], list[tuple[int, ...]]]:
    """``coverage_terms`` of several texts that each name one thing (a Chinese word's
    English sense: 电动卡车, ``electric truck``), and for each text the places of its
    terms in that list: a record holds such a unit only when it holds every term of it
    (``StoredWords.coverage``)."""
    terms: list[Term] = []
    places: dict[str, int] = {}
    grouped: list[tuple[int, ...]] = []
    for unit in units:
        members = []
        for term in coverage_terms(unit):
            if term.token not in places and len(terms) < MAX_QUERY_TERMS:
                places[term.token] = len(terms)
                terms.append(term)
            if term.token in places:
                members.append(places[term.token])
        if members:
            grouped.append(tuple(dict.fromkeys(members)))
    return terms, grouped


def query_phrases(query: str) -> list[str]:
    """Quoted phrases of two words or more, normalised like stored text is for matching."""
    phrases = [" ".join(p.split()) for p in PHRASE.findall(fold(query[:MAX_QUERY_CHARS]))]
    return [to_simplified(p.lower()) for p in phrases if len(analyze(p, for_index=False)) > 1]


def prefix_alternatives(word: str) -> list[str]:
    """Index tokens are stems (``electricity`` → ``electr``), so ``electri*`` must also
    accept the stems a word starting with ``electri`` may have: its shorter prefixes."""
    shortest = max(MIN_PREFIX_CHARS, len(word) - 3)
    return [word[:length] for length in range(len(word) - 1, shortest - 1, -1)]
