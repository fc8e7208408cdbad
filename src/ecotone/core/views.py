from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ecotone.accounts.permissions import is_staff
from ecotone.catalog import queries as catalog_queries
from ecotone.catalog.kinds import KINDS

from .page_cache import cached_public_page


@cached_public_page
def home(request):
    featured_awards = (
        KINDS["award"]
        .queryset()
        .filter(status="published")
        .prefetch_related("case__sectors")
        .order_by("-year", "programme_en", "pk")[:10]
    )
    return render(
        request,
        "core/home.html",
        {
            "counts": catalog_queries.published_counts(),
            "latest_cases": catalog_queries.latest(KINDS["case"], request.user),
            "latest_needs": catalog_queries.latest(KINDS["need"], request.user),
            "featured_awards": featured_awards,
        },
    )


def about_data(request):
    from .data_sources import DATA_SOURCES

    return render(request, "core/about_data.html", {"sources": DATA_SOURCES})


def tasks_page(request):
    """Staff: the background tasks of late, with their progress; refreshes while one runs."""
    if not is_staff(request.user):
        raise PermissionDenied(_("Only staff see the background tasks."))
    from django.conf import settings

    from .tasks import recent_tasks, uses_worker
    from .worker import read_status

    rows = recent_tasks() if uses_worker() else []
    busy = any(row.status in {"READY", "RUNNING"} for row in rows)
    context = {"rows": rows, "busy": busy, "uses_worker": uses_worker()}
    context["worker"] = read_status(settings.ECOTONE_HOME) if uses_worker() else None
    return render(request, "core/tasks.html", context)


def _error(request, status: int, template: str):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "400.html")


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        body = {"code": "not_found", "message": "no such API endpoint", "field": None}
        return JsonResponse(body, status=404)
    return _error(request, 404, "404.html")


def server_error(request):
    # No request context: the failure may lie in what context processors need.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
