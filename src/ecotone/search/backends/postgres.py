"""PostgreSQL: lexical search in a ``tsvector`` column, dense search in pgvector tables.

Tables (``migrations/0002_postgres_search.py`` creates the first two):

- ``search_pg_document``: one row per indexed record: ``lexemes`` (tsvector, GIN),
  ``facet_terms`` (``facet:value`` strings, GIN), the stored ``fields`` / ``facets`` and
  the title's and body's token counts (``0003``);
- ``search_pg_vector_space``: which table holds each vector space, and its dimension;
- ``search_pg_vec_<space>_<digest>``: one per space, created on first use, one row per
  passage with a ``vector(dim)`` column and an HNSW index (cosine) over the vectors in
  half precision (``embedding::halfvec(dim)``, ``graph_type``).

The tsvector is written from our own tokens (``search.text``) as quoted lexemes, never
through PostgreSQL's parser or dictionaries, so both backends see exactly the same terms
(Chinese segmentation, stemming, Traditional → Simplified) and a query can never be read
as tsquery syntax. Lexical hits are ranked by BM25 with statistics kept in two more
tables (``postgres_bm25.py``).
"""

import functools
import hashlib
import json
import math
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import jieba
import numpy as np
from django.db import connection, connections, transaction

from ecotone.core.replica import reads_alias

from ..registry import kinds
from ..text import Term, index_tokens, prefix_alternatives
from . import postgres_bm25 as bm25
from . import side_by_side
from .base import DenseHit, IndexedDocument, SearchBackend, SearchHit, SearchPage, SearchQuery
from .side_by_side import Pending

T = TypeVar("T")

DOCUMENTS = "search_pg_document"
SPACES = "search_pg_vector_space"
SPACE_TABLE_PREFIX = "search_pg_vec_"
#: serialises the creation of space tables between writers (pg_advisory_xact_lock key)
SPACE_LOCK = 0x45C0_7053

WRITE_BATCH = 500
#: BM25 gives the 16th occurrence of a word in a field 1% of the first one's weight (k1
#: 1.2): occurrences past the first few change little; capping keeps the tsvector small
POSITIONS_PER_LEXEME = 16
MAX_POSITION = 16383  #: PostgreSQL's largest tsvector position
#: PostgreSQL refuses a tsvector over 1 MiB. Past this budget a document's new words are
#: left out of it (it is still found by its earlier words, and by dense search); a lexeme
#: costs its bytes plus an entry, a count and up to POSITIONS_PER_LEXEME positions
MAX_TSVECTOR_BYTES = 1_000_000
LEXEME_OVERHEAD_BYTES = 6 + 2 * POSITIONS_PER_LEXEME
#: ts_rank (which orders documents of equal BM25 bound) divides by 1 + log(length)
RANK_LENGTH_NORMALISATION = 1

#: m is pgvector's default; ef_construction and ef_search are above its 64 and 40 because
#: cross-lingual queries are hard for the graph. On the demo's USE vectors (5,918 passages)
#: the defaults found 78% of the true 40 nearest passages; 200 and 200 find 98% in ~8 ms
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 200
HNSW_MAX_DIMENSIONS = 2000  #: wider vectors are scanned exactly
#: a space of up to this many passages is scanned exactly (a few milliseconds)
EXACT_BELOW = 2000
EF_SEARCH = 200
MAX_EF_SEARCH = 1000
MAX_SCAN_TUPLES = 20_000
#: passages fetched per wanted document at first: a document may own several close
#: passages; a walk that finds too few documents is redone ``CANDIDATES_GROWTH`` times wider
CANDIDATES_PER_HIT = 4
CANDIDATES_GROWTH = 4
ANN_ROUNDS = 3
BIGINT_MAX = 2**63 - 1


class DimensionMismatch(ValueError):
    """A vector's dimension differs from the one its space was created with."""


@dataclass(frozen=True)
class Space:
    name: str
    table: str
    dim: int


# -- text ------------------------------------------------------------------------------


