"""BM25 for the PostgreSQL backend: the statistics it needs, kept exact on every write,
and the ranking itself.

Tables (``migrations/0003_postgres_bm25.py`` creates them and fills them from the
documents already indexed):

- ``search_pg_lexeme``: for each lexeme, how many documents hold it in their title and
  in their body (a document counts once per field, however often the word appears);
- ``search_pg_lexical_totals``: one row: documents, title tokens and body tokens in all;
- ``search_pg_document.title_length`` / ``body_length``: each document's token counts;
- ``search_pg_lexeme_delta`` / ``search_pg_lexical_totals_delta``: the changes writers
  append instead of updating the two tables above (readers add them; ``fold`` moves them
  in), so writers never wait for each other;
- ``search_pg_posting``: impact-ordered postings for the fast top-k (below).

The score is the one tantivy gives the embedded backend: title and body are two fields,
each with its own document frequencies and average length, and a term's score in the
title is multiplied by ``title_weight`` (tantivy's boost). For each term and field,
``idf × tf × (k1 + 1) / (tf + k1 × (1 − b + b × length / average length))`` with
``idf = ln(1 + (N − n + 0.5) / (n + 0.5))``. A prefix term (``electri*``) counts the
occurrences of every lexeme it matches, with the document frequency of the most common
of them (the union's own frequency would need one more pass over the matches).

Queries without prefix terms are ranked by ``top_k`` (exact, reading only the leading
postings of each term; see "fast top-k" below). The rest, and queries where ``top_k``
gives up, are ranked in two stages:

Ranking every match exactly means unnesting each matching tsvector, three to eight times
the cost of matching it (a common word matches half of a 100k synthetic catalogue), so it
runs in two stages. First every match gets an estimate: its BM25 if each term it holds
occurred once per field, from which terms it holds in which field (``@@`` on the
tsvector already read for the match) and its lengths (columns); ``ts_rank`` orders equal
estimates (more occurrences first). The best ``depth`` documents by that order are scored
exactly and sorted; the rest follow in the first order, their scores capped below the
last exact one. In real text most words occur once per field, where the estimate is the
score; the tests check the exact top 10 survives the cut on a corpus where it does not.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..text import Term, prefix_alternatives

LEXEMES = "search_pg_lexeme"
TOTALS = "search_pg_lexical_totals"
LEXEME_DELTAS = "search_pg_lexeme_delta"
TOTALS_DELTAS = "search_pg_lexical_totals_delta"
DOCUMENTS = "search_pg_document"
#: writers of the lexical index hold it shared (they do not wait for each other), a
#: rebuild exclusively (pg_advisory_xact_lock key)
WRITE_LOCK = 0x45C0_B325
#: one writer at a time folds the deltas into the base tables; the others skip it
FOLD_LOCK = 0x45C0_F01D
#: deltas are folded into the base tables once there are more rows than this
FOLD_AFTER = 5_000

K1 = 1.2
B = 0.75
#: documents scored exactly per query; the rest keep the first stage's order
RERANK_DEPTH = 300

POSTINGS = "search_pg_posting"
TITLE, BODY = 0, 1  #: ``search_pg_posting.field``
#: postings read from each query term's lists in the fast top-k's first round; each
#: further round reads twice as many
FIRST_ROUND = 64
#: past this many postings read from one list the fast top-k gives up (a filter that
#: rejects most documents) and the two-stage ranking answers instead
MAX_POSTINGS_READ = 16_384
#: a list with at most this many times the round's postings left is read to its end
SHORT_LIST = 8
#: … and so is a list at most this share of the longest one's length
SHORT_SHARE = 0.25
#: the met documents that may still enter the top k are scored once there are at most
#: this many times k of them (or the lists were read as far as they may be)
CONTENDERS = 8
#: impacts are stored as float4: a bound is raised by this share to stay above them
IMPACT_ROUNDING = 1e-6


# -- the formula (pure) -----------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """What BM25 needs to know about the whole index."""

    documents: int
    title_tokens: int
    body_tokens: int
    #: the average lengths the stored impacts were computed with (``search_pg_posting``)
    impact_title_average: float = 0.0
    impact_body_average: float = 0.0

    @property
    def average_title(self) -> float:
        return self.title_tokens / self.documents if self.documents else 0.0

    @property
    def average_body(self) -> float:
        return self.body_tokens / self.documents if self.documents else 0.0


@dataclass(frozen=True)
class TermWeight:
    """A query term's inverse document frequency in each field."""

    title: float
    body: float
    #: documents holding the term in their title, in their body (0 for a prefix term)
    title_documents: int = 0
    body_documents: int = 0


def idf(documents: int, containing: int) -> float:
    """BM25's (Lucene's and tantivy's) inverse document frequency; never negative."""
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def field_score(tf: int, length: int, average: float, weight: float) -> float:
    """One term in one field of one document; below ``(K1 + 1) × weight`` always."""
    if tf <= 0 or weight <= 0:
        return 0.0
    norm = 1 - B + B * length / average if average > 0 else 1.0
    return weight * tf * (K1 + 1) / (tf + K1 * norm)


