"""The jurisdictions a question names: a country (its English or Chinese name, or a usual
short form: "US", "UK", 美国) or the European Union ("EU", 欧盟), as the codes a document's
recorded jurisdiction uses (``catalog.model_fields.Jurisdictions``).

Round 7 (docs/assistant.md) looked for a named subject in the documents' own words and found
that a ministry's notice never writes 中国 and a U.S. Code section rarely "United States";
the catalogue records where each document applies instead, and this module reads the
question's side of it.
"""

import re
from functools import cache

from django.utils.translation import override
from django_countries import countries

from ecotone.catalog.model_fields import EUROPEAN_UNION
from ecotone.search.text import CJK, coverage_terms
from ecotone.search.translation import COUNTRY_ALIASES, countries_of_adjectives

#: Country names people write that are not the standard ones (English).
COUNTRY_ALIASES_EN = {
    "USA": "US",
    "US": "US",
    "U.S.": "US",
    "United States": "US",
    "America": "US",
    "UK": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Korea": "KR",
    "Russia": "RU",
    "Holland": "NL",
    "the Netherlands": "NL",
    "European Union": EUROPEAN_UNION,
    "EU": EUROPEAN_UNION,
}
#: The same in Chinese.
COUNTRY_ALIASES_ZH = {"欧盟": EUROPEAN_UNION, "欧洲联盟": EUROPEAN_UNION}
#: Adjectives that name a jurisdiction in a question ("the Korean CCUS act", "Chinese
#: regulations") beside those search reads (``countries_of_adjectives``), which leaves
#: these out for reasons of its own (a language, or CC-CEDICT's name for the country).
ADJECTIVES_EN = {
    "Korean": "Korea",
    "American": "United States",
    "British": "United Kingdom",
    "Chinese": "China",
}


@cache
def place_names(chinese: bool) -> tuple[tuple[str, str], ...]:
    """(name, code) of every country and the European Union in one language, longest name
    first (印度尼西亚 before 印度)."""
    with override("zh-hans" if chinese else "en"):
        names = {str(name): code for code, name in countries}
    names.update(COUNTRY_ALIASES_ZH if chinese else COUNTRY_ALIASES_EN)
    return tuple(sorted(names.items(), key=lambda item: len(item[0]), reverse=True))


def named_jurisdictions(question: str) -> frozenset[str]:
    """The codes of the countries and the European Union ``question`` names."""
    return _named_in_english(question) | _named_in_chinese(question)


@cache
def _countries_of_adjectives() -> dict[str, str]:
    """Adjective of nationality, lower case → its country's name ("korean" → "Korea")."""
    named = {**countries_of_adjectives(), **ADJECTIVES_EN}
    return {adjective.lower(): country for adjective, country in named.items()}


def country_names_of_adjective(word: str) -> tuple[str, ...]:
    """The names of the country an adjective of nationality names, as people write it and
    as django-countries does ("korean" → Korea, South Korea; none if it names none)."""
    country = _countries_of_adjectives().get(word.lower(), "")
    return tuple(dict.fromkeys(n for n in (country, COUNTRY_ALIASES.get(country, "")) if n))


@cache
def adjective_codes() -> tuple[tuple[str, str], ...]:
    """(adjective of nationality, code): "korean" → KR, "norwegian" → NO."""
    codes = dict(place_names(False))
    pairs = [
        (adjective, codes.get(COUNTRY_ALIASES.get(country, country)))
        for adjective, country in _countries_of_adjectives().items()
    ]
    return tuple((adjective, code) for adjective, code in pairs if code)


def _named_in_english(question: str) -> frozenset[str]:
    found, text = set(), question
    for name, code in (*place_names(False), *adjective_codes()):
        flags = 0 if len(name) <= 4 and name.isupper() else re.I  # "US", not "us"
        pattern = rf"(?<![\w.]){re.escape(name)}(?![\w])"
        if re.search(pattern, text, flags):
            found.add(code)
            text = re.sub(pattern, " ", text, flags=flags)
    return frozenset(found)


def _named_in_chinese(question: str) -> frozenset[str]:
    """By the words of the question (jieba's, precise mode) that are or begin with a name
    (美国能源部 names 美国): a name inside a word is not one (内蒙古 is not 蒙古, and 增加纳入
    holds no 加纳)."""
    if not CJK.search(question):
        return frozenset()
    words = [term.token for term in coverage_terms(question) if CJK.search(term.token)]
    found = set()
    for word in words:
        for name, code in place_names(True):
            if word.startswith(name):
                found.add(code)
                break
    return frozenset(found)


def outside(record, named: frozenset[str]) -> bool:
    """Whether ``record`` is recorded as applying somewhere other than what is named (a
    record without a recorded jurisdiction is not)."""
    recorded = getattr(record, "jurisdiction", None)
    code = getattr(recorded, "code", recorded) or ""
    return bool(named and code and code not in named)
