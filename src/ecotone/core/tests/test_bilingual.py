"""The one rule for a Chinese field that only repeats the English one, and how the records'
bilingual attributes read it."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ecotone.catalog.models import Case, Organisation
from ecotone.core.bilingual import (
    ChineseText,
    bilingual_pairs,
    has_chinese,
    judge_chinese,
    without_copy,
)


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("In Salah", "In Salah"),
        ("in  salah ", "In Salah"),  # case and spacing
        ("ＩＮ　ＳＡＬＡＨ", "In Salah"),  # full-width letters and space
        ("TanLIVE Global", "TanLIVE Global"),  # a brand the same in both: still no translation
    ],
)
def test_the_english_text_again_is_a_copy(chinese, english):
    assert judge_chinese(chinese, english) is ChineseText.COPY
    assert without_copy(chinese, english) == ""


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("比亚迪", "BYD Company Limited"),
        ("Aker Carbon Capture 欧洲大陆电力设施组合项目", "Aker Carbon Capture power plants"),
        ("深圳", "深圳"),  # Chinese text, even when the English field holds it too
        ("𠀋", ""),  # a character beyond the basic block
    ],
)
def test_text_with_a_chinese_character_is_chinese(chinese, english):
    assert judge_chinese(chinese, english) is ChineseText.CHINESE
    assert without_copy(chinese, english) == chinese


def test_latin_only_text_that_is_not_the_english_one_is_kept_but_not_chinese():
    assert judge_chinese("BYD", "BYD Company Limited") is ChineseText.LATIN
    assert judge_chinese("SF Express", "") is ChineseText.LATIN
    assert without_copy("BYD", "BYD Company Limited") == "BYD"


@pytest.mark.parametrize("chinese", ["", "   ", None])
def test_nothing_is_empty(chinese):
    assert judge_chinese(chinese, "Anything") is ChineseText.EMPTY


@given(st.text(alphabet=st.characters(codec="ascii"), min_size=1).filter(str.strip))
def test_any_latin_text_sent_back_in_another_case_or_spacing_is_a_copy(text):
    varied = "  " + "  ".join(text.swapcase().split()) + " "
    assert judge_chinese(varied, text) is ChineseText.COPY


@given(st.text(), st.text(), st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF))
def test_any_text_with_a_han_character_is_chinese(before, after, han):
    assert has_chinese(before + han + after)
    assert judge_chinese(before + han + after, before + han + after) is ChineseText.CHINESE


def test_pairs_are_found_by_their_names():
    names = ["title_en", "title_zh", "city", "city_zh", "description_zh", "status"]
    assert bilingual_pairs(names) == [("title_en", "title_zh"), ("city", "city_zh")]


def test_a_copy_reads_as_no_chinese_and_says_it_is_english():
    case = Case(title_en="In Salah", title_zh="In Salah")
    with translation.override("zh-hans"):
        assert case.title == "In Salah"
        assert Case.title.pick(case) == ("In Salah", "en")
    real = Case(title_en="Electric buses", title_zh="电动公交")
    with translation.override("zh-hans"):
        assert Case.title.pick(real) == ("电动公交", "zh")
    assert Case.title.pick(real) == ("Electric buses", "en")
    chinese_only = Organisation(name_zh="比亚迪")
    assert Organisation.name.pick(chinese_only) == ("比亚迪", "zh")
    assert Organisation.name.pick(Organisation()) == ("", "")