def bm25(
    occurrences: dict[int, tuple[int, int]],
    weights: Sequence[TermWeight],
    lengths: tuple[int, int],
    collection: Collection,
    title_weight: float,
) -> float:
    """A document's score: ``occurrences`` maps a term's index in ``weights`` to its
    (title, body) term frequencies; ``lengths`` are the document's (title, body) tokens."""
    score = 0.0
    for index, (title_tf, body_tf) in occurrences.items():
        weight = weights[index]
        title = field_score(title_tf, lengths[0], collection.average_title, weight.title)
        body = field_score(body_tf, lengths[1], collection.average_body, weight.body)
        score += title_weight * title + body
    return score


def matches(term: Term, lexeme: str) -> bool:
    """Whether ``lexeme`` counts as an occurrence of ``term`` (as ``postgres.operands``
    matches it: the token itself, or for a prefix term any lexeme starting with it and
    the shorter stems ``prefix_alternatives`` names)."""
    if not term.prefix:
        return lexeme == term.token
    return lexeme.startswith(term.token) or lexeme in prefix_alternatives(term.token)


def occurrences_of(
    terms: Sequence[Term], found: list[tuple[str, int, int]]
) -> dict[int, tuple[int, int]]:
    """(lexeme, title tf, body tf) rows of one document → per-term (title, body) tf."""
    out: dict[int, tuple[int, int]] = {}
    for index, term in enumerate(terms):
        title = sum(t for lexeme, t, _ in found if matches(term, lexeme))
        body = sum(b for lexeme, _, b in found if matches(term, lexeme))
        if title or body:
            out[index] = (title, body)
    return out


def prefix_upper(prefix: str) -> str | None:
    """The first string after every string starting with ``prefix`` in code point order
    (the column's "C" collation); None when there is none."""
    for cut in range(len(prefix) - 1, -1, -1):
        if ord(prefix[cut]) < 0x10FFFF:
            return prefix[:cut] + chr(ord(prefix[cut]) + 1)
    return None


# -- reading ----------------------------------------------------------------------------


STATISTICS = f"""
SELECT t.term, coalesce(max(s.title_docs), 0), coalesce(max(s.body_docs), 0)
FROM unnest(%s::int[], %s::text[], %s::text[]) AS t(term, lexeme, upper)
LEFT JOIN LATERAL (
    SELECT sum(title_docs) AS title_docs, sum(body_docs) AS body_docs FROM (
        SELECT lexeme, title_docs, body_docs FROM {LEXEMES} WHERE lexeme = t.lexeme
        UNION ALL
        SELECT lexeme, title_docs, body_docs FROM {LEXEMES}
        WHERE t.upper IS NOT NULL AND lexeme > t.lexeme AND lexeme < t.upper
        UNION ALL
        SELECT lexeme, title_docs, body_docs FROM {LEXEME_DELTAS} WHERE lexeme = t.lexeme
        UNION ALL
        SELECT lexeme, title_docs, body_docs FROM {LEXEME_DELTAS}
        WHERE t.upper IS NOT NULL AND lexeme > t.lexeme AND lexeme < t.upper
    ) x GROUP BY lexeme
) s ON true
GROUP BY t.term
"""  # noqa: S608 (constant table names; the terms are query parameters)


#: the totals: the base row plus the deltas not yet folded in, and the impacts' reference
CURRENT_TOTALS = f"""
SELECT t.documents + d.documents, t.title_tokens + d.title_tokens,
       t.body_tokens + d.body_tokens, t.impact_title_average, t.impact_body_average
FROM {TOTALS} t,
     (SELECT coalesce(sum(documents), 0) AS documents,
             coalesce(sum(title_tokens), 0) AS title_tokens,
             coalesce(sum(body_tokens), 0) AS body_tokens
      FROM {TOTALS_DELTAS}) d
"""  # noqa: S608 (constant table names)


def statistics(cursor, terms: Sequence[Term]) -> tuple[Collection, list[TermWeight]]:
    """The collection's totals and each term's IDF per field, in one query each."""
    cursor.execute(CURRENT_TOTALS)
    row = cursor.fetchone()
    collection = (
        Collection(*(int(value) for value in row[:3]), *(float(value) for value in row[3:]))
        if row
        else Collection(0, 0, 0)
    )
    rows = []  # (term index, lexeme, upper end of its prefix range or None)
    for index, term in enumerate(terms):
        rows.append((index, term.token, prefix_upper(term.token) if term.prefix else None))
        if term.prefix:
            rows += [(index, stem, None) for stem in prefix_alternatives(term.token)]
    cursor.execute(STATISTICS, [list(column) for column in zip(*rows, strict=True)])
    frequencies = {index: (title, body) for index, title, body in cursor.fetchall()}
    weights = []
    for index in range(len(terms)):
        title, body = frequencies.get(index, (0, 0))
        weights.append(
            TermWeight(
                title=idf(collection.documents, title) if title else 0.0,
                body=idf(collection.documents, body) if body else 0.0,
                title_documents=0 if terms[index].prefix else int(title),
                body_documents=0 if terms[index].prefix else int(body),
            )
        )
    return collection, weights


