"""Writers of the PostgreSQL lexical index no longer update shared counters: each write
appends its changes to the BM25 statistics as rows of two delta tables, which readers
add to the base tables and a writer now and then folds into them
(``search/backends/postgres_bm25.py``). Appending takes no lock another writer waits
for, so concurrent edits, imports and the worker no longer queue behind each other.

Only on PostgreSQL; on SQLite it does nothing. The tables start empty: the base tables
already hold the exact statistics.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE TABLE search_pg_lexeme_delta (
        lexeme text COLLATE "C" NOT NULL,
        title_docs integer NOT NULL,
        body_docs integer NOT NULL
    )
    """,
    "CREATE INDEX search_pg_lexeme_delta_lexeme ON search_pg_lexeme_delta (lexeme)",
    """
    CREATE TABLE search_pg_lexical_totals_delta (
        documents bigint NOT NULL,
        title_tokens bigint NOT NULL,
        body_tokens bigint NOT NULL
    )
    """,
]

BACKWARD = [
    # fold what is pending into the base tables first, so they stay exact
    """
    INSERT INTO search_pg_lexeme AS s (lexeme, title_docs, body_docs)
    SELECT lexeme, sum(title_docs), sum(body_docs) FROM search_pg_lexeme_delta
    GROUP BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET
        title_docs = s.title_docs + EXCLUDED.title_docs,
        body_docs = s.body_docs + EXCLUDED.body_docs
    """,
    "DELETE FROM search_pg_lexeme WHERE title_docs = 0 AND body_docs = 0",
    """
    UPDATE search_pg_lexical_totals t SET
        documents = t.documents + d.documents,
        title_tokens = t.title_tokens + d.title_tokens,
        body_tokens = t.body_tokens + d.body_tokens
    FROM (SELECT coalesce(sum(documents), 0) AS documents,
                 coalesce(sum(title_tokens), 0) AS title_tokens,
                 coalesce(sum(body_tokens), 0) AS body_tokens
          FROM search_pg_lexical_totals_delta) d
    """,
    "DROP TABLE search_pg_lexeme_delta",
    "DROP TABLE search_pg_lexical_totals_delta",
]


def add_deltas(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop_deltas(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_postings")]

    operations = [migrations.RunPython(add_deltas, drop_deltas, elidable=False)]
