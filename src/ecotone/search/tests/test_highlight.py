import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ecotone.search.backends import DenseHit
from ecotone.search.highlight import (
    _normalised,
    describe_dense,
    describe_lexical,
    find_matches,
    matched_surfaces,
    snippet,
)
from ecotone.search.text import CJK, fold, query_terms, to_simplified


def test_matched_english_words_are_marked_whatever_their_form():
    spans, matched = find_matches("Grid batteries for heating", query_terms("battery heat"))
    text = "Grid batteries for heating"
    assert [text[a:b] for a, b in spans] == ["batteries", "heating"]
    assert matched == {"battery", "heat"}


def test_traditional_query_marks_simplified_text():
    text = "深圳的电池工厂"
    spans, matched = find_matches(text, query_terms("電池"))
    assert [text[a:b] for a, b in spans] == ["电池"]
    assert matched == {"电池"}


def test_snippet_escapes_html_and_marks_terms():
    text = "<b>Solar</b> & storage"
    spans, _ = find_matches(text, query_terms("solar"))
    assert snippet(text, spans) == "&lt;b&gt;<mark>Solar</mark>&lt;/b&gt; &amp; storage"


def test_snippet_is_a_window_around_the_first_match():
    text = "x " * 300 + "heat pump" + " y" * 300
    result = snippet(text, find_matches(text, query_terms("pump"))[0])
    assert "<mark>pump</mark>" in result
    assert result.startswith("…") and result.endswith("…")
    assert len(result) < 220


def test_explanation_names_the_fields_and_terms_in_the_readers_language():
    fields = {"title_en": "Heat pumps", "description_en": "Pumps move heat", "title_zh": ""}
    text, reasons = describe_lexical("solution", fields, query_terms("heat pump"))
    assert reasons == [
        "“heat”, “pump” in title (English)",
        "“heat”, “pump” in description (English)",
    ]
    assert "<mark>Heat</mark>" in text
    with translation.override("zh-hans"):
        _, reasons = describe_lexical("solution", fields, query_terms("heat pump"))
    assert reasons[0] == "“heat”、“pump” 出现在标题（英文）"


def test_dense_explanation_says_which_language_and_page_was_close():
    fields = {"title_en": "Storage", "description_en": "About storage", "text": "one\ftwo"}
    hit = DenseHit(kind="resource", pk=1, score=0.861, chunk=2, language="en", label="p. 2")
    text, reason = describe_dense("resource", fields, hit)
    assert reason == "close in meaning to page 2 of the document (0.86)"
    assert text == "two"
    hit = DenseHit(kind="solution", pk=1, score=0.8, chunk=0, language="en")
    text, reason = describe_dense("solution", fields, hit)
    assert reason == "close in meaning to the English text (0.80)"
    assert text == "About storage"


def _normalised_character_by_character(text: str) -> tuple[str, list[int]]:
    """The normalisation as it was before its fast way: each character folded on its own."""
    chars, offsets = [], []
    for offset, char in enumerate(text):
        for piece in fold(char).lower():
            chars.append(piece)
            offsets.append(offset)
    folded = "".join(chars)
    return (to_simplified(folded) if CJK.search(folded) else folded), offsets


@pytest.mark.parametrize(
    "text",
    [
        "Ｆｕｌｌ－ｗｉｄｔｈ Solar 太陽能",  # folded: width changes, length does not
        "ﬁne ligatures ½",  # folded: one character becomes several
        "ΟΔΟΣ ΣΑΣ",  # a final sigma: lower() looks at what follows
        "İstanbul",  # lower() makes two characters of one
        "Café déjà vu",  # composed accents, already folded
        "Cafe\u0301",  # a combining accent after its letter
        "氢能储运 hydrogen",
    ],
)
def test_text_is_normalised_as_character_by_character_whichever_way_is_taken(text):
    normal, offsets = _normalised(text)
    expected, expected_offsets = _normalised_character_by_character(text)
    assert normal == expected
    assert list(offsets) == expected_offsets


def _matches_word_by_word(text: str, terms) -> tuple[list[tuple[int, int]], set[str]]:
    """``find_matches`` as it was written first: every word of the text stemmed and
    checked against the terms, one by one. The kept vocabulary must agree with it."""
    from ecotone.search.highlight import _merge, _to_original
    from ecotone.search.text import WORD, stem

    normal, offsets = _normalised(text)
    english = {t.token: t.surface for t in terms if t.language == "en" and not t.prefix}
    prefixes = [t for t in terms if t.prefix]
    spans, matched = [], set()
    latin = CJK.sub(lambda run: " " * len(run.group()), normal)
    for word in WORD.finditer(latin):
        surface = english.get(stem(word.group())) or next(
            (t.surface for t in prefixes if word.group().startswith(t.token)), None
        )
        if surface:
            spans.append((word.start(), word.end()))
            matched.add(surface)
    for term in (t for t in terms if t.language == "zh"):
        start = normal.find(term.token)
        while start != -1:
            spans.append((start, start + len(term.token)))
            matched.add(term.surface)
            start = normal.find(term.token, start + 1)
    return _to_original(_merge(spans), offsets, len(text)), matched


