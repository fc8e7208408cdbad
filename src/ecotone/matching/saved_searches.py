"""Saved searches: a person keeps a search (its words and facets) and may get an e-mail of
the published records that newly answer it, like the match alerts (``alerts``): only what
is new since the last e-mail, never a record twice, a signed link to unsubscribe."""

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ecotone.core.links import absolute_url
from ecotone.search.queries import FILTERS, InvalidSearch, search_records
from ecotone.search.registry import get_index

from .alerts import item_link
from .models import AlertFrequency, SavedSearch, SentItem

MAX_SAVED_PER_USER = 50
HITS_CHECKED = 50
UNSUBSCRIBE_SALT = "ecotone.matching.saved-search-unsubscribe"


def clean_search(query: str, filters: dict) -> tuple[str, dict]:
    """The words and the known, non-empty facets; a search the search page would refuse
    is refused here too, naming the field."""
    from .services import MatchingRefused

    query = (query or "").strip()
    if not query:
        raise MatchingRefused(_("Give the words to search for."), field="q")
    filters = {k: str(v).strip() for k, v in (filters or {}).items() if k in FILTERS and v}
    try:
        search_records(query, limit=1, **filters)
    except InvalidSearch as error:
        raise MatchingRefused(error.message, field=error.field) from None
    return query, filters


@transaction.atomic
def save_search(*, user, query: str, filters: dict, frequency=AlertFrequency.WEEKLY):
    from .services import MatchingRefused

    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to save a search."))
    if frequency not in AlertFrequency.values:
        raise MatchingRefused(
            _("Choose immediately, daily, weekly or no e-mail."), field="frequency"
        )
    query, filters = clean_search(query, filters)
    existing = SavedSearch.objects.filter(user=user, query=query, filters=filters).first()
    if existing is not None:
        existing.frequency = frequency
        existing.save(update_fields=["frequency", "updated_at"])
        return existing
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_PER_USER:
        raise MatchingRefused(
            _("You can keep up to %(limit)s searches; delete one first.")
            % {"limit": MAX_SAVED_PER_USER},
            field="q",
        )
    return SavedSearch.objects.create(user=user, query=query, filters=filters, frequency=frequency)


def delete_search(*, user, saved: SavedSearch) -> None:
    if saved.user_id != user.pk:
        raise PermissionDenied(_("This search is not yours."))
    saved.delete()


def search_url(saved: SavedSearch) -> str:
    return reverse("search:search") + "?" + urlencode({"q": saved.query, **saved.filters})


def atom_url(saved: SavedSearch) -> str:
    return reverse("matching:search_atom") + "?" + urlencode({"q": saved.query, **saved.filters})


def hits(query: str, filters: dict, limit: int = HITS_CHECKED) -> list[tuple[str, object]]:
    """The published records answering the search, best first, as (kind, record)."""
    page = search_records(query, limit=limit, **filters)
    results = [r for r in page.results if r.get("match", "match") == "match"]
    records = {}
    for kind in {r["kind"] for r in results}:
        pks = [r["id"] for r in results if r["kind"] == kind]
        records[kind] = get_index(kind).get_queryset().in_bulk(pks)
    found = []
    for result in results:
        record = records[result["kind"]].get(result["id"])
        if record is not None:
            found.append((result["kind"], record))
    return found


def send_due_saved_searches(now=None) -> tuple[int, int]:
    """(e-mails sent, records in them)."""
    now = now or timezone.now()
    sent = items = 0
    for pk in SavedSearch.objects.exclude(frequency=AlertFrequency.NONE).values_list(
        "pk", flat=True
    ):
        count = _send_one(pk, now)
        if count:
            sent, items = sent + 1, items + count
    return sent, items


def _send_one(pk: int, now) -> int:
    with transaction.atomic():
        saved = SavedSearch.objects.select_for_update().select_related("user").get(pk=pk)
        if not saved.is_due(now):
            return 0
        already = set(saved.items.values_list("record_kind", "record_id"))
        try:
            found = hits(saved.query, saved.filters)
        except InvalidSearch:
            found = []  # a facet value that no longer exists: nothing to send
        new = [
            (kind, record)
            for kind, record in found
            if record.created_at > saved.since and (kind, record.pk) not in already
        ]
        saved.last_sent_at = now
        saved.save(update_fields=["last_sent_at", "updated_at"])
        if not new:
            return 0
        items = SentItem.objects.bulk_create(
            [
                SentItem(saved_search=saved, record_kind=k, record_id=r.pk, sent_at=now)
                for k, r in new
            ]
        )
        transaction.on_commit(lambda: _mail(saved, new, items), robust=True)
    return len(new)


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(saved.pk))


def saved_from_token(token: str) -> SavedSearch | None:
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=pk).first()


def _mail(saved: SavedSearch, new: list, items: list[SentItem]) -> None:
    if not saved.user.email:
        return
    unsubscribe_url = absolute_url(
        reverse("matching:saved_search_unsubscribe", args=[unsubscribe_token(saved)])
    )
    why = _("Why: it answers your search “%(q)s”.") % {"q": saved.query}
    lines = [
        _("%(count)s new records answer your search “%(q)s”:")
        % {"count": len(new), "q": saved.query}
    ]
    lines += [
        f"- {record.label} — {item_link(item, record)}\n  {why}"
        for (_kind, record), item in zip(new, items, strict=True)
    ]
    lines.append(_("The search: %(link)s") % {"link": absolute_url(search_url(saved))})
    lines.append(_("Unsubscribe from this alert: %(link)s") % {"link": unsubscribe_url})
    EmailMessage(
        _("New results for “%(q)s”") % {"q": saved.query},
        "\n\n".join(lines),
        to=[saved.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    ).send()
