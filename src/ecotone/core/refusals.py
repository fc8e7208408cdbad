"""Refusals (403) in the log: one line saying who was refused what and why.

A refusal is the system working, not failing: Django would log each ``PermissionDenied``
with its whole traceback, and those tracebacks bury the errors someone should look at.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import get_exception_response
from django.urls import get_resolver, get_urlconf

logger = logging.getLogger("ecotone.refusals")


def _one_line(text: str) -> str:
    """Control characters escaped, as Django does for paths, so a line cannot be forged."""
    return text.encode("unicode_escape").decode("ascii")


def log_refusal(request, response, reason: str = "") -> None:
    """Log one line for a 403 ``response`` and mark it logged, so that Django's own line
    (``Forbidden: /path``) does not repeat it."""
    user = getattr(request, "user", None)
    who = user.pk if user is not None and user.is_authenticated else "anonymous"
    logger.warning(
        "Forbidden: %s %s user=%s reason=%s",
        request.method,
        _one_line(request.path),
        who,
        _one_line(reason) or "-",
    )
    response._has_been_logged = True


class RefusalLogMiddleware:
    """Answers a view's ``PermissionDenied`` with the 403 page and logs it in one line;
    any other 403 not yet logged (a view returning one) gets its line too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(response, "_has_been_logged", False):
            log_refusal(request, response)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        response = get_exception_response(request, get_resolver(get_urlconf()), 403, exception)
        log_refusal(request, response, str(exception))
        return response
