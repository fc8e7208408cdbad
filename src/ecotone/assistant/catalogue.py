"""Questions about the catalogue itself, answered by counting and listing its published
records rather than from a document's sentences. Three patterns are supported, in both
languages; any other question goes to the documents (``extractive``):

* open needs in a place: "How many needs are open in Shenzhen?", "深圳有多少个开放的需求？";
* the Top Ten cases of a sector: "Which Top Ten cases are in low-carbon transport?",
  "哪些十大案例属于低碳交通？";
* the cases of a city: "How many cases are there in Shenzhen?", "深圳有多少个案例？".

The place must be a city some published need (for cases: some published case) names
(English or Chinese spelling), and the sector a sector whose name holds the words asked
for, and one record at least must be counted; otherwise the question goes to the documents
like any other (and is declined when they do not answer it) rather than guessed. The
answer's one sentence is written here, not taken from a document, and cites the records it
counts (the first ``LISTED``).
"""

import re

from django.db.models import Q
from django.utils.translation import ngettext, override

from ecotone.catalog.choices import NeedStatus
from ecotone.catalog.models import Case, Need, Sector

from .extractive import Extract

LISTED = 10  #: records cited at most under one sentence
LOCALES = {"zh": "zh-hans", "en": "en"}
OPEN_NEEDS = (
    re.compile(
        r"how many (?:open )?needs (?:are (?:there )?)?(?:still )?(?:open )?in (?P<place>[^?？]+)",
        re.I,
    ),
    re.compile(
        r"(?P<place>[^\s，,？?]{1,20}?)(?:目前)?(?:有|共有)多少(?:个|项)?(?:开放的|公开的|未解决的|进行中的)?需求"
    ),
)
CASES_IN_CITY = (
    re.compile(
        r"how many (?:published )?cases (?:are (?:there )?)?(?:located )?in (?P<place>[^?？]+)",
        re.I,
    ),
    re.compile(r"(?P<place>[^\s，,？?]{1,20}?)(?:目前)?(?:有|共有)多少(?:个|项)?(?:已发布的)?案例"),
)
TOP_TEN = (
    re.compile(r"which top ten cases (?:are )?(?:in|about|for) (?P<sector>[^?？]+)", re.I),
    re.compile(r"哪些十大案例(?:属于|是|在|涉及)(?P<sector>[^？?]+)"),
    re.compile(r"(?P<sector>[^，,？?]{2,20}?)(?:领域|方面)?(?:有)?哪些十大案例"),
)


def answer(question: str, language: str) -> Extract | None:
    """An answer from the catalogue, or None when the question is not one of its patterns."""
    for pattern in OPEN_NEEDS:
        found = pattern.search(question)
        if found:
            return _open_needs(found.group("place"), language)
    for pattern in CASES_IN_CITY:
        found = pattern.search(question)
        if found:
            return _cases_in_city(found.group("place"), language)
    for pattern in TOP_TEN:
        found = pattern.search(question)
        if found:
            return _top_ten(found.group("sector"), language)
    return None


def _open_needs(place: str, language: str) -> Extract:
    place = place.strip(" .。").removeprefix("the ").strip()
    published = Need.objects.filter(Need.public_condition())
    in_place = published.filter(Q(city__iexact=place) | Q(city_zh=place))
    if not place or not in_place.exists():
        return Extract("not_answered")
    needs = list(in_place.filter(need_status=NeedStatus.OPEN).order_by("-created_at", "id"))
    city = _city(needs[0] if needs else in_place.first(), language)
    with override(LOCALES[language]):
        text = ngettext(
            "%(count)s published need is open in %(place)s.",
            "%(count)s published needs are open in %(place)s.",
            len(needs),
        ) % {"count": len(needs), "place": city}
    return _listed(text, needs, "need", language)


def _cases_in_city(place: str, language: str) -> Extract:
    """The published cases of a city a published case names (English or Chinese)."""
    place = place.strip(" .。").removeprefix("the ").strip()
    if not place:
        return Extract("not_answered")
    published = Case.objects.filter(Case.public_condition())
    cases = list(
        published.filter(Q(city__iexact=place) | Q(city_zh=place)).order_by("title_en", "id")
    )
    if not cases:
        return Extract("not_answered")
    city = _city(cases[0], language)
    with override(LOCALES[language]):
        text = ngettext(
            "%(count)s published case is in %(place)s.",
            "%(count)s published cases are in %(place)s.",
            len(cases),
        ) % {"count": len(cases), "place": city}
    return _listed(text, cases, "case", language)


def _top_ten(asked: str, language: str) -> Extract:
    sectors = _sectors(asked)
    if not sectors:
        return Extract("not_answered")
    cases = list(
        Case.objects.filter(Case.public_condition())
        .filter(Q(title_en__icontains="Top Ten") | Q(title_zh__contains="十大"))
        .filter(sectors__in=sectors)
        .distinct()
        .order_by("title_en", "id")
    )
    names = ", ".join(_sector_name(sector, language) for sector in sectors)
    with override(LOCALES[language]):
        text = ngettext(
            "%(count)s published Top Ten case is in %(sector)s.",
            "%(count)s published Top Ten cases are in %(sector)s.",
            len(cases),
        ) % {"count": len(cases), "sector": names}
    return _listed(text, cases, "case", language)


def _sectors(asked: str) -> list[Sector]:
    """Sectors whose name (either language) holds every word asked for, and their children;
    "low-carbon transport" finds "Low-carbon transportation"."""
    asked = asked.strip(" .。").lower()
    words = [w for w in re.findall(r"[^\W_]+", asked) if w not in {"the", "and", "of"}]
    if not words:
        return []
    found = []
    for sector in Sector.objects.all():
        english = sector.name_en.lower()
        chinese = re.search(r"[^\x00-\x7f]", asked)
        if (chinese and asked in sector.name_zh) or (
            not chinese and all(w in english for w in words)
        ):
            found.append(sector)
    children = Sector.objects.filter(parent__in=found)
    return list(dict.fromkeys([*found, *children]))


def _listed(text: str, records: list, kind: str, language: str) -> Extract:
    """The sentence cites the records it counts; with none to cite, it is not given (every
    sentence of an answer has a source)."""
    if not records:
        return Extract("not_answered")
    citations = [_citation(record, kind, language) for record in records[:LISTED]]
    return Extract("answered", [{"text": text, "citations": citations}])


def _citation(record, kind: str, language: str) -> dict:
    titles = {"en": record.title_en, "zh": record.title_zh}
    body = record.problem if kind == "need" else record.description
    return {
        "kind": kind,
        "external_id": record.external_id,
        "title": titles.get(language) or record.title_en or record.title_zh,
        "page": "",
        "passage": " ".join(str(body or "").split())[:500],
        "passage_html": "",
        "titles": titles,
        "url": record.get_absolute_url(),
        "version": record.updated_at.isoformat(),
    }


def _city(record, language: str) -> str:
    """A need's or a case's city in the reader's language."""
    if record is None:
        return ""
    if language == "zh":
        return record.city_zh or record.city
    return record.city or record.city_zh


def _sector_name(sector: Sector, language: str) -> str:
    return (sector.name_zh or sector.name_en) if language == "zh" else sector.name_en
