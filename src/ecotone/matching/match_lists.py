"""Alerts of one match list: "alert me when new matches for this need appear" (solutions
and cases, ``ranking.need_matches``) or for this solution (needs it could serve,
``ranking.pilot_sites``).

Anyone who can see the need or solution may subscribe, from its page or the API, and
choose how often (immediately, daily, weekly, no e-mail). Sending follows the match
alerts (``alerts``): only records published since the last e-mail, each with its "why
this matches" line, written to ``SentItem`` in the transaction that moves
``last_sent_at``, the e-mail sent after the commit, a signed one-click unsubscribe.
"""

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.permissions import can_view
from ecotone.catalog.models import Need, Solution
from ecotone.core.links import absolute_url

from .alerts import MATCHES_PER_RECORD, AlertEntry, item_link, why_line
from .models import AlertFrequency, MatchListAlert, SentItem
from .ranking import need_matches, pilot_sites, venture_for

UNSUBSCRIBE_SALT = "ecotone.matching.match-list-unsubscribe"


def _refuse_frequency(frequency: str) -> None:
    from .services import MatchingRefused

    if frequency not in AlertFrequency.values:
        raise MatchingRefused(
            _("Choose immediately, daily, weekly or no e-mail."), field="frequency"
        )


def _record_field(record) -> dict:
    if isinstance(record, Need):
        return {"need": record}
    if isinstance(record, Solution):
        return {"solution": record}
    raise TypeError(f"match lists are of needs and solutions, not {type(record).__name__}")


def alert_for(user, record) -> MatchListAlert | None:
    if not (user and user.is_authenticated):
        return None
    return MatchListAlert.objects.filter(user=user, **_record_field(record)).first()


def subscribe(*, user, record, frequency: str) -> MatchListAlert:
    """Create or change the user's alert of ``record``'s match list; "none" keeps it,
    silent, so the choice shows on the page and the alerts page."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to get alerts."))
    if not can_view(user, record):
        raise PermissionDenied(_("You cannot see this record."))
    _refuse_frequency(frequency)
    target = _record_field(record)
    try:
        with transaction.atomic():
            alert, created = MatchListAlert.objects.get_or_create(
                user=user, **target, defaults={"frequency": frequency}
            )
    except IntegrityError:  # two clicks that raced: the other one created it
        alert, created = MatchListAlert.objects.get(user=user, **target), False
    if not created and alert.frequency != frequency:
        alert.frequency = frequency
        alert.save(update_fields=["frequency", "updated_at"])
    return alert


def user_alerts(user) -> list[MatchListAlert]:
    return list(
        MatchListAlert.objects.filter(user=user).select_related("need", "solution").order_by("pk")
    )


# --- what is new ---------------------------------------------------------------------------


def new_matches(alert: MatchListAlert, since) -> list[AlertEntry]:
    """Published matches of the alert's record that appeared after ``since``."""
    record = alert.record
    if alert.need_id:
        found = need_matches(record, MATCHES_PER_RECORD).matches
    else:
        found = pilot_sites(venture_for(record), MATCHES_PER_RECORD).matches
    entries = {}
    for match in found:
        if match.record.created_at > since:
            entry = AlertEntry(match.kind, match.record, why_line(match), record.label)
            entries.setdefault(entry.key, entry)
    return list(entries.values())


# --- sending -------------------------------------------------------------------------------


def send_due_match_lists(now=None) -> tuple[int, int]:
    """(e-mails sent, records in them)."""
    now = now or timezone.now()
    sent = items = 0
    pks = MatchListAlert.objects.exclude(frequency=AlertFrequency.NONE).values_list("pk", flat=True)
    for pk in pks.order_by("pk"):
        count = _send_one(pk, now)
        if count:
            sent, items = sent + 1, items + count
    return sent, items


def _send_one(pk: int, now) -> int:
    with transaction.atomic():
        alert = (
            MatchListAlert.objects.select_for_update(of=("self",))
            .select_related("user", "need", "solution")
            .filter(pk=pk)
            .first()
        )
        if alert is None or not alert.is_due(now):
            return 0  # deleted, or another run took it
        already = set(alert.items.values_list("record_kind", "record_id"))
        entries = []
        # the record may have been withdrawn, or the person have left its organisation
        if alert.user.is_active and can_view(alert.user, alert.record):
            entries = [e for e in new_matches(alert, alert.since) if e.key not in already]
        alert.last_sent_at = now
        alert.save(update_fields=["last_sent_at", "updated_at"])
        if not entries:
            return 0
        items = SentItem.objects.bulk_create(
            [
                SentItem(
                    match_list=alert,
                    record_kind=e.kind,
                    record_id=e.record.pk,
                    sent_at=now,
                    why=e.why,
                )
                for e in entries
            ]
        )
        transaction.on_commit(lambda: _mail(alert, entries, items), robust=True)
    return len(entries)


def unsubscribe_token(alert: MatchListAlert) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(alert.pk))


def alert_from_token(token: str) -> MatchListAlert | None:
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return MatchListAlert.objects.filter(pk=pk).select_related("need", "solution").first()


def _mail(alert: MatchListAlert, entries: list[AlertEntry], items: list[SentItem]) -> None:
    if not alert.user.email:
        return
    unsubscribe_url = absolute_unsubscribe_url(alert)
    names = {"title": alert.record.label, "count": len(entries)}
    lines = [
        (
            _("%(count)s new solutions and cases match your need “%(title)s”:")
            if alert.need_id
            else _("%(count)s new needs match the solution “%(title)s”:")
        )
        % names
    ]
    for entry, item in zip(entries, items, strict=True):
        lines.append(
            "\n".join(
                [
                    f"- {entry.record.label} — {item_link(item, entry.record)}",
                    "  " + _("Why: %(why)s") % {"why": entry.why},
                ]
            )
        )
    lines.append(_("Change how often: %(page)s") % {"page": alert_page_url()})
    lines.append(_("Unsubscribe from this alert: %(link)s") % {"link": unsubscribe_url})
    EmailMessage(
        _("New matches for “%(title)s”") % names,
        "\n\n".join(lines),
        to=[alert.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    ).send()


def alert_page_url() -> str:
    return absolute_url(reverse("matching:alerts"))


def absolute_unsubscribe_url(alert: MatchListAlert) -> str:
    return absolute_url(reverse("matching:match_list_unsubscribe", args=[unsubscribe_token(alert)]))
