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

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

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
    #: the larger of the two fields' document frequencies (a prefix term's too)
    most_documents: int = 0


def idf(documents: int, containing: int) -> float:
    """BM25's (Lucene's and tantivy's) inverse document frequency; never negative."""
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def field_score(tf: int, length: int, average: float, weight: float) -> float:
    """One term in one field of one document; below ``(K1 + 1) × weight`` always."""
    return _scored_part(tf, length_norm(length, average), weight)


def length_norm(length: int, average: float) -> float:
    """BM25's ``1 − b + b × length / average`` of a field (1 with no average)."""
    return 1 - B + B * length / average if average > 0 else 1.0


def _scored_part(tf: int, norm: float, weight: float) -> float:
    if tf <= 0 or weight <= 0:
        return 0.0
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
    # (the norms once per document, not per term: the same floats as ``field_score``)
    title_norm = length_norm(lengths[0], collection.average_title)
    body_norm = length_norm(lengths[1], collection.average_body)
    score = 0.0
    for index, (title_tf, body_tf) in occurrences.items():
        weight = weights[index]
        title = _scored_part(title_tf, title_norm, weight.title)
        body = _scored_part(body_tf, body_norm, weight.body)
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


def term_places(terms: Sequence[Term]) -> dict[str, list[int]]:
    """Each token of ``terms`` (none a prefix) → its indices in ``terms``, in order."""
    places: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        places.setdefault(term.token, []).append(index)
    return places


def exact_occurrences(
    places: dict[str, list[int]], lexemes: list[str], fields: list[int], tfs: list[int]
) -> dict[int, tuple[int, int]]:
    """``occurrences_of`` for terms without a prefix, from one document's postings
    (parallel lists of lexeme, field and term frequency): what the fast top-k re-scores
    ~k rows with, a dictionary look-up per posting where ``occurrences_of`` matches every
    term against every lexeme. The same pairs in the same order of terms, so ``bm25``
    sums the same floats."""
    found: dict[int, list[int]] = {}
    for lexeme, field, tf in zip(lexemes, fields, tfs, strict=True):
        for index in places.get(lexeme, ()):
            found.setdefault(index, [0, 0])[field] += tf
    return {index: (found[index][0], found[index][1]) for index in sorted(found)}


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


#: each term's document frequencies with the totals beside them: one round trip, where a
#: query's statistics took two (under load every round trip waits for a core)
STATISTICS_WITH_TOTALS = f"""
SELECT s.*, c.* FROM ({STATISTICS}) s CROSS JOIN ({CURRENT_TOTALS}) c
"""  # noqa: S608 (the two statements above)


def _collection(row) -> Collection:
    if not row:
        return Collection(0, 0, 0)
    return Collection(*(int(value) for value in row[:3]), *(float(value) for value in row[3:]))


def statistics_of_each(
    cursor, term_lists: Sequence[Sequence[Term]]
) -> tuple[Collection, list[list[TermWeight]]]:
    """``statistics`` of several lists of terms, in one query."""
    collection, weights = statistics(cursor, [term for terms in term_lists for term in terms])
    out, start = [], 0
    for terms in term_lists:
        out.append(weights[start : start + len(terms)])
        start += len(terms)
    return collection, out


