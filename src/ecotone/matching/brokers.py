"""Introductions that always reach someone: the platform's brokers.

An introduction to an organisation with no active member goes to the brokers from the
start; one the members leave unanswered past ``ECOTONE_INTRODUCTION_ESCALATION_DAYS`` is
handed to them. The brokers of an introduction are the people and intermediary
organisations staff appointed for the target's sectors or country (``BrokerAssignment``),
or staff when nobody is appointed. Brokers reach the organisation through its public
contact routes and record each step; every state change is audited.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecotone.accounts.audit import record_audit
from ecotone.accounts.models import MembershipStatus
from ecotone.accounts.permissions import is_staff, member_organisation_ids
from ecotone.catalog.models import Organisation, Solution

from . import emails
from .models import (
    BrokerAction,
    BrokerAssignment,
    BrokerOutcome,
    Introduction,
    IntroductionRoute,
    IntroductionStatus,
)

#: what a broker's step does to the introduction's status (others leave it open)
CLOSING_OUTCOMES = {
    BrokerOutcome.DECLINED: IntroductionStatus.DECLINED,
    BrokerOutcome.CONNECTED: IntroductionStatus.CONNECTED,
}
MAX_NOTE_CHARS = 2000


def has_active_members(organisation: Organisation) -> bool:
    """Whether someone can answer for the organisation (the asker never is one of them:
    the services refuse a request to one's own organisation)."""
    return organisation.memberships.filter(
        status=MembershipStatus.ACTIVE, user__is_active=True
    ).exists()


def _active_assignments() -> list[BrokerAssignment]:
    return list(
        BrokerAssignment.objects.filter(active=True)
        .select_related("organisation", "user")
        .prefetch_related("sectors")
    )


def assignment_covers(assignment: BrokerAssignment, organisation: Organisation) -> bool:
    """An assignment covers an organisation in one of its sectors and countries (an empty
    list of either is no limit)."""
    sector_ids = {sector.pk for sector in assignment.sectors.all()}
    if sector_ids and not sector_ids & set(organisation.sectors.values_list("pk", flat=True)):
        return False
    codes = {str(getattr(c, "code", c)) for c in assignment.regions or []}
    return not codes or str(organisation.country) in codes


def _assignment_users(assignment: BrokerAssignment) -> QuerySet:
    users = get_user_model().objects.filter(is_active=True)
    if assignment.user_id:
        return users.filter(pk=assignment.user_id)
    return users.filter(
        memberships__organisation_id=assignment.organisation_id,
        memberships__status=MembershipStatus.ACTIVE,
    )


def brokers_for(organisation: Organisation) -> list:
    """Who brokers introductions to ``organisation``: its appointed brokers, else staff."""
    people = {}
    for assignment in _active_assignments():
        if assignment_covers(assignment, organisation):
            people.update({user.pk: user for user in _assignment_users(assignment)})
    if not people:
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        people = {user.pk: user for user in staff}
    return sorted(people.values(), key=lambda user: user.pk)


def _assignments_of(user) -> list[BrokerAssignment]:
    if not (user and user.is_authenticated):
        return []
    org_ids = member_organisation_ids(user)
    return [
        a
        for a in _active_assignments()
        if a.user_id == user.pk or (a.organisation_id and a.organisation_id in org_ids)
    ]


def is_broker(user) -> bool:
    return is_staff(user) or bool(_assignments_of(user))


def can_broker(user, introduction: Introduction) -> bool:
    """Staff broker every introduction; an appointed broker those their assignment covers.
    Nobody brokers a request their own organisation sent."""
    if not introduction.with_brokers:
        return False
    if introduction.requesting_organisation_id in member_organisation_ids(user):
        return False
    if is_staff(user):
        return True
    target = introduction.target_organisation
    return any(assignment_covers(a, target) for a in _assignments_of(user))


def broker_queue(user, *, include_closed: bool = False) -> list[Introduction]:
    """The introductions ``user`` brokers, oldest open first."""
    if not is_broker(user):
        return []
    queryset = Introduction.objects.filter(route=IntroductionRoute.BROKERS).select_related(
        "requester", "requesting_organisation", "target_organisation", "need", "solution"
    )
    if not include_closed:
        queryset = queryset.filter(status=IntroductionStatus.REQUESTED)
    return [i for i in queryset.order_by("created_at", "pk")[:500] if can_broker(user, i)]


@dataclass
class ContactRoute:
    label: str
    url: str


def contact_routes(organisation: Organisation) -> list[ContactRoute]:
    """Public ways to reach an organisation, from its record: its website and the source
    the record came from, then the sources of its published solutions."""
    routes, seen = [], set()

    def add(label, url):
        if url and url not in seen:
            seen.add(url)
            routes.append(ContactRoute(str(label), url))

    add(gettext_lazy("Website"), organisation.website)
    add(gettext_lazy("Source of the record"), organisation.source_url)
    solutions = organisation.solutions.filter(Solution.public_condition())
    for solution in solutions.order_by("pk")[:5]:
        add(_("Solution: %(title)s") % {"title": solution.label}, solution.url)
        add(_("Source of %(title)s") % {"title": solution.label}, solution.source_url)
    return routes


def _locked(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_for_update().get(pk=introduction.pk)


@transaction.atomic
def record_broker_action(*, user, introduction: Introduction, outcome: str, note: str = ""):
    """A broker records what they did. "declined" and "connected" close the request and
    their note becomes the answer the requester reads."""
    from .services import MatchingRefused

    if not can_broker(user, introduction):
        raise PermissionDenied(_("Only the brokers of this introduction record its steps."))
    if outcome not in BrokerOutcome.values:
        raise MatchingRefused(
            _("Choose what you did: contacted, no answer, declined or connected."),
            field="outcome",
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise MatchingRefused(
            _("Keep the note under %(limit)s characters.") % {"limit": MAX_NOTE_CHARS},
            field="note",
        )
    introduction = _locked(introduction)
    if introduction.status != IntroductionStatus.REQUESTED:
        raise MatchingRefused(
            _("This request is already %(status)s.")
            % {"status": introduction.get_status_display().lower()},
            code="not_open",
            status=409,
        )
    now = timezone.now()
    action = BrokerAction.objects.create(
        introduction=introduction, broker=user, outcome=outcome, note=note
    )
    introduction.broker_outcome, introduction.broker_outcome_at = outcome, now
    fields = ["broker_outcome", "broker_outcome_at", "updated_at"]
    if outcome in CLOSING_OUTCOMES:
        introduction.status = CLOSING_OUTCOMES[outcome]
        introduction.responded_by, introduction.responded_at = user, now
        introduction.response_note = note
        fields += ["status", "responded_by", "responded_at", "response_note"]
    introduction.save(update_fields=fields)
    record_audit(
        actor=user,
        action=f"introduction_broker_{outcome}",
        record=introduction,
        from_status=IntroductionStatus.REQUESTED,
        to_status=introduction.status,
        reason=note,
    )
    transaction.on_commit(lambda: emails.broker_step(introduction, action), robust=True)
    return action


def _hand_to_brokers(introduction: Introduction, *, now, reason: str) -> bool:
    """Move an open members' request to the brokers, once; True if this call did it."""
    moved = Introduction.objects.filter(
        pk=introduction.pk, status=IntroductionStatus.REQUESTED, route=IntroductionRoute.MEMBERS
    ).update(route=IntroductionRoute.BROKERS, escalated_at=now, updated_at=now)
    if not moved:
        return False
    introduction.refresh_from_db()
    record_audit(
        actor=None,
        action="introduction_escalate",
        record=introduction,
        from_status=introduction.status,
        to_status=introduction.status,
        changes={"route": IntroductionRoute.BROKERS},
        reason=reason,
    )
    transaction.on_commit(lambda: emails.handed_to_brokers(introduction), robust=True)
    return True


def hand_back_to_members(organisation: Organisation, *, actor) -> list[Introduction]:
    """The organisation now has a member (it was claimed): its open requests that brokers
    held go to that member, who answers them like any other."""
    handed = []
    open_requests = Introduction.objects.filter(
        target_organisation=organisation,
        status=IntroductionStatus.REQUESTED,
        route=IntroductionRoute.BROKERS,
    )
    for introduction in open_requests:
        introduction.route = IntroductionRoute.MEMBERS
        introduction.save(update_fields=["route", "updated_at"])
        record_audit(
            actor=actor,
            action="introduction_hand_to_members",
            record=introduction,
            from_status=introduction.status,
            to_status=introduction.status,
            changes={"route": IntroductionRoute.MEMBERS},
            reason=_("The organisation was claimed."),
        )
        handed.append(introduction)
    return handed


@dataclass
class ReminderRun:
    members_reminded: int = 0
    handed_to_brokers: int = 0
    brokers_reminded: int = 0


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


def process_unanswered_introductions(now=None, progress=None) -> ReminderRun:
    """Remind members of requests they leave unanswered, hand the overdue ones to the
    brokers, and remind brokers of requests they have not acted on. Each step is claimed
    by a conditional update before its e-mail leaves, so two runs (or a run restarted
    after a crash) never send the same reminder twice."""
    now = now or timezone.now()
    remind_before = now - _days("ECOTONE_INTRODUCTION_REMINDER_DAYS")
    escalate_before = now - _days("ECOTONE_INTRODUCTION_ESCALATION_DAYS")
    run = ReminderRun()
    open_requests = Introduction.objects.filter(status=IntroductionStatus.REQUESTED)
    members = open_requests.filter(route=IntroductionRoute.MEMBERS)
    for introduction in members.filter(created_at__lte=escalate_before).order_by("pk"):
        with transaction.atomic():
            if _hand_to_brokers(
                introduction,
                now=now,
                reason=_("No member answered within %(days)s days.")
                % {"days": settings.ECOTONE_INTRODUCTION_ESCALATION_DAYS},
            ):
                run.handed_to_brokers += 1
    due = members.filter(created_at__lte=remind_before, reminded_at__isnull=True)
    for introduction in due.order_by("pk"):
        with transaction.atomic():
            if Introduction.objects.filter(pk=introduction.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                record_audit(actor=None, action="introduction_remind_members", record=introduction)
                transaction.on_commit(
                    lambda i=introduction: emails.members_reminder(i), robust=True
                )
                run.members_reminded += 1
    brokers = open_requests.filter(
        route=IntroductionRoute.BROKERS, brokers_reminded_at__isnull=True, broker_outcome=""
    ).filter(
        Q(escalated_at__lte=remind_before)
        | Q(escalated_at__isnull=True, created_at__lte=remind_before)
    )
    for introduction in brokers.order_by("pk"):
        with transaction.atomic():
            if Introduction.objects.filter(
                pk=introduction.pk, brokers_reminded_at__isnull=True
            ).update(brokers_reminded_at=now):
                record_audit(actor=None, action="introduction_remind_brokers", record=introduction)
                transaction.on_commit(
                    lambda i=introduction: emails.brokers_reminder(i), robust=True
                )
                run.brokers_reminded += 1
    if progress:
        progress(run)
    return run


def answer_due(introduction: Introduction):
    """When an open members' request goes to the brokers if nobody answers."""
    if not introduction.is_open or introduction.with_brokers:
        return None
    return introduction.created_at + _days("ECOTONE_INTRODUCTION_ESCALATION_DAYS")


def on_organisation_claimed(sender, *, organisation, user, actor, **kwargs) -> None:
    """An organisation's profile was claimed: the requests its brokers held go to its new
    administrator, who is told by e-mail once the claim has committed."""
    for introduction in hand_back_to_members(organisation, actor=actor):
        transaction.on_commit(lambda i=introduction: emails.introduction_requested(i), robust=True)
