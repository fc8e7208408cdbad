"""The reviewer's profile page: expertise, sectors, declared conflict organisations (taking
effect at once), the ties the platform detects, and the links that lead there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Investment
from ecotone.core.testing import OrganisationFactory, UserFactory, logged_in, make_member
from ecotone.programs import services
from ecotone.programs.conflicts import reviewer_ties
from ecotone.programs.models import Assignment

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co", website="https://sunco.example")
    submission = apply(world, user, org, title="Floating solar on reservoirs")
    services.start_round(user=world.manager, round=world.rounds[0])
    reviewer = add_reviewer(world, "rev", expertise="photovoltaics")
    return world, org, submission, reviewer


def url(world) -> str:
    return f"/en/programmes/{world.programme.slug}/reviewer/"


def test_only_people_in_the_pool_have_a_profile(setting, client):
    world, _org, _submission, _reviewer = setting
    assert client.get(url(world)).status_code == 302  # to the login page
    assert logged_in(UserFactory()).get(url(world)).status_code == 404
    assert logged_in(world.manager).get(url(world)).status_code == 404


def test_the_reviewer_edits_expertise_sectors_and_declared_organisations(setting):
    world, _org, _submission, reviewer = setting
    other = OrganisationFactory(name_en="Old Employer")
    client = logged_in(reviewer.user)
    response = client.post(
        url(world),
        {
            "expertise": "grid-scale storage, flow batteries",
            "sectors": ["energy-storage", "power-grids"],
            "organisations": [str(other.pk)],
        },
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.expertise == "grid-scale storage, flow batteries"
    assert {s.slug for s in reviewer.sectors.all()} == {"energy-storage", "power-grids"}
    assert list(reviewer.declared_organisations.all()) == [other]
    assert AuditEntry.objects.filter(action="conflict_declare").exists()
    page = client.get(url(world)).content.decode()
    assert f'value="{other.pk}" checked' in page and "Old Employer" in page
    assert '<option value="energy-storage" selected>' in page


def test_declaring_the_applicant_takes_the_submission_out_of_the_queue_at_once(setting):
    world, org, submission, reviewer = setting
    assignment = Assignment.objects.create(
        round=world.rounds[0], submission=submission, reviewer=reviewer
    )
    client = logged_in(reviewer.user)
    assert submission.title in client.get("/en/programmes/reviews/").content.decode()

    client.post(url(world), {"expertise": "photovoltaics", "organisations": [str(org.pk)]})

    assert submission.title not in client.get("/en/programmes/reviews/").content.decode()
    assert client.get(f"/en/programmes/reviews/{assignment.pk}/").status_code == 404
    assert client.get(submission.get_absolute_url()).status_code == 404
    # and withdrawing the declaration brings it back
    client.post(url(world), {"expertise": "photovoltaics"})
    assert submission.title in client.get("/en/programmes/reviews/").content.decode()


def test_a_refused_organisation_names_the_problem_and_saves_nothing(setting):
    world, _org, _submission, reviewer = setting
    client = logged_in(reviewer.user)
    response = client.post(url(world), {"expertise": "changed", "organisations": ["999999"]})
    assert response.status_code == 422
    assert "There is no organisation 999999." in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.expertise == "photovoltaics"


def test_search_finds_catalogue_organisations_by_either_name(setting):
    world, _org, _submission, reviewer = setting
    OrganisationFactory(name_en="Pearl River Ventures", name_zh="珠江创投")
    OrganisationFactory(name_en="Hidden Draft Fund", status="draft")
    client = logged_in(reviewer.user)
    page = client.get(url(world), {"q": "珠江"}).content.decode()
    assert "Pearl River Ventures" in page
    assert "Hidden Draft Fund" not in client.get(url(world), {"q": "Fund"}).content.decode()
    with translation.override("zh-hans"):
        zh_url = f"/zh-hans/programmes/{world.programme.slug}/reviewer/"
        assert "珠江创投" in client.get(zh_url, {"q": "Pearl"}).content.decode()


def test_detected_ties_are_shown_with_their_reason_and_no_submission(setting):
    world, org, submission, reviewer = setting
    fund = OrganisationFactory(name_en="Ridge Capital")
    make_member(reviewer.user, fund)
    Investment.objects.create(investor=fund, investee=org, round="Seed", year=2022)
    reviewer.user.email = "rev@sunco.example"
    reviewer.user.save()
    page = logged_in(reviewer.user).get(url(world)).content.decode()
    assert "member of Ridge Capital" in page
    assert "Ridge Capital, an organisation they belong to, invested in Sun Co (Seed, 2022)" in page
    assert "e-mail address at sunco.example" in page
    assert submission.title not in page  # ties, never who applied with what


def test_links_from_the_programme_page_and_the_queue(setting):
    world, _org, _submission, reviewer = setting
    link = f'href="/en/programmes/{world.programme.slug}/reviewer/"'
    detail = world.programme.get_absolute_url()
    assert link in logged_in(reviewer.user).get(detail).content.decode()
    assert link not in logged_in(UserFactory()).get(detail).content.decode()
    assert link in logged_in(reviewer.user).get("/en/programmes/reviews/").content.decode()


def test_managers_see_each_reviewers_detected_and_declared_ties(setting):
    world, org, _submission, reviewer = setting
    make_member(reviewer.user, OrganisationFactory(name_en="Ridge Capital"))
    reviewer.declared_organisations.add(org)
    page = logged_in(world.manager).get(f"/en/programmes/{world.programme.slug}/manage/")
    text = page.content.decode()
    assert "Conflicts: 1 detected, 1 declared" in text
    assert "member of Ridge Capital" in text and "declared: Sun Co" in text


def _ties_queries(world, count: int) -> int:
    for number in range(count):
        reviewer = add_reviewer(world, f"pool-{count}-{number}")
        fund = OrganisationFactory()
        make_member(reviewer.user, fund)
        Investment.objects.create(investor=fund, investee=OrganisationFactory(), year=2020)
        reviewer.declared_organisations.add(OrganisationFactory())
    reviewers = list(world.programme.reviewers.select_related("user"))
    with CaptureQueriesContext(connection) as queries:
        ties = reviewer_ties(reviewers)
    assert all(len(ties[r.pk]) >= 1 for r in reviewers)
    return len(queries)


def test_the_pools_ties_take_a_fixed_number_of_queries(setting):
    world = setting[0]
    assert _ties_queries(world, 2) == _ties_queries(world, 6)
