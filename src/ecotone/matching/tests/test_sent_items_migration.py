"""Migration 0007 moves the records the match alerts and saved searches have sent into
the one ``SentItem`` table, and back: nothing already sent is sent again after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ecotone.core.testing import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("matching", "0006_saved_searches")]
AFTER = [("matching", "0007_sent_items_and_subscriptions")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_sent_records_move_to_one_table_and_back():
    user, organisation = UserFactory(), OrganisationFactory()
    sent_at = timezone.now()
    old = migrate(BEFORE)
    try:
        alert = old.get_model("matching", "MatchAlert").objects.create(
            user_id=user.pk, organisation_id=organisation.pk, kind="needs_for_solutions"
        )
        saved = old.get_model("matching", "SavedSearch").objects.create(
            user_id=user.pk, query="battery"
        )
        old.get_model("matching", "AlertItem").objects.create(
            alert=alert, record_kind="need", record_id=7, sent_at=sent_at, why="same sector"
        )
        old.get_model("matching", "SavedSearchItem").objects.create(
            saved_search=saved, record_kind="solution", record_id=9, sent_at=sent_at
        )
        new = migrate(AFTER)
        rows = new.get_model("matching", "SentItem").objects.order_by("record_id")
        assert list(
            rows.values_list("alert_id", "saved_search_id", "record_kind", "record_id")
        ) == [
            (alert.pk, None, "need", 7),
            (None, saved.pk, "solution", 9),
        ]
        assert rows.first().why == "same sector" and rows.first().sent_at == sent_at
        back = migrate(BEFORE)
        assert back.get_model("matching", "AlertItem").objects.get().why == "same sector"
        assert back.get_model("matching", "SavedSearchItem").objects.get().record_id == 9
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("matching"))