def statistics(cursor, terms: Sequence[Term]) -> tuple[Collection, list[TermWeight]]:
    """The collection's totals and each term's IDF per field, in one query."""
    rows = []  # (term index, lexeme, upper end of its prefix range or None)
    for index, term in enumerate(terms):
        rows.append((index, term.token, prefix_upper(term.token) if term.prefix else None))
        if term.prefix:
            rows += [(index, stem, None) for stem in prefix_alternatives(term.token)]
    found = []
    if rows:
        cursor.execute(STATISTICS_WITH_TOTALS, [list(column) for column in zip(*rows, strict=True)])
        found = cursor.fetchall()
    if found:
        collection = _collection(found[0][3:])
    else:  # no terms (or no totals row)
        cursor.execute(CURRENT_TOTALS)
        collection = _collection(cursor.fetchone())
    frequencies = {row[0]: (row[1], row[2]) for row in found}
    weights = []
    for index in range(len(terms)):
        title, body = frequencies.get(index, (0, 0))
        weights.append(
            TermWeight(
                title=idf(collection.documents, title) if title else 0.0,
                body=idf(collection.documents, body) if body else 0.0,
                title_documents=0 if terms[index].prefix else int(title),
                body_documents=0 if terms[index].prefix else int(body),
                most_documents=int(max(title, body)),
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
    #: (external id, fields, facets as JSON text) when the ranking statement read them
    stored: tuple[str, str, str] | None = None


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
    known: tuple[Collection, list[TermWeight]] | None = None,
) -> tuple[list[Candidate], int]:
    """The page ``[offset, offset + limit)`` of the matches, best BM25 first, and how
    many documents match. The order does not depend on the page asked for, so pages
    never overlap or skip.

    Queries without prefix terms go through ``top_k`` (exact, reading only the leading
    postings); when it gives up, or for prefix terms, the two-stage ranking below
    answers. ``total`` from ``top_k`` is exact when it read every posting of the query's
    terms, and otherwise a number of matches found, above ``offset + limit``. ``known``:
    the statistics of ``request.terms``, when the caller read them already."""
    collection, weights = known or statistics(cursor, request.terms)
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
    # a document holds a lexeme in a field when the field's positions have it: the
    # lexemes of each field's positions (``ts_filter``) are half the work of every
    # lexeme's positions counted per weight (2.1 → 1.1 s for 20k documents)
    f"""
    INSERT INTO {LEXEMES} (lexeme, title_docs, body_docs)
    SELECT lexeme, count(*) FILTER (WHERE field = {TITLE}), count(*) FILTER (WHERE field = {BODY})
    FROM (
        SELECT u.lexeme, {TITLE} AS field
        FROM {DOCUMENTS} d, unnest(ts_filter(d.lexemes, '{{a}}')) u
        UNION ALL
        SELECT u.lexeme, {BODY} FROM {DOCUMENTS} d, unnest(ts_filter(d.lexemes, '{{b,c,d}}')) u
    ) held
    GROUP BY lexeme
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
# term's best documents first. ``top_k`` runs one statement (``TOP_K``) that reads the
# leading ``depth`` postings of each of the query's lists, sums what each document met
# was met with, and checks Fagin's threshold: the k-th best floor among the documents
# met that pass the filter is above the sum of the lists' last impacts (what a document
# not met can score). If so, the same statement scores exactly (the current statistics,
# the postings' term frequencies) every met document whose ceiling reaches that floor
# and returns the few around the k-th score; if not, it returns nothing and ``top_k``
# asks again ``GROWTH`` times deeper. Python sees ~k rows, never the postings. A query
# whose title lists share many documents runs the statement's paired form first, which
# sums only the documents met in two lists or more and answers only when no document met
# once can be a contender (``_paired_parts``); when it cannot tell, the full form runs at
# the same depth.
#
# The averages change with every write while the stored impacts keep the reference ones;
# a field's part grows with the average, by at most ``current / reference`` (the length
# term of the denominator shrinks by that ratio), so ceilings are multiplied by that
# ratio when the average has grown, and floors by the inverse when it has shrunk. Stale
# impacts cost reading further, never a wrong ranking.

#: postings read from each list by ``top_k``'s first statement: at least this many, and
#: at least ``DEPTH_PER_K`` × k; each further statement reads ``GROWTH`` times as many
FIRST_DEPTH = 256
DEPTH_PER_K = 16
GROWTH = 4
#: a list at most this share of the longest one's length (a title's) is read to its end
SHORT_SHARE = 0.25
#: past this many postings per list the fast top-k gives up (a filter that rejects most
#: documents) and the two-stage ranking answers instead
MAX_POSTINGS_READ = 16_384
#: the k-th floor is looked for among the best ``KTH_FRONT`` × k floors first (a top-N
#: sort); only when fewer than k of those pass the filter are all of them sorted
KTH_FRONT = 4
#: the paired statement is tried first when the title lists are expected to share at
#: least this many times k documents that pass the filter (``paired_first``); else, or
#: when it cannot tell, the statement over every document met answers
PAIRS_PER_K = 2
#: the share of documents a facet filter is assumed to pass (the status filter every
#: search has passes nearly all and is not counted)
FACET_SHARE = 0.25
#: impacts are stored as float4: a bound is raised by this share to stay above them
IMPACT_ROUNDING = 1e-6
#: the statement returns the documents whose exact score (computed in SQL) is within this
#: share of the k-th; Python scores them again with ``bm25`` and breaks ties by key
SCORE_MARGIN = 1e-9


def _named(where: str) -> str:
    """The filter's positional parameters as named ones (``where_0``, …): the statement
    uses it several times and passes its values once."""
    parts = where.split("%s")
    return "".join(
        part + (f"%(where_{n})s" if n < len(parts) - 1 else "") for n, part in enumerate(parts)
    )


def _scoring_sql(source: str, where: str) -> str:
    """Exact BM25 (current statistics) of the documents ``source`` names (``doc_id``) that
    pass the filter, with their lengths: one index lookup for the document and one for its
    postings of the query's lists each (a sum per document, no sort of all postings)."""
    return f"""
    SELECT d.id, d.kind, d.pk, d.title_length, d.body_length, s.score
    FROM {source} c
    JOIN {DOCUMENTS} d ON d.id = c.doc_id
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(l.weight * p.tf * {K1 + 1} / (p.tf + {K1} * CASE p.field
                   WHEN {TITLE} THEN %(title_a)s + %(title_s)s * d.title_length
                   ELSE %(body_a)s + %(body_s)s * d.body_length END)), 0) AS score
        FROM {POSTINGS} p
        JOIN l ON l.lexeme = p.lexeme AND l.field = p.field
        WHERE p.doc_id = d.id AND p.lexeme = ANY(%(lexemes)s::text[])
    ) s
    WHERE {where}"""  # noqa: S608


def _paired_parts(paired: bool) -> tuple[str, str, str, str]:
    """What ``top_k_sql(paired=True)`` adds: each list's head (its first posting's impact
    times ``upper``, the most it adds to a score), the most a document met in one list
    alone can gain over the threshold (its list's head less its bound; its ceiling is at
    most the threshold plus that), and the condition keeping the documents met twice.

    On flat lists (a title's impacts all alike, so it is read to its end) most documents
    met are met once, and the k-th score needs a document in two of the heaviest lists:
    grouping them all, storing them and sorting their floors is a third of the
    statement. A document met once is left out only when its ceiling is below the k-th
    floor among the others, so it could not have been a contender: the contenders, and
    the answer, are those of the unpaired statement."""
    if not paired:
        return "", "", "0.0", ""
    head = ",\n           coalesce(l.upper * h.impact, 0.0) AS head"
    probe = f"""
    LEFT JOIN LATERAL (
        SELECT p.impact FROM {POSTINGS} p
        WHERE p.lexeme = l.lexeme AND p.field = l.field
        ORDER BY p.impact DESC, p.doc_id DESC LIMIT 1
    ) h ON true"""  # noqa: S608
    return (
        head,
        probe,
        "max(head - bound)",
        ("\n    HAVING count(*) > 1 OR (SELECT exhausted FROM edge)"),
    )


def top_k_sql(where: str, paired: bool = False) -> str:
    """The fast top-k's statement (see above), with named parameters; ``where`` is the
    filter on ``d`` with positional ones (see ``_named``). One row per document near or
    above the k-th score, each with (done, exhausted, total) in front; a single row with
    NULLs for the document when it found none or must read deeper (done false).

    The contenders are scored in two steps: the 2 × k with the highest ceilings, then,
    of the rest, only those whose ceiling reaches the k-th score among the first.

    ``paired``: the documents met are those met in at least two lists (unless every list
    was read to its end), and the statement is done only if a document met in one list
    alone cannot reach the k-th floor (see ``_paired_parts``)."""
    where = _named(where)
    head, head_probe, single_gain, only_pairs = _paired_parts(paired)
    # Constant names, numbers and the filter's own SQL; every value is a parameter.
    return f"""
WITH l AS MATERIALIZED (
    SELECT l.*, e.impact IS NULL AS exhausted,
           coalesce(l.upper * e.impact, 0.0) AS bound{head}
    FROM unnest(%(list_lexemes)s::text[], %(fields)s::smallint[],
                %(weights)s::float8[], %(upper)s::float8[], %(lower)s::float8[],
                %(takes)s::int[])
         WITH ORDINALITY AS l(lexeme, field, weight, upper, lower, take, n)
    LEFT JOIN LATERAL (
        SELECT p.impact FROM {POSTINGS} p
        WHERE p.lexeme = l.lexeme AND p.field = l.field
        ORDER BY p.impact DESC, p.doc_id DESC OFFSET l.take - 1 LIMIT 1
    ) e ON true{head_probe}
), edge AS MATERIALIZED (
    SELECT bool_and(exhausted) AS exhausted, sum(bound) AS threshold,
           {single_gain} AS single_gain
    FROM l
), met AS MATERIALIZED (
    SELECT p.doc_id, sum(l.lower * p.impact) AS floor,
           sum(l.upper * p.impact - l.bound) AS gain
    FROM l CROSS JOIN LATERAL (
        SELECT p.doc_id, p.impact FROM {POSTINGS} p
        WHERE p.lexeme = l.lexeme AND p.field = l.field
        ORDER BY p.impact DESC, p.doc_id DESC LIMIT l.take
    ) p
    GROUP BY p.doc_id{only_pairs}
), kth_front AS MATERIALIZED (
    SELECT count(*) AS passing, min(m.floor) AS floor FROM (
        SELECT m.floor
        FROM (SELECT * FROM met ORDER BY floor DESC, doc_id LIMIT %(front)s) m
        CROSS JOIN LATERAL (
            SELECT 1 FROM {DOCUMENTS} d WHERE d.id = m.doc_id AND {where}
        ) passes
        LIMIT %(k)s
    ) m
), kth AS MATERIALIZED (
    SELECT * FROM kth_front WHERE passing >= %(k)s
    UNION ALL
    SELECT count(*), min(m.floor) FROM (
        SELECT m.floor
        FROM (SELECT * FROM met ORDER BY floor DESC, doc_id OFFSET 0) m
        CROSS JOIN LATERAL (
            SELECT 1 FROM {DOCUMENTS} d WHERE d.id = m.doc_id AND {where}
        ) passes
        WHERE (SELECT passing FROM kth_front) < %(k)s
        LIMIT %(k)s
    ) m
    HAVING (SELECT passing FROM kth_front) < %(k)s
), decision AS MATERIALIZED (
    SELECT e.exhausted, e.threshold, k.passing, k.floor,
           e.exhausted OR (k.passing >= %(k)s AND k.floor > e.threshold + e.single_gain) AS done
    FROM edge e, kth k
), contenders AS MATERIALIZED (
    SELECT m.doc_id, x.threshold + m.gain AS ceiling
    FROM decision x
    JOIN met m ON x.done AND (x.passing < %(k)s OR x.threshold + m.gain >= x.floor)
), front AS MATERIALIZED (
    SELECT * FROM contenders ORDER BY ceiling DESC, doc_id LIMIT %(leading)s
), front_scored AS MATERIALIZED ({_scoring_sql("front", where)}
), bar AS MATERIALIZED (
    SELECT coalesce((SELECT score FROM front_scored ORDER BY score DESC OFFSET %(k)s - 1 LIMIT 1),
                    '-Infinity'::float8) AS score
), rest_scored AS MATERIALIZED ({
        _scoring_sql(
            "(SELECT c.doc_id FROM contenders c, bar b WHERE c.ceiling >= b.score"
            " AND c.doc_id NOT IN (SELECT doc_id FROM front))",
            where,
        )
    }
), scored AS MATERIALIZED (
    SELECT * FROM front_scored UNION ALL SELECT * FROM rest_scored
), cut AS (
    SELECT coalesce((SELECT score FROM scored ORDER BY score DESC OFFSET %(k)s - 1 LIMIT 1),
                    '-Infinity'::float8) AS score
)
SELECT x.done, x.exhausted,
       CASE WHEN x.done AND x.exhausted THEN (
           SELECT count(*) FROM met m JOIN {DOCUMENTS} d ON d.id = m.doc_id WHERE {where})
       ELSE (SELECT count(*) FROM scored) END,
       s.id, s.kind, s.pk, s.title_length, s.body_length, f.lexemes, f.fields, f.tfs,
       t.external_id, t.fields::text, t.facets::text
FROM decision x
LEFT JOIN scored s ON s.score >= (SELECT score - {SCORE_MARGIN} * abs(score) FROM cut)
LEFT JOIN LATERAL (
    SELECT coalesce(array_agg(p.lexeme), '{{}}') AS lexemes,
           coalesce(array_agg(p.field), '{{}}') AS fields,
           coalesce(array_agg(p.tf), '{{}}') AS tfs
    FROM {POSTINGS} p
    WHERE p.doc_id = s.id AND p.lexeme = ANY(%(lexemes)s::text[])
) f ON s.id IS NOT NULL
LEFT JOIN {DOCUMENTS} t ON t.id = s.id
"""  # noqa: S608


@dataclass
class PostingList:
    """One (lexeme, field) list of a query, with how its stored impacts relate to the
    current ones."""

    lexeme: str
    field: int
    weight: float  #: the term's IDF, times the title weight for titles
    stale: float  #: how much a stored impact may have grown since (see above)
    shrink: float  #: … and how much it may have shrunk (a factor at most 1)
    length: int  #: its postings (documents holding the lexeme in the field)

    @property
    def upper(self) -> float:
        """A posting's impact times this is at least what it adds to a score."""
        return self.weight * self.stale * (1 + IMPACT_ROUNDING)

    @property
    def lower(self) -> float:
        """A posting's impact times this is at most what it adds to a score."""
        return self.weight * self.shrink / (1 + IMPACT_ROUNDING)


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


def _norm(average: float) -> tuple[float, float]:
    """BM25's length norm ``a + s × length`` for a field of this average length."""
    if average <= 0:
        return 1.0, 0.0
    return 1 - B, B / average


def top_k(
    cursor,
    request: LexicalRequest,
    weights: Sequence[TermWeight],
    collection: Collection,
    k: int,
) -> tuple[list[Candidate], int] | None:
    """The best ``k`` matches by exact BM25 (ties by kind and pk) and how many matches
    there are (exact when every posting was read, else at least ``k``); None when the
    lists would have to be read past ``MAX_POSTINGS_READ``."""
    lists = posting_lists(request, weights, collection)
    if not lists:
        return [], 0
    depth = max(FIRST_DEPTH, DEPTH_PER_K * k)
    while True:
        found = None
        if paired_first(request, lists, collection, k):
            found = _top_k_at(cursor, request, weights, collection, lists, k, depth, paired=True)
        if found is None:
            found = _top_k_at(cursor, request, weights, collection, lists, k, depth)
        if found is not None:
            return found
        if depth >= MAX_POSTINGS_READ:
            return None
        depth *= GROWTH


def expected_pairs(lists: list[PostingList], documents: int) -> float:
    """How many documents two of the query's title lists would share if words fell into
    titles independently: the k-th score is found among them (``_paired_parts``) only
    when there are enough of them, and a filter passes only some."""
    if documents <= 0:
        return 0.0
    lengths = [plist.length for plist in lists if plist.field == TITLE]
    return sum(a * b for a, b in itertools.combinations(lengths, 2)) / documents


def paired_first(
    request: LexicalRequest, lists: list[PostingList], collection: Collection, k: int
) -> bool:
    """Whether to try the paired statement first: when it cannot tell (too few documents
    met twice pass the filter), the unpaired one runs after it, a statement more."""
    facets = max(len(request.where_params) - 1, 0)
    passing = expected_pairs(lists, collection.documents) * FACET_SHARE**facets
    return passing >= PAIRS_PER_K * k


def _takes(lists: list[PostingList], depth: int) -> list[int]:
    """How many postings the statement reads from each list: ``depth``, or the whole
    list (and one more, to see its end) when it is short: a short list (a title's)
    often has the highest bound, and only its end removes it from the threshold."""
    short = max(depth, SHORT_SHARE * max(plist.length for plist in lists))
    return [plist.length + 1 if plist.length <= short else depth for plist in lists]


def _top_k_at(cursor, request, weights, collection, lists, k, depth, paired=False):
    """One ``TOP_K`` statement reading ``depth`` postings per list: the answer, or None
    when that was not deep enough to know it (``paired``: or when a document met in one
    list alone might reach the k-th score)."""
    title_norm, body_norm = _norm(collection.average_title), _norm(collection.average_body)
    params = {
        "list_lexemes": [plist.lexeme for plist in lists],
        "fields": [plist.field for plist in lists],
        "weights": [plist.weight for plist in lists],
        "upper": [plist.upper for plist in lists],
        "lower": [plist.lower for plist in lists],
        "takes": _takes(lists, depth),
        "k": k,
        "front": KTH_FRONT * k,
        "leading": 2 * k,
        "title_a": title_norm[0],
        "title_s": title_norm[1],
        "body_a": body_norm[0],
        "body_s": body_norm[1],
        "lexemes": sorted({plist.lexeme for plist in lists}),
        **{f"where_{n}": value for n, value in enumerate(request.where_params)},
    }
    cursor.execute(top_k_sql(request.where, paired), params)
    rows = cursor.fetchall()
    done, _, total = rows[0][:3]
    if not done:
        return None
    ranked = []
    places = term_places(request.terms)
    for row in rows:
        id_, kind, pk, title_length, body_length, lexemes, fields, tfs = row[3:11]
        if id_ is None:
            continue
        occurrences = exact_occurrences(places, lexemes, fields, tfs)
        score = bm25(
            occurrences, weights, (title_length, body_length), collection, request.title_weight
        )
        ranked.append(Candidate(id_, kind, pk, score, score, stored=row[11:14]))
    ranked.sort(key=lambda c: (-c.score, c.kind, c.pk))
    return ranked[:k], int(total)


# -- writing postings -------------------------------------------------------------------

#: a tsvector's positions per field, for ``ts_filter``: a title's carry weight A, a
#: body's none (D); B and C, which no write makes, count as body, as they always have
FIELD_WEIGHTS = {TITLE: "{a}", BODY: "{b,c,d}"}


def _field_postings(field: int, length: str, average: str, where: str) -> str:
    """One field's postings: the lexemes of the field's positions only (``ts_filter``),
    each with as many positions as occurrences there. Unnesting every lexeme and counting
    its positions per weight in a lateral row pair (the statement before round 17) built
    the same rows in twice the time: 1.44M postings of 20k documents, 9.4 → 4.7 s."""
    tf = "cardinality(u.positions)"
    return f"""
    SELECT d.id, u.lexeme, {field}, {tf},
           {K1 + 1} * {tf} / ({tf} + {K1} * CASE WHEN t.{average} > 0
                                    THEN {1 - B} + {B} * d.{length} / t.{average} ELSE 1 END)
    FROM {DOCUMENTS} d
    CROSS JOIN {TOTALS} t
    CROSS JOIN unnest(ts_filter(d.lexemes, '{FIELD_WEIGHTS[field]}')) u
    {where}"""  # noqa: S608 (constant names and numbers)


def postings_of(table: str, where: str = "") -> str:
    """Inserts into ``table`` the postings of the documents ``where`` selects (a condition
    on ``d``, or every document), read from their tsvectors (so their term frequencies
    are the ones the two-stage ranking reads) and lengths, with the reference averages."""
    return (
        f"INSERT INTO {table} (doc_id, lexeme, field, tf, impact)"
        + _field_postings(TITLE, "title_length", "impact_title_average", where)
        + " UNION ALL"
        + _field_postings(BODY, "body_length", "impact_body_average", where)
    )


#: a rebuild loads its postings into this table, without indexes, then builds them and
#: swaps it in (``rebuild_postings``)
FRESH_POSTINGS = f"{POSTINGS}_fresh"
#: the postings table's keys and indexes as the migrations make them (0004, 0006), for a
#: table named ``{table}``; a rebuild builds them on its fresh table after the bulk load
POSTINGS_KEYS = [
    "ALTER TABLE {table} ADD CONSTRAINT {table}_pkey"
    " PRIMARY KEY (doc_id, lexeme, field) INCLUDE (tf)",
    "CREATE INDEX {table}_impact ON {table} (lexeme, field, impact, doc_id)",
    f"ALTER TABLE {{table}} ADD CONSTRAINT {{table}}_doc_id_fkey FOREIGN KEY (doc_id)"
    f" REFERENCES {DOCUMENTS} (id) ON DELETE CASCADE",
]
#: the fresh table's constraints and index, renamed once it is ``search_pg_posting``
POSTINGS_CONSTRAINTS, POSTINGS_INDEXES = ["pkey", "doc_id_fkey"], ["impact"]

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
    cursor.execute(postings_of(POSTINGS, "WHERE d.id = ANY(%(ids)s::bigint[])"), {"ids": ids})


def clear_postings(cursor) -> None:
    """Before a rebuild deletes every document (one statement, not a cascade per row)."""
    cursor.execute(f"DELETE FROM {POSTINGS}")  # noqa: S608


def rebuild_postings(cursor) -> None:
    """Every document's postings, with the collection's averages as the reference
    (after ``recount``), in a fresh table that replaces the old one when the rebuild
    commits. Inserting the 1.4M postings of 20k documents into the table with its keys
    took 50–59 s, into a bare one with the keys built after 12–17 s (docs/search.md);
    the old table stays readable by searches until the commit."""
    cursor.execute(RESET_REFERENCE)
    cursor.execute(f"DROP TABLE IF EXISTS {FRESH_POSTINGS}")
    # LIKE copies the columns, their types, collations and NOT NULL, nothing else
    cursor.execute(f"CREATE TABLE {FRESH_POSTINGS} (LIKE {POSTINGS})")
    cursor.execute(postings_of(FRESH_POSTINGS))
    for statement in POSTINGS_KEYS:
        cursor.execute(statement.format(table=FRESH_POSTINGS))
    cursor.execute(f"DROP TABLE {POSTINGS}")
    cursor.execute(f"ALTER TABLE {FRESH_POSTINGS} RENAME TO {POSTINGS}")
    for name in POSTINGS_CONSTRAINTS:  # (the primary key's index is renamed with it)
        old, new = f"{FRESH_POSTINGS}_{name}", f"{POSTINGS}_{name}"
        cursor.execute(f"ALTER TABLE {POSTINGS} RENAME CONSTRAINT {old} TO {new}")
    for name in POSTINGS_INDEXES:
        cursor.execute(f"ALTER INDEX {FRESH_POSTINGS}_{name} RENAME TO {POSTINGS}_{name}")
