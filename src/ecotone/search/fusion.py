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

from .text import CJK, WORD


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
    #: … and, in the ranking by the glossary terms' words ("lexical:zh-only"), only the
    #: records holding this share of those terms, each counted by its rarity (0: any)
    chinese_only_lexical_coverage: float = 0.0
    #: the same for a query written in Chinese: the records written only in Chinese among
    #: the first places of its own rankings (not its English gloss's, which weigh more to
    #: reach the mostly English catalogue and cannot meet them) gain a ranking of their own
    #: ("<ranking>-only") of this weight …
    chinese_query_only_weight: float = 0.0
    #: … from the first this many places of each
    chinese_query_only_depth: int = 10
    #: how rankings combine: "rrf" (Σ weight / (k + rank)) or "convex" (Σ weight × the
    #: retriever's own score, normalised over the query's candidates by ``normalisation``)
    method: str = "rrf"
    #: "minmax" ((s − min) / (max − min)), "max" (s / max) or "zscore" ((s − mean) / sd)
    normalisation: str = "minmax"
    #: a query of at least this many words is a sentence (a claim, a question), not
    #: keywords (0: no query is): its rankings' weights are multiplied by
    #: ``long_query_scale``, RRF's k is ``long_query_rank_constant`` (0: the same) and the
    #: words a candidate holds weigh ``long_query_word_weight`` after fusion (None: as
    #: ``RelevanceSettings.word_weight``)
    long_query_words: int = 0
    long_query_scale: Mapping[str, float] = field(default_factory=dict)
    long_query_rank_constant: int = 0
    long_query_word_weight: float | None = None
    #: the words held by the first this many fused candidates are read for the weighing
    #: after fusion even when the word search did not return them (0: only those it did)
    words_depth: int = 0

    def is_long(self, words: int) -> bool:
        return bool(self.long_query_words) and words >= self.long_query_words

    def rank_constant_for(self, words: int) -> int:
        if self.is_long(words) and self.long_query_rank_constant:
            return self.long_query_rank_constant
        return self.rank_constant

    def word_weight_for(self, words: int, default: float) -> float:
        if self.is_long(words) and self.long_query_word_weight is not None:
            return self.long_query_word_weight
        return default

    def weights_for(self, query_language: str, words: int = 0) -> Mapping[str, float]:
        """The weights for a query in ``query_language`` of ``words`` words."""
        weights = dict(self.weights)
        if query_language == "zh":
            weights.update(self.chinese_query_weights)
        if self.is_long(words):
            for name, factor in self.long_query_scale.items():
                weights[name] = weights.get(name, 1.0) * factor
        return weights


def query_words(query: str) -> int:
    """How many words ``query`` is: its Latin-script words, and a word per two Chinese
    characters (Chinese does not space its words; most are two characters)."""
    chinese = sum(len(run) for run in CJK.findall(query))
    return len(WORD.findall(CJK.sub(" ", query))) + (chinese + 1) // 2


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


def normalise(scores: Sequence[float], how: str) -> list[float]:
    """A ranking's scores on a common scale: ``minmax`` puts its best at 1 and its last at
    0, ``max`` divides by its best, ``zscore`` counts standard deviations from its mean. A
    ranking of equal scores gives each 1 (``zscore``: 0)."""
    if not scores:
        return []
    high, low = max(scores), min(scores)
    if how == "max":
        return [score / high if high > 0 else 1.0 for score in scores]
    if how == "zscore":
        mean = sum(scores) / len(scores)
        deviation = (sum((score - mean) ** 2 for score in scores) / len(scores)) ** 0.5
        return [(score - mean) / deviation if deviation else 0.0 for score in scores]
    if how != "minmax":
        raise ValueError(f"unknown normalisation: {how}")
    return [(score - low) / (high - low) if high > low else 1.0 for score in scores]


def score_fusion(
    rankings: Mapping[str, Sequence[str]],
    scores: Mapping[str, Sequence[float]],
    weights: Mapping[str, float],
    normalisation: str,
) -> list[tuple[str, float]]:
    """Keys ordered by Σ weight × normalised score over the rankings they appear in (a
    key a ranking does not hold adds nothing): a convex combination of the retrievers'
    own scores, which keeps how far apart they put two candidates where ranks do not."""
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for key, score in zip(ranking, normalise(list(scores[name]), normalisation), strict=True):
            fused[key] = fused.get(key, 0.0) + weight * score
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


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
    *,
    scores: Mapping[str, Sequence[float]] | None = None,
    words: int = 0,
) -> list[tuple[str, float]]:
    """The fused ranking; ``scale`` multiplies the weights of the rankings it names;
    ``scores`` are each ranking's own scores, best first (needed by ``method="convex"``);
    ``words`` is the query's length in words."""
    weights = dict(settings.weights_for(query_language, words))
    for name, factor in (scale or {}).items():
        weights[name] = weights.get(name, 1.0) * factor
    if settings.method == "convex" and scores is not None:
        fused = score_fusion(rankings, scores, weights, settings.normalisation)
    else:
        fused = reciprocal_rank_fusion(rankings, weights, settings.rank_constant_for(words))
    if not settings.interleave:
        return fused
    return interleave_by_language(
        fused,
        language_of,
        query_language,
        settings.other_language_weight,
        settings.interleave_constant,
    )
