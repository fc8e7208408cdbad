"""Covering indexes for the PostgreSQL backend's exact re-score
(``search/backends/postgres_bm25.py``, fast top-k): the postings' primary key carries the
term frequency (``INCLUDE (tf)``) and a narrow index on the documents carries what the
re-score and the filters read (kind, pk, the two lengths, the facet terms), so scoring a
contender is two index-only lookups instead of two index lookups and two heap rows (a
document's row, with its tsvector, is ~2.4 kB: one page per document read).

Only on PostgreSQL; on SQLite it does nothing. Rebuilding the primary key takes a few
seconds per million postings and locks the table meanwhile.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE search_pg_posting
        DROP CONSTRAINT search_pg_posting_pkey,
        ADD CONSTRAINT search_pg_posting_pkey PRIMARY KEY (doc_id, lexeme, field) INCLUDE (tf)
    """,
    """
    CREATE INDEX IF NOT EXISTS search_pg_document_scoring ON search_pg_document (id)
        INCLUDE (kind, pk, title_length, body_length, facet_terms)
    """,
]
#: marks every page visible at once, so the lookups are index-only from the start
#: (autovacuum would get there later); not possible inside a transaction
VACUUM = ["VACUUM ANALYZE search_pg_posting", "VACUUM ANALYZE search_pg_document"]

BACKWARD = [
    "DROP INDEX IF EXISTS search_pg_document_scoring",
    """
    ALTER TABLE search_pg_posting
        DROP CONSTRAINT search_pg_posting_pkey,
        ADD CONSTRAINT search_pg_posting_pkey PRIMARY KEY (doc_id, lexeme, field)
    """,
]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)
    if not schema_editor.connection.in_atomic_block:
        for statement in VACUUM:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    # VACUUM cannot run inside a transaction; the two DDL statements are each atomic
    atomic = False

    dependencies = [("search", "0005_postgres_statistics_deltas")]

    operations = [migrations.RunPython(add_indexes, drop_indexes, elidable=False)]
