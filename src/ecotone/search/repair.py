"""Bring the index back in line with the database, doing only what differs.

For every registered kind it compares the records that may be found (published ones) with
the documents the index holds:

* **missing**: a public record with no document (an import killed while it indexed, a
  lost task, a database restored without its index);
* **stale**: a document whose stored text or facets are not the record's as it is now (an
  edit whose re-indexing never ran) — the stored fields are the record's version in the
  index, compared field by field — or, in the embedded index, one without the vectors its
  text should have (a rebuild cut short: the vectors are written apart from the text);
* **orphans**: a document whose record is gone or no longer public.

Missing and stale records are indexed again (with their vectors), orphans deleted. Re-running
a repair that was cut short redoes nothing already done, which is what makes background
indexing resumable: the import task, the worker's recovery and ``ecotone index repair`` all
come here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .backends import get_search_backend
from .embedding import get_embedders
from .indexing import BATCH, document_for, refresh_imported, stored_view
from .registry import SearchIndex, indexes


@dataclass
class KindDifference:
    kind: str
    public: int = 0
    indexed: int = 0
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)

    @property
    def to_index(self) -> list[int]:
        return sorted({*self.missing, *self.stale})


@dataclass
class Difference:
    kinds: list[KindDifference]

    @property
    def missing(self) -> int:
        return sum(len(k.missing) for k in self.kinds)

    @property
    def stale(self) -> int:
        return sum(len(k.stale) for k in self.kinds)

    @property
    def orphans(self) -> int:
        return sum(len(k.orphans) for k in self.kinds)

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.stale or self.orphans)

    def summary(self) -> str:
        return f"{self.missing} missing, {self.stale} stale, {self.orphans} orphaned"


def _normal(value):
    """Stored JSON against fresh Python values: lists for tuples, no U+0000 (PostgreSQL's
    copy has none)."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(item) for item in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def _out_of_date(index: SearchIndex, record, hit) -> bool:
    if hit is None:
        return True
    fields, facets = stored_view(index, record)
    return (_normal(hit.fields), _normal(hit.facets)) != (_normal(fields), _normal(facets))


def _lacks_vectors(index: SearchIndex, record, with_vectors: set[int] | None) -> bool:
    return (
        with_vectors is not None
        and record.pk not in with_vectors
        and bool(document_for(index, record).passages)
    )


def compare_kind(index: SearchIndex, only: Iterable[int] | None = None) -> KindDifference:
    """The difference for one kind; ``only``: these records alone (an import's)."""
    backend = get_search_backend()
    queryset = index.get_queryset()
    if only is not None:
        only = set(only)
        queryset = queryset.filter(pk__in=only)
    public = set(queryset.values_list("pk", flat=True))
    indexed = backend.indexed_pks(index.kind)
    if only is not None:
        indexed &= only
    difference = KindDifference(index.kind, public=len(public), indexed=len(indexed))
    difference.missing = sorted(public - indexed)
    difference.orphans = sorted(indexed - public)
    both = sorted(public & indexed)
    # the embedded store writes vectors apart from the text: a rebuild cut short leaves
    # documents without theirs (a record with no text to embed has none, rightly)
    with_vectors = backend.vector_pks(index.kind) if get_embedders() else None
    for start in range(0, len(both), BATCH):
        pks = both[start : start + BATCH]
        stored = backend.fetch(f"{index.kind}:{pk}" for pk in pks)
        records = index.get_queryset().filter(pk__in=pks).prefetch_related(*index.prefetch_paths)
        for record in records:
            hit = stored.get(f"{index.kind}:{record.pk}")
            if _out_of_date(index, record, hit) or _lacks_vectors(index, record, with_vectors):
                difference.stale.append(record.pk)
    return difference


def compare(only: dict[str, Iterable[int]] | None = None) -> Difference:
    chosen = [i for i in indexes() if only is None or i.kind in only]
    return Difference(
        [compare_kind(index, None if only is None else only[index.kind]) for index in chosen]
    )


def repair(
    difference: Difference | None = None, progress: Callable[[int], None] | None = None
) -> Difference:
    """Index what is missing or stale and delete the orphans; answers what it found.
    ``progress(n)`` is told of each record indexed."""
    difference = difference if difference is not None else compare()
    backend = get_search_backend()
    by_kind = {index.kind: index for index in indexes()}
    for kind in difference.kinds:
        index = by_kind[kind.kind]
        pks = kind.to_index
        for start in range(0, len(pks), BATCH):
            batch = pks[start : start + BATCH]
            refresh_imported(index, batch)
            if progress:
                progress(len(batch))
        if kind.orphans:
            backend.update([], [f"{kind.kind}:{pk}" for pk in kind.orphans])
    return difference
