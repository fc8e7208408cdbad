"""Export published (or, for staff, all) records in the import format."""

from pathlib import Path

from django.db.models import QuerySet

from .kinds import Kind
from .serializers import record_to_row
from .tabular import write_rows


def export_queryset(kind: Kind, queryset: QuerySet, path: Path) -> int:
    rows = (record_to_row(kind, record) for record in queryset.iterator(chunk_size=2000))
    return write_rows(path, kind.columns, rows)


def published(kind: Kind) -> QuerySet:
    queryset = kind.queryset().order_by("pk")
    if kind.has_status:
        queryset = queryset.filter(kind.model.public_condition())
    return queryset
