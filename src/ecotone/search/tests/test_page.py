import re

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


def test_index_status_page_is_for_staff_and_reports_what_is_missing(committed):
    from ecotone.core.testing import UserFactory
    from ecotone.search.backends import get_search_backend

    with committed():
        OrganisationFactory(name_en="Indexed Co")
    client = Client()
    assert client.get("/en/search/index/").status_code == 302  # to the log-in page
    client.force_login(UserFactory())
    assert client.get("/en/search/index/").status_code == 403
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/en/search/index/").content.decode()
    assert "Every public record is in the index." in page
    get_search_backend().rebuild([])
    page = client.get("/en/search/index/").content.decode()
    assert "The index and the database disagree." in page


def test_records_holding_little_of_the_query_are_listed_apart_after_every_match(committed):
    with committed():
        SolutionFactory(title_en="Heat pump water heaters for hotels")
        SolutionFactory(title_en="Solar water desalination")
        SolutionFactory(title_en="Rainwater tanks for schools")
    page = Client().get("/en/search/", {"q": "heat pump water heater"}).content.decode()
    heading = "Related: close in meaning, without the words you searched for"
    assert heading in page
    matched, related = page.split(heading)
    assert "Heat pump water heaters for hotels" in matched
    assert "Solar water desalination" in related
    assert "Heat pump water heaters" not in related


def test_every_filter_of_the_search_page_narrows_it(committed):
    with committed():
        OrganisationFactory(name_en="Solar Hamburg", country="DE", city="Hamburg", founded=2011)
        OrganisationFactory(name_en="Solar Lyon", country="FR", city="Lyon", founded=1999)
        SolutionFactory(title_en="Solar kiln", trl=8)
        SolutionFactory(title_en="Solar still", trl=3)
    client = Client()

    def titles(**filters):
        page = client.get("/en/search/", {"q": "solar", **filters})
        assert page.status_code == 200
        content = page.content.decode()
        names = ("Solar Hamburg", "Solar Lyon", "Solar kiln", "Solar still")
        return {name for name in names if name.replace("Solar", "<mark>Solar</mark>") in content}

    assert titles() == {"Solar Hamburg", "Solar Lyon", "Solar kiln", "Solar still"}
    assert titles(kind="solution") == {"Solar kiln", "Solar still"}
    assert titles(country="de") == {"Solar Hamburg"}
    assert titles(city="Lyon") == {"Solar Lyon"}
    assert titles(trl="8") == {"Solar kiln"}
    assert titles(year="2011") == {"Solar Hamburg"}
    assert titles(kind="organisation", country="") == {"Solar Hamburg", "Solar Lyon"}


def test_city_facet_names_the_city_in_the_readers_language(committed):
    with committed():
        OrganisationFactory(name_en="Solar Shenzhen", city="Shenzhen", city_zh="深圳")
        OrganisationFactory(name_en="Solar Lyon", city="Lyon")
    client = Client()

    def city_link(language, value):
        page = client.get(f"/{language}/search/", {"q": "solar"}).content.decode()
        found = re.search(rf'<a href="[^"]*city={value}[^"]*">([^<]+)</a>', page)
        return found and found.group(1)

    assert city_link("zh-hans", "shenzhen") == "深圳"
    assert city_link("en", "shenzhen") == "Shenzhen"
    assert city_link("zh-hans", "lyon") == "Lyon"  # no Chinese name known: the English one


def test_the_page_says_when_a_quoted_phrase_was_searched_as_loose_words(committed):
    with committed():
        SolutionFactory(title_en="Heat pump retrofit")
    page = Client().get("/zh-hans/search/", {"q": '"retrofit the heat pump"'}).content.decode()
    assert "Heat pump retrofit" in page
    notice = page.index("没有记录包含引号内原样的词句")
    assert notice < page.index("Heat pump retrofit")  # read before the results


def test_facet_labels_kept_per_process_follow_renames_and_the_language(committed, settings):
    """Sector names are kept per process until the catalogue changes: a renamed sector is
    named anew on the next search, and each language gets its own names."""
    from ecotone.catalog.models import Sector

    # a cache that keeps the catalogue version (the tests' own keeps nothing)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    with committed():
        sector = Sector.objects.create(slug="heat-x", name_en="Heat things", name_zh="热力事物")
        solution = SolutionFactory(title_en="Solar kiln")
        OrganisationFactory(name_en="Solar Lyon", country="FR")
        solution.sectors.add(sector)
        solution.save()  # indexed again with its sector
    client = Client()

    def facets(language: str, q: str) -> str:
        page = client.get(f"/{language}/search/", {"q": q}).content.decode()
        return page.split('<aside class="facets"', 1)[1].split("</aside>", 1)[0]

    english = facets("en", "solar")
    assert "Heat things" in english and "France" in english
    chinese = facets("zh-hans", "solar")
    assert "热力事物" in chinese and "法国" in chinese and "Heat things" not in chinese
    with committed():
        sector.name_en = "Heat and steam"
        sector.save()
    renamed = facets("en", "solar kiln")  # a question not asked before: no cached page
    assert "Heat and steam" in renamed and "Heat things" not in renamed
    assert "France" in facets("en", "solar lyon")


