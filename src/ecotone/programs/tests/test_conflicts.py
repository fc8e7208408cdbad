"""Conflicts of interest: each kind detected, overrides, and the visibility matrix (a
conflicted reviewer sees the submission on no page, in no API answer, in no export)."""

import datetime
import io

import openpyxl
import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Affiliation, Investment
from ecotone.core.testing import (
    CaseFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    logged_in,
    make_member,
    token_headers,
)
from ecotone.programs import services
from ecotone.programs.conflicts import conflict_reasons
from ecotone.programs.models import Assignment

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co", website="https://www.sunco.example/about")
    submission = apply(world, user, org)
    services.start_round(user=world.manager, round=world.rounds[0])
    return world, org, submission


def _codes(reviewer, submission):
    return {r.code for r in conflict_reasons(reviewer, submission)}


def test_membership_of_the_applicant_is_a_conflict(setting):
    world, org, submission = setting
    reviewer = add_reviewer(world, "insider")
    assert _codes(reviewer, submission) == set()
    make_member(reviewer.user, org)
    reviewer.user._ecotone_member_org_ids = None
    assert "member" in _codes(reviewer, submission)


def test_a_past_affiliation_is_a_conflict_and_says_until_when(setting):
    world, org, submission = setting
    reviewer = add_reviewer(world, "alumna")
    reviewer.person = PersonFactory()
    reviewer.save()
    Affiliation.objects.create(
        external_id="aff-1",
        person=reviewer.person,
        organisation=org,
        end=datetime.date(2021, 6, 30),
    )
    texts = [r.text for r in conflict_reasons(reviewer, submission)]
    assert any("until 2021" in t for t in texts)


def test_an_investment_by_the_reviewers_organisation_in_the_applicant_is_a_conflict(setting):
    world, org, submission = setting
    fund = OrganisationFactory(name_en="Fund", kind="investor")
    reviewer = add_reviewer(world, "partner")
    make_member(reviewer.user, fund)
    # named together on a case is no longer taken for an investment
    CaseFactory(title_en="Rooftop pilot").organisations.add(fund, org)
    assert "investor" not in _codes(reviewer, submission)
    Investment.objects.create(investor=fund, investee=org, round="Series A", year=2021)
    texts = [r.text for r in conflict_reasons(reviewer, submission) if r.code == "investor"]
    assert texts == ["Fund, an organisation they belong to, invested in Sun Co (Series A, 2021)"]


def test_an_investment_by_the_applicant_in_the_reviewers_past_employer_is_a_conflict(setting):
    world, org, submission = setting
    startup = OrganisationFactory(name_en="Tiny Grid")
    reviewer = add_reviewer(world, "alumnus")
    reviewer.person = PersonFactory()
    reviewer.save()
    Affiliation.objects.create(
        external_id="aff-2",
        person=reviewer.person,
        organisation=startup,
        end=datetime.date(2020, 1, 1),
    )
    Investment.objects.create(investor=org, investee=startup, year=2019)
    texts = [r.text for r in conflict_reasons(reviewer, submission) if r.code == "investor"]
    assert texts == ["Sun Co invested in Tiny Grid, an organisation they belong to (2019)"]


def test_an_investment_between_unrelated_organisations_is_no_conflict(setting):
    world, org, submission = setting
    reviewer = add_reviewer(world, "bystander")
    make_member(reviewer.user, OrganisationFactory(name_en="Mine"))
    Investment.objects.create(investor=OrganisationFactory(), investee=org, round="Seed")
    assert _codes(reviewer, submission) == set()


def test_an_e_mail_at_the_applicant_domain_is_a_conflict_but_webmail_is_not(setting):
    world, _org, submission = setting
    same = add_reviewer(world, "same-domain", email="x@sunco.example")
    webmail = add_reviewer(world, "webmail", email="x@gmail.com")
    assert "domain" in _codes(same, submission)
    assert _codes(webmail, submission) == set()


