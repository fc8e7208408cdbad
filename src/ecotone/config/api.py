"""The one API object: ``/api/v1/``. Apps add their routers in ``AppConfig.ready()``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ecotone.core.refusals import Refused, log_refusal
from ecotone.core.schemas import ErrorOut

#: what each error status means, in the OpenAPI description
ERROR_STATUSES = {
    400: "the body is not valid JSON",
    401: "no token, or a token that is wrong, revoked or of a deactivated user",
    403: "you may see this but not do it",
    404: "no such record, or not one you may see",
    409: "the record's state does not allow it",
    422: "a parameter or body field is not valid; `field` names it",
}


def document_errors(schema: dict) -> dict:
    """Give every operation the error answers it can give, each with the error body:
    400 and 422 with a body, 422 with parameters, 404 with an id or name in the path, 401
    with a token. Routes declare the others (401 for reads that take a token, 403, 409)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for methods in schema["paths"].values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            codes = {int(code) for code in responses}
            parameters = operation.get("parameters", [])
            if parameters or "requestBody" in operation:
                codes.add(422)
            if "requestBody" in operation:
                codes.add(400)
            if any(parameter["in"] == "path" for parameter in parameters):
                codes.add(404)
            if operation.get("security"):
                codes.add(401)
            for code in sorted(codes & set(ERROR_STATUSES)):
                responses.pop(str(code), None)
                responses[code] = {"description": ERROR_STATUSES[code], "content": body}
    return schema


class EcotoneAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )

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


#: pydantic's messages that read badly out of context
VALIDATION_MESSAGES = {
    "extra_forbidden": "not a field of this body",
    "missing": "this field is required",
}


def _ninja_message(error: dict) -> str:
    return VALIDATION_MESSAGES.get(error.get("type", ""), error.get("msg", "invalid input"))


def _ninja_field(error: dict) -> str | None:
    location = [
        str(part)
        for part in error.get("loc", ())
        if part not in ("body", "query", "path", "payload", "filters")
    ]
    return ".".join(location) or None


@api.exception_handler(NinjaValidationError)
def on_ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    return api.create_response(
        request,
        {
            **error_body("invalid", _ninja_message(first), _ninja_field(first)),
            "errors": [
                {"field": _ninja_field(e), "message": _ninja_message(e)} for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(Refused)
def on_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """Every service refusal of every app, with the status it names."""
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, error_body("invalid", " ".join(exc.messages)), status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, error_body("forbidden", str(exc) or "permission denied"), status=403
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "no such record"), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        error_body("unauthenticated", "send a valid token: Authorization: Bearer <token>"),
        status=401,
    )


HTTP_ERROR_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc.message)), status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("ecotone.api").exception("unexpected API error")
    return api.create_response(
        request, error_body("server_error", "an unexpected error occurred"), status=500
    )
