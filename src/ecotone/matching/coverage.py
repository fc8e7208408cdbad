"""How much of a need's text a candidate addresses, read sentence by sentence.

The need's searches (``relevance.NEED_TEXT_VIEWS``) compare the need with a record as a
whole: one shared subject word, or a neighbouring job in the same sector, can carry a
record to the top. A need usually states several things (the problem, where it occurs,
what kind of help is wanted). Here every sentence of the need (and each title) is set
against every passage and sentence of the candidate with the search's own embedders, the
best fit of each need sentence is kept, and their mean is the candidate's *coverage*:
high when the candidate answers each part of the need, not one of them.

The same reading gives the candidate's *focus* the other way round: each of its passages
and sentences is set against the need's sentences, the best fit of each is kept, and their
mean is high when most of what the record says is about the need, low when the need's
subject is one line among others (a directory that repeats the need's title, a framework
that does a neighbouring job). A record can cover the need's words and still be mostly
about something else; focus tells them apart.

Only the leading matches are read (``DEPTH``): coverage and focus reorder them, and a match
beyond them keeps its place. Within those, each is spread from 0 (the least of them) to 1
(the most) in each embedder's space and averaged over the spaces, because each model's
cosines crowd into a band of their own. Measured on the dev half of the judged needs
(docs/matching.md, Quality). Without an embedder (``ECOTONE_EMBEDDER=none``) nothing is
read and the matches keep their first order.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecotone.search.embedding import Embedder, get_embedders, passage_vectors
from ecotone.search.passages import record_passages
from ecotone.search.registry import get_index

logger = logging.getLogger(__name__)

#: how many of the best first-pass matches are read sentence by sentence
DEPTH = 30
#: a candidate's body is read up to this many sentences (most records have four or five),
#: each field from its first ``FIELD_CHARS`` characters
CANDIDATE_SENTENCES = 8
FIELD_CHARS = 1500
#: shorter pieces are labels or fragments ("Ltd.", a city), not a statement
MIN_NEED_SENTENCE_CHARS = 4
MIN_CANDIDATE_SENTENCE_CHARS = 15
SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*")


def sentences(text: str, min_chars: int) -> list[str]:
    """The sentences of ``text`` (Chinese and Western stops), short pieces left out."""
    pieces = (piece.strip() for piece in SENTENCE_END.split(text or ""))
    return [piece for piece in pieces if len(piece) >= min_chars]


def need_sentences(need) -> list[str]:
    """Each title of the need, then each sentence of its problem, in both languages."""
    titles = [t for t in (need.title_en, need.title_zh) if t and t.strip()]
    body = sentences(need.problem_en, MIN_NEED_SENTENCE_CHARS)
    body += sentences(need.problem_zh, MIN_NEED_SENTENCE_CHARS)
    return [*titles, *body]


def candidate_texts(kind: str, record) -> list[str]:
    """What a candidate is read by: the passages search embeds for it (already in the
    embedding cache when the record is indexed), then its body's first sentences."""
    index = get_index(kind)
    texts = index.field_texts(record)
    fields = (*index.title_fields, *index.body_fields)
    passages = [p.text for p in record_passages(texts, fields, index.chunked_fields)]
    body: list[str] = []
    for name in index.body_fields:
        body += sentences(texts.get(name, "")[:FIELD_CHARS], MIN_CANDIDATE_SENTENCE_CHARS)
    return passages + body[:CANDIDATE_SENTENCES]


def coverage(need_vectors: np.ndarray, candidate_vectors: np.ndarray) -> float:
    """Mean over the need's sentences of the best cosine with any of the candidate's texts."""
    if not len(need_vectors) or not len(candidate_vectors):
        return 0.0
    return float((need_vectors @ candidate_vectors.T).max(axis=1).mean())


def focus(need_vectors: np.ndarray, candidate_vectors: np.ndarray) -> float:
    """Mean over the candidate's texts of the best cosine with any of the need's sentences:
    how much of what the candidate says is about the need."""
    if not len(need_vectors) or not len(candidate_vectors):
        return 0.0
    return float((need_vectors @ candidate_vectors.T).max(axis=0).mean())


def spread(values: Sequence[float]) -> list[float]:
    """``values`` from 0 (the least) to 1 (the most); all 0 when they are equal."""
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return [0.0 for _ in values]
    return [(value - low) / (high - low) for value in values]


@dataclass(frozen=True)
class Reading:
    """Each candidate's coverage of the need and focus on it, in the order given, each
    between 0 (the least of the candidates read) and 1 (the most)."""

    coverage: list[float]
    focus: list[float]


def _space_reading(embedder: Embedder, sentences_of_need: list[str], texts: list[list[str]]):
    need_vectors = np.stack(embedder.embed_query_texts(sentences_of_need))
    flat = [text for record_texts in texts for text in record_texts]
    vectors = passage_vectors(embedder, flat)
    covered, focused, row = [], [], 0
    for record_texts in texts:
        own = vectors[row : row + len(record_texts)]
        covered.append(coverage(need_vectors, own))
        focused.append(focus(need_vectors, own))
        row += len(record_texts)
    return spread(covered), spread(focused)


def _mean_over_spaces(columns: list[list[float]]) -> list[float]:
    return [round(float(np.mean(values)), 4) for values in zip(*columns, strict=True)]


def need_reading(need, candidates: Sequence[tuple[str, object]]) -> Reading | None:
    """Each candidate's coverage of ``need`` and focus on it (``Reading``); None when there
    is nothing to read it with (no embedder, no need text, an embedder that fails: the
    first order then stands)."""
    embedders = get_embedders()
    sentences_of_need = need_sentences(need)
    if not embedders or not sentences_of_need or len(candidates) < 2:
        return None
    texts = [candidate_texts(kind, record) for kind, record in candidates]
    try:
        spaces = [_space_reading(e, sentences_of_need, texts) for e in embedders]
    except Exception:
        logger.exception("matching: reading candidates sentence by sentence failed")
        return None
    return Reading(
        coverage=_mean_over_spaces([covered for covered, _ in spaces]),
        focus=_mean_over_spaces([focused for _, focused in spaces]),
    )