def lexeme(token: str) -> str:
    """``token`` as a quoted tsvector/tsquery lexeme, taken verbatim by PostgreSQL."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def document_lexemes(title_tokens: list[str], body_tokens: list[str]) -> str:
    """A tsvector literal: title tokens first with weight A, then body tokens (weight D).

    Titles come first, so a lexeme's title positions are never the ones left out by
    ``POSITIONS_PER_LEXEME``, and the first position, the one ``ts_rank`` counts fully,
    carries the title's weight whenever the title has the term.

    Every indexed document goes through here (half of a document's Python time in a
    rebuild): one pass over each field's tokens, and a known token's quoted form is
    reused (``_quoted_lexeme``)."""
    positions: dict[str, list[str]] = {}
    budget = MAX_TSVECTOR_BYTES
    position = 0
    for tokens, weight in ((title_tokens, "A"), (body_tokens, "")):
        for token in tokens:
            position += 1
            seen = positions.get(token)
            if seen is None:
                if not token:
                    continue
                cost = len(token.encode()) + LEXEME_OVERHEAD_BYTES
                if cost > budget:
                    continue
                budget -= cost
                seen = positions[token] = []
            if len(seen) < POSITIONS_PER_LEXEME:
                seen.append(f"{position if position < MAX_POSITION else MAX_POSITION}{weight}")
    return " ".join(
        f"{_quoted_lexeme(token)}:{','.join(found)}" for token, found in positions.items()
    )


@functools.lru_cache(maxsize=100_000)
def _quoted_lexeme(token: str) -> str:
    """``lexeme``, kept for the tokens met before (a catalogue's words recur)."""
    return lexeme(token)


def any_of(terms: list[Term]) -> str:
    """A tsquery literal matching documents with any of ``terms``."""
    return " | ".join(operand for term in terms if term.token for operand in operands(term))


def operands(term: Term) -> list[str]:
    """A term's tsquery operands. A prefix term (``electri*``) matches the tokens that
    start with it, and also the shorter stems a word so beginning is indexed as
    (``electric`` → ``electr``, see ``text.prefix_alternatives``)."""
    if not term.prefix:
        return [lexeme(term.token)]
    stems = [lexeme(stem) for stem in prefix_alternatives(term.token)]
    return [f"{lexeme(term.token)}:*", *stems]


def field_operands(term: Term, weight: str) -> str:
    """A tsquery matching ``term`` only in positions of ``weight`` (A title, D body)."""
    if not term.prefix:
        return f"{lexeme(term.token)}:{weight}"
    stems = [f"{lexeme(stem)}:{weight}" for stem in prefix_alternatives(term.token)]
    return " | ".join([f"{lexeme(term.token)}:*{weight}", *stems])


def rank_weights(title_weight: float) -> list[float]:
    """``ts_rank``'s weights {D, C, B, A}: body 1, title ``title_weight``, scaled into
    [0, 1] because ts_rank refuses weights above 1."""
    title = max(title_weight, 0.0)
    scale = max(title, 1.0)
    return [1.0 / scale, 1.0 / scale, 1.0 / scale, title / scale]


def facet_term(facet: str, value: str) -> str:
    return f"{facet}:{value}"


def facet_filter(filters: dict[str, list[str]]) -> tuple[str, list]:
    """SQL conditions on ``d.facet_terms`` (any value of each facet, every facet), always
    restricted to published documents."""
    wanted = {**filters, "status": ["published"]}
    clauses, params = [], []
    for facet, values in sorted(wanted.items()):
        clauses.append("d.facet_terms && %s::text[]")
        params.append([_clean(facet_term(facet, str(value))) for value in values])
    return " AND ".join(clauses), params


def _clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; a NUL means nothing in a catalogue."""
    return text.replace("\x00", "")


def parse_key(key: str) -> tuple[str, int] | None:
    """``kind:pk`` → (kind, pk); None for anything that cannot name a stored document."""
    kind, _, pk = str(key).rpartition(":")
    if not kind or "\x00" in kind or not pk.isascii() or not pk.isdigit():
        return None
    number = int(pk)
    return (kind, number) if number <= BIGINT_MAX else None


# -- vectors ---------------------------------------------------------------------------


def space_table(space: str) -> str:
    """A table name for ``space``: readable, and unique through a digest because space
    names may hold any character (a sentence-transformers folder name)."""
    slug = re.sub(r"[^a-z0-9]+", "_", space.lower()).strip("_")[:24]
    digest = hashlib.sha256(space.encode()).hexdigest()[:8]
    return f"{SPACE_TABLE_PREFIX}{slug}_{digest}"


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form; float32's own shortest repr, so nothing is lost."""
    return "[" + ",".join(np.asarray(vector, dtype=np.float32).astype(str)) + "]"


def usable(vector: np.ndarray) -> bool:
    """A zero or non-finite vector has no direction: cosine distance is undefined."""
    return bool(np.all(np.isfinite(vector))) and float(np.linalg.norm(vector)) > 0


def passage_matrix(doc: IndexedDocument, space: str) -> np.ndarray:
    """``doc``'s vectors in ``space``, checked: one row per passage."""
    vectors = np.asarray(doc.vectors[space], dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(doc.passages):
        raise ValueError(
            f"{doc.key}: {space} has vectors of shape {vectors.shape} "
            f"for {len(doc.passages)} passages"
        )
    return vectors


#: PostgreSQL's binary COPY: signature, flags, header extension length; and the trailer
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)


def passage_rows(doc_id: int, doc: IndexedDocument, space: str) -> Iterator[bytes]:
    """``doc``'s passages in ``space`` as binary COPY tuples (doc_id, chunk, language,
    label, embedding). Binary, because writing a vector as text costs about a
    millisecond per 512 floats, more than everything else an indexed document costs;
    pgvector's binary form is its dimension, a zero and the floats, big-endian."""
    for passage, vector in zip(doc.passages, passage_matrix(doc, space), strict=True):
        if usable(vector):
            language = _clean(passage.language).encode()
            label = _clean(passage.label).encode()
            embedding = struct.pack("!hh", vector.shape[0], 0) + vector.astype(">f4").tobytes()
            yield b"".join(
                (
                    struct.pack("!hiqii", 5, 8, doc_id, 4, passage.chunk),
                    struct.pack("!i", len(language)),
                    language,
                    struct.pack("!i", len(label)),
                    label,
                    struct.pack("!i", len(embedding)),
                    embedding,
                )
            )


def best_per_document(rows: Iterable[tuple]) -> list[DenseHit]:
    """Rows (kind, pk, chunk, language, label, distance) → each document's closest
    passage, best first."""
    best: dict[tuple[str, int], DenseHit] = {}
    for kind, pk, chunk, language, label, distance in sorted(
        rows, key=lambda row: (row[5], row[0], row[1], row[2])
    ):
        if (kind, pk) not in best:
            best[kind, pk] = DenseHit(kind, pk, 1.0 - float(distance), chunk, language, label)
    return list(best.values())


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# -- the backend -----------------------------------------------------------------------


class PostgresBackend(SearchBackend):
    """Search in the application's own PostgreSQL database (with pgvector).

    ``exact_below``, ``ef_search`` and ``max_scan_tuples`` tune the dense search; tests
    lower them to force the HNSW path and its fallback on small data, and lower
    ``rerank_depth`` (how many lexical matches are scored exactly) to test the cut;
    ``fast_top_k=False`` ranks every query the two-stage way (prefix queries always are)."""

    def __init__(
        self,
        *,
        exact_below: int = EXACT_BELOW,
        ef_search: int = EF_SEARCH,
        max_scan_tuples: int = MAX_SCAN_TUPLES,
        rerank_depth: int = bm25.RERANK_DEPTH,
        fast_top_k: bool = True,
        candidates_per_hit: float = CANDIDATES_PER_HIT,
    ):
        self.rerank_depth = rerank_depth
        self.fast_top_k = fast_top_k
        self.exact_below = exact_below
        self.ef_search = ef_search
        self.max_scan_tuples = max_scan_tuples
        self.candidates_per_hit = candidates_per_hit
        jieba.initialize()  # load the dictionary now, not during the first Chinese query

    # -- writing ---------------------------------------------------------------------

    def update(self, documents: Iterable[IndexedDocument], delete_keys: Iterable[str]) -> None:
        # In (kind, pk) order, so that writers lock the rows they share in one order.
        documents = sorted(documents, key=lambda doc: (doc.kind, doc.pk))
        delete_keys = list(delete_keys)
        if not documents and not delete_keys:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            bm25.lock_writers(cursor)  # shared: only a rebuild waits, or is waited for
            # The indexed versions of every document this write replaces or deletes,
            # locked before their statistics are taken out: a concurrent writer of the
            # same document waits here, then takes out the version written before it.
            wanted = [(doc.kind, doc.pk) for doc in documents]
            wanted += [found for key in delete_keys if (found := parse_key(key))]
            locked = _lock_documents(cursor, wanted)
            counter = bm25.Counter(cursor)
            _delete_documents(cursor, delete_keys, counter, locked)
            writer = _Writer(
                cursor, _spaces(cursor), rebuilding=False, counter=counter, locked=locked
            )
            for prepared in _prepared_batches(documents):
                writer.write(prepared)
            counter.finish()

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Replace everything in one transaction. Rows are deleted rather than tables
        truncated or dropped, so searches keep reading the old index (MVCC) until the
        new one commits instead of waiting for the whole rebuild (embedding included).
        Writers wait for it (``bm25.lock_rebuild``); the BM25 statistics are counted once
        at the end."""
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            bm25.lock_rebuild(cursor)
            # Vectors go into fresh tables without an index (building the HNSW graph once
            # at the end is several times faster than inserting into the live one); the
            # old tables stay readable until the commit drops them.
            old = _spaces(cursor)
            for space in old.values():
                cursor.execute(f"DELETE FROM {_quote(space.table)}")  # noqa: S608 (our name)
                cursor.execute(f"DELETE FROM {SPACES} WHERE space = %s", [space.name])  # noqa: S608
            bm25.clear_postings(cursor)
            cursor.execute(f"DELETE FROM {DOCUMENTS}")  # noqa: S608 (a constant)
            writer = _Writer(cursor, {}, rebuilding=True, replacing=old)
            for prepared in _prepared_batches(documents):
                writer.write(prepared)
                count += prepared.size
            for space in writer.unindexed:
                _create_hnsw_index(cursor, space)
            for space in old.values():
                cursor.execute(f"DROP TABLE IF EXISTS {_quote(space.table)}")
            bm25.recount(cursor)
            bm25.rebuild_postings(cursor)
            _analyze(cursor, writer.spaces.values())
        return count

    # -- lexical ---------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        return self.search_many([query])[0][0]

    def search_many(
        self, queries: list[SearchQuery], weigh: list[Term] = ()
    ) -> tuple[list[SearchPage], list[float]]:
        """One statement reads the statistics of every query's terms and of ``weigh``;
        then each query is one more (its top k, with the page's stored texts), the queries'
        side by side on connections of their own where they may (``side_by_side``)."""
        term_lists = [[term for term in query.terms if term.token] for query in queries]
        weigh = list(weigh)
        if not weigh and not any(term_lists):
            return [SearchPage(hits=[], total=0) for _ in queries], []
        alias = _reader().alias
        with connections[alias].cursor() as cursor:
            collection, weights = bm25.statistics_of_each(cursor, [*term_lists, weigh])
        searched = [
            partial(self._search_on, alias, query, terms, (collection, term_weights))
            for query, terms, term_weights in zip(queries, term_lists, weights[:-1], strict=True)
            if terms
        ]
        found = iter(side_by_side.all_of(alias, searched))
        pages = [next(found) if terms else SearchPage(hits=[], total=0) for terms in term_lists]
        # as the embedded backend: the IDF of the field where the term is more common
        return pages, [bm25.idf(collection.documents, w.most_documents) for w in weights[-1]]

    def beside(self, reads: Callable[[], T]) -> Pending[T]:
        return side_by_side.beside(_reader().alias, reads)

    def _search_on(self, alias: str, query: SearchQuery, terms: list[Term], known) -> SearchPage:
        """``_search`` on this thread's connection to ``alias``."""
        with connections[alias].cursor() as cursor:
            return self._search(cursor, query, terms, known)

    def _search(self, cursor, query: SearchQuery, terms: list[Term], known) -> SearchPage:
        where, params = facet_filter(query.filters)
        request = bm25.LexicalRequest(
            terms=terms,
            tsquery=any_of(terms),
            title_operands=[field_operands(term, "A") for term in terms],
            body_operands=[field_operands(term, "D") for term in terms],
            where=where,
            where_params=params,
            rank_weights=rank_weights(query.title_weight),
            title_weight=max(query.title_weight, 0.0),
        )
        page, total = bm25.ranked_page(
            cursor, request, query.offset, query.limit, self.rerank_depth, self.fast_top_k, known
        )
        # The fast top-k returns its rows' stored texts; the two-stage ranking ranks on ids
        # alone, and stored texts are read for its page only.
        stored = {c.id: (c.kind, c.pk, *c.stored) for c in page if c.stored}
        stored.update(_stored(cursor, [c.id for c in page if c.id not in stored]))
        hits = [_hit(*stored[c.id], c.score) for c in page if c.id in stored]
        return SearchPage(hits=hits, total=total)

    def term_weights(self, terms: list[Term]) -> list[float]:
        if not terms:
            return []
        with _reader().cursor() as cursor:
            collection, weights = bm25.statistics(cursor, terms)
        # as the embedded backend: the IDF of the field where the term is more common
        return [bm25.idf(collection.documents, weight.most_documents) for weight in weights]

    def fetch(self, keys: Iterable[str]) -> dict[str, SearchHit]:
        wanted = {parsed for key in keys if (parsed := parse_key(key))}
        if not wanted:
            return {}
        kinds_, pks = zip(*sorted(wanted), strict=True)
        with _reader().cursor() as cursor:
            cursor.execute(
                "SELECT d.kind, d.pk, d.external_id, d.fields::text, d.facets::text "  # noqa: S608
                f"FROM {DOCUMENTS} d "
                "JOIN unnest(%s::text[], %s::bigint[]) AS k(kind, pk) "
                "ON d.kind = k.kind AND d.pk = k.pk",
                [list(kinds_), list(pks)],
            )
            hits = [_hit(*row, 0.0) for row in cursor.fetchall()]
        return {hit.key: hit for hit in hits}

    def indexed_pks(self, kind: str) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pk FROM {DOCUMENTS} WHERE kind = %s", [kind])  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    # -- dense -----------------------------------------------------------------------

    def nearest(
        self, space: str, vector: np.ndarray, filters: dict[str, list[str]], limit: int
    ) -> list[DenseHit]:
        return self.nearest_many(space, [vector], filters, limit)[0]

    def nearest_many(
        self, space: str, vectors: list[np.ndarray], filters: dict[str, list[str]], limit: int
    ) -> list[list[DenseHit]]:
        if limit <= 0 or not len(vectors):
            return [[] for _ in vectors]
        # A transaction of its own: the HNSW settings are SET LOCAL.
        reader = _reader()
        with transaction.atomic(using=reader.alias), reader.cursor() as cursor:
            found = _space_configured(cursor, space, self.ef_search, self.max_scan_tuples)
            if found is None:
                return [[] for _ in vectors]
            vectors = [np.asarray(vector, dtype=np.float32).reshape(-1) for vector in vectors]
            for vector in vectors:
                if vector.shape[0] != found.dim:
                    raise DimensionMismatch(
                        f"{space} holds {found.dim}-dimensional vectors, the query has "
                        f"{vector.shape[0]}"
                    )
            searches = {
                n: _DenseSearch(cursor, found, vector_literal(vector), filters)
                for n, vector in enumerate(vectors)
                if usable(vector)
            }
            out: list[list[DenseHit]] = [[] for _ in vectors]
            if found.dim > HNSW_MAX_DIMENSIONS:
                for n, search in searches.items():
                    out[n] = search.exact(limit)
                return out
            # The planner chooses: the HNSW index, or for a selective filter the few
            # matching documents sorted exactly. A walk that comes back short (the
            # filter rejected too much of the graph) is redone as an exact scan; a small
            # space is scanned exactly at once. The first walks of all the vectors, and
            # the check whether the space is small, are one statement.
            first = _first_walks(
                cursor, list(searches.values()), limit, self.exact_below, self.candidates_per_hit
            )
            for (n, search), hits in zip(searches.items(), first, strict=True):
                out[n] = hits if hits is not None else search.exact(limit)
            return out

    # -- status ----------------------------------------------------------------------

    def status(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT kind, count(*) FROM {DOCUMENTS} GROUP BY kind")  # noqa: S608
            counts = dict(cursor.fetchall())
            vectors = {}
            for name, space in sorted(_spaces(cursor).items()):
                cursor.execute(f"SELECT count(*) FROM {_quote(space.table)}")  # noqa: S608
                vectors[name] = cursor.fetchone()[0]
        return {
            "backend": "postgres (tsvector + pgvector)",
            "documents": sum(counts.values()),
            "by_kind": {**dict.fromkeys(kinds(), 0), **counts},
            "vectors": vectors,
        }


def _reader():
    """The connection searches read: the read replica's within a request that may use it
    (``core.replica``), else the primary's. Writes and repairs always use the primary."""
    return connections[reads_alias()]


def _stored(cursor, ids: list[int]) -> dict[int, tuple]:
    """Documents' kind, pk, external id and stored fields and facets (as JSON text)."""
    if not ids:
        return {}
    cursor.execute(
        "SELECT d.id, d.kind, d.pk, d.external_id, d.fields::text, d.facets::text "  # noqa: S608
        f"FROM {DOCUMENTS} d WHERE d.id = ANY(%s::bigint[])",
        [ids],
    )
    return {row[0]: row[1:] for row in cursor.fetchall()}


def _hit(kind, pk, external_id, fields, facets, score) -> SearchHit:
    return SearchHit(
        kind=kind,
        pk=pk,
        external_id=external_id,
        score=float(score),
        fields=json.loads(fields),
        facets=json.loads(facets),
    )


# -- dense search ------------------------------------------------------------------------


class _DenseSearch:
    """One query vector against one space table, with the document filters applied."""

    def __init__(self, cursor, space: Space, vector: str, filters: dict[str, list[str]]):
        self.cursor, self.table, self.vector = cursor, space.table, vector
        self.graph_type = graph_type(space.dim)
        where, self.params = facet_filter(filters)
        self.source = (
            f"FROM {_quote(space.table)} v JOIN {DOCUMENTS} d ON d.id = v.doc_id WHERE {where}"
        )

    def space_within(self, bound: int) -> bool:
        """Whether the space holds at most ``bound`` passages (reads at most bound + 1)."""
        self.cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {_quote(self.table)} LIMIT %s) s",  # noqa: S608
            [bound + 1],
        )
        return self.cursor.fetchone()[0] <= bound

    def exact(self, limit: int) -> list[DenseHit]:
        """Every filtered passage compared: each document's closest, then the best."""
        self.cursor.execute(*self.exact_sql(limit))
        return best_per_document(self.cursor.fetchall())

    def configure(self, ef_search: int, max_scan_tuples: int) -> None:
        """Iterative scans (pgvector 0.8): when filters reject what the graph returns,
        the index keeps walking instead of ending with too few rows. Relaxed order is
        enough: the rows are re-sorted by distance afterwards."""
        self.cursor.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true),"
            " set_config('hnsw.max_scan_tuples', %s, true)",
            [str(min(ef_search, MAX_EF_SEARCH)), str(max_scan_tuples)],
        )

    def exact_sql(self, limit: int) -> tuple[str, list]:
        sql = (
            "SELECT kind, pk, chunk, language, label, distance FROM ("  # noqa: S608
            " SELECT DISTINCT ON (v.doc_id) d.kind, d.pk, v.chunk, v.language, v.label,"
            "  v.embedding <=> %s::vector AS distance "
            f" {self.source} ORDER BY v.doc_id, distance, v.chunk"
            ") best ORDER BY distance, kind, pk LIMIT %s"
        )
        return sql, [self.vector, *self.params, limit]

    def approximate(
        self, limit: int, per_hit: float = CANDIDATES_PER_HIT, first: list[tuple] | None = None
    ) -> list[DenseHit] | None:
        """Nearest passages through the HNSW index, ``per_hit`` per wanted document and
        widened until ``limit`` documents are found; None when the scan ran dry first (the
        caller then scans exactly). ``first``: the first walk's rows, already read."""
        candidates = math.ceil(limit * per_hit)
        for _ in range(ANN_ROUNDS):
            if first is None:
                self.cursor.execute(*self.approximate_sql(candidates))
                rows = self.cursor.fetchall()
            else:
                rows, first = first, None
            hits = best_per_document(rows)
            if len(hits) >= limit:
                return hits[:limit]
            if len(rows) < candidates:
                return None
            candidates *= CANDIDATES_GROWTH
        return None

    def approximate_sql(self, candidates: int) -> tuple[str, list]:
        """``ORDER BY distance LIMIT n`` on the space table, in the graph's precision, is
        what the HNSW index answers; the join and the filters are applied to the rows it
        yields, and their distances are measured again at full precision."""
        sql = (
            "SELECT d.kind, d.pk, v.chunk, v.language, v.label,"
            " v.embedding <=> %s::vector AS distance "
            f"{self.source} ORDER BY v.embedding::{self.graph_type} <=> %s::{self.graph_type}"
            " LIMIT %s"
        )
        return sql, [self.vector, *self.params, self.vector, candidates]


