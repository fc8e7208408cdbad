"""Reads of matchmaking: a person's introductions, contact cards and the staff figures."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ecotone.accounts.permissions import is_staff, member_organisation_ids
from ecotone.catalog.choices import NeedStatus
from ecotone.catalog.models import Need

from .models import (
    FeedbackVote,
    Introduction,
    IntroductionStatus,
    MatchFeedback,
    MatchImpression,
    MatchSurface,
)
from .permissions import can_see_contacts

#: the staff figures check this many open needs for matches (each check runs a search)
FIGURES_NEED_SAMPLE = 200


def _with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "requester",
        "responded_by",
        "requesting_organisation",
        "target_organisation",
        "need",
        "solution",
    )


def introductions_sent(user: User | AnonymousUser) -> QuerySet:
    return _with_related(
        Introduction.objects.filter(requesting_organisation_id__in=member_organisation_ids(user))
    )


def introductions_received(user: User | AnonymousUser) -> QuerySet:
    return _with_related(
        Introduction.objects.filter(target_organisation_id__in=member_organisation_ids(user))
    )


def introductions_visible_to(user: User | AnonymousUser) -> QuerySet:
    """Both sides' introductions of the user's organisations (staff: all of them)."""
    if is_staff(user):
        return _with_related(Introduction.objects.all())
    org_ids = member_organisation_ids(user)
    return _with_related(
        Introduction.objects.filter(
            Q(requesting_organisation_id__in=org_ids) | Q(target_organisation_id__in=org_ids)
        )
    )


def introductions_of_others(user: User | AnonymousUser) -> QuerySet:
    """For staff: introductions between organisations they do not belong to."""
    if not is_staff(user):
        return Introduction.objects.none()
    org_ids = member_organisation_ids(user)
    return _with_related(
        Introduction.objects.exclude(requesting_organisation_id__in=org_ids).exclude(
            target_organisation_id__in=org_ids
        )
    )


def side_of(user: User | AnonymousUser, introduction: Introduction) -> str:
    org_ids = member_organisation_ids(user)
    if introduction.requesting_organisation_id in org_ids:
        return "sent"
    if introduction.target_organisation_id in org_ids:
        return "received"
    return "staff"


def contact_card(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"name": user.get_full_name() or user.get_username(), "email": user.email}


def contacts(user: User | AnonymousUser, introduction: Introduction) -> dict | None:
    """Names and e-mails of the asker and the person who accepted, once accepted."""
    if not can_see_contacts(user, introduction):
        return None
    return {
        "requester": contact_card(introduction.requester),
        "responder": contact_card(introduction.responded_by),
    }


#: how far back the impression figures look
IMPRESSION_DAYS = 30


@dataclass
class Figures:
    open_needs: int
    needs_checked: int
    needs_with_matches: int
    match_lists_shown: int  #: in the last ``IMPRESSION_DAYS`` days, pages and API
    match_lists_shown_on_pages: int
    matches_shown: int
    needs_whose_matches_were_shown: int
    feedback_total: int
    feedback_relevant: int
    feedback_not_relevant: int
    needs_with_feedback: int
    introductions_requested: int
    introductions_open: int
    introductions_accepted: int
    introductions_declined: int
    introductions_withdrawn: int
    # after the match: who was asked, what came of it, how fast, and the alerts
    introductions_to_members: int = 0
    introductions_to_brokers: int = 0  #: from the start or after the deadline
    introductions_escalated: int = 0  #: handed to brokers after the members' deadline
    introductions_connected: int = 0  #: by a broker
    median_hours_to_answer: float | None = None  #: request → accepted/declined/connected
    alert_emails_sent: int = 0
    alert_records_sent: int = 0
    alert_links_opened: int = 0  #: records in alert e-mails whose link was followed
    alert_emails_opened: int = 0  #: alert e-mails with at least one link followed
    alerts_unsubscribed: int = 0  #: alerts stopped by their e-mail's unsubscribe link
    alerts_off: int = 0  #: alerts set to "no e-mail", by the link or on the alerts page
    follows: int = 0


def after_match_figures() -> dict:
    """What happened after the matches: introductions by route and outcome, the median
    time to an answer, alert e-mails, their links followed and unsubscribes, follows."""
    from .models import (
        AlertFrequency,
        Follow,
        IntroductionRoute,
        MatchAlert,
        MatchListAlert,
        SavedSearch,
        SentItem,
    )

    subscriptions = (MatchAlert, SavedSearch, MatchListAlert)
    emails = ("alert_id", "saved_search_id", "match_list_id", "sent_at")

    routes = dict(
        Introduction.objects.order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values_list("route", "n")
    )
    answered = Introduction.objects.filter(responded_at__isnull=False).values_list(
        "created_at", "responded_at"
    )
    hours = sorted(
        (done - asked).total_seconds() / 3600 for asked, done in answered if done is not None
    )
    median = None
    if hours:
        middle = len(hours) // 2
        median = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    return {
        "introductions_to_members": routes.get(IntroductionRoute.MEMBERS, 0),
        "introductions_to_brokers": routes.get(IntroductionRoute.BROKERS, 0),
        "introductions_escalated": Introduction.objects.filter(escalated_at__isnull=False).count(),
        "introductions_connected": Introduction.objects.filter(
            status=IntroductionStatus.CONNECTED
        ).count(),
        "median_hours_to_answer": None if median is None else round(median, 1),
        "alert_emails_sent": SentItem.objects.values(*emails).distinct().count(),
        "alert_records_sent": SentItem.objects.count(),
        "alert_links_opened": SentItem.objects.filter(opened_at__isnull=False).count(),
        "alert_emails_opened": SentItem.objects.filter(opened_at__isnull=False)
        .values(*emails)
        .distinct()
        .count(),
        "alerts_unsubscribed": sum(
            model.objects.filter(unsubscribed_at__isnull=False).count() for model in subscriptions
        ),
        "alerts_off": sum(
            model.objects.filter(frequency=AlertFrequency.NONE).count() for model in subscriptions
        ),
        "follows": Follow.objects.count(),
    }


def open_needs() -> QuerySet:
    today = timezone.localdate()
    return Need.objects.filter(Need.public_condition(), need_status=NeedStatus.OPEN).filter(
        Q(deadline__isnull=True) | Q(deadline__gte=today)
    )


def funnel_figures() -> Figures:
    """From needs to matches, how often they were shown, feedback, introductions and
    their answers."""
    from .services import matches_for_need

    needs = open_needs()
    sample = list(
        needs.order_by("-created_at", "-pk").prefetch_related("sectors")[:FIGURES_NEED_SAMPLE]
    )
    with_matches = sum(1 for need in sample if matches_for_need(need, limit=1))
    votes = MatchFeedback.objects.aggregate(
        total=Count("pk"),
        relevant=Count("pk", filter=Q(vote=FeedbackVote.RELEVANT)),
        not_relevant=Count("pk", filter=Q(vote=FeedbackVote.NOT_RELEVANT)),
        needs=Count("need", distinct=True),
    )
    shown = MatchImpression.objects.filter(
        day__gt=timezone.localdate() - timedelta(days=IMPRESSION_DAYS)
    ).aggregate(
        lists=Sum("views", default=0),
        on_pages=Sum("views", default=0, filter=Q(surface=MatchSurface.PAGE)),
        matches=Sum("matches_shown", default=0),
        needs=Count("need", distinct=True),
    )
    statuses = dict(
        Introduction.objects.order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Figures(
        open_needs=needs.count(),
        needs_checked=len(sample),
        needs_with_matches=with_matches,
        match_lists_shown=shown["lists"],
        match_lists_shown_on_pages=shown["on_pages"],
        matches_shown=shown["matches"],
        needs_whose_matches_were_shown=shown["needs"],
        feedback_total=votes["total"],
        feedback_relevant=votes["relevant"],
        feedback_not_relevant=votes["not_relevant"],
        needs_with_feedback=votes["needs"],
        introductions_requested=sum(statuses.values()),
        introductions_open=statuses.get(IntroductionStatus.REQUESTED, 0),
        introductions_accepted=statuses.get(IntroductionStatus.ACCEPTED, 0),
        introductions_declined=statuses.get(IntroductionStatus.DECLINED, 0),
        introductions_withdrawn=statuses.get(IntroductionStatus.WITHDRAWN, 0),
        **after_match_figures(),
    )
