"""Keyset ("cursor") pagination on the primary key: stable under inserts, cheap at any depth."""

import base64
import binascii

from django.db.models import QuerySet

from .bounds import MAX_ID, MAX_PAGE
from .refusals import Refused

MAX_LIMIT = MAX_PAGE


class BadCursor(Refused, ValueError):
    """A ``cursor`` that no page gave."""

    def __init__(self, message: str):
        super().__init__(message, field="cursor")
        self.args = (message,)


def encode_cursor(last_pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{last_pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        prefix, value = text.split(":", 1)
        last_pk = int(value)
        if prefix != "pk" or not 0 <= last_pk <= MAX_ID:
            raise ValueError
        return last_pk
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("invalid cursor; use the 'next' value of a previous page") from None


def cursor_page(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    limit = max(1, min(limit, MAX_LIMIT))
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    items = list(queryset[: limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    return items, encode_cursor(items[-1].pk) if has_more and items else None
