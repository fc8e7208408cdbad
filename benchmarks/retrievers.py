"""One retriever of the hybrid search alone, for "hybrid / the better single method" figures.

``search_records``' modes are fusions themselves: "dense" fuses e5 and USE (and a Chinese
query's gloss), "hybrid" adds BM25. To state the better single method both per mode and per
retriever, ``alone(name)`` runs the hybrid retrieval (the same candidates, the same
glosses) and keeps only the rankings of one retriever — BM25 (``lexical…``), e5
(``e5-small-q4…``) or USE (``use-m3…``), with each one's gloss rankings at the shipped
weights — in the retriever's own order: no fusion with the others, no words weighed after
fusion, no answer gate and no titles-first ordering. Every query gets that retriever's
ranking; the figures are the retriever's, not the search page's.
"""

from contextlib import contextmanager

#: retriever → the prefix of its rankings' names in ``queries._Search.ranked``
RETRIEVERS = {"bm25": "lexical", "e5": "e5-small-q4", "use": "use-m3"}


def available() -> list[str]:
    """The retrievers of this process's embedder setting (BM25 always)."""
    from ecotone.search.embedding import get_embedders

    spaces = {embedder.space for embedder in get_embedders()}
    return [name for name, prefix in RETRIEVERS.items() if name == "bm25" or prefix in spaces]


def _of(prefix: str, ranking: str) -> bool:
    return ranking == prefix or ranking.startswith((f"{prefix}:", f"{prefix}-"))


@contextmanager
def alone(name: str):
    """While active, hybrid ``search_records`` ranks by retriever ``name`` only."""
    from ecotone.search import queries

    prefix = RETRIEVERS[name]
    fuse, weigh_words, order = queries.fuse, queries.weigh_words, queries.order

    def fuse_one(rankings, *args, **kwargs):
        own = {ranking: keys for ranking, keys in rankings.items() if _of(prefix, ranking)}
        return fuse(own, *args, **kwargs)

    queries.fuse = fuse_one
    queries.weigh_words = lambda ranked, evidence, settings: ranked
    queries.order = lambda ranked, evidence, settings, language="en": (list(ranked), [])
    try:
        yield
    finally:
        queries.fuse, queries.weigh_words, queries.order = fuse, weigh_words, order
