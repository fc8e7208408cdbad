import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from ecotone.catalog.models import Sector
from ecotone.core.testing import CaseFactory, NeedFactory, OrganisationFactory, SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    org = OrganisationFactory(name_en="BYD", name_zh="比亚迪")
    solution = SolutionFactory(provider=org, title_en="Blade Battery", title_zh="刀片电池")
    case = CaseFactory(title_en="Electric buses in Shenzhen", title_zh="深圳电动公交")
    case.organisations.add(org)
    case.solutions.add(solution)
    case.sectors.add(Sector.objects.get(slug="low-carbon-transportation"))
    NeedFactory(title_en="Charging depot", title_zh="充电场站")
    return {"org": org, "solution": solution, "case": case}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organisations/",
        "/solutions/",
        "/cases/",
        "/needs/",
        "/resources/",
        "/events/",
        "/people/",
        "/awards/",
        "/sectors/",
        "/sectors/transport/",
        "/about/data/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password-reset/",
    ],
)
def test_public_pages_render_in_both_languages(catalogue, language, path):
    response = Client().get(f"/{language}{path}")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_content_follows_the_language(catalogue):
    client = Client()
    english = client.get(catalogue["case"].get_absolute_url()).content.decode()
    chinese = client.get(f"/zh-hans/cases/{catalogue['case'].pk}/").content.decode()
    assert "Electric buses in Shenzhen" in english
    assert "深圳电动公交" in chinese
    assert "BYD" in english and "比亚迪" in chinese


def test_case_page_links_its_organisations_solutions_and_sectors(catalogue):
    page = Client().get(catalogue["case"].get_absolute_url()).content.decode()
    assert catalogue["org"].get_absolute_url() in page
    assert catalogue["solution"].get_absolute_url() in page
    assert "/sectors/low-carbon-transportation/" in page


def test_organisation_page_lists_its_solutions_and_cases(catalogue):
    page = Client().get(catalogue["org"].get_absolute_url()).content.decode()
    assert "Blade Battery" in page
    assert "Electric buses in Shenzhen" in page


def test_language_switch_links_to_the_same_page(catalogue):
    page = Client().get("/en/cases/").content.decode()
    assert 'href="/zh-hans/cases/"' in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_not_found_is_a_proper_page(language):
    response = Client().get(f"/{language}/cases/999999/")
    assert response.status_code == 404
    assert "<html" in response.content.decode()


def test_unknown_kind_is_404():
    assert Client().get("/en/spaceships/").status_code == 404


def test_bad_filter_values_do_not_break_the_list(catalogue):
    response = Client().get("/en/solutions/", {"country": "ZZ", "year": "abc", "page": "x"})
    assert response.status_code == 400  # the page, with each bad filter's error beside it
    assert response.content.count(b'<p class="error">') == 2


def test_list_filters_by_sector_including_children(catalogue):
    page = Client().get("/en/cases/", {"sector": "transport"}).content.decode()
    assert "Electric buses in Shenzhen" in page
    page = Client().get("/en/cases/", {"sector": "buildings"}).content.decode()
    assert "Electric buses in Shenzhen" not in page


def test_list_pages_keep_a_small_query_budget(catalogue, django_assert_max_num_queries):
    for number in range(30):
        case = CaseFactory(title_en=f"Case {number}")
        case.organisations.add(catalogue["org"])
        case.sectors.add(Sector.objects.get(slug="green-building"))
    with django_assert_max_num_queries(15):
        assert Client().get("/en/cases/").status_code == 200
    with django_assert_max_num_queries(15):
        assert Client().get("/api/v1/cases", {"limit": 50}).status_code == 200


def test_html_in_content_is_escaped():
    OrganisationFactory(name_en="<script>alert(1)</script>")
    page = Client().get("/en/organisations/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_every_page_names_an_icon_that_exists():
    """Without one, browsers asked for /favicon.ico on every first visit and logged a 404."""
    html = Client().get("/en/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert icon is not None and finders.find(icon.group(1)) is not None
