"""``search_records``: a query in, ranked results with snippets and explanations out."""

import base64
import binascii
from dataclasses import dataclass, field

from django.utils.translation import get_language

from .backends import SearchHit, SearchQuery, get_search_backend
from .highlight import describe
from .registry import get_index, kinds
from .text import MAX_QUERY_CHARS, detect_language, query_terms

MAX_LIMIT = 100
MAX_OFFSET = 10_000


class InvalidSearch(ValueError):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


@dataclass
class SearchResults:
    results: list[dict] = field(default_factory=list)
    next: str | None = None
    message: str = ""


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        prefix, value = text.split(":", 1)
        offset = int(value)
        if prefix != "o" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidSearch(
            "cursor", "invalid cursor; use the 'next' value of a previous page"
        ) from None


def _filters(kind: str | None, sector: str | None, country: str | None) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    if kind:
        if kind not in kinds():
            raise InvalidSearch("kind", f"unknown kind; use one of: {', '.join(kinds())}")
        filters["kind"] = [kind]
    if sector:
        filters["sector"] = [sector.strip().lower()]
    if country:
        filters["country"] = [country.strip().upper()]
    return filters


def search_records(
    q: str,
    *,
    kind: str | None = None,
    sector: str | None = None,
    country: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchResults:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidSearch("limit", f"limit must be between 1 and {MAX_LIMIT}")
    query = SearchQuery(
        terms=query_terms(q or ""),
        filters=_filters(kind, sector, country),
        limit=limit,
        offset=decode_cursor(cursor) if cursor else 0,
    )
    if not query.terms:
        return SearchResults(message=_empty_message(q))
    page = get_search_backend().search(query)
    hits = _still_public(page.hits)
    end = query.offset + len(page.hits)
    more = end < page.total and end < MAX_OFFSET
    results = [_result(hit, query) for hit in hits]
    message = "" if results else "no results; try fewer words, another filter or the other language"
    if len(q) > MAX_QUERY_CHARS:
        message = f"only the first {MAX_QUERY_CHARS} characters of the query were used"
    return SearchResults(
        results=results, next=encode_cursor(end) if more else None, message=message
    )


def _empty_message(q: str) -> str:
    if not (q or "").strip():
        return "enter words to search for"
    return "the query has no searchable words (only punctuation or stop words)"


def _still_public(hits: list[SearchHit]) -> list[SearchHit]:
    """Drop hits the database no longer shows publicly (a change the index missed)."""
    public: set[tuple[str, int]] = set()
    for kind in {hit.kind for hit in hits}:
        pks = [hit.pk for hit in hits if hit.kind == kind]
        found = get_index(kind).get_queryset().filter(pk__in=pks).values_list("pk", flat=True)
        public.update((kind, pk) for pk in found)
    return [hit for hit in hits if (hit.kind, hit.pk) in public]


def _title(hit: SearchHit) -> str:
    titles = [text for name, text in hit.fields.items() if name in get_index(hit.kind).title_fields]
    chinese_first = (get_language() or "en").startswith("zh")
    ordered = sorted(titles, key=lambda t: chinese_first != _is_chinese_title(t))
    return next((t for t in ordered if t), hit.external_id)


def _is_chinese_title(text: str) -> bool:
    return detect_language(text) == "zh"


def _result(hit: SearchHit, query: SearchQuery) -> dict:
    snippet, explanation = describe(hit.fields, query.terms)
    return {
        "kind": hit.kind,
        "id": hit.pk,
        "external_id": hit.external_id,
        "title": _title(hit),
        "score": round(hit.score, 4),
        "snippet": snippet,
        "explanation": explanation,
    }
