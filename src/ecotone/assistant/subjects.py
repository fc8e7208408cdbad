"""What a question is about by name: a place, an organisation, a programme or a law that the
question names (欧盟, Saskatchewan, 45Q, DOE, California), and whether a record is about it.

A question about the EU's border tax is not answered by a Saskatchewan policy that shares its
other words ("carbon", "regulation", "start"), nor a question about 45Q by another section of
the U.S. Code. Names are found in the question itself, without a gazetteer:

* in English, a word written with a capital inside the sentence ("China's", "Texas"), an
  acronym ("EU", "DOE") or a code of letters and digits ("45Q");
* in Chinese, a word of two characters or more whose first sense in the search's dictionary
  (the climate glossary, then CC-CEDICT) is itself a name, written with a capital: 欧盟
  "European Union", 萨斯喀彻温 "Saskatchewan province, Canada", 广东 "Guangdong" (not 美元
  "US dollar", a unit, nor one character such as 台 "Taiwan", which is also a counter).

A record is about a name when its title or any of its fields (its whole text, its summary,
its publisher) holds one of the ways the question's concept may be written, in either
language, or, for an acronym, when the record writes the words it stands for ("Department of
Energy" for DOE, "United States" for US, "European Union" for EU).
"""

import re

from ecotone.search.registry import get_index
from ecotone.search.text import CJK
from ecotone.search.translation import dictionary

from .passages import load_records, normalised
from .question import Concept

#: a capitalised word, an acronym or a code of letters and digits, as the question writes it
#: (not a formula such as CO2, whose digits follow its letters)
NAME = re.compile(r"(?<![\w'’])(?:\d+[A-Z][A-Za-z0-9]*|[A-Z][A-Za-z]*(?:-[A-Za-z]+)?)(?![\w])")
ACRONYM = re.compile(r"^(?:[A-Z]{2,}|\d+[A-Z][A-Za-z0-9]*)$")
#: a dictionary sense that names something (its first letter a capital), and the senses of
#: units that are written like names ("US dollar", "Hong Kong dollar")
PROPER_SENSE = re.compile(r"^(?:the )?[A-Z]")
UNIT_SENSE = re.compile(r"\b(?:dollars?|yuan|euros?|pounds?|yen|cents?)\b", re.IGNORECASE)
#: words that may stand inside a name without counting in its acronym ("Department of Energy")
NAME_LINKS = frozenset({"of", "and", "for", "the", "on", "in", "&"})
SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s+|[\"“(]\s*)$")


def named_subjects(question: str, concepts_: list[Concept]) -> list[Concept]:
    """The concepts of ``question`` that name something (see the module's description)."""
    if CJK.search(question):
        return [c for c in concepts_ if _chinese_name(c.label)]
    named: list[Concept] = []
    for match in NAME.finditer(question):
        word = match.group()
        starts_sentence = SENTENCE_START.search(question[: match.start()]) is not None
        if len(word) < 2 or (starts_sentence and not ACRONYM.match(word)):
            continue
        concept = _concept_of(word, concepts_)
        if concept is not None and concept not in named:
            named.append(concept)
    return named


def _chinese_name(word: str) -> bool:
    if len(word) < 2 or not CJK.fullmatch(word):
        return False
    senses = dictionary().get(word, ())
    return bool(senses) and bool(PROPER_SENSE.match(senses[0])) and not UNIT_SENSE.search(senses[0])


def _concept_of(word: str, concepts_: list[Concept]) -> Concept | None:
    """The concept the question's ``word`` is part of (a glossary phrase counts as one)."""
    lower = word.lower()
    for concept in concepts_:
        if lower in concept.label.lower().split():
            return concept
    return None


def is_acronym(concept: Concept, question: str) -> bool:
    return any(
        ACRONYM.match(m.group()) and m.group().lower() in concept.label.lower().split()
        for m in NAME.finditer(question)
    )


def records_about(passages, subjects: list[Concept], question: str) -> set[tuple[str, int]]:
    """The (kind, pk) of the records of ``passages`` that are about every one of ``subjects``."""
    keys = list(dict.fromkeys((p.kind, p.pk) for p in passages))
    if not subjects:
        return set(keys)
    acronyms = {c.label for c in subjects if is_acronym(c, question)}
    about = set()
    for kind, record in load_records(keys):
        text = _record_text(kind, record)
        if all(_names(text, c, c.label in acronyms) for c in subjects):
            about.add((kind, record.pk))
    return about


_READ: dict[tuple[str, int, str], "RecordText"] = {}
READ_AT_MOST = 256  #: records kept read (a long document is read once, not once a question)


def _record_text(kind: str, record) -> "RecordText":
    """All of a record's fields as read for names, kept per record and version."""
    key = (kind, record.pk, record.updated_at.isoformat())
    if key not in _READ:
        if len(_READ) >= READ_AT_MOST:
            _READ.clear()
        fields = get_index(kind).field_texts(record).values()
        _READ[key] = RecordText(" ".join(t for t in fields if t))
    return _READ[key]


class RecordText:
    """A record's text folded for matching, its word stems and the acronyms its names make."""

    def __init__(self, raw: str) -> None:
        from .extractive import _stems

        self.normal = normalised(raw)
        self.stems = _stems(self.normal)
        self.acronyms = _acronyms(raw)


def _acronyms(raw: str) -> frozenset[str]:
    """The initials of every run of capitalised words ("Department of Energy" → DOE and DE,
    "United States" → US), with and without the small words inside the run."""
    found: set[str] = set()
    words = re.findall(r"[A-Za-z][A-Za-z-]*|&", raw)
    run: list[str] = []
    for word in [*words, "."]:
        if word[:1].isupper() or (run and word.lower() in NAME_LINKS):
            run.append(word)
            continue
        while run and run[-1].lower() in NAME_LINKS:
            run.pop()
        if len(run) >= 2:
            found.add("".join(w[0] for w in run).upper())
            found.add("".join(w[0] for w in run if w.lower() not in NAME_LINKS).upper())
        run = []
    return frozenset(found)


def _names(text: RecordText, concept: Concept, acronym: bool) -> bool:
    from .extractive import held

    if held(concept, text.normal, text.stems):
        return True
    return acronym and concept.label.upper() in text.acronyms
