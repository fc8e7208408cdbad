"""Prefixes, phrases, facet filters and counts, suggestions and zero-result help."""

import pytest
from django.test import Client
from django.utils import translation

from ecotone.core.testing import CaseFactory, OrganisationFactory, SolutionFactory
from ecotone.search.queries import InvalidSearch, search_records
from ecotone.search.text import query_phrases, query_terms

pytestmark = pytest.mark.django_db


def ids(page) -> list[str]:
    return [result["external_id"] for result in page.results]


@pytest.fixture
def catalogue(committed):
    with committed():
        records = {
            "ev": SolutionFactory(title_en="Electric vehicle charging", trl=8),
            "grid": SolutionFactory(
                title_en="Grid balancing", description_en="pump the heat into storage", trl=4
            ),
            "pump": SolutionFactory(title_en="Heat pump retrofit", trl=7),
            "case": CaseFactory(title_en="Heat pump for a Shenzhen school", city="Shenzhen"),
            "org": OrganisationFactory(name_en="Electra Heat", country="DE", city="Berlin"),
        }
    return records


def test_prefix_and_phrase_syntax_is_parsed():
    prefix = [t for t in query_terms("electri* grid") if t.prefix]
    assert [(t.token, t.surface) for t in prefix] == [("electri", "electri*")]
    assert query_phrases('"Heat  Pump" retrofit') == ["heat pump"]
    assert not [t for t in query_terms("ab* (x)") if t.prefix]  # too short to be a prefix


def test_prefix_matches_word_beginnings_through_stems(catalogue):
    both = {catalogue["ev"].external_id, catalogue["org"].external_id}
    assert set(ids(search_records("electr*", mode="lexical"))) == both  # electric, Electra
    # "electric" is indexed as its stem "electr", which electri* must still reach
    assert ids(search_records("electri*", mode="lexical")) == [catalogue["ev"].external_id]
    assert search_records("electri", mode="lexical").results == []


def test_phrase_requires_the_words_together(catalogue):
    loose = set(ids(search_records("heat pump", mode="lexical")))
    assert catalogue["grid"].external_id in loose
    phrase = ids(search_records('"heat pump"', mode="lexical"))
    assert set(phrase) == {catalogue["pump"].external_id, catalogue["case"].external_id}
    assert search_records('"heat pump"', mode="lexical").message == ""


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_phrase_no_record_holds_gives_its_words_in_any_order_and_says_so(catalogue, mode):
    # a pasted quotation: no record holds it as written, several hold its words
    page = search_records('"retrofit the heat pump"', mode=mode)
    assert catalogue["pump"].external_id in ids(page)
    assert "in any order" in page.message
    with translation.override("zh-hans"):
        chinese = search_records('"retrofit the heat pump"', mode=mode)
    assert ids(chinese) == ids(page)
    assert "引号" in chinese.message


def test_filters_by_city_readiness_and_year(catalogue):
    assert ids(search_records("heat", city="shenzhen")) == [catalogue["case"].external_id]
    assert ids(search_records("heat pump", trl="7")) == [catalogue["pump"].external_id]
    assert search_records("heat", year="1999").results == []
    with pytest.raises(InvalidSearch) as error:
        search_records("heat", trl="high")
    assert error.value.field == "trl"


def test_facet_counts_cover_the_ranked_results(catalogue):
    facets = search_records("heat", with_facets=True).facets
    assert dict(facets["kind"]) == {"solution": 2, "case": 1, "organisation": 1}
    assert dict(facets["country"])["DE"] == 1


def test_suggestions_complete_the_last_word():
    client = Client()
    assert client.get("/api/v1/search/suggest", {"q": "h"}).json() == {"suggestions": []}


def test_suggestions_api(catalogue):
    body = Client().get("/api/v1/search/suggest", {"q": "heat pum"}).json()
    titles = [item["title"] for item in body["suggestions"]]
    assert titles[:2] == ["Heat pump retrofit", "Heat pump for a Shenzhen school"]
    assert set(body["suggestions"][0]) == {"kind", "id", "title"}


def test_search_page_shows_facets_and_help_on_zero_results(catalogue):
    client = Client()
    page = client.get("/en/search/", {"q": "heat"}).content.decode()
    assert "Narrow the results" in page
    assert "?q=heat&amp;kind=case" in page
    empty = client.get("/en/search/", {"q": "heat", "country": "FR"}).content.decode()
    assert "Nothing found." in empty
    assert "Search again without the filter Country: France" in empty
    assert 'href="?q=heat"' in empty
