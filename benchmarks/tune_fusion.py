"""Tune the hybrid ranking on the development queries, report it on the test queries.

    .venv/bin/python benchmarks/tune_fusion.py --home /tmp/ecotone-sq

Prepares the demo index like ``search_quality.py`` (same ``--home`` reuse), retrieves
every query once per retriever (lexical, and each vector space, 100 candidates each,
memoised), then re-ranks through ``search_records`` for each candidate setting of the
fusion (``queries.FUSION``) and of the dense floors. Prints the best settings on the dev
split and, for those settings, nDCG@10 on dev and test per direction, so the figures
show how the choice generalises. Prints figures; changes nothing in the project.
"""

import argparse
import functools
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics import mean, ndcg
from search_quality import (
    JUDGEMENTS,
    load_judgements,
    prepare_index,
    setup_environment,
)

K = 10


def memoise_retrieval() -> None:
    """Each query's lexical and dense candidates are fetched once for the whole sweep."""
    from ecotone.search import embedding, queries
    from ecotone.search.backends import get_search_backend

    backend = get_search_backend()
    search, nearest = backend.search, backend.nearest

    @functools.cache
    def cached_search(terms, filters, limit, offset):
        return search(queries.SearchQuery(terms=list(terms), limit=limit, offset=offset))

    backend.search = lambda q: cached_search(tuple(q.terms), None, q.limit, q.offset)

    @functools.cache
    def cached_nearest(space, vector_bytes, limit):
        import numpy as np

        return nearest(space, np.frombuffer(vector_bytes, dtype="float32"), {}, limit)

    backend.nearest = lambda space, vector, filters, limit: cached_nearest(
        space, vector.astype("float32").tobytes(), limit
    )
    for embedder in embedding.get_embedders():
        remembered = functools.cache(lambda texts, e=embedder: type(e).embed_query_texts(e, texts))
        embedder.embed_query_texts = lambda texts, r=remembered: r(tuple(texts))


def evaluate(queries_: list[dict]) -> dict[str, float]:
    from ecotone.search.queries import search_records

    by_direction: dict[str, list[float]] = {}
    for q in queries_:
        ranked = [r["external_id"] for r in search_records(q["query"], limit=K).results]
        score = ndcg(ranked, q["relevant"], K)
        by_direction.setdefault("all", []).append(score)
        by_direction.setdefault(q["direction"], []).append(score)
    return {direction: mean(values) for direction, values in by_direction.items()}


def candidates(spaces: list[str]):
    """Weights of the original query's rankings, of its English gloss's (Chinese queries),
    whether to interleave by language (with the other language's weight), and which model
    embeds a Chinese query's gloss only."""
    from ecotone.search.queries import TRANSLATED

    weights_grid = itertools.product(
        (0.5, 1.0),  # lexical
        *[(1.0, 2.0)] * len(spaces),
        (0.5, 1.0),  # lexical of the gloss
        *[(0.5, 1.0, 2.0)] * len(spaces),
    )
    interleaving = [(False, 1.0, 1), (True, 1.0, 1), (True, 0.8, 10)]
    # which models embed only the gloss of a Chinese query: none, or one of them
    gloss_only = [frozenset(), *(frozenset({space}) for space in spaces)]
    for (lexical, *rest), only_gloss in itertools.product(weights_grid, gloss_only):
        original, glossed = rest[: len(spaces)], rest[len(spaces) :]
        weights = {"lexical": lexical, **dict(zip(spaces, original, strict=True))}
        weights[f"lexical{TRANSLATED}"] = glossed[0]
        for space, weight in zip(spaces, glossed[1:], strict=True):
            weights[f"{space}{TRANSLATED}"] = weight
        for interleave, other_weight, constant in interleaving:
            yield {
                "weights": weights,
                "interleave": interleave,
                "other_language_weight": other_weight,
                "interleave_constant": constant,
                "gloss_only_spaces": only_gloss,
            }


def floor_candidates(fusion: dict):
    """The dense floors (absolute for USE, distance from the best hit for e5), with the
    fusion fixed."""
    grid = itertools.product((0.78, 0.80, 0.82, 0.84), (0.03, 0.06, 1.0), (0.2, 0.25, 0.3))
    for e5_floor, e5_gap, use_floor in grid:
        floors = {"e5-small-q4": (e5_floor, e5_gap), "use-m3": (use_floor, 1.0)}
        yield {**fusion, "floors": floors}


def apply(setting: dict) -> None:
    from ecotone.search import queries
    from ecotone.search.embedding import get_embedders
    from ecotone.search.fusion import FusionSettings

    setting = dict(setting)
    floors = setting.pop("floors", {})
    queries.FUSION = FusionSettings(**setting)
    for embedder in get_embedders():
        if embedder.space in floors:
            embedder.min_similarity, embedder.max_gap = floors[embedder.space]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--backend", choices=("embedded", "postgres"), default="embedded")
    parser.add_argument(
        "--floors", action="store_true", help="tune the dense floors around the shipped fusion"
    )
    args = parser.parse_args()
    setup_environment(args)
    import django

    django.setup()
    from ecotone.search import queries
    from ecotone.search.embedding import get_embedders

    prepare_index(Path(args.home), args.rebuild)
    memoise_retrieval()
    dev = load_judgements(args.judgements, "dev")
    test = load_judgements(args.judgements, "test")
    spaces = [embedder.space for embedder in get_embedders()]
    shipped = {
        **vars(queries.FUSION),
        "floors": {e.space: (e.min_similarity, e.max_gap) for e in get_embedders()},
    }
    sweep = floor_candidates(vars(queries.FUSION)) if args.floors else candidates(spaces)
    results = []
    for setting in sweep:
        apply(setting)
        results.append((evaluate(dev)["all"], setting))
    results.sort(key=lambda item: -item[0])
    for score, setting in results[:5]:
        print(f"tune_fusion dev_ndcg10={score:.3f} setting={setting}")
    best = results[0][1]
    for name, setting in (("best", best), ("shipped", shipped)):
        apply(setting)
        for split, queries_ in (("dev", dev), ("test", test)):
            figures = evaluate(queries_)
            line = " ".join(f"{d}={v:.3f}" for d, v in sorted(figures.items()))
            print(f"tune_fusion setting={name} split={split} ndcg10 {line}")


if __name__ == "__main__":
    main()