def first_stage_sql(
    request: "LexicalRequest", weights: Sequence[TermWeight], collection: Collection
) -> tuple[str, list]:
    """An SQL expression over ``d``: the document's BM25 if each term it holds occurred
    once per field, from which terms it holds where (``@@`` on the tsvector) and its
    lengths (columns), without unnesting anything."""
    fields = (
        (request.title_operands, [request.title_weight * w.title for w in weights]),
        (request.body_operands, [w.body for w in weights]),
    )
    sql, params = [], []
    for (operands, field_weights), column, average in zip(
        fields,
        ("title_length", "body_length"),
        (collection.average_title, collection.average_body),
        strict=True,
    ):
        parts = []
        for operand, weight in zip(operands, field_weights, strict=True):
            if weight > 0:  # no document holds the term in this field otherwise
                parts.append("(d.lexemes @@ %s::tsquery)::int * %s::float8")
                params += [operand, (K1 + 1) * weight]
        # tf / (tf + k1 × norm) at tf = 1, norm = 1 − b + b × length / average
        sql.append(f"({' + '.join(parts) or '0'}) / (%s::float8 * d.{column} + %s::float8)")
        params += [_slope(average), 1 + K1 * (1 - B)]
    return " + ".join(sql), params


def _slope(average: float) -> float:
    return K1 * B / average if average > 0 else 0.0


@dataclass(frozen=True)
class Candidate:
    id: int
    kind: str
    pk: int
    estimate: float
    score: float


def candidates_sql(estimate: str, where: str) -> str:
    """Matches with their estimate and ``ts_rank`` (``matched``); the first ``window`` of
    them in that order, the first ``depth`` with the lexemes their score needs; and the
    number of matches."""
    # Constant names and our own expressions; every value is a query parameter.
    return f"""
WITH matched AS MATERIALIZED (
    SELECT d.id, d.kind, d.pk, {estimate} AS estimate,
           ts_rank(%s::float4[], d.lexemes, q.query, 1) AS tie
    FROM {DOCUMENTS} d, CAST(%s AS tsquery) AS q(query)
    WHERE d.lexemes @@ q.query AND {where}
), best AS (
    SELECT *, row_number() OVER (ORDER BY estimate DESC, tie DESC, kind, pk) AS place
    FROM (SELECT * FROM matched ORDER BY estimate DESC, tie DESC, kind, pk LIMIT %s) w
)
SELECT b.id, b.kind, b.pk, b.estimate, d.title_length, d.body_length,
    CASE WHEN b.place <= %s THEN (
        SELECT json_agg(json_build_array(
                   u.lexeme, cardinality(array_positions(u.weights, 'A')),
                   cardinality(u.weights) - cardinality(array_positions(u.weights, 'A'))))
        FROM unnest(d.lexemes) u
        WHERE u.lexeme = ANY(%s::text[]) OR u.lexeme ^@ ANY(%s::text[])) END,
    (SELECT count(*) FROM matched)
FROM best b JOIN {DOCUMENTS} d ON d.id = b.id
ORDER BY b.place
"""  # noqa: S608


@dataclass(frozen=True)
class LexicalRequest:
    """One lexical search as SQL pieces: the query's terms, its tsquery (and one per term
    restricted to titles, one restricted to bodies), the filter condition on ``d`` with
    its parameters, and ``ts_rank``'s weights."""

    terms: list[Term]
    tsquery: str
    title_operands: list[str]
    body_operands: list[str]
    where: str
    where_params: list
    rank_weights: list[float]
    title_weight: float


def ranked_page(
    cursor,
    request: LexicalRequest,
    offset: int,
    limit: int,
    depth: int = RERANK_DEPTH,
    fast: bool = True,
) -> tuple[list[Candidate], int]:
    """The page ``[offset, offset + limit)`` of the matches, best BM25 first, and how
    many documents match. The order does not depend on the page asked for, so pages
    never overlap or skip.

    Queries without prefix terms go through ``top_k`` (exact, reading only the leading
    postings); when it gives up, or for prefix terms, the two-stage ranking below
    answers. ``total`` from ``top_k`` is exact when it read every posting of the query's
    terms, and otherwise a number of matches found, above ``offset + limit``."""
    collection, weights = statistics(cursor, request.terms)
    if fast and not any(term.prefix for term in request.terms):
        # one more than the page, so ``total`` says whether a next page exists
        found = top_k(cursor, request, weights, collection, offset + limit + 1)
        if found is not None:
            ranked, total = found
            return ranked[offset : offset + limit], total
    estimate, estimate_params = first_stage_sql(request, weights, collection)
    exact = [term.token for term in request.terms if not term.prefix]
    exact += [
        stem for term in request.terms if term.prefix for stem in prefix_alternatives(term.token)
    ]
    prefixes = [term.token for term in request.terms if term.prefix]
    params = [*estimate_params, request.rank_weights, request.tsquery, *request.where_params]
    window = max(depth, offset + limit)
    cursor.execute(
        candidates_sql(estimate, request.where), [*params, window, depth, exact, prefixes]
    )
    rows = cursor.fetchall()
    total = rows[0][7] if rows else 0
    scored = [_scored(row, request, weights, collection) for row in rows[:depth]]
    scored.sort(key=lambda c: (-c.score, c.kind, c.pk))
    # Past the exactly scored documents: their first-stage score, kept below the last
    # exact one.
    floor = min((c.score for c in scored), default=0.0)
    scored += [
        Candidate(row[0], row[1], row[2], row[3], min(row[3], floor)) for row in rows[depth:]
    ]
    return scored[offset : offset + limit], total