def first_walks_sql(
    searches: list[_DenseSearch], limit: int, exact_below: int, per_hit: float
) -> tuple[str, list]:
    """One statement for the first walk of each of ``searches`` (one space, one filter)
    and the check whether the space holds at most ``exact_below`` passages: rows (search,
    exact, kind, pk, chunk, language, label, distance), each search's exact answer when
    the space is small, else its first walk's passages. The branches not taken are never
    run (one-time filters)."""
    table = _quote(searches[0].table)
    parts = [
        "WITH small AS MATERIALIZED ("  # noqa: S608 (our table name)
        f" SELECT count(*) <= %s AS small FROM (SELECT 1 FROM {table} LIMIT %s) s)"
    ]
    params: list = [exact_below, exact_below + 1]
    for n, search in enumerate(searches):
        exact_sql, exact_params = search.exact_sql(limit)
        walk_sql, walk_params = search.approximate_sql(math.ceil(limit * per_hit))
        if n:
            parts.append("UNION ALL")
        parts.append(
            f"SELECT {n}, true, e.* FROM ({exact_sql}) e WHERE (SELECT small FROM small)"  # noqa: S608
            f" UNION ALL SELECT {n}, false, w.* FROM ({walk_sql}) w"
            " WHERE NOT (SELECT small FROM small)"
        )
        params += [*exact_params, *walk_params]
    return " ".join(parts), params


