"""The one search interface every backend implements.

A backend answers two kinds of question: lexical (``search``: BM25 over analysed terms)
and dense (``nearest``: cosine similarity between a query vector and passage vectors in
one vector *space*, e.g. ``e5``). Fusing the two is not a backend's job
(``search.fusion``); neither is embedding (``search.embedding``): documents arrive with
their vectors attached, queries with theirs.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from ..text import Term
from .side_by_side import Later, Pending

T = TypeVar("T")


@dataclass(frozen=True)
class Passage:
    """A piece of a document with a vector of its own: one per language of a bilingual
    record, and a long text split by paragraph (``label`` says where, e.g. "p. 3")."""

    chunk: int  #: 0, 1, 2 … within the document
    language: str  #: "en" or "zh"
    text: str
    label: str = ""


@dataclass(frozen=True)
class IndexedDocument:
    """One record as the index sees it (built from a ``SearchIndex``)."""

    kind: str
    pk: int
    external_id: str
    title_fields: dict[str, str]
    body_fields: dict[str, str]
    facets: dict[str, list[str]]
    passages: tuple[Passage, ...] = ()
    #: vector space → array of shape (len(passages), dim), float32, rows L2-normalised
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class SearchQuery:
    terms: list[Term]
    filters: dict[str, list[str]] = field(default_factory=dict)  #: facet → any of values
    limit: int = 20
    offset: int = 0
    title_weight: float = 3.0


@dataclass(frozen=True)
class SearchHit:
    kind: str
    pk: int
    external_id: str
    score: float
    fields: dict[str, str]  #: stored field texts, titles first, for snippets
    facets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class DenseHit:
    """A document's best passage for a query vector (one hit per document)."""

    kind: str
    pk: int
    score: float  #: cosine similarity of the best passage
    chunk: int
    language: str
    label: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int


class SearchBackend(ABC):
    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """Lexical: documents matching any of ``query.terms`` (published only, filtered
        by ``query.filters``), best BM25 first."""

    def search_many(
        self, queries: list[SearchQuery], weigh: list[Term] = ()
    ) -> tuple[list[SearchPage], list[float]]:
        """``search`` for each of ``queries`` and ``term_weights(weigh)``, as one call: a
        backend that reads its statistics from a database reads them once for all."""
        pages = [self.search(query) for query in queries]
        return pages, self.term_weights(list(weigh)) if weigh else []

    @abstractmethod
    def nearest(
        self, space: str, vector: np.ndarray, filters: dict[str, list[str]], limit: int
    ) -> list[DenseHit]:
        """Dense: the ``limit`` published documents (after ``filters``) whose best passage
        in ``space`` is most similar to ``vector``, best first; [] if the space is empty."""

    def nearest_many(
        self, space: str, vectors: list[np.ndarray], filters: dict[str, list[str]], limit: int
    ) -> list[list[DenseHit]]:
        """``nearest`` for each of ``vectors`` in one space (a query and its gloss), as
        one call: a database backend walks them in one statement."""
        return [self.nearest(space, vector, filters, limit) for vector in vectors]

    def beside(self, reads: Callable[[], T]) -> Pending[T]:
        """``reads`` (calls of this backend) started beside the caller's own work where the
        backend can run them on a connection of their own; else run on the caller's thread
        when their result is asked for."""
        return Later(reads)

    @abstractmethod
    def term_weights(self, terms: list[Term]) -> list[float]:
        """Each term's inverse document frequency over the published documents (BM25's,
        the larger of title and body); a term no document holds weighs the most."""

    @abstractmethod
    def fetch(self, keys: Iterable[str]) -> dict[str, SearchHit]:
        """Stored fields and facets of the named documents (score 0); unknown keys are
        left out."""

    @abstractmethod
    def indexed_pks(self, kind: str) -> set[int]:
        """The primary keys of every document of ``kind`` the index holds."""

    def vector_pks(self, kind: str) -> set[int] | None:
        """The primary keys of the documents of ``kind`` that have vectors, where the
        vectors are written apart from the text (and may lag behind it); ``None`` where
        both are written in one transaction."""
        return None

    @abstractmethod
    def update(self, documents: Iterable[IndexedDocument], delete_keys: Iterable[str]) -> None:
        """Add or replace ``documents`` and remove the records named by ``delete_keys``."""

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Replace the whole index; returns the number of documents written."""

    @abstractmethod
    def status(self) -> dict:
        """``backend``, ``documents``, ``by_kind`` and ``vectors`` (space → passages)."""
