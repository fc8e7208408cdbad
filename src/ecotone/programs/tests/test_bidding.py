"""Bids: who may bid on what and when, over the API and on the page; a conflicted reviewer
never sees the submission (a matrix of roles × surfaces, like ``test_conflicts``)."""

import pytest

from ecotone.accounts.models import AuditEntry
from ecotone.catalog.models import Investment
from ecotone.core.testing import (
    OrganisationFactory,
    UserFactory,
    logged_in,
    make_member,
    token_headers,
)
from ecotone.programs import services
from ecotone.programs.affinity import affinity_table
from ecotone.programs.models import Bid
from ecotone.programs.services import assigning, bidding

from .conftest import add_applicant, add_reviewer, apply, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co", website="https://sunco.example")
    submission = apply(world, user, org, title="Rooftop solar for schools")
    return world, org, submission


def _api(client, method, url, user, body=None):
    return getattr(client, method)(
        url, body, content_type="application/json", headers=token_headers(user)
    )


def test_a_reviewer_bids_clears_and_the_bid_counts_in_the_affinity(client, setting):
    world, _org, submission = setting
    reviewer = add_reviewer(world, "rev")
    url = f"/api/v1/programmes/{world.programme.slug}/bids"
    listed = _api(client, "get", url, reviewer.user).json()
    assert [(row["submission"], row["preference"]) for row in listed] == [(submission.pk, None)]
    placed = _api(client, "put", f"{url}/{submission.pk}", reviewer.user, {"preference": 2})
    assert placed.status_code == 200 and placed.json()["preference"] == 2
    assert _api(client, "get", url, reviewer.user).json()[0]["preference"] == 2
    assert affinity_table([reviewer], [submission]).bids[0, 0] > 0
    cleared = _api(client, "put", f"{url}/{submission.pk}", reviewer.user, {"preference": None})
    assert cleared.json()["preference"] is None and not Bid.objects.exists()
    bad = _api(client, "put", f"{url}/{submission.pk}", reviewer.user, {"preference": 3})
    assert bad.status_code == 422 and bad.json()["field"] == "preference"


def test_blind_review_hides_the_applicant_and_open_review_shows_it(client, setting):
    world, _org, _submission = setting
    reviewer = add_reviewer(world, "rev")
    url = f"/api/v1/programmes/{world.programme.slug}/bids"
    assert _api(client, "get", url, reviewer.user).json()[0]["applicant"] is None
    page = logged_in(reviewer.user).get(f"/en/programmes/{world.programme.slug}/bids/")
    assert "Rooftop solar for schools" in page.content.decode()
    assert "Sun Co" not in page.content.decode()
    world.programme.review_mode = "open"
    world.programme.save()
    assert _api(client, "get", url, reviewer.user).json()[0]["applicant"] == "Sun Co"


def test_bidding_closes_when_the_round_is_assigned(client, setting):
    world, _org, submission = setting
    reviewer = add_reviewer(world, "rev")
    url = f"/api/v1/programmes/{world.programme.slug}/bids"
    services.start_round(user=world.manager, round=world.rounds[0])
    assert len(_api(client, "get", url, reviewer.user).json()) == 1  # started, not assigned
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert _api(client, "get", url, reviewer.user).json() == []
    late = _api(client, "put", f"{url}/{submission.pk}", reviewer.user, {"preference": 1})
    assert late.status_code == 409 and late.json()["code"] == "bidding_closed"


def test_drafts_and_other_programmes_submissions_are_not_biddable(client, setting):
    world, org, _submission = setting
    user = world.applicants[0][0]
    draft = services.save_draft(
        user=user,
        programme=world.programme,
        data={"track": "energy", "applicant": org.pk, "title": "Unsent"},
    )
    other = make_programme(slug="other-challenge")
    foreign_user, foreign_org = add_applicant(other, "Wind Co")
    foreign = apply(other, foreign_user, foreign_org)
    reviewer = add_reviewer(world, "rev")
    ids = {s.pk for s in bidding.biddable_submissions(reviewer)}
    assert draft.pk not in ids and foreign.pk not in ids
    url = f"/api/v1/programmes/{world.programme.slug}/bids/{foreign.pk}"
    assert _api(client, "put", url, reviewer.user, {"preference": 1}).status_code == 404


# --- the matrix ---------------------------------------------------------------------------

SURFACES = ["api_list", "api_put", "page", "page_post"]


@pytest.fixture
def matrix(setting):
    world, org, submission = setting
    clean = add_reviewer(world, "clean")
    declared = add_reviewer(world, "declared")
    declared.declared_organisations.add(org)
    flagged = add_reviewer(world, "flagged")
    services.declare_submission_conflict(
        user=flagged.user, reviewer=flagged, submission=submission, reason="I advised them"
    )
    # a webmail address: their membership must not make every colleague's domain suspect
    insider = add_reviewer(world, "insider", email="insider@gmail.com")
    make_member(insider.user, org)
    same_domain = add_reviewer(world, "same-domain", email="ops@sunco.example")
    invested = add_reviewer(world, "invested")
    fund = OrganisationFactory(name_en="Ridge Capital", kind="investor")
    make_member(invested.user, fund)
    Investment.objects.create(investor=fund, investee=org, round="Seed", year=2022)
    inactive = add_reviewer(world, "inactive")
    inactive.active = False
    inactive.save()
    roles = {
        "visitor": None,
        "outsider": UserFactory(username="outsider"),
        "applicant": world.applicants[0][0],
        "manager": world.manager,
        "staff": UserFactory(username="staff", is_staff=True),
        "clean reviewer": clean.user,
        "declared-organisation reviewer": declared.user,
        "submission-declared reviewer": flagged.user,
        "member reviewer": insider.user,
        "same-domain reviewer": same_domain.user,
        "investment reviewer": invested.user,
        "inactive reviewer": inactive.user,
    }
    return world, submission, roles


