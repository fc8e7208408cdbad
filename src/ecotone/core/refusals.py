"""Refusals: the one error type for a request that cannot be done as asked, how pages show
it, and the one-line log of refusals (403).

``Refused`` carries a message for people, the ``field`` at fault (a name or a path such as
``sectors[1]``), a ``code`` for programs and the HTTP ``status`` the API answers with (422
bad input, 409 the record's state forbids it). Services raise it (or a subclass that reads
better where it is raised); ``config/api.py`` answers every one with the same error body,
pages show it with ``show_refusal`` and the command line with ``CommandError(str(refused))``.
Permission failures stay Django's ``PermissionDenied``.

A refusal is the system working, not failing: Django would log each ``PermissionDenied``
with its whole traceback, and those tracebacks bury the errors someone should look at.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import get_exception_response
from django.urls import get_resolver, get_urlconf

logger = logging.getLogger("ecotone.refusals")


class Refused(Exception):
    """A request that cannot be done as asked; nothing was changed.

    ``field_errors`` (field → messages) is for refusals naming several inputs at once (a
    form); ``field`` and ``message`` are then its first. Subclasses set other defaults for
    ``code`` and ``status``.
    """

    code = "invalid"
    status = 422

    def __init__(
        self,
        message,
        *,
        field: str | None = None,
        code: str | None = None,
        status: int | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ):
        self.message, self.field, self.field_errors = message, field, field_errors
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(f"{field}: {message}" if field else str(message))

    def body(self) -> dict:
        """The API's error body (``core.schemas.ErrorOut``)."""
        body: dict[str, object] = {"code": self.code, "message": str(self.message)}
        body["field"] = self.field
        if self.field_errors is not None:
            body["errors"] = [
                {"field": name, "message": str(text)}
                for name, texts in self.field_errors.items()
                for text in texts
            ]
        return body

    def each_error(self) -> list[tuple[str | None, str]]:
        """(field, message) for every input at fault, the first first."""
        if self.field_errors:
            return [(n, str(t)) for n, texts in self.field_errors.items() for t in texts]
        return [(self.field, str(self.message))]


def form_field_for(form, field: str | None) -> str | None:
    """The form field showing an error on the service's ``field``: renamed by the form's
    ``refusal_fields`` (a whole name, or a path prefix ending in "." such as
    ``{"answers.": "answer_"}``), an item (``sectors[1]``) on its list's field, and None
    (the form's own error) for a field the form does not have."""
    name = field or ""
    renames = getattr(form, "refusal_fields", {})
    if name in renames:
        name = renames[name] or ""
    else:
        for prefix, replacement in renames.items():
            if prefix.endswith(".") and name.startswith(prefix):
                name = replacement + name[len(prefix) :]
    if name not in form.fields:
        name = name.split("[", 1)[0]
    return name if name in form.fields else None


def show_refusal(request, refused: Refused, form=None) -> None:
    """The one way a page shows a refusal: on ``form``, an error on each field it names (the
    form's own error for one it does not have, see ``form_field_for``); without a form, an
    error message at the top of the next page."""
    from django.contrib import messages  # here: the pure modules raising Refused need no app

    if form is None:
        messages.error(request, str(refused.message))
        return
    for field, message in refused.each_error():
        form.add_error(form_field_for(form, field), message)


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
