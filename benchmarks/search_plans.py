"""PostgreSQL's plans for what one search runs: every statement the backend sends for a
lexical query and for a filtered dense query (two vectors in one space), run again under
``EXPLAIN (ANALYZE, BUFFERS)``, on the index already in the database (build it with
``search_speed.py --backend postgres`` or ``dense_recall.py``).

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/search_plans.py
    DATABASE_URL=… .venv/bin/python benchmarks/search_plans.py --query "heat pump" --space e5…

Reads only. Prints each statement's first line and its plan.
"""

import argparse
import os
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="solar storage")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--filter", default="country=CN", help="facet=value for dense")
    parser.add_argument("--space", default="", help="vector space (default: the first)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postg"):
        parser.error("needs DATABASE_URL naming a PostgreSQL database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    os.environ.setdefault("ECOTONE_HOME", tempfile.mkdtemp(prefix="ecotone-bench-home-"))
    import django

    django.setup()
    import numpy as np
    from django.db import connection, transaction

    from ecotone.search.backends import SearchQuery
    from ecotone.search.backends.postgres import PostgresBackend, _spaces
    from ecotone.search.text import query_terms

    backend = PostgresBackend()
    backend.search(SearchQuery(terms=query_terms(args.query), limit=args.limit))  # warm

    def explained(run) -> None:
        captured = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with transaction.atomic():  # dense settings are local to the transaction
            with connection.execute_wrapper(capture):
                run()
            with connection.cursor() as cursor:
                for sql, params in captured:
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue  # savepoints
                    first = next(line for line in sql.strip().splitlines() if line.strip())
                    print(f"\n-- {first.strip()[:100]}")
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
                    print("\n".join(row[0] for row in cursor.fetchall()))

    print(f"== lexical: {args.query!r}, limit {args.limit}")
    explained(lambda: backend.search(SearchQuery(terms=query_terms(args.query), limit=args.limit)))
    with connection.cursor() as cursor:
        spaces = _spaces(cursor)
    if not spaces:
        return
    space = spaces[args.space] if args.space else next(iter(sorted(spaces.values(), key=str)))
    facet, _, value = args.filter.partition("=")
    filters = {facet: [value]} if value else {}
    # two vectors, as a query and its gloss are searched in one space
    vectors = list(np.random.default_rng(1).normal(size=(2, space.dim)).astype("float32"))
    print(f"\n== dense: {space.name}, two vectors, filter {filters or 'none'}, limit 100")
    explained(lambda: backend.nearest_many(space.name, vectors, filters, 100))


if __name__ == "__main__":
    main()
