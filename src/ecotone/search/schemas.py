from typing import Literal

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
    #: "match": the record holds the query's words or is close in meaning to it;
    #: "related": only loosely close in meaning, listed after every match
    match: Literal["match", "related"] = "match"


class SearchPageOut(Schema):
    results: list[SearchResultOut]
    next: str | None
    message: str = ""
    mode: str = "lexical"  #: what answered: hybrid, lexical or dense
    #: why ``results`` is empty: "no_terms" (nothing searchable in q), "no_match" (no
    #: record answers it), "index_incomplete" (the index lacks many public records: it is
    #: still being built), or "" when there are results
    empty_reason: Literal["", "no_terms", "no_match", "index_incomplete"] = ""
    #: the query with its misspelt words corrected from the catalogue's own words
    #: (``hydrogne storage`` → ``hydrogen storage``), or "" when none is
    did_you_mean: str = ""


class SuggestionOut(Schema):
    kind: str
    id: int
    title: str


class SuggestionsOut(Schema):
    suggestions: list[SuggestionOut]