def _scored(row, request: LexicalRequest, weights, collection: Collection) -> Candidate:
    """A row of ``candidates_sql`` scored exactly."""
    id_, kind, pk, estimate, title_length, body_length, found, _ = row
    found = json.loads(found) if isinstance(found, str) else (found or [])
    occurrences = occurrences_of(request.terms, [tuple(item) for item in found])
    score = bm25(
        occurrences, weights, (title_length, body_length), collection, request.title_weight
    )
    return Candidate(id_, kind, pk, float(estimate), score)


# -- writing ----------------------------------------------------------------------------


def lock_writers(cursor) -> None:
    """Held until the transaction ends, shared: writers do not wait for each other,
    only for a rebuild (``lock_rebuild``)."""
    cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [WRITE_LOCK])


def lock_rebuild(cursor) -> None:
    """Held until the transaction ends: no other writer while the index is rebuilt."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])


#: a write's change to the statistics, appended as delta rows (no row another writer
#: updates, so no writer waits for another)
COUNT_DOCUMENTS = f"""
WITH held AS (
    SELECT u.lexeme,
           cardinality(array_positions(u.weights, 'A')) > 0 AS in_title,
           cardinality(u.weights) > cardinality(array_positions(u.weights, 'A')) AS in_body
    FROM {DOCUMENTS} d, unnest(d.lexemes) u
    WHERE d.id = ANY(%(ids)s::bigint[])
), lexemes AS (
    INSERT INTO {LEXEME_DELTAS} (lexeme, title_docs, body_docs)
    SELECT lexeme, %(sign)s * count(*) FILTER (WHERE in_title),
           %(sign)s * count(*) FILTER (WHERE in_body)
    FROM held GROUP BY lexeme
)
INSERT INTO {TOTALS_DELTAS} (documents, title_tokens, body_tokens)
SELECT %(sign)s * count(*), %(sign)s * coalesce(sum(title_length), 0),
       %(sign)s * coalesce(sum(body_length), 0)
