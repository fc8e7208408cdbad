"""``ecotone migrate`` empties the copied Chinese fields of a database loaded before the rule,
and the search index follows once the migration has run."""

import dataclasses
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from ecotone.catalog.models import Affiliation, Case, Organisation, Person, Solution
from ecotone.core.testing import CaseFactory, OrganisationFactory, PersonFactory, SolutionFactory
from ecotone.search.backends import get_search_backend
from ecotone.search.indexing import document_for
from ecotone.search.queries import search_records
from ecotone.search.registry import get_index

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ecotone.catalog.migrations.0008_empty_copied_chinese")


def run_migration() -> None:
    migration.empty_copies(apps, SimpleNamespace(connection=connection))


def test_copies_of_every_kind_are_emptied_and_nothing_else_is_touched():
    case = CaseFactory(title_en="In Salah", title_zh="In Salah", city="Ouargla", city_zh="ouargla")
    real = CaseFactory(title_en="Electric buses", title_zh="电动公交")
    solution = SolutionFactory(title_en="TanLIVE Global", title_zh="TanLIVE  global")
    org = OrganisationFactory(name_en="BYD Company Limited", name_zh="BYD")  # Latin-only: kept
    person = PersonFactory(name_en="Ian Tout", name_zh="Ian Tout")
    role = Affiliation.objects.create(
        external_id="a-1", person=person, organisation=org, role_en="Chair", role_zh="chair"
    )
    run_migration()
    assert Case.objects.values_list("title_zh", "city_zh").get(pk=case.pk) == ("", "")
    assert Case.objects.get(pk=real.pk).title_zh == "电动公交"
    assert Solution.objects.get(pk=solution.pk).title_zh == ""
    assert Organisation.objects.get(pk=org.pk).name_zh == "BYD"
    assert Person.objects.get(pk=person.pk).name_zh == ""
    assert Affiliation.objects.get(pk=role.pk).role_zh == ""
    assert Case.objects.get(pk=case.pk).title_en == "In Salah"


def test_the_index_written_before_the_rule_is_corrected_after_migrate(search_home, committed):
    with committed():
        case = CaseFactory(title_en="In Salah", title_zh="In Salah")
    # the document as the index held it before the rule: the copy counted as Chinese
    index = get_index("case")
    stale = dataclasses.replace(
        document_for(index, case), title_fields={"title_en": "In Salah", "title_zh": "In Salah"}
    )
    get_search_backend().update([stale], [])
    assert "title (Chinese)" in search_records("salah", mode="lexical").results[0]["explanation"]
    run_migration()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    explanation = search_records("salah", mode="lexical").results[0]["explanation"]
    assert explanation == "“salah” in title (English)"
