"""Atom feeds, to follow without an account: a sector's newest needs and solutions, and a
public search's newest answers."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from ecotone.catalog.models import Need, Sector, Solution
from ecotone.search.queries import FILTERS, InvalidSearch

from .saved_searches import hits

FEED_ITEMS = 30


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


class SectorFeed(_RecordFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Sector, slug=slug)

    def title(self, sector):
        return _("Ecotone: new in %(sector)s") % {"sector": sector.name}

    def link(self, sector):
        return sector.get_absolute_url()

    def subtitle(self, sector):
        return _("Published needs and solutions in this sector, newest first.")

    def items(self, sector):
        rows = []
        for model in (Need, Solution):
            rows += list(
                model.objects.filter(model.public_condition(), sectors=sector).order_by(
                    "-created_at"
                )[:FEED_ITEMS]
            )
        return sorted(rows, key=lambda r: r.created_at, reverse=True)[:FEED_ITEMS]

    def item_description(self, item):
        return getattr(item, "description", "") or getattr(item, "problem", "") or ""


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
