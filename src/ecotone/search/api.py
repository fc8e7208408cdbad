"""``GET /api/v1/search``: lexical search over the public catalogue."""

from ninja import Router
from ninja.responses import Status

from ecotone.config.api import error_body

from .queries import InvalidSearch, search_records, suggest
from .schemas import SearchErrorOut, SearchPageOut, SuggestionsOut

router = Router(tags=["search"])


@router.get(
    "/search",
    response={200: SearchPageOut, 422: SearchErrorOut},
    operation_id="search",
    summary="Search the public catalogue",
)
def search(
    request,
    q: str = "",
    kind: str | None = None,
    sector: str | None = None,
    country: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    city: str | None = None,
    trl: str | None = None,
    year: str | None = None,
    mode: str | None = None,
):
    """Ranked results (BM25 over titles and bodies, both languages), with a snippet whose
    matched terms are in ``<mark>`` and an explanation of what matched where.
    ``kind`` is one of organisation, person, solution, case, need, resource, event;
    ``limit`` is at most 100; ``next`` is the cursor of the next page or null.
    ``mode``: hybrid (words and meaning; the default when an embedder is configured),
    lexical or dense. Quotes mark a phrase; ``electr*`` is a prefix."""
    try:
        page = search_records(
            q,
            kind=kind,
            sector=sector,
            country=country,
            limit=limit,
            cursor=cursor,
            mode=mode,
            city=city,
            trl=trl,
            year=year,
        )
    except InvalidSearch as error:
        return Status(422, error_body("invalid", error.message, error.field))
    body = {
        "results": page.results,
        "next": page.next,
        "message": page.message,
        "empty_reason": page.empty_reason,
    }
    return Status(200, {**body, "mode": page.mode})


@router.get(
    "/search/suggest",
    response=SuggestionsOut,
    operation_id="search_suggest",
    url_name="search_suggest",
    summary="Titles to suggest as a searcher types",
)
def search_suggestions(request, q: str = ""):
    """Up to 8 public records whose titles match the words typed so far (the last word
    may be unfinished)."""
    return {"suggestions": suggest(q)}
