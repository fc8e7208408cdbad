"""Fusing rankings: weighted reciprocal-rank fusion, optionally interleaved by language.

Pure functions over document keys, so the ranking policy is tested without an index.

Why interleaving exists: multilingual-e5 prefers passages in the query's own language, and
BM25 matches only the query's language, so a fused list buries the best other-language
answers. Splitting the fused ranking by each document's language and merging the two lists
by reciprocal rank gives each language's best answers a place near the top. Since Chinese
queries are also searched as their English gloss (``translation``), the gloss's rankings
bring the English answers up and interleaving only cost places (docs/search.md): it is
off in ``queries.FUSION`` and kept for the tuner to weigh again.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FusionSettings:
    #: retriever name ("lexical", or a vector space) → weight in the fused score
    weights: Mapping[str, float]
    rank_constant: int = 60  #: RRF's k: larger flattens the advantage of the very top
    #: the other language's list weight relative to the query's own language (1 = alternate)
    other_language_weight: float = 1.0
    interleave_constant: int = 1
    #: split by language and interleave (off: the weighted fusion is the ranking)
    interleave: bool = True
    #: vector spaces that embed only the English gloss of a glossed (Chinese) query, not
    #: the query itself (read by ``queries``: the ranking is then never computed)
    gloss_only_spaces: frozenset[str] = frozenset()
    #: vector spaces that also embed an English query's Chinese glossary terms (a ranking
    #: of its own, "<space>:zh"), the bridge to records written only in Chinese
    chinese_gloss_spaces: frozenset[str] = frozenset()
    #: weights that differ when the query is written in Chinese (the rest as ``weights``)
    chinese_query_weights: Mapping[str, float] = field(default_factory=dict)
    #: weight of the rankings of records written only in Chinese by an English query's
    #: Chinese glossary terms ("<ranking>:zh-only"), times the share of the query the terms
    #: stand for: a bilingual record already meets the query in English
    chinese_only_weight: float = 0.0
    #: … from the first this many places of each ranking: closer than most other records
    chinese_only_depth: int = 10
    #: the same for a query written in Chinese: the records written only in Chinese among
    #: the first places of its own rankings (not its English gloss's, which weigh more to
    #: reach the mostly English catalogue and cannot meet them) gain a ranking of their own
    #: ("<ranking>-only") of this weight …
    chinese_query_only_weight: float = 0.0
    #: … from the first this many places of each
    chinese_query_only_depth: int = 10

    def weights_for(self, query_language: str) -> Mapping[str, float]:
        if query_language == "zh":
            return {**self.weights, **self.chinese_query_weights}
        return self.weights


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], rank_constant: int
) -> list[tuple[str, float]]:
    """Keys ordered by Σ weight / (k + rank) over the rankings they appear in."""
    scores: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (rank_constant + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def interleave_by_language(
    fused: Sequence[tuple[str, float]],
    language_of: Mapping[str, str],
    query_language: str,
    other_weight: float,
    constant: int,
) -> list[tuple[str, float]]:
    """Split ``fused`` by document language and merge the lists by reciprocal rank, the
    query's own language weighted 1 and every other language ``other_weight``. The score
    returned is the merged one (ties keep the fused order), so scores fall as ranks do."""
    positions: dict[str, int] = {}
    merged: list[tuple[str, float, float]] = []
    for key, score in fused:
        language = language_of.get(key, query_language)
        positions[language] = positions.get(language, 0) + 1
        weight = 1.0 if language == query_language else other_weight
        merged.append((key, weight / (constant + positions[language]), score))
    merged.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return [(key, score) for key, score, _ in merged]


def fuse(
    rankings: Mapping[str, Sequence[str]],
    language_of: Mapping[str, str],
    query_language: str,
    settings: FusionSettings,
    scale: Mapping[str, float] | None = None,
) -> list[tuple[str, float]]:
    """The fused ranking; ``scale`` multiplies the weights of the rankings it names."""
    weights = dict(settings.weights_for(query_language))
    for name, factor in (scale or {}).items():
        weights[name] = weights.get(name, 1.0) * factor
    fused = reciprocal_rank_fusion(rankings, weights, settings.rank_constant)
    if not settings.interleave:
        return fused
    return interleave_by_language(
        fused,
        language_of,
        query_language,
        settings.other_language_weight,
        settings.interleave_constant,
    )
