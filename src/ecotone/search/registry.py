"""Indexable models declare themselves here: ``@register_search`` on a ``SearchIndex``.

An index says which fields hold the title and the body (in both languages), how much
each group weighs, which facets it offers and which records may be found at all. The
``search`` app never imports a model; it learns them from this registry.
"""

from collections.abc import Iterable
from datetime import date
from typing import Protocol, cast

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ecotone.core.bilingual import ChineseText, bilingual_pairs, judge_chinese

FACETS = ("kind", "sector", "country", "city", "trl", "year", "status")
FACET_LABELS = {
    "kind": _("Kind"),
    "sector": _("Sector"),
    "country": _("Country"),
    "city": _("City"),
    "trl": _("Readiness (TRL)"),
    "year": _("Year"),
}


class Publishable(Protocol):
    """What the default ``get_queryset`` and ``is_indexable`` ask of a model: which of its
    records are public. This app imports no model, so the stubs know only ``Model``; a
    model without these overrides both methods."""

    @classmethod
    def public_condition(cls) -> Q: ...

    @property
    def is_public(self) -> bool: ...


class SearchIndex:
    kind: str = ""  #: the API's kind name (``solution``)
    model: type[Model]
    title_fields: tuple[str, ...] = ()  #: e.g. ``("title_en", "title_zh")``
    body_fields: tuple[str, ...] = ()
    weights: dict[str, float] = {"title": 3.0, "body": 1.0}
    #: facet name → attribute path; ``sector`` names a many-to-many of sectors
    facet_fields: dict[str, str] = {}
    #: many-to-many fields whose changes must re-index the record
    m2m_fields: tuple[str, ...] = ()
    #: how much of a long body field is kept for snippets
    stored_chars: int = 20_000
    #: long body fields embedded paragraph by paragraph (a resource's extracted text)
    chunked_fields: tuple[str, ...] = ()

    @property
    def prefetch_paths(self) -> tuple[str, ...]:
        """What indexing a batch fetches up front: the many-to-manys, and sector parents
        (a record is found under its sector's parent too)."""
        sector = self.facet_fields.get("sector")
        return (*self.m2m_fields, *([f"{sector}__parent"] if sector else []))

    def get_queryset(self) -> QuerySet:
        """Every record that may be found: only public ones in this slice."""
        public = cast(type[Publishable], self.model).public_condition()
        return self.model._default_manager.filter(public)

    def is_indexable(self, record: Model) -> bool:
        return bool(cast(Publishable, record).is_public)

    def field_texts(self, record: Model) -> dict[str, str]:
        fields = (*self.title_fields, *self.body_fields)
        texts = {name: str(getattr(record, name, "") or "") for name in fields}
        return chinese_only_as_chinese(texts)

    def facet_values(self, record: Model) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {"kind": [self.kind]}
        for facet, path in self.facet_fields.items():
            values[facet] = [v for v in _facet(facet, getattr(record, path, None)) if v]
        return values


def chinese_only_as_chinese(texts: dict[str, str]) -> dict[str, str]:
    """``texts`` with each Chinese field holding Chinese text or nothing, so a copy of the
    English text is neither matched twice nor explained as a match "in title (Chinese)",
    and no Latin-only text makes a Chinese passage. A Latin-only Chinese field whose English
    field is empty stands in for it (it is what every reader sees); otherwise the English
    field already names the record and the Latin-only one is left out."""
    texts = dict(texts)
    for english, chinese in bilingual_pairs(list(texts)):
        verdict = judge_chinese(texts[chinese], texts[english])
        if verdict in (ChineseText.COPY, ChineseText.LATIN):
            if not texts[english].strip():
                texts[english] = texts[chinese]
            texts[chinese] = ""
    return texts


def _facet(facet: str, value) -> list[str]:
    if value is None or value == "":
        return []
    if facet == "sector":
        return sorted(_sector_slugs(value.all()))
    if facet == "year" and isinstance(value, date):
        return [str(value.year)]
    if facet == "country":
        countries = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(c, "code", c)).upper() for c in countries if c]
    if facet == "city":
        return [str(value).strip().lower()]
    return [str(value)]


def _sector_slugs(sectors: Iterable) -> set[str]:
    """A record in a sub-sector is found under its parent sector too."""
    slugs: set[str] = set()
    for sector in sectors:
        while sector is not None and sector.slug not in slugs:
            slugs.add(sector.slug)
            sector = sector.parent
    return slugs


_INDEXES: dict[str, SearchIndex] = {}


def register_search(cls: type[SearchIndex]) -> type[SearchIndex]:
    """Class decorator: ``@register_search class SolutionIndex(SearchIndex): ...``."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} needs a kind")
    _INDEXES[cls.kind] = cls()
    return cls


def indexes() -> list[SearchIndex]:
    return list(_INDEXES.values())


def kinds() -> list[str]:
    return list(_INDEXES)


def sector_slugs() -> frozenset[str] | None:
    """The slugs a ``sector`` filter may name: those of the sector model the indexes'
    ``sector`` facets point at (read from the model's field, so this app still imports no
    model); None when no index has that facet."""
    models = {
        index.model._meta.get_field(index.facet_fields["sector"]).related_model
        for index in indexes()
        if "sector" in index.facet_fields
    }
    if not models:
        return None
    return frozenset(
        slug
        for model in models
        if model is not None and not isinstance(model, str)
        for slug in model._default_manager.values_list("slug", flat=True)
    )


def get_index(kind: str) -> SearchIndex:
    return _INDEXES[kind]


def index_for(record_or_model: Model | type[Model]) -> SearchIndex | None:
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    concrete = model._meta.concrete_model
    return next((index for index in _INDEXES.values() if index.model is concrete), None)
