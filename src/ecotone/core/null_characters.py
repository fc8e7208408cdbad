"""Requests holding a null character (U+0000) are refused before any view reads them.

PostgreSQL cannot store or even compare text holding one, so such a value reaching a query
is a 500 there (and quietly saved on SQLite). No one types it: it comes from a broken
client or a probe. Forms already refuse it field by field; this covers what forms do not
see: paths, query parameters read directly, and JSON bodies.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse

NULL = "\x00"
MESSAGE = "null characters (U+0000) are not allowed"

#: views (``namespace:name``) that take a null character in their query parameters and
#: clean it themselves
_CLEANING_VIEWS: set[str] = set()


def cleans_null_characters(*view_names: str) -> None:
    """Let ``view_names`` read query parameters holding U+0000: search strips it, so that
    a query of only control characters is an empty search, not an error."""
    _CLEANING_VIEWS.update(view_names)


def _null_in_json(value: Any, path: str = "") -> Iterator[str]:
    """The dotted path of each string (or key) in ``value`` holding a null character."""
    if isinstance(value, str):
        if NULL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if NULL in str(key):
                yield here
            yield from _null_in_json(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _null_in_json(item, f"{path}[{index}]")


def null_field(request, *, query: bool = True) -> str | None:
    """Where ``request`` holds a null character (``path``, a parameter's name or a body
    field's dotted path), or None. ``query=False`` leaves the query string alone."""
    if NULL in request.path:
        return "path"
    forms = [request.GET] if query else []
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        forms.append(request.POST)
    for form in forms:
        for name, values in form.lists():
            if NULL in name or any(NULL in value for value in values):
                return name
    if request.content_type == "application/json" and (
        b"\\u0000" in request.body or b"\x00" in request.body
    ):
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the view answers that
        return next(_null_in_json(body), None) or "body"
    return None


def _api_root() -> str:
    try:
        return reverse("api:api-root")
    except NoReverseMatch:
        return "/api/"


class NullCharacterMiddleware:
    """422 with the API's error body under the API, a 400 page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        cleaning = request.resolver_match.view_name in _CLEANING_VIEWS
        field = null_field(request, query=not cleaning)
        if field is None:
            return None
        if request.path.startswith(_api_root()):
            body = {"code": "invalid", "message": MESSAGE, "field": field}
            return JsonResponse(body, status=422)
        raise BadRequest(f"{field}: {MESSAGE}")
