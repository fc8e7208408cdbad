"""A record with no name in the page's language shows the other one, marked as such, the
same way in lists, on detail pages and in search results."""

import pytest
from django.test import Client

from ecotone.core.testing import CaseFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NOTE = '<small class="language-note">'
ENGLISH_ON_A_CHINESE_PAGE = f'<span lang="en">In Salah</span> {NOTE}英文</small>'


@pytest.fixture
def cases():
    return {
        "english": CaseFactory(title_en="In Salah", title_zh=""),
        "chinese": CaseFactory(title_en="Electric buses", title_zh="深圳电动公交"),
    }


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_chinese_detail_page_marks_an_english_title(cases):
    html = page(f"/zh-hans/cases/{cases['english'].pk}/")
    assert f"<h1>{ENGLISH_ON_A_CHINESE_PAGE}</h1>" in html
    assert "<h1>深圳电动公交</h1>" in page(f"/zh-hans/cases/{cases['chinese'].pk}/")


def test_chinese_list_marks_only_the_english_titles(cases):
    html = page("/zh-hans/cases/")
    assert ENGLISH_ON_A_CHINESE_PAGE in html
    assert "深圳电动公交</a>" in html
    assert html.count('class="language-note"') == 1


def test_a_copy_stored_before_the_rule_is_shown_as_english_too(cases):
    copied = CaseFactory(title_en="In Salah", title_zh="In Salah")  # not through a form
    assert f"<h1>{ENGLISH_ON_A_CHINESE_PAGE}</h1>" in page(f"/zh-hans/cases/{copied.pk}/")


def test_english_page_marks_a_chinese_only_name_and_nothing_else(cases):
    org = OrganisationFactory(name_en="", name_zh="比亚迪")
    html = page(f"/en/organisations/{org.pk}/")
    assert f'<h1><span lang="zh-Hans">比亚迪</span> {NOTE}Chinese</small>' in html
    assert "language-note" not in page(f"/en/cases/{cases['english'].pk}/")


def test_search_results_mark_an_english_title_for_a_chinese_reader(search_home, committed):
    with committed():  # indexed; a copy stored before the rule, not through a form
        CaseFactory(title_en="In Salah", title_zh="In Salah")
    html = page("/zh-hans/search/?q=salah")
    assert ENGLISH_ON_A_CHINESE_PAGE in html
    assert "标题（中文）" not in html
