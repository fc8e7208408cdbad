"""``GET /api/v1/search``: lexical search over the public catalogue."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, WithJsonSchema

from ecotone.core.bounds import OptionalTrl, OptionalYear
from ecotone.core.replica import prefer_replica

from .queries import MAX_LIMIT, MODES, search_records, suggest
from .schemas import SearchErrorOut, SearchPageOut, SuggestionsOut

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = ""
    #: organisation, person, solution, case, need, resource or event
    kind: str | None = None
    sector: str | None = None  #: a sector slug
    country: str | None = None  #: an ISO code
    city: str | None = None
    trl: OptionalTrl = None
    year: OptionalYear = None
    #: hybrid (words and meaning; the default with an embedder), lexical or dense
    mode: Annotated[str | None, WithJsonSchema({"type": "string", "enum": list(MODES)})] = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20
    cursor: str | None = None  #: the ``next`` of the previous page


@router.get(
    "/search",
    response={200: SearchPageOut, 422: SearchErrorOut},
    operation_id="search",
    summary="Search the public catalogue",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> Status:
    """Ranked results (BM25 over titles and bodies, both languages), with a snippet whose
    matched terms are in ``<mark>`` and an explanation of what matched where.
    ``next`` is the cursor of the next page or null. Quotes mark a phrase; ``electr*`` is a
    prefix."""
    prefer_replica()
    page = search_records(
        params.q,
        kind=params.kind,
        sector=params.sector,
        country=params.country,
        limit=params.limit,
        cursor=params.cursor,
        mode=params.mode,
        city=params.city,
        trl=None if params.trl is None else str(params.trl),
        year=None if params.year is None else str(params.year),
    )
    body = {
        "results": page.results,
        "next": page.next,
        "message": page.message,
        "empty_reason": page.empty_reason,
        "did_you_mean": page.did_you_mean,
    }
    return Status(200, {**body, "mode": page.mode})


@router.get(
    "/search/suggest",
    response=SuggestionsOut,
    operation_id="search_suggest",
    url_name="search_suggest",
    summary="Titles to suggest as a searcher types",
)
def search_suggestions(request: HttpRequest, q: str = ""):
    """Up to 8 public records whose titles match the words typed so far (the last word
    may be unfinished)."""
    return {"suggestions": suggest(q)}
