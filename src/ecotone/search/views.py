"""The search page: one box over the whole public catalogue."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .queries import InvalidSearch, search_records
from .registry import get_index, kinds

KIND_LABELS = {
    "organisation": _("Organisations"),
    "person": _("People"),
    "solution": _("Solutions"),
    "case": _("Cases"),
    "need": _("Needs"),
    "resource": _("Resources"),
    "event": _("Events"),
}


def search_page(request):
    params = {
        name: request.GET.get(name, "").strip() for name in ("q", "kind", "sector", "country")
    }
    context = {"params": params, "kinds": [(k, KIND_LABELS.get(k, k)) for k in kinds()]}
    try:
        page = search_records(
            params["q"],
            kind=params["kind"] or None,
            sector=params["sector"] or None,
            country=params["country"] or None,
            cursor=request.GET.get("cursor") or None,
        )
    except InvalidSearch as error:
        context["error"] = error
        return render(request, "search/search.html", context, status=422)
    context.update(results=_with_links(page.results), next=page.next, message=page.message)
    return render(request, "search/search.html", context)


def _with_links(results: list[dict]) -> list[dict]:
    """Each result with its page's URL and its kind's label."""
    records = {}
    for kind in {result["kind"] for result in results}:
        pks = [result["id"] for result in results if result["kind"] == kind]
        records[kind] = get_index(kind).get_queryset().in_bulk(pks)
    linked = []
    for result in results:
        record = records[result["kind"]].get(result["id"])
        if record is not None:
            url = record.get_absolute_url()
            linked.append({**result, "url": url, "kind_label": KIND_LABELS.get(result["kind"])})
    return linked
