"""Records as plain rows in the import/export format (also the API's record body)."""

import datetime
from decimal import Decimal

from django.db import models

from .kinds import Kind


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _key(record) -> str:
    return record.slug if hasattr(record, "slug") else record.external_id


def record_to_row(kind: Kind, record) -> dict:
    """One record as a dict of the kind's columns; references as stable keys."""
    row: dict[str, object] = {}
    for column in kind.columns:
        field = kind.model._meta.get_field(column)
        if isinstance(field, models.ManyToManyField):
            row[column] = sorted(_key(related) for related in getattr(record, column).all())
        elif isinstance(field, models.ForeignKey):
            related = getattr(record, column)
            row[column] = related.external_id if related else None
        elif column == "regions":
            row[column] = [country.code for country in getattr(record, column)]
        elif column in ("country", "jurisdiction"):
            row[column] = getattr(record, column).code or ""
        else:
            row[column] = _plain(getattr(record, column))
    return row
