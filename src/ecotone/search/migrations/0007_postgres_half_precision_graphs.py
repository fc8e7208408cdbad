"""The PostgreSQL backend's HNSW graphs hold the vectors in half precision: each vector
space's index over ``embedding`` (``vector_cosine_ops``) is replaced by one over
``embedding::halfvec(dim)`` (``halfvec_cosine_ops``), which the walks now order by
(``search/backends/postgres.py``, ``graph_type``). The tables keep their float32 vectors.

Only on PostgreSQL; on SQLite it does nothing. Building a graph takes minutes per 100,000
passages on two cores (111–227 s under load). Each statement commits on its own: the new
graph is built while searches keep walking the old one (writes to the space wait), then
the old one is dropped. The statements are written out here, not imported, so that the
migration stays what it was when the backend changes again.
"""

from django.db import migrations

#: as postgres.HNSW_MAX_DIMENSIONS, HNSW_M and HNSW_EF_CONSTRUCTION when written
MAX_DIMENSIONS = 2000
GRAPH = "WITH (m = 16, ef_construction = 200)"


def _indexed_spaces(schema_editor) -> list[tuple[str, int]]:
    """(table, dimension) of every vector space whose table exists and is indexed."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('search_pg_vector_space') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return []
        cursor.execute(
            "SELECT table_name, dim FROM search_pg_vector_space"
            " WHERE dim <= %s AND to_regclass(quote_ident(table_name)) IS NOT NULL",
            [MAX_DIMENSIONS],
        )
        return cursor.fetchall()


def _swap_graphs(schema_editor, build: str, drop: str, graph) -> None:
    """For each indexed space, build the graph named ``table + build`` over ``graph(dim)``
    (what it indexes), then drop the one named ``table + drop``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, dim in _indexed_spaces(schema_editor):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(table + build)} ON {quote(table)}"
            f" USING hnsw ({graph(int(dim))}) {GRAPH}"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(table + drop)}")


def half_precision_graphs(apps, schema_editor):
    _swap_graphs(
        schema_editor,
        "_hnsw_half",
        "_hnsw",
        lambda dim: f"(embedding::halfvec({dim})) halfvec_cosine_ops",
    )


def full_precision_graphs(apps, schema_editor):
    _swap_graphs(schema_editor, "_hnsw", "_hnsw_half", lambda dim: "embedding vector_cosine_ops")


class Migration(migrations.Migration):
    # a lock held until the end would stop searches of a space while later graphs build
    atomic = False

    dependencies = [("search", "0006_postgres_covering_indexes")]

    operations = [
        migrations.RunPython(half_precision_graphs, full_precision_graphs, elidable=False)
    ]
