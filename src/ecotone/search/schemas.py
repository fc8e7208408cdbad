from ninja import Schema

from ecotone.core.schemas import ErrorOut as SearchErrorOut  # noqa: F401  (re-exported)


class SearchResultOut(Schema):
    kind: str
    id: int
    external_id: str
    title: str
    score: float
    snippet: str  #: HTML: escaped text with matched terms in ``<mark>``
    explanation: str


class SearchPageOut(Schema):
    results: list[SearchResultOut]
    next: str | None
    message: str = ""
    mode: str = "lexical"  #: what answered: hybrid, lexical or dense


class SuggestionOut(Schema):
    kind: str
    id: int
    title: str


class SuggestionsOut(Schema):
    suggestions: list[SuggestionOut]
