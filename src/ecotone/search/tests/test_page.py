import pytest
from django.test import Client

from ecotone.core.testing import OrganisationFactory, SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_search_page_finds_and_links_records(committed, language):
    with committed():
        solution = SolutionFactory(title_en="Waste heat recovery", title_zh="余热回收")
        OrganisationFactory(name_en="Unrelated Bakery")
    page = Client().get(f"/{language}/search/", {"q": "余热"}).content.decode()
    assert f"/{language}/solutions/{solution.pk}/" in page
    assert "<mark>余热</mark>" in page
    assert "Unrelated Bakery" not in page


def test_search_page_escapes_content_and_handles_odd_queries(committed):
    with committed():
        OrganisationFactory(name_en="<script>alert(1)</script> Solar")
    client = Client()
    page = client.get("/en/search/", {"q": "solar"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    for query in ['" * ( ) NEAR AND OR - :', "x" * 10_000, "🌍", ""]:
        assert client.get("/en/search/", {"q": query}).status_code == 200
    assert client.get("/en/search/", {"q": "solar", "kind": "spaceship"}).status_code == 422