def _first_walks(
    cursor, searches: list[_DenseSearch], limit: int, exact_below: int, per_hit: float
) -> list[list[DenseHit] | None]:
    """Each search's answer after its first walk (``first_walks_sql``), widened as
    ``approximate`` widens it; None where the walk ran dry (scan exactly instead)."""
    if not searches:
        return []
    cursor.execute(*first_walks_sql(searches, limit, exact_below, per_hit))
    rows: list[list[tuple]] = [[] for _ in searches]
    exact = [False] * len(searches)
    for n, is_exact, *row in cursor.fetchall():
        rows[n].append(tuple(row))
        exact[n] = is_exact
    return [
        best_per_document(rows[n])
        if exact[n]
        else search.approximate(limit, per_hit, first=rows[n])
        for n, search in enumerate(searches)
    ]


# -- writing ---------------------------------------------------------------------------


def _space_configured(cursor, name: str, ef_search: int, max_scan_tuples: int) -> Space | None:
    """The space ``name`` (None if there is none), with the HNSW settings for this
    transaction set in the same statement (``_DenseSearch.configure``)."""
    cursor.execute(
        f"SELECT table_name, dim, set_config('hnsw.ef_search', %s, true),"  # noqa: S608
        " set_config('hnsw.iterative_scan', 'relaxed_order', true),"
        f" set_config('hnsw.max_scan_tuples', %s, true) FROM {SPACES} WHERE space = %s",
        [str(min(ef_search, MAX_EF_SEARCH)), str(max_scan_tuples), name],
    )
    row = cursor.fetchone()
    return Space(name, row[0], row[1]) if row else None


