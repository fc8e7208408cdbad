"""Pages: dashboards, the records behind a figure, chart CSVs, the annual report, open data."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ecotone.accounts.permissions import is_staff
from ecotone.catalog.kinds import get_kind

from . import annual, dashboards, impact_section, opendata
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
    counts = dashboards.kind_counts(scope)
    context = {
        "scope": scope,
        "scope_query": urlencode(scope.as_params()),
        "csv_query": urlencode(scope.as_params()),
        "downloadable": list(dashboards.CHART_BUILDERS),
        "error": error,
        "params": request.GET,
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
    return render(request, "reports/dashboard.html", context, status=400 if error else 200)


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
    scope, error = _scope_or_error(request)
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


def annual_report_pdf(request):
    scope, error = _scope_or_error(request)
    if error or not scope.year:
        message = error.message if error else _("Choose a year.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    base_url = request.build_absolute_uri("/").rstrip("/")
    pdf = annual.render_pdf(annual.annual_report(scope), base_url=base_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = annual.file_stem(scope, request.LANGUAGE_CODE)
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


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
    body = opendata.export(dataset, file_format, base_url=base_url)
    response = HttpResponse(body, content_type=opendata.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="ecotone-{kind}.{file_format}"'
    response["Link"] = f'<{base_url}{opendata.licence_url()}>; rel="license"'
    return response
