"""Atom feeds, to follow without an account: a sector's newest needs and solutions with
its awards and new impact calculations, a public programme's calls and awards, and a
public search's newest answers. The events are those of the personal feed
(``activity``)."""

from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from ecotone.catalog.models import Need, Sector, Solution
from ecotone.programs.models import Programme, Visibility
from ecotone.search.queries import FILTERS, InvalidSearch

from .activity import FeedEntry, Followed, award_events, calculation_events, programme_events
from .saved_searches import hits

FEED_ITEMS = 30
#: how far back a sector's or programme's awards, calls and calculations are listed
EVENT_DAYS = 365


class _EventFeed(Feed):
    """Items are ``activity.FeedEntry``: a record, an award, a call, a calculation."""

    feed_type = Atom1Feed

    def item_title(self, entry: FeedEntry):
        return f"{entry.what}: {entry.title}"

    def item_link(self, entry: FeedEntry):
        return entry.url

    def item_guid(self, entry: FeedEntry):
        return f"{entry.url}#{entry.kind}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry: FeedEntry):
        return entry.when

    def item_updateddate(self, entry: FeedEntry):
        return getattr(entry.record, "updated_at", None) or entry.when

    def item_description(self, entry: FeedEntry):
        record = entry.record
        return getattr(record, "description", "") or getattr(record, "problem", "") or ""

    @staticmethod
    def newest(entries: list[FeedEntry]) -> list[FeedEntry]:
        unique = {entry.key: entry for entry in entries}
        return sorted(unique.values(), key=lambda e: e.when, reverse=True)[:FEED_ITEMS]


class _RecordFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item):
        return item.label or item.external_id

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class SectorFeed(_EventFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Sector, slug=slug)

    def title(self, sector):
        return _("Ecotone: new in %(sector)s") % {"sector": sector.name}

    def link(self, sector):
        return sector.get_absolute_url()

    def subtitle(self, sector):
        return _(
            "Published needs and solutions in this sector, with awards to its cases and new "
            "impact calculations, newest first."
        )

    def items(self, sector):
        entries = []
        for kind, model in (("need", Need), ("solution", Solution)):
            rows = model.objects.filter(model.public_condition(), sectors=sector).order_by(
                "-created_at"
            )[:FEED_ITEMS]
            entries += [FeedEntry(r.created_at, kind, r, sector.name) for r in rows]
        followed = Followed({}, {sector.pk: sector.name}, {})
        since = timezone.now() - timedelta(days=EVENT_DAYS)
        entries += award_events(followed, since) + calculation_events(followed, since)
        return self.newest(entries)


class ProgrammeFeed(_EventFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Programme, slug=slug, visibility=Visibility.PUBLIC)

    def title(self, programme):
        return _("Ecotone: %(programme)s") % {"programme": programme.label}

    def link(self, programme):
        return programme.get_absolute_url()

    def subtitle(self, programme):
        return _("The programme's calls opening and closing, and its awards.")

    def items(self, programme):
        followed = Followed({}, {}, {programme.pk: programme.label})
        now = timezone.now()
        since = now - timedelta(days=EVENT_DAYS)
        return self.newest(programme_events(followed, since, now) + award_events(followed, since))


class SearchFeed(_RecordFeed):
    def get_object(self, request):
        query = request.GET.get("q", "").strip()
        if not query:
            raise Http404(_("Give the words to search for."))
        filters = {k: request.GET[k].strip() for k in FILTERS if request.GET.get(k, "").strip()}
        try:
            found = hits(query, filters)
        except InvalidSearch as error:
            raise Http404(error.message) from None
        return {"q": query, "filters": filters, "records": [r for _k, r in found]}

    def title(self, search):
        return _("Ecotone: new results for “%(q)s”") % {"q": search["q"]}

    def link(self, search):
        return reverse("search:search")

    def items(self, search):
        records = sorted(search["records"], key=lambda r: r.created_at, reverse=True)
        return records[:FEED_ITEMS]

    def item_description(self, item):
        return ""
