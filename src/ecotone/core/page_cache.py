"""Whole pages for visitors who are not logged in, kept in the cache until the catalogue
changes: the home page, the lists, need pages with their matches and search results cost
10 to 30 ms of CPU each to make (queries, templates), and are the same for every such
visitor until a record or the search index changes.

``cached_public_page`` marks a view whose page may be shared. A page is answered from the
cache, or stored in it, only when:

- the request is a GET by a visitor who is not logged in, with no message waiting to be
  shown (a message belongs to one visitor);
- the page (when stored) is a complete 200 answer that set no cookie, used no CSRF token,
  changed no session, queued no message and did not ask not to be cached.

The key is the catalogue version (``core.cache``: replaced after any committed write to the
records and after any change of the search index, so an edit shows at once), the language,
today's date (deadlines), the host and scheme (absolute links), and the path with its query
string. The middlewares add their headers (CSP, Vary, security headers) to every answer, from
the cache or not; only the view's own content type is kept with the page.

A page whose making has a side effect that must happen on every showing (a need page counts
the showings of its matches) registers it with ``repeat_on_cached_answers``: it is stored
with the page and called again whenever the cache answers.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from .cache import ENTRY_SECONDS, catalogue_version

#: the request attribute holding a page's side effects while the page is made
REPLAYS_ATTRIBUTE = "_ecotone_page_replays"
#: says whether the page came from the cache (``hit``) or was made and kept (``stored``)
STATE_HEADER = "X-Ecotone-Page-Cache"
#: the view's own headers kept with a page; the middlewares add theirs to every answer
KEPT_HEADERS = ("Content-Type", "Content-Language")
UNCACHEABLE_DIRECTIVES = {"private", "no-store", "no-cache"}
DIRECTIVE_SEPARATOR = re.compile(r"\s*,\s*")


def cached_public_page(view=None, *, when: Callable[..., bool] | None = None):
    """Serve ``view``'s page to visitors who are not logged in from the cache (see the module
    docstring); ``when(request, *args, **kwargs)``, if given, narrows it to some pages."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not may_share(request) or (when is not None and not when(request, *args, **kwargs)):
                return view(request, *args, **kwargs)
            key = page_key(request)
            entry = cache.get(key)
            if entry is not None:
                return answer_from(entry)
            setattr(request, REPLAYS_ATTRIBUTE, [])
            response = view(request, *args, **kwargs)
            if is_shareable(request, response):
                cache.set(key, entry_of(request, response), timeout=ENTRY_SECONDS)
                response[STATE_HEADER] = "stored"
            return response

        return wrapped

    return decorate(view) if view is not None else decorate


def repeat_on_cached_answers(request: HttpRequest | None, function: Callable, *args: Any) -> None:
    """Call ``function(*args)`` again each time the page being made is answered from the
    cache. ``function`` must be a module-level function and ``args`` plain values (they are
    pickled with the page). Nothing happens outside a cached page."""
    replays = getattr(request, REPLAYS_ATTRIBUTE, None)
    if replays is not None:
        replays.append((function, args))


def may_share(request: HttpRequest) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    waiting = getattr(request, "_messages", None)  # MessageMiddleware's storage
    return waiting is None or len(waiting) == 0


def page_key(request: HttpRequest) -> str:
    parts = (
        catalogue_version(),
        get_language() or "",
        timezone.localdate(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
    )
    # a digest: a search's query may be long, and the database cache's keys must stay short
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"ecotone:page:{digest[:40]}"


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "added_new", False):
        return False
    directives = {
        part.split("=")[0].strip().lower()
        for part in DIRECTIVE_SEPARATOR.split(response.get("Cache-Control", ""))
    }
    return not directives & UNCACHEABLE_DIRECTIVES


def entry_of(request: HttpRequest, response: HttpResponse) -> dict:
    return {
        "content": response.content,
        "headers": [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)],
        "replays": getattr(request, REPLAYS_ATTRIBUTE, []),
    }


def answer_from(entry: dict) -> HttpResponse:
    for function, args in entry["replays"]:
        function(*args)
    response = HttpResponse(entry["content"], headers=dict(entry["headers"]))
    response[STATE_HEADER] = "hit"
    return response
