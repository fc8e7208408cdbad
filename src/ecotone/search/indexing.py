"""Turning registered records into index documents, and keeping the index fresh."""

import dataclasses
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Model

from ecotone.core.cache import index_changed

from .backends import IndexedDocument, get_search_backend
from .embedding import get_embedders, passage_vectors
from .passages import record_passages
from .registry import SearchIndex, get_index, indexes

BATCH = 500


def stored_view(index: SearchIndex, record: Model) -> tuple[dict[str, str], dict]:
    """What the index stores of ``record``: its title and (shortened) body fields, and its
    facets. ``repair`` compares it with what the index holds."""
    texts = index.field_texts(record)
    fields = {name: texts[name] for name in index.title_fields}
    fields.update({name: texts[name][: index.stored_chars] for name in index.body_fields})
    return fields, index.facet_values(record)


def document_for(index: SearchIndex, record: Model) -> IndexedDocument:
    texts = index.field_texts(record)
    body = {name: texts[name][: index.stored_chars] for name in index.body_fields}
    return IndexedDocument(
        kind=index.kind,
        pk=record.pk,
        external_id=str(getattr(record, "external_id", "") or ""),
        title_fields={name: texts[name] for name in index.title_fields},
        body_fields=body,
        facets=index.facet_values(record),
        passages=record_passages(
            texts, (*index.title_fields, *index.body_fields), index.chunked_fields
        ),
    )


def with_vectors(documents: list[IndexedDocument]) -> list[IndexedDocument]:
    """``documents`` with their passages' vectors, one array per configured embedder;
    the texts of a whole batch go to the embedder together (through the cache)."""
    embedders = get_embedders()
    if not embedders:
        return documents
    texts = [passage.text for doc in documents for passage in doc.passages]
    by_space = {e.space: passage_vectors(e, texts) for e in embedders}
    out, row = [], 0
    for doc in documents:
        end = row + len(doc.passages)
        vectors = (
            {space: matrix[row:end] for space, matrix in by_space.items()} if doc.passages else {}
        )
        out.append(dataclasses.replace(doc, vectors=vectors))
        row = end
    return out


def _batched(documents: Iterable[IndexedDocument]) -> Iterator[IndexedDocument]:
    batch: list[IndexedDocument] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) == BATCH:
            yield from with_vectors(batch)
            batch = []
    yield from with_vectors(batch)


def all_documents(index: SearchIndex) -> Iterator[IndexedDocument]:
    yield from _batched(document_for(index, record) for record in _pages_of_records(index))


def _pages_of_records(index: SearchIndex) -> Iterator[Model]:
    """Every indexable record, read ``BATCH`` at a time by primary key. No query stays open
    while the records are embedded: on SQLite an open one holds a snapshot, and a write
    from this connection after anyone else's (the progress report after a worker's lease
    renewal) then fails at once with "database is locked"."""
    queryset = index.get_queryset().order_by("pk").prefetch_related(*index.prefetch_paths)
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        records = list(page[:BATCH])
        yield from records
        if len(records) < BATCH:
            return
        last = records[-1].pk


def count_indexable() -> int:
    return sum(index.get_queryset().count() for index in indexes())


def index_coverage() -> tuple[int, int]:
    """(records the index holds, records it should hold): fewer while the worker is still
    building it (``ecotone demo`` and imports queue the indexing), or when it never ran."""
    held = sum(get_search_backend().status()["by_kind"].values())
    return held, count_indexable()


def rebuild_index(progress: Callable[[int], None] | None = None) -> int:
    """Write every indexable record afresh; ``progress(n)`` is told of each document."""

    def documents() -> Iterator[IndexedDocument]:
        for index in indexes():
            for doc in all_documents(index):
                if progress:
                    progress(1)
                yield doc

    written = get_search_backend().rebuild(documents())
    index_changed()  # matches are made from the index too
    return written


def refresh_records(keys: set[tuple[str, int]]) -> None:
    """Re-read the records named by (kind, pk) and index, replace or drop each."""
    documents, deletes = [], []
    for kind, pk in sorted(keys):
        index = get_index(kind)
        record = index.model._default_manager.filter(pk=pk).first()
        if record is not None and index.is_indexable(record):
            documents.append(document_for(index, record))
        else:
            deletes.append(f"{kind}:{pk}")
    get_search_backend().update(with_vectors(documents), deletes)
    index_changed()


def refresh_imported(index: SearchIndex, pks: list[int]) -> None:
    """Index (or drop) the records a bulk import created or changed, a batch at a time."""
    backend = get_search_backend()
    for start in range(0, len(pks), BATCH):
        batch = set(pks[start : start + BATCH])
        queryset = index.model._default_manager.filter(pk__in=batch).prefetch_related(
            *index.prefetch_paths
        )
        documents = [document_for(index, r) for r in queryset if index.is_indexable(r)]
        documents = with_vectors(documents)
        indexed = {document.pk for document in documents}
        backend.update(documents, [f"{index.kind}:{pk}" for pk in sorted(batch - indexed)])
        index_changed()
