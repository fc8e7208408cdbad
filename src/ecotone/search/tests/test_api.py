"""``GET /api/v1/search``: the stable contract and the bad-input matrix."""

import pytest
from django.test import Client

from ecotone.core.testing import OrganisationFactory, SolutionFactory
from ecotone.search.indexing import rebuild_index

pytestmark = pytest.mark.django_db
URL = "/api/v1/search"
RESULT_KEYS = {"match", "kind", "id", "external_id", "title", "score", "snippet", "explanation"}


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def catalogue(committed):
    with committed():
        solutions = [SolutionFactory(title_en=f"Solar dryer {n}") for n in range(5)]
        SolutionFactory(title_en="屋顶光伏 <script>", description_en="Solar & storage")
        OrganisationFactory(name_en="Solar Co", country="DE")
    return solutions


def test_contract_shape(client, catalogue):
    response = client.get(URL, {"q": "solar dryer", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"results", "next"}
    assert len(body["results"]) == 2
    first = body["results"][0]
    assert set(first) == RESULT_KEYS
    assert first["kind"] == "solution"
    assert first["external_id"].startswith("test-solution-")
    assert first["title"].startswith("Solar dryer")
    assert "<mark>Solar</mark>" in first["snippet"]
    assert "“solar”" in first["explanation"]
    assert "in title (English)" in first["explanation"]
    assert isinstance(first["score"], float)
    assert body["next"]


def test_cursor_walks_every_result_once(client, catalogue):
    seen, cursor = [], None
    for _ in range(10):
        params = {"q": "solar", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params).json()
        seen += [(row["kind"], row["id"]) for row in body["results"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7


def test_snippets_are_escaped(client, catalogue):
    body = client.get(URL, {"q": "光伏"}).json()
    # the record written in Chinese first, then the English "solar" ones (through the gloss)
    result = body["results"][0]
    assert result["title"] == "屋顶光伏 <script>"
    assert "<script>" not in result["snippet"]
    assert "<mark>光伏</mark>" in result["snippet"]


def test_kind_and_country_filters(client, catalogue):
    body = client.get(URL, {"q": "solar", "kind": "organisation"}).json()
    assert [r["kind"] for r in body["results"]] == ["organisation"]
    body = client.get(URL, {"q": "solar", "country": "de"}).json()
    assert [r["kind"] for r in body["results"]] == ["organisation"]


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        "solar " * 2000,
        "!!!...???",
        '" * ( ) NEAR AND OR - :',
        'solar* OR (heat AND NOT pump) NEAR/3 "x',
        "'; DROP TABLE catalog_solution; --",
        "🔋🌞 solar",
        "太阳能 solar ソーラー 태양광",
        "\x00\ufeff",
        "％ＳＯＬＡＲ％",
    ],
)
def test_hostile_queries_answer_200(client, catalogue, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200, response.content
    assert set(response.json()) >= {"results", "next"}


def test_empty_query_explains_itself(client, catalogue):
    for q in ("", "   ", "!!!"):
        body = client.get(URL, {"q": q}).json()
        assert body["results"] == [] and body["next"] is None
        assert body["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "widget"}, "kind"),
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "junk"}, "cursor"),
        ({"country": "ZZ"}, "country"),
        ({"country": "' OR 1=1"}, "country"),
        ({"sector": "no-such-sector"}, "sector"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, catalogue, params, field):
    response = client.get(URL, {"q": "solar", **params})
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_a_sector_slug_and_a_country_code_in_any_case_filter(client, catalogue):
    sector = client.get(URL, {"q": "solar", "sector": "Low-Carbon-Transportation"})
    assert sector.status_code == 200
    lower = client.get(URL, {"q": "solar", "country": "cn"})
    upper = client.get(URL, {"q": "solar", "country": "CN"})
    assert lower.status_code == upper.status_code == 200
    assert lower.json()["results"] == upper.json()["results"]


def test_chinese_interface_prefers_chinese_titles(client, committed):
    with committed():
        SolutionFactory(title_en="Rooftop solar", title_zh="屋顶光伏")
    body = client.get(URL, {"q": "solar"}, headers={"accept-language": "zh-hans"}).json()
    assert body["results"][0]["title"] == "屋顶光伏"


def test_mode_parameter(client, catalogue):
    body = client.get(URL, {"q": "solar", "mode": "lexical"}).json()
    assert body["mode"] == "lexical" and body["results"]
    refused = client.get(URL, {"q": "solar", "mode": "semantic"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "mode"
    # the test settings embed nothing, so meaning-only search is refused with the reason
    dense = client.get(URL, {"q": "solar", "mode": "dense"}).json()
    assert dense["field"] == "mode" and "ECOTONE_EMBEDDER=none" in dense["message"]


def test_an_index_still_being_built_says_so_rather_than_nothing_found(client, committed):
    """Records saved outside a transaction's commit were never indexed (as just after
    ``ecotone demo``, before the worker has run): an empty page says the index is
    incomplete, with its counts, until the index holds them."""
    with committed():
        SolutionFactory(title_en="Solar dryer for tea leaves")
    for n in range(3):
        SolutionFactory(title_en=f"Biogas digester {n}")  # saved, not yet indexed
    body = client.get(URL, {"q": "biogas digester"}).json()
    assert body["results"] == []
    assert body["empty_reason"] == "index_incomplete"
    # four solutions, each with its provider: two records indexed of eight
    assert "holds 2 of the 8 public records" in body["message"]
    page = client.get("/en/search/", {"q": "biogas digester"}).content.decode()
    assert "The search index is still being built." in page
    assert "Nothing found." not in page

    rebuild_index()
    assert len(client.get(URL, {"q": "biogas digester"}).json()["results"]) == 3
    nonsense = client.get(URL, {"q": "qwertyzzk"}).json()
    assert nonsense["empty_reason"] == "no_match"