WORDS = ["heat", "heating", "Heated", "pumps", "pump", "electric", "electricity", "ＧＲＩＤ"]
WORDS += ["grids", "储能", "電池", "电池储能", "Straße", "ΣΟΦΙΑ", "the", "x", "42", "-", "\n"]
QUERIES = ["heat pump", "electr*", "heat* pumps electricity", "电池", "储能 grid", "pum* pump"]
QUERIES += ["straße", "σοφια", "heat heat", "電池 heating electr*", "4*", "the"]


@settings(deadline=None)  # the first call loads jieba's dictionary
@given(
    st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join),
    st.sampled_from(QUERIES),
)
def test_kept_vocabulary_finds_the_terms_checking_every_word_finds(text, query):
    terms = query_terms(query)
    assert find_matches(text, terms) == _matches_word_by_word(text, terms)
    assert matched_surfaces(text, terms) == _matches_word_by_word(text, terms)[1]


def test_a_word_that_is_a_term_and_starts_with_a_prefix_counts_as_the_term():
    text, terms = "Pumps, pumping and pumice", query_terms("pump pum*")
    spans, matched = find_matches(text, terms)
    assert [text[a:b] for a, b in spans] == ["Pumps", "pumping", "pumice"]
    assert matched == {"pump", "pum*"}  # "pum*" for pumice alone
    assert find_matches("Pumps, pumping", terms)[1] == {"pump"}
    assert (spans, matched) == _matches_word_by_word(text, terms)
    assert matched_surfaces(text, terms) == matched
    assert matched_surfaces("Pumps, pumping", terms) == {"pump"}


def test_field_labels_kept_per_language_follow_the_readers_language():
    fields = {"title_en": "Heat pumps", "title_zh": "热泵"}
    _, english = describe_lexical("solution", fields, query_terms("heat 热泵"))
    with translation.override("zh-hans"):
        _, chinese = describe_lexical("solution", fields, query_terms("heat 热泵"))
    _, again = describe_lexical("solution", fields, query_terms("heat 热泵"))
    assert english == again == ["“heat” in title (English)", "“热泵” in title (Chinese)"]
    assert chinese[0] == "“heat” 出现在标题（英文）"


def test_the_kept_vocabularies_stay_within_their_characters(monkeypatch):
    from ecotone.search import highlight

    monkeypatch.setattr(highlight, "VOCABULARY_CHARS_KEPT", 100)
    monkeypatch.setattr(highlight, "_vocabularies", {})
    monkeypatch.setattr(highlight, "_vocabulary_chars", 0)
    texts = [f"heat pump number {n} for 储能 sites " * 2 for n in range(10)]  # 66 chars each
    for text in texts * 2:
        assert matched_surfaces(text, query_terms("pumps 储能")) == {"pumps", "储能"}
        assert highlight._vocabulary_chars <= 100
    assert len(highlight._vocabularies) == 1


def test_words_like_can_are_not_named_beside_a_topical_match():
    fields = {"title_en": "How ports can electrify trucks", "description_en": "Trucks can wait"}
    text, reasons = describe_lexical("solution", fields, query_terms("how can ports cut trucks"))
    assert reasons == [
        "“ports”, “trucks” in title (English)",
        "“trucks” in description (English)",
    ]
    assert "<mark>can</mark>" not in text and "<mark>ports</mark>" in text


def test_words_like_can_are_named_when_nothing_else_matched():
    fields = {"title_en": "What a city can do", "description_en": ""}
    _, reasons = describe_lexical("solution", fields, query_terms("can heat pumps"))
    assert reasons == ["“can” in title (English)"]


def test_a_chinese_bigram_cut_across_words_is_not_named():
    fields = {"title_zh": "港口物流用电动卡车", "title_en": ""}
    text, reasons = describe_lexical("need", fields, query_terms("港口 电动卡车"))
    assert reasons == ["“卡车”, “港口”, “电动” in title (Chinese)"]
    assert "<mark>电动</mark>" in text or "<mark>电动卡车</mark>" in text


def test_a_chinese_word_inside_another_matched_word_is_not_named_twice():
    """电动重卡换电 is read as 电动, 重卡换 and 电: a title with 电动 holds 电 too, and
    naming both says the same match twice."""
    fields = {"title_zh": "港口物流用电动卡车", "title_en": ""}
    _, reasons = describe_lexical("need", fields, query_terms("电动重卡换电"))
    assert reasons == ["“电动” in title (Chinese)"]
