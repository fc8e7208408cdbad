from hypothesis import given
from hypothesis import strategies as st

from ecotone.search.text import (
    MAX_QUERY_TERMS,
    analyze,
    detect_language,
    fold,
    index_tokens,
    query_terms,
    to_simplified,
)


def test_full_width_letters_and_digits_fold_to_half_width():
    assert fold("ＡＢＣ１２３，") == "ABC123,"
    assert "abc123" in index_tokens("ＡＢＣ１２３")


def test_traditional_chinese_becomes_simplified():
    assert to_simplified("電池儲能") == "电池储能"
    assert index_tokens("電池儲能") == index_tokens("电池储能")


def test_language_detection_by_share_of_chinese_characters():
    assert detect_language("电池储能系统") == "zh"
    assert detect_language("battery storage") == "en"
    assert detect_language("BYD 电池") == "zh"
    assert detect_language("A long English sentence about 电池") == "en"
    assert detect_language("!!! 123") == "en"


def test_english_is_lowercased_stemmed_and_stop_words_dropped():
    assert index_tokens("The Batteries") == index_tokens("battery")
    assert index_tokens("Heating and cooling") == ["heat", "cool"]


def test_chinese_search_mode_segmentation_with_bigrams():
    tokens = index_tokens("工业园区储能")
    assert {"工业", "园区", "工业园区", "储能"} <= set(tokens)
    assert "区储" in tokens  # a character bigram, for recall
    assert "储" in tokens  # single characters are indexed for one-character queries


def test_one_character_query_matches_indexed_unigram():
    assert [t.token for t in query_terms("碳")] == ["碳"]
    assert "碳" in index_tokens("低碳建筑")


def test_mixed_scripts_are_split_by_script():
    terms = analyze("BYD的电池factory")
    assert {t.language for t in terms} == {"en", "zh"}
    assert {"byd", "factori", "电池"} <= {t.token for t in terms}


def test_query_syntax_is_plain_text_except_prefixes():
    terms = query_terms('"solar" * ( ) NEAR AND OR - : heat*')
    assert {(t.token, t.prefix) for t in terms} == {
        ("solar", False),
        ("near", False),
        ("heat", True),
    }
    assert len(terms) == 3
    assert query_terms("!!! ??? ，。") == []
    assert query_terms("🔋🌍") == []


def test_long_queries_are_capped():
    terms = query_terms(" ".join(f"word{i}" for i in range(5000)))
    assert len(terms) == MAX_QUERY_TERMS
    assert query_terms("a" * 10_000) == []  # one absurd word is not a term


def test_stemming_from_many_threads_at_once_gives_each_its_own_word():
    """A snowball stemmer keeps the word it works on in itself; shared by the web server's
    threads, two searches stemming at once raised IndexError (a 500 on search under load)."""
    import threading

    import snowballstemmer

    from ecotone.search import text

    words = [
        f"{stem}{ending}"
        for stem in ("generat", "connect", "electrif")
        for ending in ("ions", "ing", "ed", "ively", "ionalism")
    ] * 40
    expected = {word: snowballstemmer.stemmer("english").stemWord(word) for word in words}
    problems = []

    def stem_all(offset: int) -> None:
        for word in words[offset:] + words[:offset]:
            try:  # past the cache (``__wrapped__``): the stemmer itself
                if text.stem.__wrapped__(word) != expected[word]:
                    problems.append(word)
            except Exception as error:
                problems.append(repr(error))

    threads = [threading.Thread(target=stem_all, args=(n * 7,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []


MIXED_TEXT = st.sampled_from(list("ab Zé1２ＡThe of-_.,\n电池光伏風電儲能的")) | st.characters()


@given(st.text(alphabet=MIXED_TEXT, max_size=60))
def test_index_tokens_are_the_tokens_of_the_analysed_terms(text):
    """``index_tokens`` skips making terms (a rebuild's Python time): same tokens, same order."""
    assert index_tokens(text) == [term.token for term in analyze(text)]
