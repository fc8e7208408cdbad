"""Search reads a Chinese field as Chinese only when it holds Chinese text: a copy of the
English title is neither matched twice nor explained as a match "in title (Chinese)", and
Latin-only text in a Chinese field makes no Chinese passage."""

import pytest

from ecotone.core.testing import CaseFactory, OrganisationFactory, SolutionFactory
from ecotone.search.backends import SearchQuery, get_search_backend
from ecotone.search.indexing import document_for
from ecotone.search.queries import search_records
from ecotone.search.registry import get_index
from ecotone.search.text import query_terms

pytestmark = pytest.mark.django_db


def results(q: str) -> dict[int, dict]:
    return {r["id"]: r for r in search_records(q, mode="lexical").results}


def passage_languages(kind: str, record) -> list[str]:
    return [passage.language for passage in document_for(get_index(kind), record).passages]


def test_a_copied_chinese_title_is_never_a_match_in_title_chinese(committed):
    # saved without a form (the admin, an old database): the copy reaches the index code
    with committed():
        case = CaseFactory(title_en="In Salah", title_zh="In Salah", description_zh="阿尔及利亚")
    explanation = results("salah")[case.pk]["explanation"]
    assert "title (English)" in explanation
    assert "(Chinese)" not in explanation


def test_a_copy_adds_nothing_to_the_score(committed):
    with committed():
        copied = SolutionFactory(title_en="Heat pump", title_zh="Heat pump")
        english_only = SolutionFactory(title_en="Heat pump", title_zh="")
    # the words' own BM25 scores: a fused ranking's score is a rank, which a tie also splits
    page = get_search_backend().search(SearchQuery(terms=query_terms("heat pump")))
    scores = {hit.pk: hit.score for hit in page.hits}
    assert scores[copied.pk] == scores[english_only.pk]


def test_latin_only_chinese_name_makes_no_chinese_passage_and_no_chinese_match(committed):
    with committed():
        byd = OrganisationFactory(name_en="BYD Company Limited", name_zh="BYD")
    assert passage_languages("organisation", byd) == ["en"]
    assert "(Chinese)" not in results("byd")[byd.pk]["explanation"]


def test_latin_only_chinese_name_stands_in_for_a_missing_english_one(committed):
    with committed():
        sf = OrganisationFactory(name_en="", name_zh="SF Express")
    document = document_for(get_index("organisation"), sf)
    assert (document.title_fields["name_en"], document.title_fields["name_zh"]) == (
        "SF Express",
        "",
    )
    assert results("express")[sf.pk]["explanation"] == "“express” in name (English)"


def test_real_chinese_text_is_still_chinese(committed):
    description = (
        "阿尔及利亚因萨拉赫气田的二氧化碳封存项目，从天然气中分离出的二氧化碳注入地下封存。"
    )
    with committed():
        case = CaseFactory(title_en="In Salah", title_zh="", description_zh=description)
        titled = CaseFactory(title_en="Electric buses", title_zh="深圳电动公交")
    assert passage_languages("case", case) == ["en", "zh"]
    assert "title (Chinese)" in results("电动公交")[titled.pk]["explanation"]
