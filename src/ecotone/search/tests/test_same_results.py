"""What a new search costs was cut without changing what it answers: the kept vocabulary
of each text (highlighting), the dense hits made from Python lists and the facet labels
kept per process give the same pages as the straightforward reading they replaced."""

import numpy as np
import pytest
from django.test import Client

from ecotone.catalog.models import Sector
from ecotone.core.cache import index_changed
from ecotone.core.testing import CaseFactory, OrganisationFactory, SolutionFactory
from ecotone.search import highlight
from ecotone.search.backends import DenseHit
from ecotone.search.backends.vectors import VectorStore
from ecotone.search.embedding import get_embedders
from ecotone.search.queries import search_records

from .test_highlight import _matches_word_by_word

pytestmark = pytest.mark.django_db

QUERIES = [
    ("heat pumps", {}),
    ("storage batteries for industrial parks", {}),
    ("electr*", {}),
    ('"district heating" pumps', {}),
    ("工业园区储能", {}),
    ("電動公交", {}),
    ("余热回收 heat", {}),
    ("solar", {"kind": "solution"}),
    ("solar heat", {"country": "fr"}),
]


def _nearest_from_numpy_scalars(self, matrix, vector, allowed, limit):
    """The exact dense search as it was made before: every hit's value read from the numpy
    arrays, one document at a time."""
    scores = matrix.vectors @ vector
    best = np.where(allowed, np.maximum.reduceat(scores, matrix.starts), -np.inf)
    count = min(limit, int(allowed.sum()))
    if count == 0:
        return []
    top = np.argpartition(-best, count - 1)[:count]
    hits = []
    for group in top[np.argsort(-best[top], kind="stable")]:
        start = matrix.starts[group]
        end = matrix.starts[group + 1] if group + 1 < len(matrix.starts) else len(scores)
        row = start + int(np.argmax(scores[start:end]))
        kind, pk = matrix.keys[group].split(":")
        hits.append(
            DenseHit(
                kind=kind,
                pk=int(pk),
                score=float(scores[row]),
                chunk=int(matrix.chunks[row]),
                language=matrix.languages[row],
                label=matrix.labels[row],
            )
        )
    return hits


@pytest.fixture
def catalogue(settings, committed):
    settings.ECOTONE_EMBEDDER = "default"
    get_embedders()
    with committed():
        heat = Sector.objects.create(slug="heat-t", name_en="Heat", name_zh="热力")
        SolutionFactory(
            title_en="Heat pumps for district heating",
            description_en="Large heat pumps recover waste heat; electricity from solar.",
        ).sectors.add(heat)
        SolutionFactory(
            title_en="Battery energy storage for industrial parks",
            description_en="Lithium iron phosphate containers that shave peak demand.",
        )
        SolutionFactory(title_en="Solar kiln", title_zh="太阳能窑", trl=8)
        CaseFactory(title_zh="深圳公交全面电动化", description_zh="一万六千辆公交车全部电动。")
        CaseFactory(title_en="Waste heat recovery", title_zh="余热回收")
        OrganisationFactory(name_en="Solar Heat Lyon", country="FR", city="Lyon")
        OrganisationFactory(name_en="Electrical Grid Co", description_en="Electrified grids.")
    for solution in heat.solutions.all():
        solution.save()  # indexed again with its sector


def _pages():
    return [
        search_records(q, with_facets=True, mode=mode, **filters)
        for q, filters in QUERIES
        for mode in ("hybrid", "lexical")
    ]


def test_results_order_snippets_and_facets_match_the_straightforward_path(catalogue, monkeypatch):
    with monkeypatch.context() as reference:
        reference.setattr(highlight, "find_matches", _matches_word_by_word)
        reference.setattr(
            highlight, "matched_surfaces", lambda text, terms: _matches_word_by_word(text, terms)[1]
        )
        reference.setattr(VectorStore, "_nearest_exactly", _nearest_from_numpy_scalars)
        expected = _pages()
    assert sum(len(page.results) for page in expected) > 20  # the queries find things
    assert any("<mark>" in r["snippet"] for page in expected for r in page.results)
    highlight._vocabularies.clear()
    highlight._field_label.cache_clear()
    assert _pages() == expected  # each text's words read for the first time
    assert _pages() == expected  # … and as kept


def test_search_page_is_the_same_with_labels_kept(catalogue, monkeypatch):
    from ecotone.search import views

    def page(language: str, q: str) -> str:
        return Client().get(f"/{language}/search/", {"q": q}).content.decode()

    fresh = [page(language, q) for language in ("en", "zh-hans") for q in ("heat", "solar")]
    monkeypatch.setattr(views, "_SECTOR_NAMES", {})
    views._country_name.cache_clear()
    index_changed()  # a new catalogue version: nothing answered from the cache
    again = [page(language, q) for language in ("en", "zh-hans") for q in ("heat", "solar")]
    assert again == fresh
    assert "热力" in fresh[2] and "Heat" in fresh[0]