def _spaces(cursor) -> dict[str, Space]:
    cursor.execute(f"SELECT space, table_name, dim FROM {SPACES}")  # noqa: S608
    return {name: Space(name, table, dim) for name, table, dim in cursor.fetchall()}


def _lock_documents(cursor, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """Lock the indexed documents among ``keys`` ((kind, pk) pairs) in (kind, pk) order,
    waiting for writers holding them; their ids by key."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    kinds_, pks = zip(*keys, strict=True)
    cursor.execute(
        f"SELECT d.id, d.kind, d.pk FROM {DOCUMENTS} d "  # noqa: S608
        "JOIN unnest(%s::text[], %s::bigint[]) AS k(kind, pk) "
        "ON d.kind = k.kind AND d.pk = k.pk ORDER BY d.kind, d.pk FOR UPDATE OF d",
        [list(kinds_), list(pks)],
    )
    return {(kind, pk): doc_id for doc_id, kind, pk in cursor.fetchall()}


def _delete_documents(
    cursor, keys: list[str], counter: bm25.Counter, locked: dict[tuple[str, int], int]
) -> None:
    """Delete by key (the rows were locked), out of the BM25 statistics first; the
    postings and vector tables follow through ``ON DELETE CASCADE``."""
    found = {parsed for key in keys if (parsed := parse_key(key)) in locked}
    ids = sorted(locked.pop(key) for key in found)
    counter.remove(ids)
    if ids:
        cursor.execute(f"DELETE FROM {DOCUMENTS} WHERE id = ANY(%s::bigint[])", [ids])  # noqa: S608


def _document_record(doc: IndexedDocument) -> dict:
    title_tokens = index_tokens(" \n".join(doc.title_fields.values()))
    body_tokens = index_tokens(" \n".join(doc.body_fields.values()))
    facets = {facet: [_clean(str(v)) for v in values] for facet, values in doc.facets.items()}
    terms = {facet_term(facet, value) for facet, values in facets.items() for value in values}
    terms.add(facet_term("kind", _clean(doc.kind)))
    fields = {**doc.title_fields, **doc.body_fields}
    return {
        "kind": _clean(doc.kind),
        "pk": doc.pk,
        "external_id": _clean(doc.external_id),
        "lexemes": document_lexemes(title_tokens, body_tokens),
        "title_length": len(title_tokens),
        "body_length": len(body_tokens),
        "facet_terms": sorted(terms),
        "fields": {name: _clean(text) for name, text in fields.items()},
        "facets": facets,
    }


UPSERT_DOCUMENTS = f"""
INSERT INTO {DOCUMENTS} (
    kind, pk, external_id, lexemes, title_length, body_length, facet_terms, fields, facets)
SELECT r.kind, r.pk, r.external_id, r.lexemes, r.title_length, r.body_length,
    r.facet_terms, r.fields, r.facets
FROM json_to_recordset(%s::json) AS r(
    kind text, pk bigint, external_id text, lexemes tsvector, title_length integer,
    body_length integer, facet_terms text[], fields json, facets json)
ON CONFLICT (kind, pk) DO UPDATE SET
    external_id = EXCLUDED.external_id, lexemes = EXCLUDED.lexemes,
    title_length = EXCLUDED.title_length, body_length = EXCLUDED.body_length,
    facet_terms = EXCLUDED.facet_terms, fields = EXCLUDED.fields, facets = EXCLUDED.facets
    WHERE %s::bigint[] IS NULL OR {DOCUMENTS}.id = ANY(%s::bigint[])
RETURNING id, kind, pk
"""  # noqa: S608 (a constant table name; the rows are one bound parameter)


@dataclass(frozen=True)
class _Prepared:
    """A batch of documents with their rows computed (tokens, tsvector, stored fields)."""

    size: int  #: documents in the batch, a key written twice counted twice
    latest: dict[str, IndexedDocument]  #: by key; a key twice in a batch: the last wins
    records: list[dict]  #: in (kind, pk) order


def _prepare(batch: list[IndexedDocument]) -> _Prepared:
    latest = {doc.key: doc for doc in batch}
    # Every writer locks rows in (kind, pk) order, so overlapping batches queue on them
    # instead of deadlocking.
    ordered = sorted(latest.values(), key=lambda doc: (doc.kind, doc.pk))
    return _Prepared(len(batch), latest, [_document_record(doc) for doc in ordered])


def _prepared_batches(documents: Iterable[IndexedDocument]) -> Iterator[_Prepared]:
    """``documents`` in batches of ``WRITE_BATCH``, each batch's rows computed on a thread
    of its own while the caller writes the batch before: the tokens and tsvectors (Python)
    and the writes (the database) overlap instead of taking turns. The documents are
    still read in the caller's thread, one batch ahead of the writes."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-prepare") as pool:
        ahead: Future[_Prepared] | None = None
        for batch in _batches(documents, WRITE_BATCH):
            following = pool.submit(_prepare, batch)
            if ahead is not None:
                yield ahead.result()
            ahead = following
        if ahead is not None:
            yield ahead.result()


@dataclass
class _Writer:
    """Writes batches of documents with their vectors inside the caller's transaction.

    Documents are upserted, so a record keeps its row; its old passages are deleted from
    every space. Outside a rebuild (which counts everything at its end) the replaced
    versions leave the BM25 statistics and the new ones enter them, and only rows this
    writer locked are replaced (``locked``): a row another writer inserted since is
    locked, taken out of the statistics and replaced in a second pass."""

    cursor: object
    spaces: dict[str, Space]
    rebuilding: bool
    counter: bm25.Counter | None = None
    locked: dict[tuple[str, int], int] | None = None
    written: set[str] = field(default_factory=set)  #: spaces that received vectors
    unindexed: list[Space] = field(default_factory=list)  #: awaiting their HNSW index
    #: the documents a rebuild wrote so far: the only ones with passages in its new tables
    rebuilt: set[int] = field(default_factory=set)
    #: a rebuild's old spaces, whose tables the new ones must not be named after
    replacing: dict[str, Space] = field(default_factory=dict)

    def write(self, prepared: _Prepared) -> None:
        latest = prepared.latest
        ids = self._upsert(prepared.records)
        if self.counter:
            self.counter.add(list(ids.values()))
            bm25.write_postings(self.cursor, list(ids.values()))
        self._delete_passages(self._replaced(list(ids.values())))
        for name in sorted({space for doc in latest.values() for space in doc.vectors}):
            documents = [doc for doc in latest.values() if name in doc.vectors]
            self._copy_passages(name, documents, ids)

    def _upsert(self, records: list[dict]) -> dict[str, int]:
        """Write the rows; their ids by key."""
        if self.locked is None:  # a rebuild: nobody else writes
            return self._upsert_rows(records, None)
        ids: dict[str, int] = {}
        pending = records
        while pending:
            keys = [(r["kind"], r["pk"]) for r in pending]
            replaced = [self.locked[key] for key in keys if key in self.locked]
            self.counter.remove(replaced)
            written = self._upsert_rows(pending, list(self.locked.values()))
            ids.update(written)
            pending = [r for r in pending if f"{r['kind']}:{r['pk']}" not in written]
            # rows other writers inserted after ``_lock_documents``: lock them, then
            # replace them with their statistics taken out like the others'
            for key in keys:
                self.locked.pop(key, None)
            self.locked.update(
                _lock_documents(self.cursor, [(r["kind"], r["pk"]) for r in pending])
            )
        return ids

    def _upsert_rows(self, records: list[dict], replaceable: list[int] | None) -> dict[str, int]:
        self.cursor.execute(
            UPSERT_DOCUMENTS,
            [json.dumps(records, ensure_ascii=False), replaceable, replaceable],
        )
        return {f"{kind}:{pk}": doc_id for doc_id, kind, pk in self.cursor.fetchall()}

    def _replaced(self, doc_ids: list[int]) -> list[int]:
        """The documents among ``doc_ids`` that may have passages already: any outside a
        rebuild; in a rebuild (its space tables start empty) only a key written twice."""
        if not self.rebuilding:
            return doc_ids
        again = [doc_id for doc_id in doc_ids if doc_id in self.rebuilt]
        self.rebuilt.update(doc_ids)
        return again

    def _delete_passages(self, doc_ids: list[int]) -> None:
        if not doc_ids:
            return
        for space in self.spaces.values():
            self.cursor.execute(
                f"DELETE FROM {_quote(space.table)} WHERE doc_id = ANY(%s::bigint[])",  # noqa: S608
                [doc_ids],
            )

    def _copy_passages(self, name: str, documents: list[IndexedDocument], ids: dict) -> None:
        space = self._space_for(name, _dimension(name, documents))
        self.written.add(name)
        columns = "doc_id, chunk, language, label, embedding"
        statement = f"COPY {_quote(space.table)} ({columns}) FROM STDIN (FORMAT BINARY)"
        with self.cursor.cursor.copy(statement) as copy:
            copy.write(COPY_SIGNATURE)
            for doc in documents:
                for row in passage_rows(ids[doc.key], doc, name):
                    copy.write(row)
            copy.write(COPY_TRAILER)

    def _space_for(self, name: str, dim: int) -> Space:
        space = self.spaces.get(name)
        if space is None or space.dim != dim:
            # Another writer may have created it since we looked: look again, locked.
            self.cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SPACE_LOCK])
            self.spaces = _spaces(self.cursor)
            space = self.spaces.get(name)
        if space is not None and space.dim != dim:
            if not self.rebuilding:
                raise DimensionMismatch(
                    f"{name} holds {space.dim}-dimensional vectors, not {dim}: "
                    "rebuild the index (ecotone index rebuild)"
                )
            _drop_space(self.cursor, space)
            space = None
        if space is None:
            taken = self.replacing.get(name)
            space = _create_space(
                self.cursor,
                name,
                dim,
                indexed=not self.rebuilding,
                avoid=taken.table if taken else None,
            )
            if self.rebuilding:
                self.unindexed.append(space)
            self.spaces[name] = space
        return space


