"""What the PostgreSQL backend needs to rank by BM25 (``search/backends/postgres_bm25.py``):
each document's title and body lengths, how many documents hold each lexeme in each
field, and the collection's totals.

Only on PostgreSQL; on SQLite it does nothing. Everything is computed here from the
documents already indexed, so an upgrade needs no ``ecotone index rebuild``. The lengths
are read from the tsvector: titles are written first, so a title's length is its last
title position, and the body's is the last position after it. That is exact unless the
last word was left out of the tsvector (a 17th occurrence, or a document past its 1 MiB
budget or position 16,383); the next write or rebuild of such a document stores its real
token counts. The statements are the migration's own, not imported from the backend, so
later changes to the backend cannot change what this migration did.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE search_pg_document
        ADD COLUMN title_length integer NOT NULL DEFAULT 0,
        ADD COLUMN body_length integer NOT NULL DEFAULT 0
    """,
    # A tsvector is read by every @@ of the ranking's first stage; compressed (PostgreSQL
    # compresses rows over 2 kB), each read decompresses it again: a Chinese record's
    # tsvector with its bigrams is often that big. Rows stay plain up to a page.
    "ALTER TABLE search_pg_document SET (toast_tuple_target = 8160)",
    # Positions are sorted; the weights array follows them, titles (A) first. The
    # concatenation rewrites each tsvector, so it is stored again under the new target.
    """
    UPDATE search_pg_document d SET
        title_length = l.title, body_length = l.last - l.title,
        lexemes = d.lexemes || ''::tsvector
    FROM (
        SELECT d.id,
               coalesce(max(u.positions[cardinality(array_positions(u.weights, 'A'))]), 0)
                   AS title,
               coalesce(max(u.positions[cardinality(u.positions)]), 0) AS last
        FROM search_pg_document d, unnest(d.lexemes) u
        GROUP BY d.id
    ) l
    WHERE d.id = l.id
    """,
    """
    CREATE TABLE search_pg_lexeme (
        lexeme text COLLATE "C" PRIMARY KEY,
        title_docs integer NOT NULL,
        body_docs integer NOT NULL
    )
    """,
    """
    INSERT INTO search_pg_lexeme (lexeme, title_docs, body_docs)
    SELECT u.lexeme,
           count(*) FILTER (WHERE cardinality(array_positions(u.weights, 'A')) > 0),
           count(*) FILTER (WHERE cardinality(u.weights)
                                  > cardinality(array_positions(u.weights, 'A')))
    FROM search_pg_document d, unnest(d.lexemes) u
    GROUP BY u.lexeme
    """,
    """
    CREATE TABLE search_pg_lexical_totals (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        documents bigint NOT NULL,
        title_tokens bigint NOT NULL,
        body_tokens bigint NOT NULL
    )
    """,
    """
    INSERT INTO search_pg_lexical_totals (documents, title_tokens, body_tokens)
    SELECT count(*), coalesce(sum(title_length), 0), coalesce(sum(body_length), 0)
    FROM search_pg_document
    """,
    "ANALYZE search_pg_lexeme",
]

BACKWARD = [
    "DROP TABLE search_pg_lexical_totals",
    "DROP TABLE search_pg_lexeme",
    "ALTER TABLE search_pg_document DROP COLUMN title_length, DROP COLUMN body_length",
    "ALTER TABLE search_pg_document RESET (toast_tuple_target)",
]


def add_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_search")]

    operations = [migrations.RunPython(add_statistics, drop_statistics, elidable=False)]
