"""Introduction requests through the services: rules, audit entries and e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ecotone.accounts.models import AuditEntry
from ecotone.accounts.permissions import forget_memberships
from ecotone.core.testing import (
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    make_member,
)
from ecotone.matching import queries, services
from ecotone.matching.models import Introduction

pytestmark = pytest.mark.django_db


@pytest.fixture
def sides():
    """A city with a need (asking) and a startup with a solution (asked)."""
    city = OrganisationFactory(name_en="Shenzhen Metro", kind="corporate")
    startup = OrganisationFactory(name_en="Volt Startup")
    asker = UserFactory(username="mei", email="mei@metro.example", first_name="Mei", last_name="Li")
    colleague = UserFactory(username="chen", email="chen@metro.example")
    answerer = UserFactory(username="ravi", email="ravi@volt.example", first_name="Ravi")
    other_target_member = UserFactory(username="ana", email="ana@volt.example")
    make_member(asker, city)
    make_member(colleague, city)
    make_member(answerer, startup)
    make_member(other_target_member, startup)
    return {
        "city": city,
        "startup": startup,
        "asker": asker,
        "colleague": colleague,
        "answerer": answerer,
        "need": NeedFactory(organisation=city, title_en="Depot charging"),
        "solution": SolutionFactory(provider=startup, title_en="Smart chargers"),
    }


def ask(sides, *, about=None, message="We run 200 buses and would like to talk.", **overrides):
    arguments = {
        "user": sides["asker"],
        "requesting_organisation": sides["city"],
        "target_organisation": sides["startup"],
        "about": about or sides["need"],
        "message": message,
        **overrides,
    }
    return services.request_introduction(**arguments)


def test_a_request_is_audited_and_mailed_to_the_target_members(sides, committed, settings):
    settings.ECOTONE_SITE_URL = "https://ecotone.example.org"
    with committed():
        introduction = ask(sides)
    assert introduction.status == "requested" and introduction.requester == sides["asker"]
    entry = AuditEntry.objects.get(action="introduction_request")
    assert entry.object_id == str(introduction.pk) and entry.actor == sides["asker"]
    [message] = mail.outbox
    assert sorted(message.to) == ["ana@volt.example", "ravi@volt.example"]
    assert "Shenzhen Metro" in message.subject
    assert "We run 200 buses" in message.body and "Depot charging" in message.body
    assert "mei@metro.example" not in message.body  # no contact details before consent
    assert "https://ecotone.example.org/en/introductions/" in message.body  # a link that works


def test_acceptance_shares_contact_details_with_both_sides(sides, committed):
    introduction = ask(sides)
    assert queries.contacts(sides["answerer"], introduction) is None
    mail.outbox.clear()
    with committed():
        services.respond_to_introduction(
            user=sides["answerer"], introduction=introduction, accept=True, note="Happy to."
        )
    introduction.refresh_from_db()
    assert introduction.status == "accepted" and introduction.responded_by == sides["answerer"]
    for viewer in ("asker", "colleague", "answerer"):
        contacts = queries.contacts(sides[viewer], introduction)
        assert contacts["requester"] == {"name": "Mei Li", "email": "mei@metro.example"}
        assert contacts["responder"] == {"name": "Ravi", "email": "ravi@volt.example"}
    assert queries.contacts(UserFactory(), introduction) is None
    [message] = mail.outbox
    assert sorted(message.to) == ["mei@metro.example", "ravi@volt.example"]
    assert "accepted" in message.subject
    assert "Mei Li <mei@metro.example>" in message.body
    assert "Ravi <ravi@volt.example>" in message.body and "Happy to." in message.body
    entry = AuditEntry.objects.get(action="introduction_accept")
    assert (entry.from_status, entry.to_status, entry.reason) == (
        "requested",
        "accepted",
        "Happy to.",
    )


def test_a_decline_tells_the_asker_without_contact_details(sides, committed):
    introduction = ask(sides)
    mail.outbox.clear()
    with committed():
        services.respond_to_introduction(
            user=sides["answerer"], introduction=introduction, accept=False, note="Not now."
        )
    [message] = mail.outbox
    assert message.to == ["mei@metro.example"]
    assert "declined" in message.subject and "ravi@volt.example" not in message.body
    assert queries.contacts(sides["asker"], introduction) is None


def test_an_answer_is_given_once(sides):
    introduction = ask(sides)
    services.respond_to_introduction(
        user=sides["answerer"], introduction=introduction, accept=False
    )
    with pytest.raises(services.MatchingRefused) as refused:
        services.respond_to_introduction(
            user=sides["answerer"], introduction=introduction, accept=True
        )
    assert refused.value.status == 409 and "already declined" in refused.value.message


def test_only_target_members_answer_and_only_the_asking_side_withdraws(sides):
    introduction = ask(sides)
    for user in (sides["asker"], sides["colleague"], UserFactory(is_staff=True), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.respond_to_introduction(user=user, introduction=introduction, accept=True)
    with pytest.raises(PermissionDenied):
        services.withdraw_introduction(user=sides["answerer"], introduction=introduction)
    services.withdraw_introduction(user=sides["colleague"], introduction=introduction)
    introduction.refresh_from_db()
    assert introduction.status == "withdrawn" and introduction.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="introduction_withdraw").count() == 1


def test_no_self_introductions(sides):
    with pytest.raises(services.MatchingRefused) as refused:
        ask(sides, target_organisation=sides["city"])
    assert refused.value.field == "target_organisation"
    make_member(sides["asker"], sides["startup"])
    forget_memberships(sides["asker"])
    with pytest.raises(services.MatchingRefused) as member:
        ask(sides)
    assert "member of Volt Startup yourself" in member.value.message


def test_a_duplicate_open_request_is_refused_until_the_first_is_answered(sides):
    first = ask(sides)
    with pytest.raises(services.MatchingRefused) as refused:
        ask(sides, user=sides["colleague"], message="Again")
    assert refused.value.status == 409 and refused.value.code == "duplicate"
    assert "already has an open request to Volt Startup" in refused.value.message
    ask(sides, about=sides["solution"])  # another subject is another request
    services.respond_to_introduction(user=sides["answerer"], introduction=first, accept=False)
    assert ask(sides, message="Things have changed").status == "requested"


def test_the_database_refuses_a_duplicate_that_slips_past_the_check(sides):
    ask(sides)
    with pytest.raises(IntegrityError), transaction.atomic():
        Introduction.objects.create(
            requester=sides["asker"],
            requesting_organisation=sides["city"],
            target_organisation=sides["startup"],
            need=sides["need"],
            message="raced",
        )


def test_the_subject_must_belong_to_one_side_and_be_published(sides):
    stranger_need = NeedFactory(title_en="Someone else's need")
    with pytest.raises(services.MatchingRefused) as refused:
        ask(sides, about=stranger_need)
    assert refused.value.field == "about_id"
    pending = NeedFactory(organisation=sides["city"], status="pending")
    with pytest.raises(services.MatchingRefused) as unpublished:
        services.resolve_about("need", pending.pk)
    assert unpublished.value.field == "about_id"
    with pytest.raises(services.MatchingRefused):
        services.resolve_about("case", 1)
    with pytest.raises(services.MatchingRefused) as pending_target:
        ask(sides, target_organisation=OrganisationFactory(status="pending"))
    assert pending_target.value.field == "target_organisation"
    with pytest.raises(services.MatchingRefused) as pending_subject:
        ask(sides, about=pending)
    assert pending_subject.value.field == "about_id"


def test_one_asks_only_for_an_organisation_one_belongs_to(sides):
    with pytest.raises(PermissionDenied):
        ask(sides, user=UserFactory())
    with pytest.raises(PermissionDenied):
        ask(sides, user=sides["answerer"])


@pytest.mark.parametrize("message", ["", "   ", "x" * 2001])
def test_the_message_is_required_and_bounded(sides, message):
    with pytest.raises(services.MatchingRefused) as refused:
        ask(sides, message=message)
    assert refused.value.field == "message"
    assert not Introduction.objects.exists()


def test_no_mail_leaves_when_the_request_is_rolled_back(sides, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        ask(sides)
        raise RuntimeError("a later step failed")
    assert mail.outbox == []
    assert not Introduction.objects.exists()


def test_feedback_and_criteria_are_for_the_needs_maintainers(sides):
    solution = sides["solution"]
    with pytest.raises(PermissionDenied):
        services.record_feedback(
            user=sides["answerer"], need=sides["need"], candidate=solution, relevant=True
        )
    services.record_feedback(
        user=sides["asker"], need=sides["need"], candidate=solution, relevant=True
    )
    assert AuditEntry.objects.filter(action="match_feedback").count() == 1
    with pytest.raises(PermissionDenied):
        services.set_need_criteria(user=sides["answerer"], need=sides["need"], min_trl=5)
    services.set_need_criteria(user=sides["asker"], need=sides["need"], min_trl="5")
    assert sides["need"].match_criteria.min_trl == 5
    with pytest.raises(services.MatchingRefused) as refused:
        services.set_need_criteria(user=sides["asker"], need=sides["need"], min_trl="12")
    assert refused.value.field == "min_trl"
    services.set_need_criteria(user=sides["asker"], need=sides["need"], min_trl="")
    sides["need"].match_criteria.refresh_from_db()
    assert sides["need"].match_criteria.min_trl is None
    assert AuditEntry.objects.filter(action="match_criteria", object_id=str(sides["need"].pk))


def test_the_needs_maintainers_state_the_countries_and_the_audit_says_what_changed(sides):
    need = sides["need"]
    with pytest.raises(PermissionDenied):
        services.set_need_criteria(user=sides["answerer"], need=need, min_trl="", regions=["CN"])
    services.set_need_criteria(
        user=sides["asker"], need=need, min_trl="6", regions=["sg", " CN ", "CN", ""]
    )
    need.match_criteria.refresh_from_db()
    assert [str(c.code) for c in need.match_criteria.regions] == ["CN", "SG"]
    entry = AuditEntry.objects.filter(action="match_criteria").latest("pk")
    assert entry.changes == {"min_trl": "6", "regions": "CN,SG"}
    assert entry.reason == "min_trl: — → 6; regions: — → CN,SG"
    with pytest.raises(services.MatchingRefused) as refused:
        services.set_need_criteria(user=sides["asker"], need=need, min_trl="6", regions=["ZZ"])
    assert refused.value.field == "regions" and "ZZ" in refused.value.message
    # leaving the regions out keeps them; an empty list lifts the limit
    services.set_need_criteria(user=sides["asker"], need=need, min_trl="7")
    need.match_criteria.refresh_from_db()
    assert [str(c.code) for c in need.match_criteria.regions] == ["CN", "SG"]
    services.set_need_criteria(user=sides["asker"], need=need, min_trl="7", regions=[])
    need.match_criteria.refresh_from_db()
    assert list(need.match_criteria.regions) == []
