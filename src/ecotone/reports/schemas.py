"""API bodies of the reports app. Field names here are a contract: add, never rename."""

from ninja import Schema

from ecotone.core.schemas import ErrorOut  # noqa: F401  (re-exported)


class ChartCellOut(Schema):
    value: float | None
    records_url: str  #: the page listing the records this value counts ("" if none)


class ChartRowOut(Schema):
    label: str
    cells: list[ChartCellOut]


class ChartOut(Schema):
    slug: str
    title: str
    category: str
    series: list[str]
    rows: list[ChartRowOut]
    note: str
    csv_url: str


class DashboardOut(Schema):
    year: int | None
    region: str | None
    counts: dict[str, int]
    charts: list[ChartOut]


class DownloadOut(Schema):
    format: str
    media_type: str
    url: str


class DatasetOut(Schema):
    name: str
    title: str
    schema_type: str
    published: int
    downloads: list[DownloadOut]


class OpenDataOut(Schema):
    licence: str
    licence_url: str
    datasets: list[DatasetOut]
    #: every CSV in one ZIP with LICENCE.txt
    bundle: DownloadOut
