"""The one API object: ``/api/v1/``. Apps add their routers in ``AppConfig.ready()``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ecotone.core.refusals import log_refusal


class EcotoneAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code == 403:  # every refusal, whichever handler answered it
            reason = data.get("message", "") if isinstance(data, dict) else ""
            log_refusal(request, response, str(reason))
        return response


api = EcotoneAPI(
    title="Ecotone API",
    version="1",
    description=(
        "Open data on climate-tech organisations, solutions, cases, needs, resources and "
        "events. Reads are public for published records; writes need a bearer token "
        "(create one on your account page)."
    ),
    urls_namespace="api",
)


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"code": code, "message": message, "field": field}


def _ninja_field(error: dict) -> str | None:
    location = [
        str(part)
        for part in error.get("loc", ())
        if part not in ("body", "query", "path", "payload", "filters")
    ]
    return ".".join(location) or None


@api.exception_handler(NinjaValidationError)
def on_ninja_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    return api.create_response(
        request,
        {
            **error_body("invalid", first.get("msg", "invalid input"), _ninja_field(first)),
            "errors": [{"field": _ninja_field(e), "message": e.get("msg")} for e in exc.errors],
        },
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    return api.create_response(request, error_body("invalid", " ".join(exc.messages)), status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(
        request, error_body("forbidden", str(exc) or "permission denied"), status=403
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "no such record"), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request,
        error_body("unauthenticated", "send a valid token: Authorization: Bearer <token>"),
        status=401,
    )


HTTP_ERROR_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc.message)), status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    import logging

    logging.getLogger("ecotone.api").exception("unexpected API error")
    return api.create_response(
        request, error_body("server_error", "an unexpected error occurred"), status=500
    )
