"""``GET /api/v1/search``: lexical search over the public catalogue."""

from ninja import Router
from ninja.responses import Status

from .queries import InvalidSearch, search_records
from .schemas import SearchErrorOut, SearchPageOut

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
):
    """Ranked results (BM25 over titles and bodies, both languages), with a snippet whose
    matched terms are in ``<mark>`` and an explanation of what matched where.
    ``kind`` is one of organisation, person, solution, case, need, resource, event;
    ``limit`` is at most 100; ``next`` is the cursor of the next page or null."""
    try:
        page = search_records(
            q, kind=kind, sector=sector, country=country, limit=limit, cursor=cursor
        )
    except InvalidSearch as error:
        return Status(422, {"code": "invalid", "message": error.message, "field": error.field})
    return Status(200, {"results": page.results, "next": page.next, "message": page.message})
