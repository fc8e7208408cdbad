"""The OpenAPI description says what the API accepts and how it refuses, so that clients and
a schema fuzzer (test_api_fuzz.py) can rely on it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_BODY = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def spec():
    return Client().get("/api/v1/openapi.json").json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def parameter(spec, path: str, name: str, method: str = "get") -> dict:
    [found] = [p for p in spec["paths"][path][method]["parameters"] if p["name"] == name]
    return found["schema"]


def test_every_operation_lists_its_error_answers_with_the_error_body(spec):
    for label, operation in operations(spec):
        responses = operation["responses"]
        expected = set()
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("422")
        if "requestBody" in operation:
            expected.add("400")
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if operation.get("security"):
            expected.add("401")
        assert expected <= set(responses), label
        for code in expected:
            assert responses[code]["content"]["application/json"]["schema"] == ERROR_BODY


def test_the_error_body_has_code_message_field_and_errors(spec):
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "field", "errors"}
    assert error["required"] == ["code", "message"]


@pytest.mark.parametrize("plural", ["organisations", "solutions", "cases", "needs", "awards"])
def test_list_filters_are_bounded_integers_and_enums(spec, plural):
    path = f"/api/v1/{plural}"
    year = parameter(spec, path, "year")
    assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 1, 9999)
    limit = parameter(spec, path, "limit")
    assert (limit["minimum"], limit["maximum"]) == (1, 100)
    assert parameter(spec, path, "status")["enum"] == ["draft", "pending", "published", "archived"]


def test_readiness_levels_ids_and_review_steps_are_bounded(spec):
    for name in ("trl", "trl_min"):
        trl = parameter(spec, "/api/v1/solutions", name)
        assert (trl["type"], trl["minimum"], trl["maximum"]) == ("integer", 1, 9)
    record_id = parameter(spec, "/api/v1/solutions/{record_id}", "record_id")
    assert (record_id["minimum"], record_id["maximum"]) == (1, 2**63 - 1)
    action = parameter(spec, "/api/v1/solutions/{record_id}/{action}", "action", "post")
    assert action["enum"] == ["submit", "publish", "reject", "archive", "restore"]
    case = parameter(spec, "/api/v1/impact/calculations", "case")
    assert (case["type"], case["minimum"]) == ("integer", 1)


def test_bodies_name_their_required_fields_and_refuse_others(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["OrganisationIn"]["required"] == ["kind"]
    assert set(schemas["AwardIn"]["required"]) == {"year", "organisation"}
    for name in ("SolutionIn", "SolutionPatchIn", "IntroductionIn", "SubmissionIn"):
        assert schemas[name]["additionalProperties"] is False, name
    patch = schemas["SolutionPatchIn"]["properties"]
    assert "owner" not in patch and "status" not in patch
    trl = next(s for s in patch["trl"]["anyOf"] if s.get("type") == "integer")
    assert (trl["minimum"], trl["maximum"]) == (1, 9)