def _dimension(name: str, documents: list[IndexedDocument]) -> int:
    dims = {passage_matrix(doc, name).shape[1] for doc in documents}
    if len(dims) != 1:
        raise DimensionMismatch(f"{name}: vectors of several dimensions {sorted(dims)}")
    return dims.pop()


def _create_space(cursor, name: str, dim: int, *, indexed: bool, avoid: str | None = None) -> Space:
    """The space's table; a rebuild loads it first and indexes it afterwards, which is
    faster than inserting into a graph. ``avoid``: the table a rebuild replaces (it is
    named otherwise, so both exist until the rebuild commits)."""
    table = space_table(name)
    space = Space(name, table if table != avoid else f"{table}_b", int(dim))
    table = _quote(space.table)
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ("
        f" doc_id bigint NOT NULL REFERENCES {DOCUMENTS} (id) ON DELETE CASCADE,"
        " chunk integer NOT NULL, language text NOT NULL, label text NOT NULL,"
        f" embedding vector({space.dim}) NOT NULL)"
    )
    # pgvector keeps vectors out of line (TOAST) by default, and from 512 dimensions a row
    # is big enough to go there: an exact scan then fetches every vector twice over.
    # MAIN keeps them in the row (floats do not compress) unless a row outgrows a page.
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN embedding SET STORAGE MAIN")
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {_quote(space.table + '_doc')} ON {table} (doc_id)")
    cursor.execute(
        f"INSERT INTO {SPACES} (space, table_name, dim) VALUES (%s, %s, %s)",  # noqa: S608
        [space.name, space.table, space.dim],
    )
    if indexed:
        _create_hnsw_index(cursor, space)
    return space


