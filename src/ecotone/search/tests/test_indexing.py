"""Records reach the index through the registry and the signals, and leave it the same way."""

import json

import pytest
from django.core.management import call_command

from ecotone.catalog.models import Sector
from ecotone.core.testing import (
    CaseFactory,
    NeedFactory,
    OrganisationFactory,
    PersonFactory,
    SolutionFactory,
)
from ecotone.search.queries import InvalidSearch, search_records
from ecotone.search.registry import kinds

pytestmark = pytest.mark.django_db


def found(q: str, **filters) -> list[tuple[str, int]]:
    return [(r["kind"], r["id"]) for r in search_records(q, **filters).results]


def test_every_catalogue_kind_is_registered():
    expected = {"organisation", "person", "solution", "case", "need", "resource", "event"}
    assert set(kinds()) == expected


def test_chinese_query_finds_chinese_record_and_english_ones_through_the_gloss(committed):
    with committed():
        solution = SolutionFactory(title_en="", title_zh="工业园区电池储能系统")
        english = SolutionFactory(title_en="Battery storage for industrial parks")
        SolutionFactory(title_en="Wind farm wake model")
    both = [("solution", solution.pk), ("solution", english.pk)]
    assert found("储能") == both
    assert found("電池儲能") == both


def test_title_match_ranks_above_body_match(committed):
    with committed():
        body = SolutionFactory(title_en="Retrofit kit", description_en="A heat pump for homes")
        title = SolutionFactory(title_en="Heat pump", description_en="A retrofit kit for homes")
    assert found("heat pump") == [("solution", title.pk), ("solution", body.pk)]


def test_facets_kind_sector_with_parents_and_country(committed):
    energy = Sector.objects.create(slug="t-energy", name_en="Energy", name_zh="能源")
    solar = Sector.objects.create(slug="t-solar", name_en="Solar", name_zh="光伏", parent=energy)
    with committed():
        case = CaseFactory(title_en="Solar rooftops", country="DE")
        case.sectors.add(solar)
        need = NeedFactory(title_en="Solar for a factory", country="CN")
        solution = SolutionFactory(title_en="Solar panels")
    assert found("solar", kind="case") == [("case", case.pk)]
    assert found("solar", sector="t-energy") == [("case", case.pk)]
    assert found("solar", sector="t-solar") == [("case", case.pk)]
    assert set(found("solar", country="cn")) == {("need", need.pk)}
    assert ("solution", solution.pk) in found("solar")
    with pytest.raises(InvalidSearch) as refused:  # a typo is no "nothing found"
        found("solar", sector="no-such-sector")
    assert refused.value.field == "sector"


def test_pending_records_and_people_without_consent_never_appear(committed):
    with committed():
        SolutionFactory(title_en="Secret solar", status="pending")
        PersonFactory(name_en="Solar Private", public_consent=False)
        PersonFactory(name_en="Solar Draft", status="draft")
        public = PersonFactory(name_en="Solar Public")
    assert found("solar") == [("person", public.pk)]


def test_no_stale_result_after_edit(committed):
    with committed():
        solution = SolutionFactory(title_en="Wind turbine blades")
    assert found("turbine") == [("solution", solution.pk)]
    with committed():
        solution.title_en = "Tidal generator"
        solution.save()
    assert found("turbine") == []
    assert found("tidal") == [("solution", solution.pk)]


def test_no_stale_result_after_unpublishing_or_withdrawing_consent(committed):
    with committed():
        solution = SolutionFactory(title_en="Geothermal wells")
        person = PersonFactory(name_en="Geothermal Expert")
    with committed():
        solution.status = "archived"
        solution.save()
        person.public_consent = False
        person.save()
    assert found("geothermal") == []


def test_no_stale_result_after_delete(committed):
    with committed():
        organisation = OrganisationFactory(name_en="Hydrogen Works")
    assert found("hydrogen") == [("organisation", organisation.pk)]
    with committed():
        organisation.delete()
    assert found("hydrogen") == []


def test_sector_changes_reindex_the_record(committed):
    water = Sector.objects.create(slug="t-water", name_en="Water", name_zh="水")
    with committed():
        solution = SolutionFactory(title_en="Desalination")
    assert found("desalination", sector="t-water") == []
    with committed():
        solution.sectors.add(water)
    assert found("desalination", sector="t-water") == [("solution", solution.pk)]


def test_nothing_is_indexed_when_the_transaction_rolls_back():
    # pytest-django's test transaction never commits, so on-commit indexing never runs
    SolutionFactory(title_en="Uncommitted biochar")
    assert found("biochar") == []


def test_rebuild_and_status_commands(capsys):
    SolutionFactory(title_en="Biochar kilns")  # not committed, so not yet indexed
    OrganisationFactory(name_en="Draft biochar", status="draft")
    assert found("biochar") == []
    call_command("index", "rebuild", verbosity=0)
    assert [kind for kind, _ in found("biochar")] == ["solution"]
    capsys.readouterr()
    call_command("index", "status")
    status = json.loads(capsys.readouterr().out)
    assert status["by_kind"]["solution"] == 1
    assert status["by_kind"]["organisation"] == 1  # the solution's provider
    assert status["documents"] == 2


def test_imported_records_become_searchable_and_updates_replace_them(committed, tmp_path):
    from ecotone.catalog.importing import import_file
    from ecotone.catalog.kinds import KINDS

    path = tmp_path / "orgs.csv"
    path.write_text("external_id,name_en,kind\nimp-1,Tidal Turbine Works,startup\n", "utf-8")
    with committed():
        import_file(KINDS["organisation"], path)
    assert [r["external_id"] for r in search_records("tidal").results] == ["imp-1"]
    path.write_text("external_id,name_en,kind,status\nimp-1,Kelp Farm Co,startup,draft\n", "utf-8")
    with committed():
        import_file(KINDS["organisation"], path)
    assert found("tidal") == [] and found("kelp") == []
