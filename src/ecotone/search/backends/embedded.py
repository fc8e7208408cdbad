"""Embedded: a tantivy BM25 index in ``ECOTONE_HOME/search``, fed pre-tokenised text,
and a vector store beside it (``vectors.py``).

Our analyser (``search.text``) does the language work; tantivy sees tokens joined by
spaces and splits them on whitespace. tantivy was chosen over bm25s because it updates
and deletes single documents, filters on facets inside the query and keeps its index on
disk across restarts; it was also faster on 100k synthetic documents with 2 threads (build
2.2 s against 10.1 s; query p50 0.07 ms against 6.7 ms, measured when this was chosen).
"""

import json
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import jieba
import tantivy

from ..registry import FACETS, kinds
from ..text import Term, index_tokens, prefix_alternatives
from .base import DenseHit, IndexedDocument, SearchBackend, SearchHit, SearchPage, SearchQuery
from .postgres_bm25 import idf
from .vectors import VectorStore

SCHEMA_VERSION = "lexical-v2"
REBUILD_BATCH = 500
WRITER_HEAP_BYTES = 32_000_000
LOCK_RETRIES = 50
#: documents a process keeps fetched by key until the index changes (the demo has 4,700)
FETCHED_KEPT = 20_000


#: how many bytes of stored documents a process keeps decoded (``_decoded``): the demo's
#: 4,700 documents take 3 MB
DECODED_BYTES_KEPT = 16_000_000
_decoded_documents: dict[bytes, dict] = {}
_decoded_bytes = 0


