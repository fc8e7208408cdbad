"""Edits made in the Django admin reach the audit log like page and API edits do."""

import pytest
from django.test import Client

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Investment, Organisation
from ecotone.core.admin import ADMIN_REASON
from ecotone.core.testing import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client, staff


def test_an_admin_save_and_delete_are_audited(staff_client):
    client, staff = staff_client
    fund, startup = OrganisationFactory(name_en="Fund"), OrganisationFactory(name_en="Sun Co")
    added = client.post(
        "/admin/catalog/investment/add/",
        {"investor": fund.pk, "investee": startup.pk, "year": 2022, "round": "Seed"},
    )
    assert added.status_code == 302
    investment = Investment.objects.get()
    created = AuditEntry.objects.get(action="create", object_id=str(investment.pk))
    assert (created.actor, created.reason) == (staff, ADMIN_REASON)
    assert created.changes["round"] == "Seed"

    client.post(f"/admin/catalog/investment/{investment.pk}/delete/", {"post": "yes"})
    assert not Investment.objects.exists()
    deleted = AuditEntry.objects.get(action="delete", object_id=str(investment.pk))
    assert deleted.actor == staff and "Fund" in deleted.object_repr


def test_a_status_change_in_the_admin_records_both_statuses(staff_client):
    client, _staff = staff_client
    organisation = OrganisationFactory(name_en="Draft Org", status="draft")
    page = client.get(f"/admin/catalog/organisation/{organisation.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(status="published", name_en="Draft Org", kind=organisation.kind)
    data["sectors"] = []
    response = client.post(f"/admin/catalog/organisation/{organisation.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=organisation.pk).status == "published"
    entry = AuditEntry.objects.get(action="update", object_id=str(organisation.pk))
    assert (entry.from_status, entry.to_status, entry.reason) == (
        "draft",
        "published",
        ADMIN_REASON,
    )
    assert "status" in entry.changes
