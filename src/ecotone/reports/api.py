"""``/api/v1/reports/dashboard`` and ``/api/v1/open-data``: the figures and the downloads."""

from typing import Annotated
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import WithJsonSchema

from ecotone.accounts.api_auth import reading_user
from ecotone.accounts.permissions import is_staff

from . import dashboards, opendata
from .charts import Chart
from .schemas import DashboardOut, ErrorOut, OpenDataOut
from .scope import FIRST_YEAR, LAST_YEAR, ReportScope

router = Router(tags=["reports"])


def chart_out(request: HttpRequest, chart: Chart, scope: ReportScope) -> dict:
    absolute = request.build_absolute_uri
    query = urlencode(scope.as_params())
    csv_url = ""
    if chart.slug in dashboards.CHART_BUILDERS:
        csv_url = absolute(reverse("reports:chart_csv", args=[chart.slug]))
        csv_url += f"?{query}" if query else ""
    return {
        "slug": chart.slug,
        "title": chart.title,
        "category": chart.category,
        "series": list(chart.series),
        "rows": [
            {
                "label": row.label,
                "cells": [
                    {"value": value, "records_url": absolute(link) if link else ""}
                    for value, link in row.cells()
                ],
            }
            for row in chart.rows
        ],
        "note": chart.note,
        "csv_url": csv_url,
    }


class DashboardParams(Schema):
    #: a year from 1900 to 2100; empty for every year (read by ``scope.parse_year``, which
    #: the pages share, so the schema only describes it)
    year: Annotated[
        str | None,
        WithJsonSchema({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}),
    ] = None
    region: str = ""  #: a country code or a city, in English or Chinese


@router.get(
    "/reports/dashboard",
    response={200: DashboardOut, 401: ErrorOut, 422: ErrorOut},
    operation_id="reports_dashboard",
)
def dashboard(request: HttpRequest, params: Query[DashboardParams]) -> dict:
    """The dashboard's figures (published records only), each value with its records' page."""
    scope = ReportScope.from_params({"year": params.year, "region": params.region})
    charts = dashboards.dashboard_charts(scope, staff=is_staff(reading_user(request)))
    return {
        "year": scope.year,
        "region": scope.region.key if scope.region else None,
        "counts": dashboards.kind_counts(scope),
        "charts": [chart_out(request, chart, scope) for chart in charts],
    }


@router.get("/open-data", response=OpenDataOut, operation_id="open_data")
def open_data(request: HttpRequest) -> dict:
    """Every open-data file with its address, and the licence notice."""
    absolute = request.build_absolute_uri
    return {
        "licence": opendata.licence_notice(),
        "licence_url": absolute(opendata.licence_url()),
        "datasets": [
            {
                "name": data.name,
                "title": data.title,
                "schema_type": data.schema_type,
                "published": data.count(),
                "downloads": [
                    {"format": fmt, "media_type": mime, "url": absolute(data.url(fmt))}
                    for fmt, mime in opendata.FORMATS.items()
                ],
            }
            for data in opendata.datasets()
        ],
        "bundle": {
            "format": "zip",
            "media_type": opendata.BUNDLE_TYPE,
            "url": absolute(reverse("reports:open_data_bundle")),
        },
    }
