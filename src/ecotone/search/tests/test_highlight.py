from ecotone.search.highlight import describe, find_matches, snippet
from ecotone.search.text import query_terms


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


def test_explanation_names_the_fields_and_terms():
    fields = {"title_en": "Heat pumps", "description_en": "Pumps move heat", "title_zh": ""}
    text, explanation = describe(fields, query_terms("heat pump"))
    assert explanation == "matched title_en: heat, pump; description_en: heat, pump"
    assert "<mark>Heat</mark>" in text
