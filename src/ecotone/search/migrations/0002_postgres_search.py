"""Tables of the PostgreSQL search backend (``search/backends/postgres.py``).

Only on PostgreSQL; on SQLite the embedded backend keeps its index in files and this
migration does nothing. The per-space vector tables are created by the backend when a
space first receives vectors (their dimension is known only then) and are listed in
``search_pg_vector_space``, which is how the reverse migration finds them.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    """
    CREATE TABLE search_pg_document (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        pk bigint NOT NULL,
        external_id text NOT NULL DEFAULT '',
        lexemes tsvector NOT NULL,
        facet_terms text[] NOT NULL,
        fields json NOT NULL,
        facets json NOT NULL,
        CONSTRAINT search_pg_document_key UNIQUE (kind, pk)
    )
    """,
    "CREATE INDEX search_pg_document_lexemes ON search_pg_document USING gin (lexemes)",
    "CREATE INDEX search_pg_document_facets ON search_pg_document USING gin (facet_terms)",
    """
    CREATE TABLE search_pg_vector_space (
        space text PRIMARY KEY,
        table_name text NOT NULL UNIQUE,
        dim integer NOT NULL CHECK (dim > 0)
    )
    """,
]


def create_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop_tables(apps, schema_editor):
    """The extension stays: it may have been there before, and other tables may use it."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM search_pg_vector_space")
        tables = [row[0] for row in cursor.fetchall()]
    for table in tables:
        schema_editor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
    schema_editor.execute("DROP TABLE search_pg_vector_space")
    schema_editor.execute("DROP TABLE search_pg_document")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_tables, drop_tables, elidable=False)]