FROM {DOCUMENTS} WHERE id = ANY(%(ids)s::bigint[])
"""  # noqa: S608 (constant table names; ids and sign are query parameters)

#: the deltas other transactions committed, and this one's own, moved into the base
#: tables; lexemes no document holds any more are deleted
FOLD = [
    f"""
    WITH moved AS (DELETE FROM {LEXEME_DELTAS} RETURNING lexeme, title_docs, body_docs)
    INSERT INTO {LEXEMES} AS s (lexeme, title_docs, body_docs)
    SELECT lexeme, sum(title_docs), sum(body_docs) FROM moved
    GROUP BY lexeme ORDER BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET
        title_docs = s.title_docs + EXCLUDED.title_docs,
        body_docs = s.body_docs + EXCLUDED.body_docs
    """,  # noqa: S608
    f"DELETE FROM {LEXEMES} WHERE title_docs = 0 AND body_docs = 0",  # noqa: S608
    f"""
    WITH moved AS (DELETE FROM {TOTALS_DELTAS} RETURNING documents, title_tokens, body_tokens)
    UPDATE {TOTALS} t SET
        documents = t.documents + d.documents,
        title_tokens = t.title_tokens + d.title_tokens,
        body_tokens = t.body_tokens + d.body_tokens
    FROM (SELECT coalesce(sum(documents), 0) AS documents,
                 coalesce(sum(title_tokens), 0) AS title_tokens,
                 coalesce(sum(body_tokens), 0) AS body_tokens FROM moved) d
    """,  # noqa: S608
]


class Counter:
    """Adds documents to the statistics and takes them out again, within the writer's
    transaction, as delta rows; ``finish`` folds the deltas into the base tables when
    enough have gathered and no other writer is folding."""

    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, ids: list[int]) -> None:
        self._count(ids, 1)

    def remove(self, ids: list[int]) -> None:
        self._count(ids, -1)

    def _count(self, ids: list[int], sign: int) -> None:
        if ids:
            self.cursor.execute(COUNT_DOCUMENTS, {"ids": ids, "sign": sign})

    def finish(self) -> None:
        self.cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {LEXEME_DELTAS} LIMIT %s) s",  # noqa: S608
            [FOLD_AFTER + 1],
        )
        if self.cursor.fetchone()[0] > FOLD_AFTER:
            fold(self.cursor, wait=False)


def fold(cursor, wait: bool = True) -> bool:
    """Fold the deltas into the base tables (readers see the same sums before and
    after); False when another transaction is folding and ``wait`` is off."""
    if wait:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
    else:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return False
    for statement in FOLD:
        cursor.execute(statement)
    return True


#: the statistics of every indexed document, from scratch (a rebuild; the migration
#: runs the same statements)
RECOUNT = [
    f"DELETE FROM {LEXEME_DELTAS}",  # noqa: S608
    f"DELETE FROM {TOTALS_DELTAS}",  # noqa: S608
    f"DELETE FROM {LEXEMES}",  # noqa: S608
    f"""
    INSERT INTO {LEXEMES} (lexeme, title_docs, body_docs)
    SELECT u.lexeme,
           count(*) FILTER (WHERE cardinality(array_positions(u.weights, 'A')) > 0),
           count(*) FILTER (WHERE cardinality(u.weights)
                                  > cardinality(array_positions(u.weights, 'A')))
    FROM {DOCUMENTS} d, unnest(d.lexemes) u
    GROUP BY u.lexeme
    """,  # noqa: S608
    f"""
    UPDATE {TOTALS} SET (documents, title_tokens, body_tokens) = (
        SELECT count(*), coalesce(sum(title_length), 0), coalesce(sum(body_length), 0)
        FROM {DOCUMENTS})
    """,  # noqa: S608
]


def recount(cursor) -> None:
    for statement in RECOUNT:
        cursor.execute(statement)


# -- fast top-k: impact-ordered postings ------------------------------------------------
#
# ``search_pg_posting`` holds, per (lexeme, field, document), the term frequency and the
# field's BM25 part without its IDF, ``tf × (k1 + 1) / (tf + k1 × norm)`` (the
# "impact"), computed with reference average lengths stored beside the totals. Within
# one (lexeme, field) list a term's contribution to a document's score is its IDF
# (times the title weight) times that part, so reading a list in impact order reads the
# term's best documents first. ``top_k`` reads each query term's lists in rounds, scores
# every document it meets exactly (the same ``bm25`` as the two-stage ranking, from the
# postings' term frequencies and the current statistics), and stops when the k-th exact
# score is above what any document not yet met could score: the sum over the lists of
# the weight times the last impact read (Fagin's threshold algorithm). The averages
# change with every write while the stored impacts keep the reference ones; a field's
# part grows with the average, by at most ``current / reference`` (the length term of
# the denominator shrinks by that ratio), so the bound is multiplied by that ratio when
# the average has grown. Stale impacts cost reading further, never a wrong ranking.

NEXT_POSTINGS = f"""
SELECT l.n, p.doc_id, p.impact
FROM unnest(%s::text[], %s::smallint[], %s::real[], %s::bigint[], %s::int[])
     WITH ORDINALITY AS l(lexeme, field, impact, doc_id, take, n)
CROSS JOIN LATERAL (
    SELECT p.doc_id, p.impact FROM {POSTINGS} p
    WHERE p.lexeme = l.lexeme AND p.field = l.field
      AND (p.impact, p.doc_id) < (l.impact, l.doc_id)
    ORDER BY p.impact DESC, p.doc_id DESC
    LIMIT l.take
) p
"""  # noqa: S608 (a constant table name; the rest are query parameters)


@dataclass
class PostingList:
    """One (lexeme, field) list being read in impact order, and what was read of it."""

    lexeme: str
    field: int
    weight: float  #: the term's IDF, times the title weight for titles
    stale: float  #: how much a stored impact may have grown since (see above)
    shrink: float  #: … and how much it may have shrunk (a factor at most 1)
    length: int  #: its postings (documents holding the lexeme in the field)
    last_impact: float = math.inf
    last_doc: int = 2**63 - 1
    read: int = 0
    exhausted: bool = False

    @property
    def bound(self) -> float:
        """The most an unread posting of this list can add to a document's score."""
        if self.exhausted:
            return 0.0
        return self.bound_at(self.last_impact)

    def bound_at(self, impact: float) -> float:
        """The most a posting of this impact can add to a document's score."""
        return self.weight * impact * self.stale * (1 + IMPACT_ROUNDING)

    def least_at(self, impact: float) -> float:
        """The least a posting of this impact adds to a document's score."""
        return self.weight * impact * self.shrink / (1 + IMPACT_ROUNDING)


def shrinkage(current: float, reference: float) -> float:
    """How far a part computed with average ``reference`` may be above its value with
    average ``current`` (a factor below 1); 0 (no lower bound) without a reference."""
    if reference <= 0:
        return 0.0
    return min(1.0, current / reference)


def staleness(current: float, reference: float) -> float:
    """How far a part computed with average ``reference`` may be below its value with
    average ``current``; with no reference the norm was 1, and it is never below 1 − b."""
    if reference <= 0:
        return 1 / (1 - B)
    return max(1.0, current / reference)


