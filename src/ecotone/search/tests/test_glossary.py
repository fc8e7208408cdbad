"""The climate glossary file itself: every line is an entry the gloss can use.

``translation`` reads the file without checking it (a malformed line would raise on the
first Chinese query, a repeated term would silently keep only its last senses), so the
checks live here, on the file as committed."""

from ecotone.search import translation
from ecotone.search.text import CJK, to_simplified

SEPARATOR = " / "
MAX_SENSE_WORDS = 5  #: a gloss, not an explanation: every word costs query-embedding time


def entry_lines() -> list[tuple[int, str]]:
    lines = translation.GLOSSARY.read_text(encoding="utf-8").splitlines()
    return [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.startswith("#")
    ]


def test_the_glossary_is_a_real_list():
    assert len(entry_lines()) >= 700


def test_every_line_is_a_chinese_term_a_tab_and_english_senses():
    for number, line in entry_lines():
        fields = line.split("\t")
        assert len(fields) == 2, f"line {number}: {line!r} needs exactly one tab"
        chinese, english = fields
        assert CJK.fullmatch(chinese), f"line {number}: {chinese!r} is not only Chinese"
        assert to_simplified(chinese) == chinese, f"line {number}: {chinese!r} not Simplified"
        senses = english.split(SEPARATOR)
        for sense in senses:
            assert sense and sense == sense.strip(), f"line {number}: empty sense in {line!r}"
            assert "/" not in sense, f"line {number}: separate senses with ' / ' in {line!r}"
            assert len(sense.split()) <= MAX_SENSE_WORDS, f"line {number}: {sense!r} too long"
        assert len(set(senses)) == len(senses), f"line {number}: a sense repeats"


def test_no_chinese_term_is_listed_twice():
    seen: dict[str, int] = {}
    for number, line in entry_lines():
        chinese = line.split("\t")[0]
        assert chinese not in seen, f"{chinese} on lines {seen[chinese]} and {number}"
        seen[chinese] = number


def test_every_term_is_reachable_and_glossed_as_written():
    # the gloss segments by longest match up to LONGEST_WORD characters: a longer term would
    # never be used, and the dictionary must give back exactly the glossary's senses
    entries = dict(translation._glossary_entries())
    assert len(entries) == len(entry_lines())
    dictionary = translation.dictionary()
    for chinese, senses in entries.items():
        assert translation.segment(chinese) == [chinese], chinese
        assert dictionary[chinese] == senses
