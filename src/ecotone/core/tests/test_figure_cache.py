"""Costly figures kept between requests (core/cache.py): a need's matches and the dashboard
are served from the cache until a committed write to the records they come from, or a
change of the search index, makes them stale. A real file cache in the test's own folder;
the real database (SQLite, or PostgreSQL with DATABASE_URL)."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ecotone.catalog.models import Sector
from ecotone.core import cache as figure_cache
from ecotone.core.testing import CaseFactory, NeedFactory, SolutionFactory
from ecotone.matching import ranking
from ecotone.matching.models import MatchImpression

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_cache")]


def storage_sector() -> Sector:
    return Sector.objects.get(slug="energy-storage")


@pytest.fixture
def need(committed):
    with committed():
        need = NeedFactory(
            title_en="Battery storage for an industrial park",
            problem_en="We want batteries to shift solar output to the evening peak.",
        )
        need.sectors.add(storage_sector())
    return need


def titles(report) -> set[str]:
    return {match.record.title_en for match in report.matches}


def test_a_need_s_matches_are_kept_until_a_record_that_could_enter_them_is_written(need, committed):
    with committed():
        battery = SolutionFactory(
            title_en="Containerised battery storage",
            description_en="Lithium batteries that shift solar output to the evening peak.",
        )
        battery.sectors.add(storage_sector())
    first = ranking.cached_need_matches(need)
    assert titles(first) == {"Containerised battery storage"}

    calls = []
    original = ranking.need_matches
    ranking.need_matches = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        assert titles(ranking.cached_need_matches(need)) == titles(first)
        assert calls == []  # served from the cache

        with committed():
            flywheel = SolutionFactory(
                title_en="Flywheel storage for evening peaks",
                description_en="Flywheels shift solar output to the evening peak.",
            )
            flywheel.sectors.add(storage_sector())
        again = ranking.cached_need_matches(need)
    finally:
        ranking.need_matches = original
    assert len(calls) == 1  # the write made the list stale
    assert "Flywheel storage for evening peaks" in titles(again)


def test_a_change_of_the_need_itself_makes_its_matches_stale(need, committed):
    version = figure_cache.catalogue_version()
    ranking.cached_need_matches(need)
    with committed():
        need.title_en = "Flywheels for an industrial park"
        need.save()
    assert figure_cache.catalogue_version() != version


def test_an_uncommitted_write_leaves_the_cache_alone(django_capture_on_commit_callbacks):
    version = figure_cache.catalogue_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        CaseFactory()
    assert figure_cache.catalogue_version() == version  # not committed: nothing stale yet
    for callback in callbacks:
        callback()
    assert figure_cache.catalogue_version() != version


def test_counting_a_showing_of_the_matches_does_not_make_them_stale(need, committed):
    version = figure_cache.catalogue_version()
    with committed():
        MatchImpression.objects.create(
            need=need, day=timezone.localdate(), surface="page", views=1, matches_shown=0
        )
    assert figure_cache.catalogue_version() == version


def test_the_dashboard_shows_a_new_record_once_it_is_committed(client, committed):
    url = reverse("reports:dashboard")
    before = client.get(url).context["counts"]
    with committed():
        CaseFactory(status="published")
    after = client.get(url).context["counts"]
    count = {row["kind"]: row["count"] for row in before}
    assert {row["kind"]: row["count"] for row in after}["cases"] == count["cases"] + 1


def test_reindexing_makes_the_matches_stale(need):
    from ecotone.search.indexing import refresh_records

    version = figure_cache.catalogue_version()
    refresh_records({("need", need.pk)})
    assert figure_cache.catalogue_version() != version


def test_a_figure_cached_for_staff_never_reaches_a_visitor(client):
    """Introductions are private to the two organisations: staff see their chart, and the
    cache keeps the staff's dashboard apart from everyone else's."""
    from ecotone.core.testing import UserFactory

    private = "Introductions asked about these needs"
    client.force_login(UserFactory(is_staff=True))
    assert private in client.get(reverse("reports:dashboard")).content.decode()
    client.logout()
    assert private not in client.get(reverse("reports:dashboard")).content.decode()
    client.force_login(UserFactory())
    assert private not in client.get(reverse("reports:dashboard")).content.decode()


def test_an_index_change_inside_a_transaction_makes_figures_stale_again_at_its_commit(
    django_capture_on_commit_callbacks,
):
    # On PostgreSQL the index is in the database: a figure another process cached after
    # the change but before the commit was made from the index as it was.
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        figure_cache.index_changed()
        cached_in_between = figure_cache.catalogue_version()
    for callback in callbacks:
        callback()
    assert figure_cache.catalogue_version() != cached_in_between