def test_a_manager_overrides_a_detected_conflict_with_a_reason_but_not_a_declared_one(setting):
    world, org, submission = setting
    reviewer = add_reviewer(world, "same-domain", email="x@sunco.example")
    with pytest.raises(services.ProgrammeRefused):
        services.override_conflict(
            user=world.manager, reviewer=reviewer, submission=submission, reason=""
        )
    services.override_conflict(
        user=world.manager,
        reviewer=reviewer,
        submission=submission,
        reason="shared web host, no tie",
    )
    assert _codes(reviewer, submission) == set()
    assert AuditEntry.objects.filter(
        action="conflict_override", reason="shared web host, no tie"
    ).exists()
    reviewer.declared_organisations.add(org)
    assert _codes(reviewer, submission) == {"declared_organisation"}


# --- the matrix ---------------------------------------------------------------------------

SURFACES = [
    "page",
    "review_page",
    "api_detail",
    "api_list",
    "api_queue",
    "csv",
    "xlsx",
    "queue_page",
]


@pytest.fixture
def matrix(setting):
    world, org, submission = setting
    clean = add_reviewer(world, "clean")
    conflicted = add_reviewer(world, "conflicted")
    idle = add_reviewer(world, "idle")
    invested = add_reviewer(world, "invested")
    assignments = {}
    for reviewer in (clean, conflicted, invested):
        assignments[reviewer.user.username] = Assignment.objects.create(
            round=world.rounds[0], submission=submission, reviewer=reviewer
        )
    # the conflicts arise after the assignment: declared by the reviewer's organisation list,
    # and an investment of the reviewer's fund in the applicant recorded in the catalogue
    conflicted.declared_organisations.add(org)
    fund = OrganisationFactory(name_en="Ridge Capital", kind="investor")
    make_member(invested.user, fund)
    Investment.objects.create(investor=fund, investee=org, round="Seed", year=2022)
    staff = UserFactory(username="staff", is_staff=True)
    outsider = UserFactory(username="outsider")
    applicant = world.applicants[0][0]
    roles = {
        "visitor": None,
        "outsider": outsider,
        "applicant": applicant,
        "manager": world.manager,
        "staff": staff,
        "clean reviewer": clean.user,
        "conflicted reviewer": conflicted.user,
        "investment-conflicted reviewer": invested.user,
        "idle reviewer": idle.user,
    }
    return world, submission, roles, assignments


def _sees(surface, user, world, submission, assignments) -> bool:
    slug = world.programme.slug
    client = logged_in(user)
    headers = token_headers(user)
    if surface == "page":
        return client.get(submission.get_absolute_url()).status_code == 200
    if surface == "review_page":
        a = assignments.get(getattr(user, "username", ""))
        return a is not None and client.get(f"/en/programmes/reviews/{a.pk}/").status_code == 200
    if surface == "api_detail":
        return (
            client.get(
                f"/api/v1/programmes/submissions/{submission.pk}", headers=headers
            ).status_code
            == 200
        )
    if surface == "api_list":
        body = client.get(f"/api/v1/programmes/{slug}/submissions", headers=headers).json()
        return any(row["id"] == submission.pk for row in body)
    if surface == "api_queue":
        if user is None:
            return False
        body = client.get("/api/v1/programmes/reviews", headers=headers).json()
        return any(row["submission"] == submission.pk for row in body)
    if surface == "csv":
        text = client.get(f"/en/programmes/{slug}/export.csv").content.decode("utf-8-sig")
        return submission.title in text
    if surface == "xlsx":
        content = client.get(f"/en/programmes/{slug}/export.xlsx").content
        if not content.startswith(b"PK"):  # a refusal page, not a workbook
            return False
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return any(submission.title in row for row in sheet.iter_rows(values_only=True))
    if surface == "queue_page":
        return (
            user is not None
            and submission.title in client.get("/en/programmes/reviews/").content.decode()
        )
    raise AssertionError(surface)


EXPECTED = {
    "visitor": set(),
    "outsider": set(),
    "applicant": {"page", "api_detail", "api_list", "csv", "xlsx"},
    "manager": {"page", "api_detail", "api_list", "csv", "xlsx"},
    "staff": {"page", "api_detail", "api_list", "csv", "xlsx"},
    "clean reviewer": set(SURFACES),
    "conflicted reviewer": set(),
    "investment-conflicted reviewer": set(),
    "idle reviewer": set(),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_sees_the_submission_where(matrix, role):
    world, submission, roles, assignments = matrix
    seen = {s for s in SURFACES if _sees(s, roles[role], world, submission, assignments)}
    assert seen == EXPECTED[role]
