"""gunicorn's settings hooks for ``ecotone serve`` (``-c python:ecotone.config.gunicorn``).

Each web process loads the embedding models and the search index before it takes its first
request: loading them on a visitor's search made that request wait half a minute, and 50
visitors at once wait on every process doing it together. The assistant's dictionary read
backwards (``assistant.question.english_senses``) is loaded too: ``ecotone serve`` has built it
on disk before the processes start, and reading it here keeps it off the first English
question."""

import logging

logger = logging.getLogger("ecotone.serve")


def post_worker_init(worker) -> None:
    from django.db import connections

    from ecotone.assistant.question import english_senses
    from ecotone.search.queries import search_records

    try:
        for query in ("solar heating", "太阳能供热"):
            search_records(query, limit=1)
        english_senses()
    except Exception:  # a process that cannot search can still serve every other page
        logger.exception("web process %s: warming up search failed", worker.pid)
    finally:
        connections.close_all()
