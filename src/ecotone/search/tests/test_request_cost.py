"""What a search costs the database: the re-check that hits are still public reads each
kind's public records once per catalogue version (core/cache.py), not once per list of
hits, and a search page asks one query per kind of record it shows. A real file cache, as
``ecotone serve`` uses, and the real database (SQLite, or PostgreSQL with DATABASE_URL)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ecotone.catalog.models import Solution
from ecotone.core.cache import bump_catalogue_version
from ecotone.core.testing import OrganisationFactory, SolutionFactory
from ecotone.search.queries import search_records
from ecotone.search.registry import indexes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def file_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "ecotone.core.cache_backends.FileCache",
            "LOCATION": str(tmp_path / "django-cache"),
        }
    }


@pytest.fixture
def records(committed):
    with committed():
        kept = SolutionFactory(title_en="Solar water heaters for schools")
        hidden = SolutionFactory(title_en="Solar dryers for tea leaves")
        OrganisationFactory(name_en="Solar Cooperative")
    return kept, hidden


def catalogue_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries that read the catalogue's records (on PostgreSQL the index is in the
    database too, and is read as well)."""
    return [query["sql"] for query in captured.captured_queries if '"catalog_' in query["sql"]]


def titles(q: str) -> set[str]:
    return {result["title"] for result in search_records(q, mode="lexical").results}


def test_public_records_are_read_once_per_kind_until_the_catalogue_changes(records, committed):
    _kept, hidden = records
    with CaptureQueriesContext(connection) as first:
        assert titles("solar") == {
            "Solar water heaters for schools",
            "Solar dryers for tea leaves",
            "Solar Cooperative",
        }
    assert len(catalogue_queries(first)) == 2  # solutions and organisations
    with CaptureQueriesContext(connection) as again:
        assert titles("heaters") == {"Solar water heaters for schools"}
        assert titles("dryers") == {"Solar dryers for tea leaves"}
    assert catalogue_queries(again) == []

    # a change the index does not see (no signal): shown until the catalogue version moves …
    Solution.objects.filter(pk=hidden.pk).update(status="draft")
    assert titles("dryers") == {"Solar dryers for tea leaves"}
    # … which any committed write to the catalogue does
    with committed():
        bump_catalogue_version()
    with CaptureQueriesContext(connection) as after:
        assert titles("solar") == {"Solar water heaters for schools", "Solar Cooperative"}
    assert len(catalogue_queries(after)) == 2


def test_a_search_page_asks_one_query_per_kind_of_record_it_shows(records):
    client = Client()
    client.get("/en/search/", {"q": "solar"})  # the public records read once
    counts = {}
    for q in ("solar water", "dryers", "cooperative", "太阳能", "巴拉巴拉"):
        with CaptureQueriesContext(connection) as page:
            assert client.get("/en/search/", {"q": q}).status_code == 200
        counts[q] = len(catalogue_queries(page))
    # the records of each kind shown, to link them; none per result, none to re-check; the
    # first empty page counts the public records of each kind (is the index complete?),
    # once for the catalogue's version
    kinds = len(indexes())
    assert counts == {
        "solar water": 2,
        "dryers": 1,
        "cooperative": 1,
        "太阳能": kinds,
        "巴拉巴拉": 0,
    }


def version_reads(captured: CaptureQueriesContext) -> int:
    return sum("catalogue-version" in query["sql"] for query in captured.captured_queries)


def test_a_search_reads_the_catalogue_version_from_the_database_cache_once(records, settings):
    # ``ECOTONE_CACHE=database``: every read of the catalogue version is a query; a search
    # re-checks that its hits are still public several times, all with one version
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "search_cost_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    client = Client()
    client.get("/en/search/", {"q": "solar"})  # the version is stored, the records read
    searches, pages = {}, {}
    for q in ("solar water", "dryers", '"solar water" heaters', "太阳能 solar"):
        with CaptureQueriesContext(connection) as captured:
            found = search_records(q, with_facets=True).results
        searches[q] = (version_reads(captured), len(found))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/search/", {"q": q}).status_code == 200
        pages[q] = version_reads(captured)
    # (reads, results): one read, however often the search re-checks its hits (the
    # candidates for the facets too, the Chinese query's gloss, its English words)
    assert searches == {
        "solar water": (1, 3),
        "dryers": (1, 1),
        '"solar water" heaters': (1, 1),
        "太阳能 solar": (1, 0),
    }
    # the page: one read for the whole page's key (core/page_cache.py), one for its cached
    # results' key, one for the search it computes
    assert pages == dict.fromkeys(searches, 3)


def test_the_sector_facets_names_are_read_once_until_the_catalogue_changes(committed):
    from ecotone.catalog.models import Sector

    with committed():
        sector = Sector.objects.create(slug="solar-t", name_en="Solar power", name_zh="太阳能")
        solution = SolutionFactory(title_en="Solar kiln for bricks")
        solution.sectors.add(sector)
        solution.save()  # indexed again with its sector
    client = Client()

    def sector_reads(q: str) -> int:
        with CaptureQueriesContext(connection) as page:
            content = client.get("/en/search/", {"q": q}).content.decode()
        assert "Solar power" in content  # the facet, by its name
        return sum('FROM "catalog_sector"' in query["sql"] for query in page.captured_queries)

    assert sector_reads("solar") == 1
    assert [sector_reads(q) for q in ("kiln", "bricks", "solar kiln")] == [0, 0, 0]
    with committed():
        bump_catalogue_version()
    assert sector_reads("kiln bricks") == 1
