"""Questions about the catalogue itself, answered by counting and listing its published
records rather than from a document's sentences, in both languages:

* a kind of record: needs (open ones), cases, solutions, organisations, policies, documents;
* narrowed by a place (a city some published record names, or a country; for policies and
  documents the country or the European Union they apply in, their recorded jurisdiction),
  a sector (whose name holds the words asked for), "Top Ten" (cases), or nothing;
* asked as a count or a list: "How many needs are open in Shenzhen?", "Which solutions are
  there for hydrogen?", "Which Top Ten cases are in low-carbon transport?", "挪威有多少个案例？",
  "氢能领域有哪些解决方案？", "Which policies are in Canada?", "加拿大有哪些政策？".

A question is taken here only when every word of it is accounted for: the kind, the way of
asking, the place, the sector, and words that carry no topic ("the", "are", "有", "的").
Anything else ("Which cases in Norway store CO2 offshore?") asks about the records' content,
so it goes to the documents (``extractive``) like any other question, as does a question whose
place or sector is unknown or that counts no record. The answer's one sentence is written
here, not taken from a document, and cites the records it counts (the first ``LISTED``).
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

from ecotone.catalog.choices import NeedStatus, ResourceKind
from ecotone.catalog.model_fields import Jurisdictions
from ecotone.catalog.models import Case, Need, Organisation, Resource, Sector, Solution

from .extractive import Extract
from .jurisdictions import place_names

LISTED = 10  #: records cited at most under one sentence
LOCALES = {"zh": "zh-hans", "en": "en"}

#: The kinds of record a question can count: model and the order records are cited in.
KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "need": (Need, ("-created_at", "id")),
    "case": (Case, ("title_en", "id")),
    "solution": (Solution, ("title_en", "id")),
    "organisation": (Organisation, ("name_en", "id")),
    "policy": (Resource, ("title_en", "id")),
    "document": (Resource, ("title_en", "id")),
}
#: The kinds that are documents (resources): placed by where they apply, listed as resources.
DOCUMENT_KINDS = frozenset({"policy", "document"})
JURISDICTIONS = Jurisdictions()
#: Each kind's list page (``catalog:record_list``).
LIST_SLUGS = {
    "need": "needs",
    "case": "cases",
    "solution": "solutions",
    "organisation": "organisations",
    "policy": "resources",
    "document": "resources",
}
#: The words that name each kind.
KIND_WORDS_EN = {
    "need": r"needs?|challenges?",
    "case": r"cases?|case studies|case study",
    "solution": r"solutions?|technologies|technology",
    "organisation": r"organi[sz]ations?|companies|company|institutions?",
    "policy": r"polic(?:y|ies)|laws?|regulations?",
    "document": r"documents?|resources",
}
KIND_WORDS_ZH = {
    "need": ("需求",),
    "case": ("案例",),
    "solution": ("解决方案", "技术方案", "技术"),
    "organisation": ("机构", "企业", "公司", "组织", "单位"),
    "policy": ("政策文件", "政策", "法规", "法律"),
    "document": ("文件", "文档", "资料"),
}
ASKS_EN = re.compile(
    r"\b(?:how many|number of|which|what|list|show(?: me)?|count|are there|is there)\b", re.I
)
ASKS_ZH = re.compile(r"多少|几个|几家|几项|几份|哪些|什么|列出|列举|有没有|是否有")
#: "Top Ten", alone or in the award's name ("Shenzhen's Top Ten Green and Low-Carbon Cases"):
#: Shenzhen there names the award, not a place to filter by.
TOP_TEN_EN = re.compile(
    r"(?:\bshenzhen(?:'s|’s)?\s+)?\btop[ -]?(?:ten|10)\b(?:\s+green\s+and\s+low[ -]carbon\b)?",
    re.I,
)
TOP_TEN_ZH = re.compile(r"(?:深圳市?)?(?:2023年)?十大(?:绿色低碳)?(?:典型)?")
OPEN_EN = re.compile(r"\b(?:open|unsolved|still open)\b", re.I)
#: 征集中 is what the pages call an open need.
OPEN_ZH = re.compile(r"(?:征集中|开放|未解决|进行中)的?")
#: "among the cases" (案例中) asks for the kind, nothing more.
AMONG_ZH = "(?:之中|当中|中)?"
#: English words that ask nothing about a record's topic.
# fmt: off
CARRIER_WORDS_EN = frozenset((
    "a", "about", "all", "an", "any", "are", "area", "areas", "at", "based", "by", "catalog",
    "catalogue", "currently", "do", "does", "ecotone", "exist", "field", "for", "from", "has",
    "have", "in", "is", "listed", "located", "me", "now", "of", "on", "operate", "operating",
    "platform", "please", "published", "registered", "sector", "sectors", "that", "the",
    "there", "total", "with", "within", "work", "working",
))
#: Chinese words that ask nothing about a record's topic, longest first.
CARRIER_WORDS_ZH = sorted((
    "目前", "一共", "共有", "总共", "现在", "平台上", "平台", "里面", "已发布的", "已发布", "属于",
    "位于", "来自", "领域", "方面", "关于", "涉及", "请问", "请", "相关的", "相关",
    "有", "个", "家", "项", "份", "的", "是", "在", "里", "吗", "呢",
), key=len, reverse=True)
# fmt: on
@dataclass(frozen=True)
class Place:
    """A city (its English and Chinese names) or a country (its ISO code; ``EU`` for the
    European Union, which only documents are placed in)."""

    city_en: str = ""
    city_zh: str = ""
    country: str = ""

    def label(self, language: str) -> str:
        """The place's name, as a list's heading writes it: "United States", 美国."""
        if self.country:
            with override(LOCALES[language]):
                return str(JURISDICTIONS.name(self.country))
        if language == "zh":
            return self.city_zh or self.city_en
        return self.city_en or self.city_zh

    def in_sentence(self, language: str) -> str:
        """The name as a sentence writes it: English puts "the" before the names of unions,
        kingdoms, republics and island groups ("in the European Union")."""
        name = self.label(language)
        if language == "en" and self.country and _takes_the(name):
            return f"the {name}"
        return name


#: Words that make an English country name take "the" (read before any parenthesis, which
#: django-countries uses for its own article: "Bahamas (The)"); a few plural names take it too.
_THE_WORDS = frozenset(
    {"union", "kingdom", "republic", "states", "emirates", "islands", "netherlands", "see"}
)


def _takes_the(name: str) -> bool:
    words = name.split("(")[0].lower().split()
    return any(word in _THE_WORDS for word in words) or name in {
        "Gambia",
        "Maldives",
        "Philippines",
        "Comoros",
        "Seychelles",
    }


@dataclass
class CatalogueQuestion:
    """What a question about the catalogue asks for."""

    kind: str  #: need, case, solution, organisation, policy or document
    place: Place | None = None
    sectors: list[Sector] = field(default_factory=list)  #: as named, without their children
    top_ten: bool = False


def answer(question: str, language: str) -> Extract | None:
    """An answer from the catalogue, or None when the question is not about it."""
    asked = parse(question)
    if asked is None:
        return None
    records = list(_records(asked))
    extract = _listed(_sentence(asked, len(records), language), records, asked.kind, language)
    for sentence in extract.sentences:
        sentence.update(counted=len(records), list_url=_list_url(asked))
    return extract


def parse(question: str) -> CatalogueQuestion | None:
    """The catalogue question ``question`` asks, or None when some of its words ask about
    something else (or it names no kind of record, or does not ask for a count or a list)."""
    chinese = re.search(r"[\u4e00-\u9fff]", question) is not None
    rest = " ".join(question.split())
    kind, rest = _take_kind(rest, chinese)
    asks = (ASKS_ZH if chinese else ASKS_EN).search(rest)
    if kind is None or asks is None:
        return None
    rest = (ASKS_ZH if chinese else ASKS_EN).sub(" ", rest)
    top_ten = bool((TOP_TEN_ZH if chinese else TOP_TEN_EN).search(rest))
    if top_ten and kind != "case":
        return None
    rest = (TOP_TEN_ZH if chinese else TOP_TEN_EN).sub(" ", rest)
    if kind == "need":
        rest = (OPEN_ZH if chinese else OPEN_EN).sub(" ", rest)
    place, rest = _take_place(rest, chinese)
    sectors, rest = _take_sectors(rest, chinese)
    if sectors is None:
        return None
    return CatalogueQuestion(kind, place, sectors, top_ten)


def _take_kind(text: str, chinese: bool) -> tuple[str | None, str]:
    """The one kind of record the question names (None for none or several), and the text
    without its name."""
    found = set()
    if chinese:
        for kind, words in KIND_WORDS_ZH.items():
            for word in words:
                if word in text:
                    found.add(kind)
                    text = re.sub(re.escape(word) + AMONG_ZH, " ", text)
    else:
        for kind, pattern in KIND_WORDS_EN.items():
            text, replaced = re.subn(rf"\b(?:{pattern})\b", " ", text, flags=re.I)
            if replaced:
                found.add(kind)
    return (found.pop() if len(found) == 1 else None), text


def _take_place(text: str, chinese: bool) -> tuple[Place | None, str]:
    """The longest place the text names, and the text without it."""
    for name, place in _places(chinese):
        if chinese:
            if name in text:
                return place, text.replace(name, " ", 1)
            continue
        flags = 0 if len(name) <= 4 and name.isupper() else re.I  # "US", not "us"
        found = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text, flags)
        if found:
            return place, text[: found.start()] + " " + text[found.end() :]
    return None, text


def _places(chinese: bool) -> list[tuple[str, Place]]:
    """(name, place) for the cities published records name, every country and the European
    Union, longest name first."""
    names: dict[str, Place] = {}
    for model in (Need, Case, Organisation):
        rows = model.objects.filter(model.public_condition()).values_list("city", "city_zh")
        for city_en, city_zh in rows.distinct():
            name = city_zh if chinese else city_en
            if name:
                names.setdefault(name, Place(city_en=city_en, city_zh=city_zh))
    for name, code in place_names(chinese):
        names.setdefault(name, Place(country=code))
    return sorted(names.items(), key=lambda item: len(item[0]), reverse=True)


def _take_sectors(text: str, chinese: bool) -> tuple[list[Sector] | None, str]:
    """The sectors the words left name ([] when no word is left), or None when words are
    left that name no sector: the question is then about something else."""
    if chinese:
        named = [s for s in Sector.objects.all() if s.name_zh and s.name_zh in text]
        named.sort(key=lambda s: len(s.name_zh), reverse=True)
        if named:
            text = text.replace(named[0].name_zh, " ")
            named = named[:1]
        for word in CARRIER_WORDS_ZH:
            text = text.replace(word, " ")
        left = re.sub(r"[\s\W_]+", "", text)
    else:
        named = []
        words = re.findall(r"[^\W_]+(?:-[^\W_]+)*", text.lower())
        left = " ".join(w for w in words if w not in CARRIER_WORDS_EN)
    if not left:
        return named, ""
    if named:
        return None, left
    sectors = _sectors(left)
    return (sectors or None), ""


def _sectors(asked: str) -> list[Sector]:
    """The sector named as asked, else the sectors whose name (either language) holds every
    word asked for: "low-carbon transport" finds "Low-carbon transportation"."""
    asked = asked.strip(" .。").lower()
    words = re.findall(r"[^\W_]+", asked)
    if not words:
        return []
    chinese = re.search(r"[^\x00-\x7f]", asked) is not None
    sectors = list(Sector.objects.all())
    named = [s for s in sectors if asked in (s.name_zh, s.name_en.lower())]
    if named:  # "energy" is the sector Energy (and its children), not every "…energy"
        return named
    return [
        sector
        for sector in sectors
        if (chinese and asked in sector.name_zh)
        or (not chinese and all(w in sector.name_en.lower() for w in words))
    ]


def _records(asked: CatalogueQuestion) -> QuerySet:
    """The published records the question counts, in the order they are cited."""
    model, order = KINDS[asked.kind]
    records = model.objects.filter(model.public_condition())
    if asked.kind == "need":
        records = records.filter(need_status=NeedStatus.OPEN)
    if asked.kind == "policy":
        records = records.filter(kind=ResourceKind.POLICY)
    if asked.top_ten:
        records = records.filter(Q(title_en__icontains="Top Ten") | Q(title_zh__contains="十大"))
    if asked.place is not None:
        records = records.filter(_in_place(asked.place, asked.kind))
    if asked.sectors:
        children = Sector.objects.filter(parent__in=asked.sectors)
        records = records.filter(sectors__in=[*asked.sectors, *children]).distinct()
    return records.order_by(*order)


def _in_place(place: Place, kind: str) -> Q:
    """Records in the place: a solution is where its provider is, a document where it
    applies (it has no city)."""
    if kind in DOCUMENT_KINDS:
        return Q(jurisdiction=place.country) if place.country else Q(pk__in=[])
    prefix = "provider__" if kind == "solution" else ""
    if place.country:
        return Q(**{f"{prefix}country": place.country})
    spellings = [
        Q(**{f"{prefix}city__iexact": place.city_en}) if place.city_en else None,
        Q(**{f"{prefix}city_zh": place.city_zh}) if place.city_zh else None,
    ]
    return reduce(or_, [q for q in spellings if q is not None])


def _list_url(asked: CatalogueQuestion) -> str:
    """The catalogue's list of the records counted, with its filters set ("" when its filters
    cannot say the same: Top Ten, several sectors)."""
    if asked.top_ten or len(asked.sectors) > 1:
        return ""
    filters: dict[str, str] = {}
    if asked.kind == "need":
        filters["need_status"] = NeedStatus.OPEN
    if asked.kind == "policy":
        filters["kind"] = ResourceKind.POLICY
    if asked.place and asked.place.country:
        place_filter = "jurisdiction" if asked.kind in DOCUMENT_KINDS else "country"
        filters[place_filter] = asked.place.country
    elif asked.place:
        filters["city"] = asked.place.city_en or asked.place.city_zh
    if asked.sectors:
        filters["sector"] = asked.sectors[0].slug
    url = reverse("catalog:record_list", args=[LIST_SLUGS[asked.kind]])
    return f"{url}?{urlencode(filters)}" if filters else url


def _sentence(asked: CatalogueQuestion, count: int, language: str) -> str:
    with override(LOCALES[language]):
        values = {"count": count, "scope": _scope(asked, language)}
        if asked.kind == "need":
            return (
                ngettext(
                    "%(count)s published need is open %(scope)s.",
                    "%(count)s published needs are open %(scope)s.",
                    count,
                )
                % values
            )
        if asked.kind == "case" and asked.top_ten:
            return (
                ngettext(
                    "%(count)s published Top Ten case is %(scope)s.",
                    "%(count)s published Top Ten cases are %(scope)s.",
                    count,
                )
                % values
            )
        if asked.kind == "case":
            return (
                ngettext(
                    "%(count)s published case is %(scope)s.",
                    "%(count)s published cases are %(scope)s.",
                    count,
                )
                % values
            )
        if asked.kind == "solution":
            return (
                ngettext(
                    "%(count)s published solution is %(scope)s.",
                    "%(count)s published solutions are %(scope)s.",
                    count,
                )
                % values
            )
        if asked.kind == "policy":
            return (
                ngettext(
                    "%(count)s published policy is %(scope)s.",
                    "%(count)s published policies are %(scope)s.",
                    count,
                )
                % values
            )
        if asked.kind == "document":
            return (
                ngettext(
                    "%(count)s published document is %(scope)s.",
                    "%(count)s published documents are %(scope)s.",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "%(count)s published organisation is %(scope)s.",
                "%(count)s published organisations are %(scope)s.",
                count,
            )
            % values
        )


def _scope(asked: CatalogueQuestion, language: str) -> str:
    """Where the counted records are, as the sentence says it: "in Shenzhen", 深圳."""
    sector = ", ".join(_sector_name(sector, language) for sector in asked.sectors)
    place = asked.place.in_sentence(language) if asked.place else ""
    if sector and place:
        return gettext("in %(sector)s in %(place)s") % {"sector": sector, "place": place}
    if sector:
        return gettext("in %(sector)s") % {"sector": sector}
    if place:
        return gettext("in %(place)s") % {"place": place}
    return gettext("on the platform")


def _listed(text: str, records: list, kind: str, language: str) -> Extract:
    """The sentence cites the records it counts; with none to cite, it is not given (every
    sentence of an answer has a source)."""
    if not records:
        return Extract("not_answered")
    citations = [_citation(record, kind, language) for record in records[:LISTED]]
    return Extract("answered", [{"text": text, "citations": citations}])


def _citation(record, kind: str, language: str) -> dict:
    if kind == "organisation":
        titles = {"en": record.name_en, "zh": record.name_zh}
    else:
        titles = {"en": record.title_en, "zh": record.title_zh}
    if kind in DOCUMENT_KINDS:
        body = record.summary
    else:
        body = record.problem if kind == "need" else record.description
    return {
        "kind": "resource" if kind in DOCUMENT_KINDS else kind,
        "external_id": record.external_id,
        "title": titles.get(language) or titles["en"] or titles["zh"],
        "page": "",
        "passage": " ".join(str(body or "").split())[:500],
        "passage_html": "",
        "titles": titles,
        "url": record.get_absolute_url(),
        "version": record.updated_at.isoformat(),
    }


def _sector_name(sector: Sector, language: str) -> str:
    return (sector.name_zh or sector.name_en) if language == "zh" else sector.name_en