def _decoded(data: bytes) -> dict:
    """A hit's stored fields and facets, decoded from its JSON. A search reads ~350 hits
    (candidates for the ranking and the facets), and decoding them was a tenth of a new
    search's CPU; the same documents come back query after query, so each process keeps
    them by their stored bytes, which cannot go stale (an edited record's bytes differ).
    Shared between hits: never changed by a reader. Emptied when full."""
    global _decoded_bytes
    stored = _decoded_documents.get(data)
    if stored is None:
        if _decoded_bytes + len(data) > DECODED_BYTES_KEPT:
            _decoded_documents.clear()
            _decoded_bytes = 0
        stored = _decoded_documents[data] = json.loads(data.decode())
        _decoded_bytes += len(data)
    return stored


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("pk", stored=True, indexed=True)
    builder.add_text_field("external_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    for facet in FACETS:
        if facet != "kind":
            builder.add_text_field(facet, tokenizer_name="raw")
    builder.add_bytes_field("data", stored=True)
    return builder.build()


class EmbeddedBackend(SearchBackend):
    def __init__(self, path: Path):
        self.path = Path(path) / SCHEMA_VERSION
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._lock = threading.Lock()
        self.vectors = VectorStore(self.path / "vectors.sqlite3")
        #: documents fetched by key, while the index is unchanged (``_fetched_before``)
        self._fetched: dict[str, SearchHit] = {}
        self._fetched_version: bytes | None = None
        self._fetched_lock = threading.Lock()
        #: the searcher of the index as committed when ``_searcher_version`` was read
        self._searcher: tantivy.Searcher | None = None
        self._searcher_version: bytes | None = None
        self._searcher_lock = threading.Lock()
        jieba.initialize()  # load the dictionary now, not during the first Chinese query

    # -- writing ---------------------------------------------------------------------

    def _document(self, doc: IndexedDocument) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("key", doc.key)
        out.add_text("kind", doc.kind)
        out.add_unsigned("pk", doc.pk)
        out.add_text("external_id", doc.external_id)
        out.add_text("title", " ".join(index_tokens(" \n".join(doc.title_fields.values()))))
        out.add_text("body", " ".join(index_tokens(" \n".join(doc.body_fields.values()))))
        for facet, values in doc.facets.items():
            for value in values if facet != "kind" else ():
                out.add_text(facet, value)
        stored = {"fields": {**doc.title_fields, **doc.body_fields}, "facets": doc.facets}
        out.add_bytes("data", json.dumps(stored, ensure_ascii=False).encode())
        return out

    def _write(self, operation) -> None:
        with self._lock:
            writer = self._open_writer()
            try:
                operation(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()

    def _open_writer(self):
        """One writer per change, so another process (a CLI rebuild) can take its turn."""
        for attempt in range(LOCK_RETRIES):
            try:
                return self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            except ValueError:
                if attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def update(self, documents: Iterable[IndexedDocument], delete_keys: Iterable[str]) -> None:
        documents, delete_keys = list(documents), list(delete_keys)
        if not documents and not delete_keys:
            return

        def operation(writer) -> None:
            for key in [*delete_keys, *(doc.key for doc in documents)]:
                writer.delete_documents_by_term("key", key)
            for doc in documents:
                writer.add_document(self._document(doc))

        self._write(operation)
        self.vectors.write(documents, delete_keys)

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Replace both indexes; vectors are written a batch at a time as documents stream
        in, so a 100k rebuild never holds every vector in memory."""
        count = 0
        self.vectors.write([], [], clear=True)

        def operation(writer) -> None:
            nonlocal count
            writer.delete_all_documents()
            batch: list[IndexedDocument] = []
            for doc in documents:
                writer.add_document(self._document(doc))
                count += 1
                batch.append(doc)
                if len(batch) == REBUILD_BATCH:
                    self.vectors.write(batch, [])
                    batch = []
            self.vectors.write(batch, [])

        self._write(operation)
        return count

    # -- reading ---------------------------------------------------------------------

    def _committed_version(self) -> bytes | None:
        """The index's ``meta.json`` as last committed, by this process or another (the
        worker, a CLI rebuild): every commit rewrites it with a new opstamp. ``None``
        before the first commit."""
        try:
            return (self.path / "meta.json").read_bytes()
        except OSError:
            return None

    def _current_searcher(self, version: bytes | None = None) -> tantivy.Searcher:
        """A searcher of the index as last committed (``version``, read now unless given),
        reloaded only when a commit changed it since the last reload, rather than for
        every call (four times a hybrid search). The version is read before the reload, so
        the searcher is never older than the version kept."""
        version = version or self._committed_version()
        with self._searcher_lock:
            if self._searcher is None or version is None or version != self._searcher_version:
                self.index.reload()
                self._searcher = self.index.searcher()
                self._searcher_version = version
            return self._searcher

    def _term_query(self, field: str, term) -> tantivy.Query:
        if not term.prefix:
            return tantivy.Query.term_query(self.schema, field, term.token)
        stems = "|".join(re.escape(t) for t in prefix_alternatives(term.token))
        pattern = f"{re.escape(term.token)}.*" + (f"|{stems}" if stems else "")
        return tantivy.Query.regex_query(self.schema, field, pattern)

    def _text_query(self, query: SearchQuery) -> tantivy.Query:
        clauses = []
        for term in query.terms:
            title = self._term_query("title", term)
            clauses.append(
                (tantivy.Occur.Should, tantivy.Query.boost_query(title, query.title_weight))
            )
            clauses.append((tantivy.Occur.Should, self._term_query("body", term)))
        return tantivy.Query.boolean_query(clauses)

    def _filter(self, facet: str, values: list[str]) -> tantivy.Query:
        options = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, facet, value))
            for value in values
        ]
        return tantivy.Query.boolean_query(options)

    def search(self, query: SearchQuery) -> SearchPage:
        return self._search(self._current_searcher(), query)

    def search_many(
        self, queries: list[SearchQuery], weigh: Iterable[Term] = ()
    ) -> tuple[list[SearchPage], list[float]]:
        """Every page and the weights from one searcher: one look at the index's version."""
        searcher = self._current_searcher()
        pages = [self._search(searcher, query) for query in queries]
        return pages, self._term_weights(searcher, list(weigh)) if weigh else []

    def _search(self, searcher: tantivy.Searcher, query: SearchQuery) -> SearchPage:
        if not query.terms:
            return SearchPage(hits=[], total=0)
        clauses = [(tantivy.Occur.Must, self._text_query(query))]
        filters = {**query.filters, "status": ["published"]}
        for facet, values in filters.items():
            clauses.append((tantivy.Occur.Must, self._filter(facet, values)))
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=query.limit, offset=query.offset
        )
        hits = [self._hit(searcher, score, address) for score, address in result.hits]
        return SearchPage(hits=hits, total=result.count or 0)

    def term_weights(self, terms: list[Term]) -> list[float]:
        return self._term_weights(self._current_searcher(), terms)

    def _term_weights(self, searcher: tantivy.Searcher, terms: list[Term]) -> list[float]:
        documents = searcher.num_docs
        return [
            idf(documents, max(searcher.doc_freq(f, t.token) for f in ("title", "body")))
            for t in terms
        ]

    def _hit(self, searcher, score: float, address) -> SearchHit:
        doc = searcher.doc(address)
        stored = _decoded(bytes(doc.get_first("data")))
        return SearchHit(
            kind=doc.get_first("kind"),
            pk=int(doc.get_first("pk")),
            external_id=doc.get_first("external_id"),
            score=float(score),
            fields=stored["fields"],
            facets=stored["facets"],
        )

    def nearest(self, space, vector, filters, limit) -> list[DenseHit]:
        return self.vectors.nearest(space, vector, filters, limit)

    def nearest_many(self, space, vectors, filters, limit) -> list[list[DenseHit]]:
        return self.vectors.nearest_many(space, vectors, filters, limit)

    def fetch(self, keys: Iterable[str]) -> dict[str, SearchHit]:
        keys = sorted(set(keys))
        if not keys:
            return {}
        version = self._committed_version()
        known = self._fetched_before(version)
        found = {key: known[key] for key in keys if key in known}
        missing = [key for key in keys if key not in found]
        if missing:
            searcher = self._current_searcher(version)
            query = tantivy.Query.term_set_query(self.schema, "key", missing)
            result = searcher.search(query, limit=len(missing))
            hits = [self._hit(searcher, 0.0, address) for _, address in result.hits]
            found.update((hit.key, hit) for hit in hits)
            with self._fetched_lock:
                if len(known) + len(hits) > FETCHED_KEPT:
                    known.clear()
                known.update((hit.key, hit) for hit in hits)
        return found

    def _fetched_before(self, version: bytes | None) -> dict[str, SearchHit]:
        """The documents this process fetched since the index last changed. A new search
        fetches ~150 documents that only the meaning found (for its page and its facets),
        mostly the same ones query after query. Any commit, by this process or another,
        rewrites the index's ``meta.json`` (``version``), which empties them."""
        with self._fetched_lock:
            if version is None or version != self._fetched_version:
                self._fetched = {}
                self._fetched_version = version
            return self._fetched

    def indexed_pks(self, kind: str) -> set[int]:
        searcher = self._current_searcher()
        query = tantivy.Query.term_query(self.schema, "kind", kind)
        count = searcher.search(query, limit=1).count or 0
        if not count:
            return set()
        result = searcher.search(query, limit=count)
        return {int(searcher.doc(address).get_first("pk")) for _, address in result.hits}

    def vector_pks(self, kind: str) -> set[int]:
        return self.vectors.pks(kind)

    def status(self) -> dict:
        searcher = self._current_searcher()
        counts = {}
        for kind in kinds():
            term = tantivy.Query.term_query(self.schema, "kind", kind)
            counts[kind] = searcher.search(term, limit=1).count
        return {
            "backend": "embedded (tantivy BM25)",
            "path": str(self.path),
            "documents": searcher.num_docs,
            "segments": searcher.num_segments,
            "by_kind": counts,
            "vectors": self.vectors.counts(),
        }