def posting_lists(
    request: LexicalRequest, weights: Sequence[TermWeight], collection: Collection
) -> list[PostingList]:
    """The lists a query reads: one per term and field where some document holds it;
    a term written twice weighs twice, in one list."""
    title_stale = staleness(collection.average_title, collection.impact_title_average)
    body_stale = staleness(collection.average_body, collection.impact_body_average)
    title_shrink = shrinkage(collection.average_title, collection.impact_title_average)
    body_shrink = shrinkage(collection.average_body, collection.impact_body_average)
    lists: dict[tuple[str, int], PostingList] = {}
    for term, weight in zip(request.terms, weights, strict=True):
        for field, field_weight, stale, shrink, length in (
            (
                TITLE,
                request.title_weight * weight.title,
                title_stale,
                title_shrink,
                weight.title_documents,
            ),
            (BODY, weight.body, body_stale, body_shrink, weight.body_documents),
        ):
            if field_weight <= 0:
                continue
            found = lists.get((term.token, field))
            if found:
                found.weight += field_weight
            else:
                lists[term.token, field] = PostingList(
                    term.token, field, field_weight, stale, shrink, length
                )
    return list(lists.values())


def top_k(
    cursor,
    request: LexicalRequest,
    weights: Sequence[TermWeight],
    collection: Collection,
    k: int,
) -> tuple[list[Candidate], int] | None:
    """The best ``k`` matches by exact BM25 (ties by kind and pk) and how many matches
    there are (exact when every posting was read, else at least ``k``); None when the
    lists had to be read past ``MAX_POSTINGS_READ``."""
    lists = posting_lists(request, weights, collection)
    search = _TopK(cursor, request, weights, collection, k, lists)
    batch = max(FIRST_ROUND, k)
    stoppable = False  #: no document not met yet can enter the top k
    while not all(plist.exhausted for plist in lists):
        if max(plist.read for plist in lists if not plist.exhausted) >= MAX_POSTINGS_READ:
            if stoppable:
                break
            return None
        search.read(batch)
        if stoppable:  # one round more was read to narrow the met documents' bounds
            search.unmet_below_kth()
            break
        stoppable = search.unmet_below_kth()
        # reading on narrows the met documents' bounds; scoring them costs more
        if stoppable and search.waiting.sum() <= CONTENDERS * k:
            break
        batch *= 2
    search.score_promising()
    if all(plist.exhausted for plist in lists):
        return search.best(), search.count_matches()
    return search.best(), len(search.ranked)


