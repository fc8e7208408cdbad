"""Chinese queries glossed into English: the dictionary, segmentation and what search does
with the gloss (lexical mode here, so no embedder is involved)."""

import pytest

from ecotone.core.testing import CaseFactory, SolutionFactory
from ecotone.search import translation
from ecotone.search.queries import search_records
from ecotone.search.translation import QueryTranslation, segment, translate_query


def senses(query: str) -> dict[str, tuple[str, ...]]:
    return {gloss.word: gloss.english for gloss in translate_query(query).glosses}


def test_glossary_terms_win_over_the_general_dictionary():
    # CC-CEDICT has no "wind farm"; the glossary does, and segmentation keeps the word whole
    assert segment("风电场尾流模拟") == ["风电场", "尾流", "模拟"]
    assert senses("风电场")["风电场"] == ("wind farm",)
    glossary = dict(translation._glossary_entries())
    assert glossary["热泵"] == ("heat pump",)
    assert translation.dictionary()["热泵"] == ("heat pump",)


def test_general_words_come_from_cc_cedict_without_notes():
    tide = senses("潮汐")["潮汐"]
    assert tide == ("tide",)
    for english in translation.dictionary()["公交"]:
        assert not english.startswith(("abbr.", "CL:", "to "))
        assert len(english.split()) <= translation.MAX_GLOSS_WORDS


def test_traditional_full_width_and_latin_parts():
    assert senses("潮汐預報") == senses("潮汐预报")
    assert translate_query("ＣＣＵＳ示范项目").text.startswith("CCUS ")
    assert "的" not in senses("开放的企业数据")  # function words are left out


def test_no_chinese_means_no_translation():
    assert translate_query("heat pump retrofit") == QueryTranslation(())
    assert not translate_query("heat pump retrofit")
    assert translate_query("").text == ""


def test_unknown_characters_stay_single_and_untranslated():
    gloss = translate_query("㐀").glosses
    assert [(g.word, g.english) for g in gloss] == [("㐀", ())]
    assert not translate_query("㐀")


