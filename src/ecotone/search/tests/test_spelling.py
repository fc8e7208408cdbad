""" "Did you mean …?" for a misspelt English query word, through every door."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from ecotone.core.testing import SolutionFactory
from ecotone.search.queries import encode_cursor, search_records
from ecotone.search.spelling import did_you_mean
from ecotone.search.text import query_terms
from ecotone.search.translation import glossary_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(committed):
    with committed():
        SolutionFactory(title_en="Hydrogen storage in salt caverns")
        SolutionFactory(title_en="Green hydrogen for steel")
        SolutionFactory(title_en="Electric trucks for ports", description_en="Hydroponic farms")
        SolutionFactory(title_en="Solar panel recycling")
        SolutionFactory(title_en="Crown Energy heat pumps")


def suggestion(query: str) -> str:
    return did_you_mean(query, query_terms(query))


def test_a_word_no_record_holds_is_corrected_from_the_titles(catalogue):
    assert suggestion("hydrogne storage") == "hydrogen storage"  # two letters swapped
    assert suggestion("solar panle recyling") == "solar panel recycling"
    assert suggestion("Electrc Trucks") == "Electric Trucks"  # as it was written


def test_words_the_index_holds_are_left_alone(catalogue):
    assert suggestion("hydrogen storage") == ""
    assert suggestion("hydroponic") == ""  # only in a description, but held: no correction
    assert suggestion("recycled panels") == ""  # other forms of held words


def test_a_word_far_from_every_title_word_gets_no_suggestion(catalogue):
    assert suggestion("qwertyzzk") == ""
    assert suggestion("tokamak plasma") == ""
    assert suggestion("港口 电动卡车") == ""  # Chinese is not corrected


def test_an_english_word_the_catalogue_lacks_is_not_a_misspelling(catalogue):
    assert suggestion("grown") == ""  # one edit from "crown", but a word of its own
    assert suggestion("crwon") == "crown"


def test_two_edits_only_for_a_long_word(catalogue):
    assert suggestion("hdyrogne") == "hydrogen"  # eight letters, two edits
    assert suggestion("pnale") == ""  # five letters, two edits from "panel"


def test_words_of_the_texts_correct_too(catalogue):
    assert suggestion("hydroponc") == "hydroponic"  # only in a description


def test_a_new_title_word_corrects_after_it_is_saved(catalogue, committed):
    assert "geothermal" in glossary_english()  # known, but no record holds it yet
    assert suggestion("geothremal") == ""
    with committed():
        SolutionFactory(title_en="Geothermal district heating")
    assert suggestion("geothremal") == "geothermal"


def test_the_api_the_page_and_the_cli_offer_it(catalogue):
    client = Client()
    body = client.get("/api/v1/search", {"q": "hydrogne storage"}).json()
    assert body["did_you_mean"] == "hydrogen storage"
    assert client.get("/api/v1/search", {"q": "hydrogen storage"}).json()["did_you_mean"] == ""
    page = client.get("/en/search/", {"q": "hydrogne storage"}).content.decode()
    assert 'Did you mean: <a href="?q=hydrogen+storage" lang="en">hydrogen storage</a>' in page
    page = client.get("/zh-hans/search/", {"q": "hydrogne storage"}).content.decode()
    assert '您是不是要找： <a href="?q=hydrogen+storage" lang="en">hydrogen storage</a>' in page
    out = io.StringIO()
    call_command("search", "hydrogne storage", stdout=out)
    assert "did you mean: hydrogen storage" in out.getvalue()
    out = io.StringIO()
    call_command("search", "hydrogne storage", "--json", stdout=out)
    assert json.loads(out.getvalue())["did_you_mean"] == "hydrogen storage"


def test_only_the_first_page_offers_it(catalogue):
    assert search_records("hydrogne storage", mode="lexical").did_you_mean == "hydrogen storage"
    later = search_records("hydrogne storage", mode="lexical", cursor=encode_cursor(20))
    assert later.did_you_mean == ""
