"""BM25 for the PostgreSQL backend: the statistics it needs, kept exact on every write,
and the ranking itself.

Tables (``migrations/0003_postgres_bm25.py`` creates them and fills them from the
documents already indexed):

- ``search_pg_lexeme``: for each lexeme, how many documents hold it in their title and
  in their body (a document counts once per field, however often the word appears);
- ``search_pg_lexical_totals``: one row: documents, title tokens and body tokens in all;
- ``search_pg_document.title_length`` / ``body_length``: each document's token counts.

The score is the one tantivy gives the embedded backend: title and body are two fields,
each with its own document frequencies and average length, and a term's score in the
title is multiplied by ``title_weight`` (tantivy's boost). For each term and field,
``idf × tf × (k1 + 1) / (tf + k1 × (1 − b + b × length / average length))`` with
``idf = ln(1 + (N − n + 0.5) / (n + 0.5))``. A prefix term (``electri*``) counts the
occurrences of every lexeme it matches, with the document frequency of the most common
of them (the union's own frequency would need one more pass over the matches).

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

from ..text import Term, prefix_alternatives

LEXEMES = "search_pg_lexeme"
TOTALS = "search_pg_lexical_totals"
DOCUMENTS = "search_pg_document"
#: serialises every writer of the lexical index (pg_advisory_xact_lock key): the
#: statistics are read-modify-write counters shared by all documents
WRITE_LOCK = 0x45C0_B325

K1 = 1.2
B = 0.75
#: documents scored exactly per query; the rest keep the first stage's order
RERANK_DEPTH = 300


# -- the formula (pure) -----------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """What BM25 needs to know about the whole index."""

    documents: int
    title_tokens: int
    body_tokens: int

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
    SELECT title_docs, body_docs FROM {LEXEMES} WHERE lexeme = t.lexeme
    UNION ALL
    SELECT title_docs, body_docs FROM {LEXEMES}
    WHERE t.upper IS NOT NULL AND lexeme > t.lexeme AND lexeme < t.upper
) s ON true
GROUP BY t.term
"""  # noqa: S608 (constant table names; the terms are query parameters)


def statistics(cursor, terms: Sequence[Term]) -> tuple[Collection, list[TermWeight]]:
    """The collection's totals and each term's IDF per field, in one query each."""
    cursor.execute(f"SELECT documents, title_tokens, body_tokens FROM {TOTALS}")  # noqa: S608
    row = cursor.fetchone()
    collection = Collection(*(int(value) for value in row)) if row else Collection(0, 0, 0)
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
    cursor, request: LexicalRequest, offset: int, limit: int, depth: int = RERANK_DEPTH
) -> tuple[list[Candidate], int]:
    """The page ``[offset, offset + limit)`` of the matches, best BM25 first, and how
    many documents match. The order does not depend on the page asked for, so pages
    never overlap or skip."""
    collection, weights = statistics(cursor, request.terms)
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
    id_, kind, pk, estimate, title_length, body_length, found, _ = row
    found = json.loads(found) if isinstance(found, str) else (found or [])
    occurrences = occurrences_of(request.terms, [tuple(item) for item in found])
    score = bm25(
        occurrences, weights, (title_length, body_length), collection, request.title_weight
    )
    return Candidate(id_, kind, pk, float(estimate), score)


# -- writing ----------------------------------------------------------------------------


def lock_writers(cursor) -> None:
    """Held until the transaction ends: one writer of the lexical index at a time."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])


COUNT_DOCUMENTS = f"""
WITH held AS (
    SELECT u.lexeme,
           cardinality(array_positions(u.weights, 'A')) > 0 AS in_title,
           cardinality(u.weights) > cardinality(array_positions(u.weights, 'A')) AS in_body
    FROM {DOCUMENTS} d, unnest(d.lexemes) u
    WHERE d.id = ANY(%(ids)s::bigint[])
), changed AS (
    INSERT INTO {LEXEMES} AS s (lexeme, title_docs, body_docs)
    SELECT lexeme, %(sign)s * count(*) FILTER (WHERE in_title),
           %(sign)s * count(*) FILTER (WHERE in_body)
    FROM held GROUP BY lexeme ORDER BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET
        title_docs = s.title_docs + EXCLUDED.title_docs,
        body_docs = s.body_docs + EXCLUDED.body_docs
    RETURNING s.lexeme, s.title_docs, s.body_docs
), totals AS (
    UPDATE {TOTALS} AS t SET
        documents = t.documents + %(sign)s * x.documents,
        title_tokens = t.title_tokens + %(sign)s * x.title_tokens,
        body_tokens = t.body_tokens + %(sign)s * x.body_tokens
    FROM (SELECT count(*) AS documents, coalesce(sum(title_length), 0) AS title_tokens,
                 coalesce(sum(body_length), 0) AS body_tokens
          FROM {DOCUMENTS} WHERE id = ANY(%(ids)s::bigint[])) x
)
SELECT lexeme FROM changed WHERE title_docs <= 0 AND body_docs <= 0
"""  # noqa: S608 (constant table names; ids and sign are query parameters)


class Counter:
    """Adds documents to the statistics and takes them out again, within the writer's
    transaction; lexemes no document holds any more are deleted at ``finish``."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.emptied: set[str] = set()

    def add(self, ids: list[int]) -> None:
        self._count(ids, 1)

    def remove(self, ids: list[int]) -> None:
        self._count(ids, -1)

    def _count(self, ids: list[int], sign: int) -> None:
        if ids:
            self.cursor.execute(COUNT_DOCUMENTS, {"ids": ids, "sign": sign})
            self.emptied.update(row[0] for row in self.cursor.fetchall())

    def finish(self) -> None:
        if self.emptied:
            self.cursor.execute(
                f"DELETE FROM {LEXEMES} WHERE lexeme = ANY(%s::text[]) "  # noqa: S608
                "AND title_docs <= 0 AND body_docs <= 0",
                [sorted(self.emptied)],
            )
            self.emptied.clear()


#: the statistics of every indexed document, from scratch (a rebuild; the migration
#: runs the same statements)
RECOUNT = [
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
