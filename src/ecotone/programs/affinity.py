"""How well a reviewer fits a submission: text similarity, shared sectors and bids.

affinity = 0.6 × text + 0.3 × sectors + 0.1 × bid, each component in [0, 1] (a bid of
"rather not" is −1 × 0.1). Text similarity is the cosine of the search embeddings when an
embedder is configured (cross-lingual: a Chinese expertise matches an English proposal), and
otherwise a TF-IDF cosine over the search tokens (English stems, Chinese words and bigrams),
so lexical-only installations still rank sensibly. Each component keeps its reason, so the
assignment page can say why a reviewer was chosen.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from ecotone.search.embedding import get_embedders, passage_vectors
from ecotone.search.text import index_tokens

from .models import Bid, Reviewer, Submission

TEXT_WEIGHT, SECTOR_WEIGHT, BID_WEIGHT = 0.6, 0.3, 0.1
BID_SCALE = 2.0  # the strongest bid


def tfidf_vectors(token_lists: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (log-scaled term frequency, smoothed IDF)."""
    documents = len(token_lists)
    df = Counter(token for tokens in token_lists for token in set(tokens))
    vectors = []
    for tokens in token_lists:
        weights = {
            token: (1 + math.log(count)) * math.log((1 + documents) / (1 + df[token]) + 1)
            for token, count in Counter(tokens).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({token: w / norm for token, w in weights.items()})
    return vectors


def lexical_similarity(
    reviewer_texts: Sequence[str], submission_texts: Sequence[str]
) -> np.ndarray:
    """Cosine of TF-IDF vectors, shape (submissions, reviewers), in [0, 1]."""
    tokens = [index_tokens(t) for t in (*submission_texts, *reviewer_texts)]
    vectors = tfidf_vectors(tokens)
    subs, revs = vectors[: len(submission_texts)], vectors[len(submission_texts) :]
    matrix = np.zeros((len(subs), len(revs)))
    for i, s in enumerate(subs):
        for j, r in enumerate(revs):
            small, large = (s, r) if len(s) < len(r) else (r, s)
            matrix[i, j] = sum(w * large.get(t, 0.0) for t, w in small.items())
    return np.clip(matrix, 0.0, 1.0)


def dense_similarity(
    reviewer_texts: Sequence[str], submission_texts: Sequence[str]
) -> np.ndarray | None:
    embedders = get_embedders()
    if not embedders or not reviewer_texts or not submission_texts:
        return None
    embedder = embedders[0]
    subs = passage_vectors(embedder, list(submission_texts))
    revs = passage_vectors(embedder, list(reviewer_texts))
    return np.clip(subs @ revs.T, 0.0, 1.0)


def reviewer_text(reviewer: Reviewer) -> str:
    sectors = " ".join(f"{s.name_en} {s.name_zh}" for s in reviewer.sectors.all())
    return f"{reviewer.expertise}\n{sectors}".strip()


def submission_text(submission: Submission) -> str:
    parts = [
        submission.title,
        submission.summary,
        submission.track.name_en,
        submission.track.name_zh,
    ]
    parts += [str(value) for value in (submission.answers or {}).values()]
    record = submission.linked_record
    if record is not None:
        parts += [record.title_en, record.title_zh, record.description_en, record.description_zh]
    return "\n".join(p for p in parts if p)


def submission_sectors(submission: Submission) -> set[int]:
    sectors = {s.pk for s in submission.track.sectors.all()}
    record = submission.linked_record
    if record is not None:
        sectors |= {s.pk for s in record.sectors.all()}
    return sectors


@dataclass(frozen=True)
class AffinityTable:
    values: np.ndarray  # (submissions, reviewers)
    text: np.ndarray
    sectors: np.ndarray
    bids: np.ndarray
    shared_sector_names: dict[tuple[int, int], list[str]]
    method: str  # "semantic" or "lexical"

    def explain(self, i: int, j: int) -> list[dict]:
        how = _("semantic") if self.method == "semantic" else _("word overlap")
        names = self.shared_sector_names.get((i, j), [])
        rows = [
            {
                "name": "text",
                "value": round(TEXT_WEIGHT * float(self.text[i, j]), 3),
                "reason": _("expertise matches the proposal (%(how)s similarity %(sim).2f)")
                % {"how": how, "sim": self.text[i, j]},
            },
            {
                "name": "sectors",
                "value": round(SECTOR_WEIGHT * float(self.sectors[i, j]), 3),
                "reason": _("shares sectors: %(names)s") % {"names": ", ".join(names)}
                if names
                else _("no shared sector"),
            },
        ]
        if self.bids[i, j]:
            rows.append(
                {
                    "name": "bid",
                    "value": round(BID_WEIGHT * float(self.bids[i, j]), 3),
                    "reason": _("bid %(bid)+d") % {"bid": round(self.bids[i, j] * BID_SCALE)},
                }
            )
        return rows


def affinity_table(
    reviewers: Sequence[Reviewer], submissions: Sequence[Submission]
) -> AffinityTable:
    rtexts = [reviewer_text(r) for r in reviewers]
    stexts = [submission_text(s) for s in submissions]
    text = dense_similarity(rtexts, stexts)
    method = "semantic"
    if text is None:
        text, method = lexical_similarity(rtexts, stexts), "lexical"
    reviewer_sectors = [{s.pk: s for s in r.sectors.all()} for r in reviewers]
    sectors = np.zeros((len(submissions), len(reviewers)))
    shared_names: dict[tuple[int, int], list[str]] = {}
    for i, submission in enumerate(submissions):
        wanted = submission_sectors(submission)
        for j, mine in enumerate(reviewer_sectors):
            shared = wanted & set(mine)
            if shared and wanted:
                sectors[i, j] = len(shared) / len(wanted)
                shared_names[(i, j)] = sorted(mine[pk].name for pk in shared)
    bids = _bid_matrix(reviewers, submissions)
    values = TEXT_WEIGHT * text + SECTOR_WEIGHT * sectors + BID_WEIGHT * bids
    return AffinityTable(values, text, sectors, bids, shared_names, method)


def _bid_matrix(reviewers: Sequence[Reviewer], submissions: Sequence[Submission]) -> np.ndarray:
    rows = {r.pk: j for j, r in enumerate(reviewers)}
    cols = {s.pk: i for i, s in enumerate(submissions)}
    bids = np.zeros((len(submissions), len(reviewers)))
    for bid in Bid.objects.filter(reviewer__in=list(rows), submission__in=list(cols)):
        bids[cols[bid.submission_id], rows[bid.reviewer_id]] = bid.preference / BID_SCALE
    return bids
