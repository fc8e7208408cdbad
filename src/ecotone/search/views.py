"""The search page: one box over the whole public catalogue, with facets."""

from functools import lru_cache
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries import countries

from ecotone.accounts.permissions import is_staff
from ecotone.core.cache import cached_figure, catalogue_version
from ecotone.core.page_cache import cached_public_page
from ecotone.core.replica import read_from_replica

from .backends import get_search_backend
from .embedding import get_embedders
from .models import Embedding
from .queries import FILTERS, InvalidSearch, search_records
from .registry import FACET_LABELS, get_index, indexes, kinds
from .repair import compare
from .tasks import rebuild_index_task, repair_index_task

KIND_LABELS = {
    "organisation": _("Organisations"),
    "person": _("People"),
    "solution": _("Solutions"),
    "case": _("Cases"),
    "need": _("Needs"),
    "resource": _("Resources"),
    "event": _("Events"),
}
MODE_LABELS = {
    "hybrid": _("words and meaning, both languages"),
    "lexical": _("words only"),
    "dense": _("meaning only"),
}
FACET_VALUES_SHOWN = 8


@read_from_replica
@cached_public_page
def search_page(request: HttpRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "").strip() for name in ("q", *FILTERS)}
    context: dict[str, object] = {
        "params": params,
        "kinds": [(k, KIND_LABELS.get(k, k)) for k in kinds()],
    }
    filters = {name: params[name] for name in FILTERS if params[name]}
    cursor = request.GET.get("cursor") or None
    try:
        # the same question asked again is answered from the cache until the records or
        # the index change (core.cache): a hybrid search embeds the query, which is costly
        page = cached_figure(
            "search-page",
            (params["q"], cursor, urlencode(sorted(filters.items()))),
            lambda: search_records(
                params["q"],
                cursor=cursor,
                with_facets=True,
                # each of FILTERS by name (a blank one narrows nothing)
                kind=params["kind"],
                sector=params["sector"],
                country=params["country"],
                city=params["city"],
                trl=params["trl"],
                year=params["year"],
            ),
        )
    except InvalidSearch as error:
        # the way on: the same search without what was refused (a cursor is no filter,
        # so the search starts again from its first page)
        refused = {error.field: ""} if error.field in params else {}
        context.update(error=error, without_refused_url=_url(params, **refused))
        return render(request, "search/search.html", context, status=422)
    labels = _ValueLabels()
    linked = _with_links(page.results)
    context.update(
        results=[result for result in linked if result["match"] == "match"],
        related=[result for result in linked if result["match"] == "related"],
        next_url=_url(params, cursor=page.next) if page.next else "",
        message=page.message,
        empty_reason=page.empty_reason,
        translation=page.translation,
        did_you_mean=page.did_you_mean,
        did_you_mean_url=_url(params, q=page.did_you_mean) if page.did_you_mean else "",
        mode_label=MODE_LABELS[page.mode],
        facets=_facet_links(params, page.facets, labels),
        active_filters=[
            (FACET_LABELS[name], labels(name, value), _url(params, **{name: ""}))
            for name, value in filters.items()
        ],
    )
    return render(request, "search/search.html", context)