def _sees(surface, user, world, submission) -> bool:
    slug = world.programme.slug
    api = f"/api/v1/programmes/{slug}/bids"
    client = logged_in(user)
    if surface == "api_list":
        response = client.get(api, headers=token_headers(user) if user else {})
        return response.status_code == 200 and submission.pk in {
            row["submission"] for row in response.json()
        }
    if surface == "api_put":
        response = client.put(
            f"{api}/{submission.pk}",
            {"preference": 1},
            content_type="application/json",
            headers=token_headers(user) if user else {},
        )
        return response.status_code == 200
    if surface == "page":
        response = client.get(f"/en/programmes/{slug}/bids/")
        return response.status_code == 200 and submission.title in response.content.decode()
    before = Bid.objects.count()
    client.post(f"/en/programmes/{slug}/bids/{submission.pk}/", {"preference": "2"})
    return Bid.objects.count() > before


@pytest.mark.parametrize("surface", SURFACES)
def test_only_an_unconflicted_active_reviewer_sees_and_bids(matrix, surface):
    world, submission, roles = matrix
    seen = {role for role, user in roles.items() if _sees(surface, user, world, submission)}
    assert seen == {"clean reviewer"}


def test_the_queue_page_links_to_the_bids_index_which_lists_the_pools(setting):
    world, _org, _submission = setting
    reviewer = add_reviewer(world, "rev")
    client = logged_in(reviewer.user)
    queue = client.get("/en/programmes/reviews/").content.decode()
    assert "/en/programmes/bids/" in queue
    index = client.get("/en/programmes/bids/").content.decode()
    assert f"/en/programmes/{world.programme.slug}/bids/" in index
    assert logged_in(None).get("/en/programmes/bids/").status_code == 302  # log in first


def test_the_page_form_saves_a_bid_and_says_so(setting):
    world, _org, submission = setting
    reviewer = add_reviewer(world, "rev")
    client = logged_in(reviewer.user)
    url = f"/en/programmes/{world.programme.slug}/bids/"
    response = client.post(f"{url}{submission.pk}/", {"preference": "-1"}, follow=True)
    assert Bid.objects.get(reviewer=reviewer, submission=submission).preference == -1
    assert 'value="-1" selected' in response.content.decode()
    refused = client.post(f"{url}{submission.pk}/", {"preference": "7"}, follow=True)
    assert Bid.objects.get(reviewer=reviewer).preference == -1
    assert "Choose" in refused.content.decode()


# --- audit ----------------------------------------------------------------------------------


def _bid_entries(reviewer):
    return list(
        AuditEntry.objects.filter(action__startswith="bid_", object_id=str(reviewer.pk))
        .order_by("pk")
        .values_list("action", "actor_id", "changes")
    )


def test_placing_changing_and_withdrawing_each_write_one_entry(client, setting):
    world, _org, submission = setting
    reviewer = add_reviewer(world, "rev")
    url = f"/api/v1/programmes/{world.programme.slug}/bids/{submission.pk}"
    _api(client, "put", url, reviewer.user, {"preference": 1})
    _api(client, "put", url, reviewer.user, {"preference": -1})
    _api(client, "put", url, reviewer.user, {"preference": -1})  # the same: no change
    _api(client, "put", url, reviewer.user, {"preference": None})
    _api(client, "put", url, reviewer.user, {"preference": None})  # nothing left to withdraw
    user = reviewer.user.pk
    assert _bid_entries(reviewer) == [
        ("bid_place", user, {"submission": submission.pk, "from": None, "to": 1}),
        ("bid_change", user, {"submission": submission.pk, "from": 1, "to": -1}),
        ("bid_withdraw", user, {"submission": submission.pk, "from": -1, "to": None}),
    ]
    entry = AuditEntry.objects.filter(action="bid_place").get()
    assert entry.content_type.model == "reviewer"  # never in the submission's history


def test_the_page_form_is_audited_too(setting):
    world, _org, submission = setting
    reviewer = add_reviewer(world, "rev")
    url = f"/en/programmes/{world.programme.slug}/bids/{submission.pk}/"
    logged_in(reviewer.user).post(url, {"preference": "2"})
    assert [row[:2] for row in _bid_entries(reviewer)] == [("bid_place", reviewer.user.pk)]


def test_refused_bids_write_no_entry(client, setting):
    world, org, submission = setting
    reviewer = add_reviewer(world, "rev")
    conflicted = add_reviewer(world, "conflicted")
    conflicted.declared_organisations.add(org)
    url = f"/api/v1/programmes/{world.programme.slug}/bids/{submission.pk}"
    assert _api(client, "put", url, conflicted.user, {"preference": 2}).status_code == 404
    assert _api(client, "put", url, reviewer.user, {"preference": 9}).status_code == 422
    services.start_round(user=world.manager, round=world.rounds[0])
    assigning.run_assignment(user=world.manager, round=world.rounds[0])
    assert _api(client, "put", url, reviewer.user, {"preference": 1}).status_code == 409
    assert not AuditEntry.objects.filter(action__startswith="bid_").exists()
    assert not Bid.objects.exists()