def test_a_sector_missing_from_the_names_kept_is_read_anew(settings):
    """A sector the index shows before this process saw the catalogue version move (its
    write not yet committed everywhere) is named from the database, not shown as a slug."""
    from ecotone.catalog.models import Sector
    from ecotone.core.cache import catalogue_version
    from ecotone.search import views

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    Sector.objects.create(slug="tidal-t", name_en="Tidal power", name_zh="潮汐能")
    views._SECTOR_NAMES["en"] = (catalogue_version(), {})  # kept before the sector was made
    labels = views._ValueLabels()
    assert labels("sector", "tidal-t") == "Tidal power"
    assert labels("sector", "unknown-slug") == "unknown-slug"


def test_chinese_city_names_are_read_once_until_the_catalogue_changes(committed, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # a cache that keeps the catalogue version (the tests' own keeps nothing)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    with committed():
        shenzhen = OrganisationFactory(name_en="Solar Shenzhen", city="Shenzhen", city_zh="深圳")
    client = Client()

    def city_name(q: str) -> tuple[str | None, int]:
        with CaptureQueriesContext(connection) as page:
            content = client.get("/zh-hans/search/", {"q": q}).content.decode()
        found = re.search(r'<a href="[^"]*city=shenzhen[^"]*">([^<]+)</a>', content)
        reads = sum("DISTINCT" in q["sql"] and "city_zh" in q["sql"] for q in page.captured_queries)
        return (found and found.group(1)), reads

    assert city_name("solar") == ("深圳", 4)  # organisations, cases, needs, events
    assert city_name("solar shenzhen") == ("深圳", 0)  # kept: no query
    with committed():
        shenzhen.city_zh = "深圳市"
        shenzhen.save()
    assert city_name("shenzhen solar") == ("深圳市", 4)


@pytest.mark.parametrize(("language", "label"), [("en", "Solution"), ("zh-hans", "解决方案")])
def test_each_result_names_its_own_kind_in_the_singular(committed, language, label):
    """One result is "Solution", not "Solutions": the plural is the kind filter's wording."""
    with committed():
        SolutionFactory(title_en="Waste heat recovery", title_zh="余热回收")
    page = Client().get(f"/{language}/search/", {"q": "余热"}).content.decode()
    assert re.findall(r'<p class="card-meta">([^<]*)</p>', page) == [label]


def test_the_chinese_page_separates_the_reasons_of_a_result_in_chinese(committed):
    """The "why this result" line, in Chinese, separates its reasons with ； not "; "."""
    with committed():
        SolutionFactory(
            title_en="Waste heat recovery",
            title_zh="余热回收",
            description_zh="钢厂余热回收发电。",
        )
    page = Client().get("/zh-hans/search/", {"q": "余热"}).content.decode()
    why = re.findall(r'<p class="why">([^<]*)</p>', page)
    assert len(why) == 1 and "；" in why[0] and "; " not in why[0], why


@pytest.mark.parametrize(
    ("params", "value"),
    [
        ({"kind": "spaceship"}, "spaceship"),
        ({"country": "ZZ"}, "ZZ"),
        ({"sector": "no-such-sector"}, "no-such-sector"),
        ({"trl": "12"}, "12"),
        ({"cursor": "junk"}, ""),
    ],
)
def test_a_refused_filter_is_explained_in_the_pages_language(committed, params, value):
    """A filter a reader edited by hand is refused in their language, naming what they
    wrote, with a link to the search without it: a Chinese page had said "unknown sector;
    use a sector's slug…" in English, and offered no way on."""
    with committed():
        SolutionFactory(title_en="Rooftop solar")
    alerts = {}
    for language in ("en", "zh-hans"):
        response = Client().get(f"/{language}/search/", {"q": "solar", **params})
        assert response.status_code == 422
        alert = re.search(r'<p class="error" role="alert">(.*?)</p>', response.content.decode())
        assert alert, response.content.decode()
        alerts[language] = alert.group(1)
        assert value in alerts[language]
        way_on = re.search(r'<a href="\?([^"]*)">', alerts[language])
        assert way_on and way_on.group(1) == "q=solar"  # the same search without it
    assert not re.search(r"[\u4e00-\u9fff]", alerts["en"])
    assert re.search(r"[\u4e00-\u9fff]", alerts["zh-hans"])
    assert not re.search(r"\b(unknown|use|must|invalid)\b", alerts["zh-hans"], re.I)