def _url(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({name: value for name, value in merged.items() if value})


def _facet_links(params: dict[str, str], counts: dict[str, list[tuple[str, int]]], labels) -> list:
    """Per facet: (label, [(value label, count, url, chosen)]) for the side panel."""
    panels = []
    for facet, label in FACET_LABELS.items():
        values = counts.get(facet, [])[:FACET_VALUES_SHOWN]
        if values:
            links = [
                (
                    labels(facet, value),
                    count,
                    _url(params, **{facet: value}),
                    params.get(facet) == value,
                )
                for value, count in values
            ]
            panels.append((label, links))
    return panels


class _ValueLabels:
    """Facet values as a reader names them, in the active language. Sector names are read
    through the app registry, since the search app imports no catalogue model, and kept
    per process until the catalogue changes (``_sector_names``)."""

    #: kinds whose records name a city in both languages (``city`` and ``city_zh``)
    CITY_MODELS = ("Organisation", "Case", "Need", "Event")

    def __init__(self):
        self._sectors: dict[str, str] | None = None
        self._chinese_cities: dict[str, str] | None = None
        self._language = get_language()
        self._read_anew = False

    def __call__(self, facet: str, value: str) -> str:
        if facet == "kind":
            return str(KIND_LABELS.get(value, value))
        if facet == "country":
            return _country_name(value, self._language)
        if facet == "sector":
            name = self.sectors().get(value)
            if name is None and not self._read_anew:  # a sector newer than the names kept
                self._read_anew = True
                self._sectors = _sector_names(catalogue_version(), self._language, anew=True)
                name = self._sectors.get(value)
            return name or value
        if facet == "city":
            return self.city(value)
        return value

    def city(self, value: str) -> str:
        """A city facet's value is the English name in lower case: on a Chinese page, the
        Chinese name any record gives for that city; else the English name."""
        if (get_language() or "").startswith("zh"):
            chinese = self.chinese_cities().get(value)
            if chinese:
                return chinese
        return value.title()

    def chinese_cities(self) -> dict[str, str]:
        if self._chinese_cities is None:
            self._chinese_cities = _chinese_city_names(catalogue_version(), self.CITY_MODELS)
        return self._chinese_cities

    def sectors(self) -> dict[str, str]:
        if self._sectors is None:
            self._sectors = _sector_names(catalogue_version(), self._language)
        return self._sectors


#: language → (catalogue version, sector slug → name), per process
_SECTOR_NAMES: dict[str | None, tuple[str, dict[str, str]]] = {}


def _sector_names(version: str, language: str | None, anew: bool = False) -> dict[str, str]:
    """Every sector's name in ``language`` as of catalogue ``version`` (``core.cache``: a
    new one after any committed catalogue write, a renamed sector included): one query per
    language and version instead of one per search page. ``anew``: read them again (a page
    met a slug they lack)."""
    known = _SECTOR_NAMES.get(language)
    if known is not None and known[0] == version and not anew:
        return known[1]
    sector = apps.get_model("catalog", "Sector")
    names = {s.slug: str(s) for s in sector.objects.all()}
    _SECTOR_NAMES[language] = (version, names)
    return names


#: (catalogue version, city's English name in lower case → its Chinese name), per process
_CHINESE_CITIES: list[tuple[str, dict[str, str]]] = []


def _chinese_city_names(version: str, models: tuple[str, ...]) -> dict[str, str]:
    """The Chinese name records give each city, as of catalogue ``version``: four queries
    over every record with a city, once per version instead of on every Chinese page
    whose results name a city."""
    if _CHINESE_CITIES and _CHINESE_CITIES[0][0] == version:
        return _CHINESE_CITIES[0][1]
    names: dict[str, str] = {}
    for name in models:
        pairs = (
            apps.get_model("catalog", name)
            .objects.exclude(city="")
            .exclude(city_zh="")
            .values_list("city", "city_zh")
            .distinct()
        )
        for english, chinese in pairs:
            names.setdefault(english.strip().lower(), chinese.strip())
    _CHINESE_CITIES[:] = [(version, names)]
    return names


@lru_cache(maxsize=1024)
def _country_name(code: str, language: str | None) -> str:
    """A country's name in ``language`` (the active one): django-countries translates its
    whole list to find one name, ~0.2 ms, for each country a page's facets list."""
    return countries.name(code) or code


def _with_links(results: list[dict]) -> list[dict]:
    """Each result with its record, its page's URL and its kind's label."""
    records = {}
    for kind in {result["kind"] for result in results}:
        pks = [result["id"] for result in results if result["kind"] == kind]
        records[kind] = get_index(kind).get_queryset().in_bulk(pks)
    linked = []
    for result in results:
        record = records[result["kind"]].get(result["id"])
        if record is not None:
            url = record.get_absolute_url()
            label = capfirst(record._meta.verbose_name)  # one record: "Solution", not "Solutions"
            # the record too: the page names it as lists do, marked when in the other language
            linked.append({**result, "url": url, "kind_label": label, "record": record})
    return linked


@login_required
def index_status_page(request: HttpRequest) -> HttpResponse:
    """Staff: what the index holds against what the database would have it hold."""
    if not is_staff(request.user):
        raise PermissionDenied(_("Only staff see the search index status."))
    status = get_search_backend().status()
    expected = {index.kind: index.get_queryset().count() for index in indexes()}
    rows = [
        (KIND_LABELS.get(kind, kind), expected[kind], status["by_kind"].get(kind, 0))
        for kind in expected
    ]
    embedders = get_embedders()
    cached = dict(
        Embedding.objects.values_list("space").annotate(n=Count("pk")).values_list("space", "n")
    )
    spaces = [
        (e.space, e.dim, status.get("vectors", {}).get(e.space, 0), cached.get(e.space, 0))
        for e in embedders
    ]
    context = {
        "status": status,
        "rows": rows,
        "spaces": spaces,
        "stale": any(r[1] != r[2] for r in rows),
    }
    if request.GET.get("compare"):
        # every document against its record (``repair.compare``): seconds on a large index,
        # so only when asked; counts alone miss an edit whose re-indexing never ran
        difference = compare()
        context["stale"] = not difference.agrees
        context["differences"] = [
            (
                KIND_LABELS.get(kind.kind, kind.kind),
                len(kind.missing),
                len(kind.stale),
                len(kind.orphans),
            )
            for kind in difference.kinds
        ]
    return render(request, "search/index_status.html", context)


@require_POST
def index_rebuild(request: HttpRequest) -> HttpResponse:
    """Staff: rebuild the whole index in the background; the tasks page shows its progress."""
    if not is_staff(request.user):
        raise PermissionDenied(_("Only staff may rebuild the search index."))
    rebuild_index_task.enqueue()
    messages.success(request, _("The index is being rebuilt."))
    return redirect("core:tasks")


@require_POST
def index_repair(request: HttpRequest) -> HttpResponse:
    """Staff: index what the index lacks or holds out of date, drop the rest, in the
    background (``search.repair``); the tasks page shows its progress."""
    if not is_staff(request.user):
        raise PermissionDenied(_("Only staff may repair the search index."))
    repair_index_task.enqueue()
    messages.success(request, _("The index is being repaired."))
    return redirect("core:tasks")