def test_the_dictionary_is_cached_on_disk_and_read_back(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    translation.dictionary.cache_clear()
    built = translation.dictionary()
    files = list((tmp_path / "cache").glob("zh-en-*.json"))
    assert len(files) == 1
    translation.dictionary.cache_clear()
    assert translation.dictionary() == built
    translation.dictionary.cache_clear()


@pytest.mark.django_db
def test_a_chinese_query_finds_english_only_records_lexically(committed):
    with committed():
        heat = SolutionFactory(title_en="Heat pump retrofit for schools")
        tide = CaseFactory(title_en="Tide forecasting for harbour pilots")
        SolutionFactory(title_en="Battery recycling")
    found = [r["external_id"] for r in search_records("热泵", mode="lexical").results]
    assert found == [heat.external_id]
    page = search_records("潮汐預報", mode="lexical")
    assert [r["external_id"] for r in page.results] == [tide.external_id]
    assert "tide" in page.results[0]["explanation"].lower()
    assert "<mark>" in page.results[0]["snippet"]


@pytest.mark.django_db
def test_chinese_matches_still_come_with_the_gloss(committed):
    with committed():
        chinese = SolutionFactory(title_en="", title_zh="热泵改造")
        english = SolutionFactory(title_en="Heat pump retrofit")
    found = {r["external_id"] for r in search_records("热泵", mode="lexical").results}
    assert found == {chinese.external_id, english.external_id}


@pytest.mark.django_db
def test_the_search_page_says_what_english_it_also_searched(client, committed):
    with committed():
        SolutionFactory(title_en="Heat pump retrofit for schools")
    page = client.get("/en/search/", {"q": "热泵"}).content.decode()
    assert 'Also searched in English as: <span lang="en">heat pump</span>' in page
    english = client.get("/en/search/", {"q": "heat pump"}).content.decode()
    assert "Also searched in English" not in english


def test_the_climate_share_says_how_much_of_a_query_the_glossary_knows():
    from ecotone.search.translation import translate_query

    assert translate_query("减肥食谱").climate_share == 0.0  # everyday words only
    assert translate_query("直接空气捕集").climate_share == 1.0
    assert 0.0 < translate_query("直接空气捕集的食谱").climate_share < 1.0
    assert translate_query("heat pump").climate_share == 0.0  # no Chinese at all


def test_place_names_are_glossed_as_names_not_character_by_character():
    """CC-CEDICT describes 深圳 in a long sense that used to be dropped whole, leaving 深
    ("deep depth"); a one-character abbreviation (港, "Hong Kong, abbr.") is not a name."""
    from ecotone.search.translation import translate_query

    assert translate_query("深圳地铁").text == "Shenzhen metro"
    assert translate_query("上海").text == "Shanghai"
    assert "Hong Kong" not in translate_query("天津港").text
    assert "harbor" in translate_query("天津港").text


def test_an_english_query_names_its_places_in_chinese_too():
    """The climate glossary has no places, so "Romania …" reached no record that names
    Romania only in Chinese; CC-CEDICT's names give them, without counting in the share of
    the query the climate terms stand for (a place alone may not vouch for an answer)."""
    from ecotone.search.translation import chinese_gloss, chinese_names

    gloss = chinese_gloss("Romania CO2 storage in depleted gas fields")
    assert "罗马尼亚" in gloss.text.split()
    assert gloss.share == pytest.approx(4 / 6)  # "CO2 storage", "gas fields": not Romania
    assert chinese_names("Greece and Oman") == ["希腊", "阿曼"]
    assert "中国" in chinese_names("heat pumps in China")
    assert chinese_names("romania storage") == []  # only a name written as one
    assert chinese_names("Energy retrofit") == []  # a capitalised word is not a name
    japan = chinese_gloss("Japan sushi")
    assert (japan.text, japan.share) == ("日本", 0.0)


def test_an_adjective_of_nationality_names_its_country_in_chinese():
    """CC-CEDICT gives 波兰 for "Poland" only: "Polish law …" reached no policy that names
    Poland only in Chinese. Every adjective listed names a country CC-CEDICT knows."""
    from ecotone.search.translation import chinese_gloss, chinese_names

    assert chinese_names("Polish law change on CO2 storage") == ["波兰"]
    assert chinese_names("Icelandic basalt storage") == ["冰岛"]
    assert "波兰" in chinese_gloss("Polish CO2 storage").text.split()
    assert chinese_names("polish the panels") == []  # a verb, not capitalised
    unknown = set(translation.countries_of_adjectives().values()) - set(translation.english_names())
    assert not unknown


def test_british_spelling_meets_the_glossarys_american_and_back():
    """The stemmer keeps "centres" and "center" apart ("centr", "center"), so "data
    centres" met only 数据 (data) and missed 数据中心; the glossary's British senses
    (electrolyser) are folded the same way and still meet a British query."""
    from ecotone.search.translation import american_spelling, chinese_gloss

    assert american_spelling("Data Centres, electrolysers and harbours") == (
        "data centers, electrolyzers and harbors"
    )
    assert american_spelling("four hours of rise") == "four hours of rise"  # short words
    assert chinese_gloss("immersion cooling for data centres").text.split() == [
        "制冷",
        "数据中心",
    ]
    assert chinese_gloss("data centers").text == "数据中心"
    assert chinese_gloss("alkaline electrolyser").text == chinese_gloss("electrolyzer").text
    assert chinese_gloss("carbon capture utilization and storage").text == "碳捕集利用与封存"


def test_the_names_are_cached_on_disk_and_read_back(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    translation.english_names.cache_clear()
    built = translation.english_names()
    assert built["Romania"] == ("罗马尼亚",)
    assert len(list((tmp_path / "cache").glob("en-zh-names-*.json"))) == 1
    translation.english_names.cache_clear()
    assert translation.english_names() == built
    translation.english_names.cache_clear()


@pytest.mark.django_db
def test_an_english_place_name_finds_a_record_written_only_in_chinese(committed):
    with committed():
        romania = SolutionFactory(title_en="", title_zh="罗马尼亚地质封存法")
        greece = SolutionFactory(title_en="", title_zh="希腊地质封存法：地质封存许可")
    page = search_records("Romania geological storage law", mode="lexical")
    found = [r["external_id"] for r in page.results]
    assert found[0] == romania.external_id  # Greece's held the glossary terms twice
    assert greece.external_id in found


def test_a_country_is_named_in_chinese_as_the_catalogue_names_it():
    """CC-CEDICT's first two entries for a country gave 中国 有夏 ("China", 有夏 an ancient
    name) and nothing for "South Korea" or "Korea" (韩国's sense is "South Korea (Republic
    of Korea)"): a country is now named by django-countries' Chinese name, the one the
    platform shows, with the usual short forms and the European Union."""
    from ecotone.search.translation import chinese_names

    assert chinese_names("China national CCUS standards") == ["中国"]
    assert chinese_names("South Korea carbon dioxide storage act") == ["韩国"]
    assert chinese_names("Korea CCUS law") == ["韩国"]
    assert chinese_names("France carbon capture outlook") == ["法国"]
    assert chinese_names("Romania transposes EU CCS Directive") == ["罗马尼亚", "欧盟"]
    assert chinese_names("heat pumps in the UK") == ["英国"]


def test_a_cc_cedict_name_is_read_without_its_notes():
    """A first sense with a note in brackets or a description after the name named
    nothing: "Alberta province of Canada, capital Edmonton …" for 艾伯塔."""
    from ecotone.search.translation import chinese_names

    assert "艾伯塔" in chinese_names("Alberta carbon price")
    assert chinese_names("Texas storage rules")[:1] == ["得克萨斯"]
    assert chinese_names("Energy retrofit") == []


@pytest.mark.django_db
def test_an_english_query_naming_korea_finds_a_record_written_only_in_chinese(committed):
    """Only the country tells the two apart; the shorter one came first."""
    with committed():
        korea = SolutionFactory(title_en="", title_zh="韩国二氧化碳封存与利用的法规体系")
        SolutionFactory(title_en="", title_zh="日本二氧化碳封存")
    page = search_records("Korea CO2 storage", mode="lexical")
    assert [r["external_id"] for r in page.results][:1] == [korea.external_id]


def test_an_english_word_the_glossary_lacks_takes_cc_cedicts_words_when_it_has_few():
    """ "polyester" and "greenhouse" are not climate terms, so a record written only in
    Chinese (聚酯, 温室) met nothing of them; CC-CEDICT read backwards gives a word of one
    meaning a few Chinese words, an everyday word many ("cut", "old"), which stay out."""
    from ecotone.search.translation import chinese_gloss

    polyester = chinese_gloss("chemical recycling of old polyester clothes").dictionary_words
    assert any("聚酯" in words for words in polyester)
    assert not any("老" in words or "旧" in words for words in polyester)  # "old"
    assert chinese_gloss("cut methane").dictionary_words == ()
    assert chinese_gloss("greenhouse heating").dictionary_words == (("暖房", "温室", "花房"),)


def test_of_a_words_chinese_forms_the_one_records_use_most_is_searched():
    from ecotone.search.text import ABSENT
    from ecotone.search.translation import ChineseGloss, held_dictionary_words

    gloss = ChineseGloss("", 0.0, (("暖房", "温室", "花房"), ("多元酯", "聚酯")))
    weights = {"温": 2.0, "室": 2.0, "温室": 2.0, "暖房": 5.0, "聚酯": 3.0}

    def idf(terms):
        return [9.0 if t == ABSENT else weights.get(t.token, 9.0) for t in terms]

    assert held_dictionary_words(gloss, idf) == ["温室", "聚酯"]
    assert held_dictionary_words(ChineseGloss("", 0.0, (("多元酯",),)), idf) == []


@pytest.mark.django_db
def test_an_english_word_of_one_meaning_finds_a_record_written_only_in_chinese(committed):
    """Both records hold 回收 ("recycling"); only the one about polyester holds 聚酯, and
    the shorter one came first."""
    with committed():
        polyester = SolutionFactory(title_en="", title_zh="聚酯纤维旧衣物的化学回收与再生利用示范")
        SolutionFactory(title_en="", title_zh="塑料化学回收")
    page = search_records("polyester recycling", mode="lexical")
    assert [r["external_id"] for r in page.results][:1] == [polyester.external_id]
