"""Alerts of new matches, and follows with their feed.

Every active member of an organisation has two alerts, weekly until they change them:
new open needs that fit the organisation's solutions (its pilot sites, ranked by
``ranking.pilot_sites``) and new solutions and cases that fit its open needs
(``ranking.need_matches``). An alert holds only records published since its last e-mail,
each with its "why this matches" line, and a signed link that unsubscribes without
logging in.

``send_due_alerts`` is the scheduled step (``ecotone alerts send``, from cron or the
worker). For each due alert it writes the records it is about to send (``SentItem``,
unique per alert and record) and moves ``last_sent_at`` in one transaction, and sends
the e-mail only after that commits: a second run, or one restarted after a crash, never
sends a record twice (a crash between the commit and the send loses that e-mail instead).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.models import MembershipStatus
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Need, Organisation, Solution
from ecotone.core.links import absolute_url

from .models import (
    AlertFrequency,
    AlertKind,
    EmailSubscription,
    Follow,
    MatchAlert,
    SentItem,
)
from .ranking import need_matches, pilot_sites, venture_for

#: how many of an organisation's solutions or needs an alert looks from
RECORDS_PER_ORGANISATION = 20
MATCHES_PER_RECORD = 20
UNSUBSCRIBE_SALT = "ecotone.matching.alert-unsubscribe"
LINK_SALT = "ecotone.matching.alert-link"


def ensure_alerts(user) -> list[MatchAlert]:
    """The user's alerts, the default weekly ones created for organisations lacking them."""
    for organisation_id in member_organisation_ids(user):
        for kind in AlertKind.values:
            try:
                with transaction.atomic():
                    MatchAlert.objects.get_or_create(
                        user=user, organisation_id=organisation_id, kind=kind
                    )
            except IntegrityError:
                pass  # created by a concurrent request
    return list(
        MatchAlert.objects.filter(
            user=user, organisation_id__in=member_organisation_ids(user)
        ).select_related("organisation")
    )


def set_frequency(*, user, alert: EmailSubscription, frequency: str) -> EmailSubscription:
    """How often one of the user's alerts (a match alert, a saved search, a match list)
    is sent; "none" stops it."""
    from .services import MatchingRefused

    if alert.user_id != user.pk:
        raise PermissionDenied(_("This alert is not yours."))
    if frequency not in AlertFrequency.values:
        raise MatchingRefused(
            _("Choose immediately, daily, weekly or no e-mail."), field="frequency"
        )
    alert.frequency = frequency
    alert.save(update_fields=["frequency", "updated_at"])
    return alert


# --- what is new for an alert --------------------------------------------------------------


@dataclass
class AlertEntry:
    kind: str  #: need, solution or case
    record: object
    why: str
    for_title: str  #: the organisation's record it fits

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.record.pk)


def why_line(match) -> str:
    return "; ".join(str(c.reason) for c in match.components if c.value > 0)[:500]


def _is_new(record, since) -> bool:
    return since is None or record.created_at > since


def new_matches(alert: MatchAlert, since) -> list[AlertEntry]:
    """Published records that fit the alert's organisation and appeared after ``since``."""
    organisation, entries = alert.organisation, {}
    if alert.kind == AlertKind.NEEDS_FOR_SOLUTIONS:
        solutions = Solution.objects.filter(Solution.public_condition(), provider=organisation)
        for solution in solutions.order_by("-pk")[:RECORDS_PER_ORGANISATION]:
            for match in pilot_sites(venture_for(solution), MATCHES_PER_RECORD).matches:
                if _is_new(match.record, since):
                    entry = AlertEntry(match.kind, match.record, why_line(match), solution.label)
                    entries.setdefault(entry.key, entry)
    else:
        needs = Need.objects.filter(Need.public_condition(), organisation=organisation)
        for need in needs.order_by("-pk")[:RECORDS_PER_ORGANISATION]:
            for match in need_matches(need, MATCHES_PER_RECORD).matches:
                if _is_new(match.record, since):
                    entry = AlertEntry(match.kind, match.record, why_line(match), need.label)
                    entries.setdefault(entry.key, entry)
    return list(entries.values())


# --- sending -------------------------------------------------------------------------------


@dataclass
class AlertRun:
    checked: int = 0
    sent: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)


def _active_member_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__status=MembershipStatus.ACTIVE)
        .distinct()
    )


def send_due_alerts(now=None, progress=None) -> AlertRun:
    now = now or timezone.now()
    run = AlertRun()
    for user in _active_member_users().order_by("pk"):
        for alert in ensure_alerts(user):
            if not alert.is_due(now):
                continue
            run.checked += 1
            sent = _send_one(alert.pk, now)
            if sent:
                run.sent += 1
                run.items += sent
            if progress:
                progress(run)
    return run


