"""An investor organisation's members (and staff) create and edit its investor profile on a
page linked from the organisation's page; matching reads what they save."""

import pytest
from django.test import Client

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import InvestorProfile, Sector
from ecotone.core.testing import (
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
    make_member,
)
from ecotone.matching import ranking

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund():
    organisation = OrganisationFactory(name_en="Ridge Capital", kind="investor")
    member = UserFactory(username="partner")
    make_member(member, organisation)
    return organisation, member


def url(organisation) -> str:
    return f"/en/organisations/{organisation.pk}/investor-profile/"


def thesis(**changes) -> dict:
    fields = {
        "stages": ["seed", "series_a"],
        "ticket_min_usd": "250000",
        "ticket_max_usd": "2000000",
        "sectors": ["solar-power"],
        "regions": "CN; SG",
        "thesis_en": "Early solar hardware in Asia.",
        "thesis_zh": "亚洲早期光伏硬件。",
    }
    return {**fields, **changes}


def profile_entries(profile) -> list:
    return list(
        AuditEntry.objects.filter(object_id=str(profile.pk), content_type__model="investorprofile")
        .order_by("pk")
        .values_list("action", "actor__username")
    )


def test_a_member_creates_the_profile_from_the_organisations_page(fund):
    organisation, member = fund
    client = logged_in(member)
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert url(organisation) in page and "Add an investor profile" in page
    form = client.get(url(organisation))
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    assert '<select name="sectors" id="id_sectors" multiple size="8">' in form.content.decode()
    response = client.post(url(organisation), thesis(), follow=True)
    profile = InvestorProfile.objects.get(organisation=organisation)
    assert profile.stages == ["seed", "series_a"]
    assert (profile.ticket_min_usd, profile.ticket_max_usd) == (250_000, 2_000_000)
    assert [s.slug for s in profile.sectors.all()] == ["solar-power"]
    assert [c.code for c in profile.regions] == ["CN", "SG"]
    assert profile.external_id.startswith("ecotone-investor_profile-")
    assert profile_entries(profile) == [("create", "partner")]
    shown = response.content.decode()
    assert "Investor profile saved." in shown and "Early solar hardware in Asia." in shown
    assert "Edit the investor profile" in shown
    organisation.refresh_from_db()
    assert organisation.status == "published"  # the organisation itself is not touched


def test_a_member_edits_it_and_only_a_real_change_is_audited(fund):
    organisation, member = fund
    client = logged_in(member)
    client.post(url(organisation), thesis())
    profile = InvestorProfile.objects.get()
    form = client.get(url(organisation)).content.decode()
    assert 'value="seed" checked' in form and "Early solar hardware in Asia." in form
    client.post(url(organisation), thesis(stages=["growth"], ticket_max_usd="", regions=""))
    profile.refresh_from_db()
    assert profile.stages == ["growth"] and profile.ticket_max_usd is None
    assert list(profile.regions) == []
    client.post(url(organisation), thesis(stages=["growth"], ticket_max_usd="", regions=""))
    assert profile_entries(profile) == [("create", "partner"), ("update", "partner")]
    changed = AuditEntry.objects.get(action="update").changes
    assert set(changed) == {"stages", "ticket_max_usd", "regions"}
    assert InvestorProfile.objects.count() == 1
    history = client.get(url(organisation)).content.decode()
    assert "History" in history and "maximum ticket (USD)" in history


def test_staff_may_edit_any_organisations_profile(fund):
    organisation, _member = fund
    staff = UserFactory(username="staff", is_staff=True)
    logged_in(staff).post(url(organisation), thesis())
    assert profile_entries(InvestorProfile.objects.get()) == [("create", "staff")]


def test_others_may_not(fund):
    organisation, _member = fund
    outsider = logged_in(UserFactory(username="outsider"))
    assert outsider.get(url(organisation)).status_code == 403
    assert outsider.post(url(organisation), thesis()).status_code == 403
    page = outsider.get(organisation.get_absolute_url()).content.decode()
    assert url(organisation) not in page
    assert Client().post(url(organisation), thesis()).status_code == 302  # log in first
    hidden = OrganisationFactory(kind="investor", status="pending")
    assert outsider.post(url(hidden), thesis()).status_code == 404  # not visible to them
    assert outsider.get("/en/organisations/999999/investor-profile/").status_code == 404
    declined = UserFactory(username="former")
    make_member(declined, organisation).delete()
    assert logged_in(declined).post(url(organisation), thesis()).status_code == 403
    assert not InvestorProfile.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="investorprofile").exists()


def test_a_ticket_range_upside_down_is_named_and_nothing_is_written(fund):
    organisation, member = fund
    client = logged_in(member)
    response = client.post(url(organisation), thesis(ticket_min_usd="5000000"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_ticket_max_usd"' in page
    assert "must not be below the minimum ticket" in page
    assert 'href="#id_ticket_max_usd"' in page  # the summary links to the field
    assert not InvestorProfile.objects.exists()
    assert 'value="seed" checked' in page and 'value="5000000"' in page  # what was typed stays
    client.post(url(organisation), thesis())
    refused = client.post(url(organisation), thesis(ticket_max_usd="1", stages=["growth"]))
    assert refused.status_code == 422
    profile = InvestorProfile.objects.get()
    assert (profile.ticket_max_usd, profile.stages) == (2_000_000, ["seed", "series_a"])
    assert profile_entries(profile) == [("create", "partner")]


def test_unknown_values_are_named_by_field(fund):
    organisation, member = fund
    response = logged_in(member).post(
        url(organisation), thesis(regions="CN; XX", stages=["moonshot"], sectors=["nope"])
    )
    page = response.content.decode()
    assert response.status_code == 422
    for field in ("regions", "stages", "sectors"):
        assert f'id="error_{field}"' in page
    assert not InvestorProfile.objects.exists()


def test_the_chinese_page_labels_the_fields_in_chinese(fund):
    organisation, member = fund
    page = logged_in(member).get(url(organisation).replace("/en/", "/zh-hans/"))
    assert page.status_code == 200
    shown = page.content.decode()
    for label in ("最低单笔投资额（美元）", "投资阶段", "投资主张（英文）", "保存"):
        assert label in shown


def test_matching_sees_the_new_sectors_at_once(fund, search_home):
    organisation, member = fund
    startup = OrganisationFactory(name_en="Warmth Ltd")
    heat_pump = SolutionFactory(title_en="Industrial heat pump", provider=startup, trl=7)
    heat_pump.sectors.add(Sector.objects.get(slug="heating-cooling"))
    client = logged_in(member)

    def investor_match():
        group = ranking.investors(ranking.venture_for(heat_pump), limit=10)
        return {m.record.pk: m for m in group.matches + group.excluded}[organisation.pk]

    client.post(url(organisation), thesis(sectors=["solar-power"], regions=""))
    before = investor_match()
    assert [c.name for c in before.failed_constraints] == ["sectors"]
    client.post(url(organisation), thesis(sectors=["heating-cooling"], regions=""))
    after = investor_match()
    assert not after.excluded
    sectors = next(c for c in after.components if c.name == "sectors")
    assert sectors.value > 0 and "Heating" in sectors.reason
