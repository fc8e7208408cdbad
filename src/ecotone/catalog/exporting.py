"""Export records in the import format: published ones (the CLI, open data) or what a
reader sees on a list page, narrowed by the same filters as the list."""

from collections.abc import Iterator
from pathlib import Path

from django.db.models import QuerySet

from .kinds import Kind
from .serializers import record_to_row
from .tabular import csv_lines, write_rows

CHUNK = 2000


def export_queryset(kind: Kind, queryset: QuerySet, path: Path) -> int:
    return write_rows(path, kind.columns, _rows(kind, queryset))


def published(kind: Kind) -> QuerySet:
    queryset = kind.queryset().order_by("pk")
    if kind.has_status:
        queryset = queryset.filter(kind.model.public_condition())
    return queryset


def csv_stream(kind: Kind, queryset: QuerySet) -> Iterator[str]:
    """The records as CSV text, a line at a time (for a streamed download)."""
    return csv_lines(_Echo(), kind.columns, _rows(kind, queryset.order_by("pk")))


def _rows(kind: Kind, queryset: QuerySet) -> Iterator[dict]:
    return (record_to_row(kind, record) for record in queryset.iterator(chunk_size=CHUNK))


class _Echo:
    """A file that hands back what is written to it."""

    def write(self, text: str) -> str:
        return text