def _send_one(alert_id: int, now) -> int:
    """Record and send what is new for one alert; the number of records sent."""
    with transaction.atomic():
        alert = (
            MatchAlert.objects.select_for_update()
            .select_related("user", "organisation")
            .get(pk=alert_id)
        )
        if not alert.is_due(now):
            return 0  # another run took it
        already = set(alert.items.values_list("record_kind", "record_id"))
        entries = [e for e in new_matches(alert, alert.since) if e.key not in already]
        alert.last_sent_at = now
        alert.save(update_fields=["last_sent_at", "updated_at"])
        if not entries:
            return 0
        items = SentItem.objects.bulk_create(
            [
                SentItem(
                    alert=alert, record_kind=e.kind, record_id=e.record.pk, sent_at=now, why=e.why
                )
                for e in entries
            ]
        )
        transaction.on_commit(lambda: _mail(alert, entries, items), robust=True)
    return len(entries)


def item_link(item: SentItem, record) -> str:
    """The address an alert e-mail gives for one record it sends: a signed link to this
    sent item, which counts the first time it is followed and leads to the record."""
    if item.pk is None:  # a database that does not return the new rows' ids
        return absolute_url(record.get_absolute_url())
    token = signing.Signer(salt=LINK_SALT).sign(str(item.pk))
    return absolute_url(reverse("matching:alert_link", args=[token]))


def open_item(token: str, now=None) -> str | None:
    """The page an alert e-mail's link leads to, its first opening counted; None for a
    forged link or a record no longer public."""
    from ecotone.search.registry import get_index

    try:
        pk = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    item = SentItem.objects.filter(pk=pk).first()
    if item is None:
        return None
    try:
        records = get_index(item.record_kind).get_queryset()
    except KeyError:
        return None
    record = records.filter(pk=item.record_id).first()
    if record is None:
        return None
    # counted once per item, whoever follows it and however often
    SentItem.objects.filter(pk=item.pk, opened_at__isnull=True).update(
        opened_at=now or timezone.now()
    )
    return record.get_absolute_url()


def unsubscribe_token(alert: MatchAlert) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(alert.pk))


def alert_from_token(token: str) -> MatchAlert | None:
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return MatchAlert.objects.filter(pk=pk).select_related("organisation").first()


def unsubscribe(alert: EmailSubscription) -> EmailSubscription:
    """Stop any alert (the signed link's button); the staff figures count it."""
    alert.frequency = AlertFrequency.NONE
    alert.unsubscribed_at = timezone.now()
    alert.save(update_fields=["frequency", "unsubscribed_at", "updated_at"])
    return alert


def _mail(alert: MatchAlert, entries: list[AlertEntry], items: list[SentItem]) -> None:
    if not alert.user.email:
        return
    unsubscribe_url = absolute_url(
        reverse("matching:alert_unsubscribe", args=[unsubscribe_token(alert)])
    )
    names = {"org": alert.organisation.label, "count": len(entries)}
    lines = [
        (
            _("%(count)s new needs fit the solutions of %(org)s:")
            if alert.kind == AlertKind.NEEDS_FOR_SOLUTIONS
            else _("%(count)s new solutions and cases fit the needs of %(org)s:")
        )
        % names
    ]
    for entry, item in zip(entries, items, strict=True):
        lines.append(
            "\n".join(
                [
                    f"- {entry.record.label} — {item_link(item, entry.record)}",
                    "  " + _("Fits: %(title)s") % {"title": entry.for_title},
                    "  " + _("Why: %(why)s") % {"why": entry.why},
                ]
            )
        )
    lines.append(
        _("Change how often: %(page)s") % {"page": absolute_url(reverse("matching:alerts"))}
    )
    lines.append(_("Unsubscribe from this alert: %(link)s") % {"link": unsubscribe_url})
    message = EmailMessage(
        _("New matches for %(org)s") % names,
        "\n\n".join(lines),
        to=[alert.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
    message.send()


# --- follows and the feed ------------------------------------------------------------------


def toggle_follow(*, user, organisation=None, sector=None, programme=None):
    """Follow an organisation, a sector or a programme (exactly one), or stop following
    it; True when now following."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to follow."))
    given = {"organisation": organisation, "sector": sector, "programme": programme}
    target = {name: value for name, value in given.items() if value is not None}
    if len(target) != 1:
        raise TypeError("follow exactly one organisation, sector or programme")
    deleted, _count = Follow.objects.filter(user=user, **target).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, **target)
    except IntegrityError:
        pass  # a double click
    return True


def is_following(user, organisation: Organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return Follow.objects.filter(user=user, organisation=organisation).exists()
