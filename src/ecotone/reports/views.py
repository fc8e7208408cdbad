"""Pages: dashboards, the records behind a figure, chart CSVs, the annual report, open data."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ecotone.accounts.permissions import is_staff
from ecotone.catalog.kinds import get_kind
from ecotone.core.cache import cached_figure

from . import annual, dashboards, impact_section, opendata, pdfs
from .charts import chart_csv, with_svg
from .scope import FACETS, SCOPED_QUERIES, ReportScope, ScopeError, records_behind

RECORDS_PER_PAGE = 50


def _scope_or_error(request) -> tuple[ReportScope, ScopeError | None]:
    try:
        return ReportScope.from_params(request.GET), None
    except ScopeError as error:
        return ReportScope(), error


def dashboard(request):
    scope, error = _scope_or_error(request)
    staff = is_staff(request.user)
    context = {
        "scope": scope,
        "scope_query": urlencode(scope.as_params()),
        "csv_query": urlencode(scope.as_params()),
        "downloadable": list(dashboards.CHART_BUILDERS),
        "error": error,
        "params": request.GET,
        **dashboard_figures(scope, staff=staff),
    }
    return render(request, "reports/dashboard.html", context, status=400 if error else 200)


def dashboard_figures(scope: ReportScope, *, staff: bool) -> dict:
    """The dashboard's counts, charts and lists: a few dozen grouped queries and the charts'
    drawings, kept until the records change (``core.cache``)."""

    def compute() -> dict:
        counts = dashboards.kind_counts(scope)
        return {
            "counts": [
                {"kind": kind, "label": dashboards.kind_label(kind), "count": count}
                for kind, count in counts.items()
            ],
            "charts": with_svg(dashboards.dashboard_charts(scope, staff=staff)),
            "impact": impact_section.dashboard_impact(scope),
            "winners": dashboards.award_winners(scope),
            "events": dashboards.events(scope),
            "regions": dashboards.region_choices(),
            "years": dashboards.year_choices(),
        }

    params = tuple(sorted(scope.as_params().items()))
    return cached_figure("dashboard", (staff, urlencode(params)), compute)


def chart_download(request, slug: str):
    builder = dashboards.CHART_BUILDERS.get(slug)
    if builder is None:
        raise Http404
    scope, error = _scope_or_error(request)
    if error:
        return HttpResponse(
            f"{error.field}: {error.message}\n", status=400, content_type="text/plain"
        )
    response = HttpResponse(chart_csv(builder(scope)), content_type="text/csv; charset=utf-8")
    name = "-".join(filter(None, ["ecotone", slug, *scope.as_params().values()]))
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.csv"'
    return response


def records(request, kind: str):
    if kind not in SCOPED_QUERIES:
        raise Http404
    scope, scope_error = _scope_or_error(request)
    error: ScopeError | ValueError | None = scope_error
    facets = {name: request.GET.get(name, "") for name in FACETS}
    try:
        queryset = records_behind(kind, scope, facets) if not error else None
    except (ScopeError, ValueError) as problem:
        error, queryset = problem, None
    if queryset is None:
        queryset = SCOPED_QUERIES[kind](scope).none()
    catalogue_kind = get_kind(kind)
    queryset = queryset.select_related(*catalogue_kind.select_related).prefetch_related(
        *catalogue_kind.prefetch_related
    )
    page = Paginator(queryset.order_by("pk"), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "kind": catalogue_kind,
        "scope": scope,
        "facets": {name: value for name, value in facets.items() if value},
        "page": page,
        "error": error,
    }
    return render(request, "reports/records.html", context, status=400 if error else 200)


def annual_report(request):
    scope, error = _scope_or_error(request)
    if error or not scope.year:
        context = {
            "error": error,
            "years": dashboards.year_choices(),
            "regions": dashboards.region_choices(),
            "params": request.GET,
        }
        return render(request, "reports/annual_choose.html", context, status=400 if error else 200)
    report = annual.annual_report(scope)
    return render(request, "reports/annual_report.html", {"report": report, "base_url": ""})


def _pdf_scope(request) -> ReportScope | HttpResponse:
    """The report's scope, or the 400 that says what is wrong with it."""
    scope, error = _scope_or_error(request)
    if error or not scope.year:
        message = error.message if error else _("Choose a year.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return scope


def annual_report_pdf(request):
    """The PDF if one is built from the current data; otherwise its build is started and
    the visitor waits on the status page (at once built without a worker)."""
    scope = _pdf_scope(request)
    if isinstance(scope, HttpResponse):
        return scope
    base_url = request.build_absolute_uri("/").rstrip("/")
    state = pdfs.request_pdf(scope, request.LANGUAGE_CODE, base_url)
    if state.status != "ready" or state.path is None:  # a ready PDF has its path
        return redirect(f"{reverse('reports:annual_pdf_status')}?{urlencode(scope.as_params())}")
    name = annual.file_stem(scope, request.LANGUAGE_CODE)
    return FileResponse(
        state.path.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{name}.pdf",
    )


@require_http_methods(["GET", "POST"])
def annual_report_pdf_status(request):
    """Where the PDF's build stands; refreshes itself until the file is there."""
    scope = _pdf_scope(request)
    if isinstance(scope, HttpResponse):
        return scope
    base_url = request.build_absolute_uri("/").rstrip("/")
    retry = request.method == "POST"
    state = pdfs.request_pdf(scope, request.LANGUAGE_CODE, base_url, retry=retry)
    if retry:
        return redirect(f"{request.path}?{urlencode(scope.as_params())}")
    context = {"state": state, "scope": scope, "query": urlencode(scope.as_params())}
    return render(request, "reports/pdf_status.html", context)


def open_data(request):
    rows = [
        (data, data.count(), [(fmt, data.url(fmt)) for fmt in opendata.FORMATS])
        for data in opendata.datasets()
    ]
    example = request.build_absolute_uri(opendata.dataset("cases").url("jsonld"))
    return render(request, "reports/open_data.html", {"datasets": rows, "example_url": example})


def open_data_file(request, kind: str, file_format: str):
    try:
        dataset = opendata.dataset(kind)
    except KeyError:
        raise Http404 from None
    if file_format not in opendata.FORMATS:
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    return _download(
        opendata.open_export(dataset, file_format, base_url=base_url),
        opendata.FORMATS[file_format],
        f"ecotone-{kind}.{file_format}",
        base_url,
    )


def open_data_bundle(request):
    base_url = request.build_absolute_uri("/").rstrip("/")
    return _download(
        opendata.open_bundle(base_url=base_url),
        opendata.BUNDLE_TYPE,
        f"ecotone-{opendata.BUNDLE_NAME}",
        base_url,
    )


def _download(file, content_type: str, filename: str, base_url: str) -> FileResponse:
    response = FileResponse(file, content_type=content_type, as_attachment=True, filename=filename)
    response["Link"] = f'<{base_url}{opendata.licence_url()}>; rel="license"'
    return response