def graph_type(dim: int) -> str:
    """The type the HNSW graph holds the vectors in, and a walk orders by (the same
    expression, or the planner cannot use the index): half precision, while the table
    keeps float32. A walk then reads and compares half the bytes per step and a build
    holds twice the vectors in memory; the rows a walk returns are measured again at full
    precision, so only which passages it finds can differ (docs/search.md, round 15)."""
    return f"halfvec({int(dim)})"


def hnsw_index_name(table: str) -> str:
    return f"{table}_hnsw_half"


def _create_hnsw_index(cursor, space: Space) -> None:
    if space.dim > HNSW_MAX_DIMENSIONS:
        return  # nearest() scans such a space exactly
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {_quote(hnsw_index_name(space.table))} "
        f"ON {_quote(space.table)} USING hnsw "
        f"((embedding::{graph_type(space.dim)}) halfvec_cosine_ops) "
        f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
    )


def _analyze(cursor, spaces: Iterable[Space]) -> None:
    """Fresh statistics, so the planner knows at once which filters are selective (it
    then starts from the documents and sorts exactly) and which are not (it walks the
    HNSW index); autovacuum would get there only some time after the commit."""
    cursor.execute(f"ANALYZE {DOCUMENTS}")
    cursor.execute(f"ANALYZE {bm25.LEXEMES}")
    cursor.execute(f"ANALYZE {bm25.POSTINGS}")
    for space in spaces:
        cursor.execute(f"ANALYZE {_quote(space.table)}")


def _drop_space(cursor, space: Space) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(space.table)}")
    cursor.execute(f"DELETE FROM {SPACES} WHERE space = %s", [space.name])  # noqa: S608