class _TopK:
    """The threshold algorithm's state: what each document met so far is known to
    score in the lists it was met in (its "partial" bound per list, NaN where not met
    yet), the documents scored exactly, and the ones set aside because they cannot
    reach the k-th score."""

    def __init__(self, cursor, request, weights, collection, k, lists):
        self.cursor, self.request, self.weights = cursor, request, weights
        self.collection, self.k, self.lists = collection, k, lists
        self.lexemes = sorted({plist.lexeme for plist in lists})
        self.ids = np.zeros(0, dtype=np.int64)  #: every document met, by row
        self.order = np.zeros(0, dtype=np.int64)  #: the rows in id order
        self.partial = np.zeros((0, len(lists)))
        self.least = np.zeros((0, len(lists)))  #: the least each list adds (0 not met)
        self.waiting = np.zeros(0, dtype=bool)  #: met, neither scored nor set aside
        self.passing = np.zeros(0, dtype=bool)  #: known to pass the filter
        self.ranked: list[Candidate] = []  #: scored and passing the filter, best first

    def read(self, batch: int) -> None:
        reading = [(n, plist) for n, plist in enumerate(self.lists) if not plist.exhausted]
        rows = _read_postings(self.cursor, [p for _, p in reading], batch)
        if not rows:
            return
        lists, doc_ids, impacts = (np.array(column) for column in zip(*rows, strict=True))
        new = np.setdiff1d(doc_ids, self.ids)
        if len(new):
            count = len(new)
            self.ids = np.concatenate([self.ids, new])
            self.partial = np.vstack([self.partial, np.full((count, len(self.lists)), np.nan)])
            self.least = np.vstack([self.least, np.zeros((count, len(self.lists)))])
            self.waiting = np.concatenate([self.waiting, np.ones(count, dtype=bool)])
            self.passing = np.concatenate([self.passing, np.zeros(count, dtype=bool)])
            self.order = np.argsort(self.ids, kind="stable")
        place = self.order[np.searchsorted(self.ids, doc_ids, sorter=self.order)]
        columns = np.array([number for number, _ in reading])[lists]
        plists = [plist for _, plist in reading]
        upper = np.array([plist.bound_at(1.0) for plist in plists])[lists]
        lower = np.array([plist.least_at(1.0) for plist in plists])[lists]
        unscored = self.waiting[place] | np.isnan(self.partial[place, columns])
        place, columns = place[unscored], columns[unscored]
        self.partial[place, columns] = upper[unscored] * impacts[unscored]
        self.least[place, columns] = lower[unscored] * impacts[unscored]

    def kth_least(self) -> float:
        """A floor under the k-th best score: the k-th largest of the met documents'
        least scores, among those known to pass the filter (the best unconfirmed ones
        are checked first, in one query)."""
        least = self.least.sum(axis=1)
        unknown = np.flatnonzero(self.waiting & ~self.passing)
        check = unknown[np.argsort(-least[unknown], kind="stable")[: self.k]]
        if len(check):
            passing = _passing(self.cursor, self.request, self.ids[check].tolist())
            for row in check:
                if int(self.ids[row]) in passing:
                    self.passing[row] = True
                else:
                    self.waiting[row] = False  # filtered out: never a result
        known = least[self.passing & self.waiting]
        if len(known) < self.k:
            return -math.inf
        return float(np.partition(known, len(known) - self.k)[len(known) - self.k])

    def unmet_below_kth(self) -> bool:
        """Whether no document not met yet can reach the k-th best score; the met ones
        that cannot either are set aside."""
        floor = self.kth_least()
        bounds = self.upper_bounds()
        self.waiting &= bounds >= floor
        return sum(plist.bound for plist in self.lists) < floor

    def kth(self) -> float:
        return self.ranked[self.k - 1].score if len(self.ranked) >= self.k else -math.inf

    def upper_bounds(self) -> np.ndarray:
        """Each met document's bound: what it was met with, and each other list's."""
        bounds = np.array([plist.bound for plist in self.lists])
        return np.where(np.isnan(self.partial), bounds, self.partial).sum(axis=1)

    def score_promising(self, chunks: float = math.inf) -> None:
        """Score the met documents that could still enter the top k, most promising
        first, up to ``chunks`` chunks; set aside those that cannot (their bound only
        falls as lists are read further, and the k-th score only rises). Scoring costs
        more than reading, so a round scores a few chunks and reads on."""
        bounds = self.upper_bounds()
        waiting = np.flatnonzero(self.waiting)
        order = waiting[np.argsort(-bounds[waiting], kind="stable")]
        chunk = max(self.k, FIRST_ROUND)
        place = 0
        while place < len(order) and chunks > 0 and bounds[order[place]] > self.kth():
            rows = order[place : place + chunk]
            place += chunk
            chunks -= 1
            self.waiting[rows] = False
            self.ranked += _score_documents(
                self.cursor,
                self.request,
                self.weights,
                self.collection,
                self.lexemes,
                sorted(int(doc_id) for doc_id in self.ids[rows]),
            )
            self.ranked.sort(key=lambda c: (-c.score, c.kind, c.pk))
        rest = order[place:]
        self.waiting[rest[bounds[rest] <= self.kth()]] = False

    def best(self) -> list[Candidate]:
        return self.ranked[: self.k]

    def count_matches(self) -> int:
        """Every posting was read (the lists are short): the documents in them that
        pass the filter."""
        self.cursor.execute(
            f"SELECT count(*) FROM {DOCUMENTS} d WHERE d.id IN ("  # noqa: S608 (constants)
            f" SELECT p.doc_id FROM {POSTINGS} p"
            " JOIN unnest(%s::text[], %s::smallint[]) AS l(lexeme, field)"
            f" ON p.lexeme = l.lexeme AND p.field = l.field) AND {self.request.where}",
            [
                [plist.lexeme for plist in self.lists],
                [plist.field for plist in self.lists],
                *self.request.where_params,
            ],
        )
        return self.cursor.fetchone()[0]


def _read_postings(cursor, reading: list[PostingList], batch: int) -> list[tuple]:
    """The next ``batch`` postings of each list as (list index, doc id, impact), moving
    each list's place. A list with little left is read to its end: a short list (a
    title's) often has the highest bound, and only its end removes it from the
    threshold."""
    short = max(SHORT_LIST * batch, SHORT_SHARE * max(plist.length for plist in reading))
    takes = [
        plist.length - plist.read + 1 if plist.length - plist.read <= short else batch
        for plist in reading
    ]
    cursor.execute(
        NEXT_POSTINGS,
        [
            [plist.lexeme for plist in reading],
            [plist.field for plist in reading],
            [plist.last_impact for plist in reading],
            [plist.last_doc for plist in reading],
            takes,
        ],
    )
    rows = [(n - 1, doc_id, float(impact)) for n, doc_id, impact in cursor.fetchall()]
    counts = [0] * len(reading)
    last: list[tuple[float, int] | None] = [None] * len(reading)
    for n, doc_id, impact in rows:
        if last[n] is None or (impact, doc_id) < last[n]:  # the list's last row so far
            last[n] = (impact, doc_id)
        counts[n] += 1
    for plist, count, place, take in zip(reading, counts, last, takes, strict=True):
        plist.read += count
        plist.exhausted = count < take
        if place is not None:
            plist.last_impact, plist.last_doc = place
    return rows


def _passing(cursor, request: LexicalRequest, ids: list[int]) -> set[int]:
    """The documents among ``ids`` that pass the query's filter."""
    cursor.execute(
        f"SELECT d.id FROM {DOCUMENTS} d WHERE d.id = ANY(%s::bigint[]) AND {request.where}",  # noqa: S608
        [ids, *request.where_params],
    )
    return {row[0] for row in cursor.fetchall()}


