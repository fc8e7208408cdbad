"""Impact-ordered postings for the PostgreSQL backend's fast top-k
(``search/backends/postgres_bm25.py``): one row per (lexeme, field, document) with the
term frequency and the term's BM25 part for that field without its IDF (its "impact"),
computed with a reference average length stored in ``search_pg_lexical_totals``.

Only on PostgreSQL; on SQLite it does nothing. The postings are read from the tsvectors
already indexed, so an upgrade needs no rebuild. The statements are the migration's own.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE TABLE search_pg_posting (
        doc_id bigint NOT NULL REFERENCES search_pg_document (id) ON DELETE CASCADE,
        lexeme text COLLATE "C" NOT NULL,
        field smallint NOT NULL,
        tf smallint NOT NULL,
        impact real NOT NULL,
        PRIMARY KEY (doc_id, lexeme, field)
    )
    """,
    """
    ALTER TABLE search_pg_lexical_totals
        ADD COLUMN impact_title_average float8 NOT NULL DEFAULT 0,
        ADD COLUMN impact_body_average float8 NOT NULL DEFAULT 0
    """,
    """
    UPDATE search_pg_lexical_totals SET
        impact_title_average = CASE WHEN documents > 0
                                    THEN title_tokens::float8 / documents ELSE 0 END,
        impact_body_average = CASE WHEN documents > 0
                                   THEN body_tokens::float8 / documents ELSE 0 END
    """,
    """
    INSERT INTO search_pg_posting (doc_id, lexeme, field, tf, impact)
    SELECT d.id, u.lexeme, f.field, f.tf,
           2.2 * f.tf / (f.tf + 1.2 * CASE WHEN f.average > 0
                                      THEN 0.25 + 0.75 * f.length / f.average ELSE 1 END)
    FROM search_pg_document d
    CROSS JOIN search_pg_lexical_totals t
    CROSS JOIN unnest(d.lexemes) u
    CROSS JOIN LATERAL (VALUES
        (0, cardinality(array_positions(u.weights, 'A')), d.title_length,
         t.impact_title_average),
        (1, cardinality(u.weights) - cardinality(array_positions(u.weights, 'A')),
         d.body_length, t.impact_body_average)
    ) AS f(field, tf, length, average)
    WHERE f.tf > 0
    """,
    "CREATE INDEX search_pg_posting_impact ON search_pg_posting (lexeme, field, impact, doc_id)",
    "ANALYZE search_pg_posting",
]

BACKWARD = [
    "DROP TABLE search_pg_posting",
    """
    ALTER TABLE search_pg_lexical_totals
        DROP COLUMN impact_title_average, DROP COLUMN impact_body_average
    """,
]


def add_postings(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop_postings(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_bm25")]

    operations = [migrations.RunPython(add_postings, drop_postings, elidable=False)]
