"""The one search interface every backend implements."""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..text import Term


@dataclass(frozen=True)
class IndexedDocument:
    """One record as the index sees it (built from a ``SearchIndex``)."""

    kind: str
    pk: int
    external_id: str
    title_fields: dict[str, str]
    body_fields: dict[str, str]
    facets: dict[str, list[str]]

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


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int


class SearchBackend(ABC):
    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage: ...

    @abstractmethod
    def update(self, documents: Iterable[IndexedDocument], delete_keys: Iterable[str]) -> None:
        """Add or replace ``documents`` and remove the records named by ``delete_keys``."""

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Replace the whole index; returns the number of documents written."""

    @abstractmethod
    def status(self) -> dict: ...