def score_documents_sql(where: str) -> str:
    """The documents among ids that pass the filter, with their lengths, and one row
    per query lexeme each holds (lexeme, field, tf); NULLs for a document holding none."""
    return f"""
SELECT d.id, d.kind, d.pk, d.title_length, d.body_length, p.lexeme, p.field, p.tf
FROM {DOCUMENTS} d
LEFT JOIN {POSTINGS} p ON p.doc_id = d.id AND p.lexeme = ANY(%s::text[])
WHERE d.id = ANY(%s::bigint[]) AND {where}
"""  # noqa: S608 (constant names and the filter's own SQL; values are parameters)


def _score_documents(
    cursor, request: LexicalRequest, weights, collection: Collection, lexemes, ids
) -> list[Candidate]:
    """The documents among ``ids`` that pass the filter, scored exactly from their
    postings' term frequencies and lengths with the current statistics."""
    cursor.execute(score_documents_sql(request.where), [lexemes, ids, *request.where_params])
    documents: dict[int, tuple] = {}
    tfs: dict[int, dict[str, list[int]]] = {}
    for id_, kind, pk, title_length, body_length, lexeme, field, tf in cursor.fetchall():
        documents[id_] = (kind, pk, title_length, body_length)
        if lexeme is not None:
            tfs.setdefault(id_, {}).setdefault(lexeme, [0, 0])[field] = tf
    out = []
    for id_, (kind, pk, title_length, body_length) in documents.items():
        found = [(lexeme, title, body) for lexeme, (title, body) in tfs.get(id_, {}).items()]
        occurrences = occurrences_of(request.terms, found)
        score = bm25(
            occurrences, weights, (title_length, body_length), collection, request.title_weight
        )
        out.append(Candidate(id_, kind, pk, score, score))
    return out


# -- writing postings -------------------------------------------------------------------

#: a document's postings, from its tsvector (so their term frequencies are the ones the
#: two-stage ranking reads) and its lengths, with the reference averages
POSTINGS_OF = f"""
INSERT INTO {POSTINGS} (doc_id, lexeme, field, tf, impact)
SELECT d.id, u.lexeme, f.field, f.tf,
       {K1 + 1} * f.tf / (f.tf + {K1} * CASE WHEN f.average > 0
                                      THEN {1 - B} + {B} * f.length / f.average ELSE 1 END)
FROM {DOCUMENTS} d
CROSS JOIN {TOTALS} t
CROSS JOIN unnest(d.lexemes) u
CROSS JOIN LATERAL (VALUES
    ({TITLE}, cardinality(array_positions(u.weights, 'A')), d.title_length,
     t.impact_title_average),
    ({BODY}, cardinality(u.weights) - cardinality(array_positions(u.weights, 'A')),
     d.body_length, t.impact_body_average)
) AS f(field, tf, length, average)
WHERE f.tf > 0
"""  # noqa: S608 (constant names and numbers)

#: the reference averages are set by the first write into an empty index (both at once)
#: and kept until a rebuild: every posting of a field is computed with the same one, so
#: impacts compare within a list (a field still without tokens keeps 0: its impacts are
#: computed with a norm of 1, which ``staleness`` bounds). Once set, the condition is
#: false and the statement locks nothing.
FIRST_REFERENCE = f"""
UPDATE {TOTALS} t SET
    impact_title_average = c.title_tokens::float8 / c.documents,
    impact_body_average = c.body_tokens::float8 / c.documents
FROM (
    SELECT t.documents + d.documents AS documents,
           t.title_tokens + d.title_tokens AS title_tokens,
           t.body_tokens + d.body_tokens AS body_tokens
    FROM {TOTALS} t,
         (SELECT coalesce(sum(documents), 0) AS documents,
                 coalesce(sum(title_tokens), 0) AS title_tokens,
                 coalesce(sum(body_tokens), 0) AS body_tokens
          FROM {TOTALS_DELTAS}) d
) c
WHERE c.documents > 0 AND t.impact_title_average <= 0 AND t.impact_body_average <= 0
"""  # noqa: S608

#: a rebuild starts from the collection's own averages
RESET_REFERENCE = f"""
UPDATE {TOTALS} SET
    impact_title_average = CASE WHEN documents > 0
                                THEN title_tokens::float8 / documents ELSE 0 END,
    impact_body_average = CASE WHEN documents > 0
                               THEN body_tokens::float8 / documents ELSE 0 END
"""  # noqa: S608


def write_postings(cursor, ids: list[int]) -> None:
    """Replace the postings of the documents ``ids`` (after their rows and statistics
    were written)."""
    if not ids:
        return
    cursor.execute(FIRST_REFERENCE)
    cursor.execute(f"DELETE FROM {POSTINGS} WHERE doc_id = ANY(%s::bigint[])", [ids])  # noqa: S608
    cursor.execute(POSTINGS_OF + " AND d.id = ANY(%s::bigint[])", [ids])


def clear_postings(cursor) -> None:
    """Before a rebuild deletes every document (one statement, not a cascade per row)."""
    cursor.execute(f"DELETE FROM {POSTINGS}")  # noqa: S608


def rebuild_postings(cursor) -> None:
    """Every document's postings, with the collection's averages as the reference
    (after ``recount``)."""
    cursor.execute(RESET_REFERENCE)
    cursor.execute(POSTINGS_OF)
