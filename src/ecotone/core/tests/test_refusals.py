"""The one refusal type: every app's refusals are ``Refused``, the API answers all of them
with one handler, and pages show them one way."""

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from ecotone.catalog.importing import ImportFailed, ImportResult
from ecotone.catalog.queries import InvalidFilter
from ecotone.catalog.resources import UploadRejected
from ecotone.catalog.services import RecordInvalid
from ecotone.catalog.tabular import FileFormatError
from ecotone.config.api import api, on_refused
from ecotone.core.pagination import BadCursor, decode_cursor
from ecotone.core.refusals import Refused, show_refusal
from ecotone.core.uploads import FileRejected
from ecotone.impact.calculator import CalculationError
from ecotone.impact.factors import FactorFileError
from ecotone.matching.services import MatchingRefused
from ecotone.programs.assignment import AssignmentError
from ecotone.programs.calibration import CalibrationError
from ecotone.programs.services import ProgrammeRefused
from ecotone.programs.services.states import TransitionRefused
from ecotone.reports.scope import ScopeError
from ecotone.search.queries import InvalidSearch

#: one of each refusal of the project, and the (status, body) the API answers it with
EVERY_REFUSAL = [
    (
        ProgrammeRefused("Taken.", field="user", code="duplicate", status=409),
        409,
        {"code": "duplicate", "message": "Taken.", "field": "user"},
    ),
    (
        MatchingRefused("Too long.", field="message"),
        422,
        {"code": "invalid", "message": "Too long.", "field": "message"},
    ),
    (
        TransitionRefused("Cannot award a draft."),
        409,
        {"code": "invalid_transition", "message": "Cannot award a draft.", "field": None},
    ),
    (
        RecordInvalid({"name_en": ["Required.", "Too short."], "record": ["Bad."]}),
        422,
        {
            "code": "invalid",
            "message": "Required.",
            "field": "name_en",
            "errors": [
                {"field": "name_en", "message": "Required."},
                {"field": "name_en", "message": "Too short."},
                {"field": "record", "message": "Bad."},
            ],
        },
    ),
    (
        InvalidFilter("year", "Enter a number."),
        422,
        {"code": "invalid", "message": "Enter a number.", "field": "year"},
    ),
    (
        InvalidSearch("limit", "limit must be between 1 and 100"),
        422,
        {"code": "invalid", "message": "limit must be between 1 and 100", "field": "limit"},
    ),
    (
        CalculationError("distance", "distance must be a number"),
        422,
        {"code": "invalid_input", "message": "distance must be a number", "field": "distance"},
    ),
    (
        ScopeError("year", "Choose a year."),
        422,
        {"code": "invalid", "message": "Choose a year.", "field": "year"},
    ),
    (
        BadCursor("invalid cursor"),
        422,
        {"code": "invalid", "message": "invalid cursor", "field": "cursor"},
    ),
    (
        FileRejected("not a PDF"),
        422,
        {"code": "invalid", "message": "not a PDF", "field": "file"},
    ),
    (
        UploadRejected("The file is too large."),
        422,
        {"code": "invalid", "message": "The file is too large.", "field": "file"},
    ),
    (
        FileFormatError("not valid JSON", row=3),
        422,
        {"code": "invalid", "message": "not valid JSON", "field": "file"},
    ),
    (
        ImportFailed(ImportResult("organisation")),
        422,
        {"code": "invalid", "message": "0 bad row(s); nothing was written", "field": "file"},
    ),
    (
        FactorFileError(["row 2: no unit"]),
        422,
        {"code": "invalid", "message": "row 2: no unit", "field": "file"},
    ),
    (
        AssignmentError("k must be positive", "k"),
        422,
        {"code": "invalid", "message": "k must be positive", "field": "k"},
    ),
    (
        CalibrationError("scores out of scale", "impact"),
        422,
        {"code": "invalid", "message": "scores out of scale", "field": "impact"},
    ),
]


@pytest.mark.parametrize(
    "refused,status,body", EVERY_REFUSAL, ids=[type(r[0]).__name__ for r in EVERY_REFUSAL]
)
def test_the_api_answers_every_refusal_with_one_handler(refused, status, body):
    assert isinstance(refused, Refused)
    assert api._lookup_exception_handler(refused) is on_refused
    response = on_refused(RequestFactory().get("/api/v1/"), refused)
    assert response.status_code == status
    assert json.loads(response.content) == body


def test_no_app_registers_a_handler_of_its_own():
    refusal_handlers = [c for c in api._exception_handlers if issubclass(c, Refused)]
    assert refusal_handlers == [Refused]


def test_the_messages_the_command_line_prints_are_kept():
    assert str(FileFormatError("not valid JSON", row=3, column="name")) == (
        "row 3, column name: not valid JSON"
    )
    assert str(CalculationError("distance", "distance must be a number")) == (
        "distance must be a number"
    )
    assert str(ScopeError("year", "Choose a year.")) == "year: Choose a year."
    with pytest.raises(BadCursor) as bad:
        decode_cursor("???")
    assert isinstance(bad.value, ValueError) and bad.value.field == "cursor"


class ReviewerForm(forms.Form):
    refusal_fields = {"user": "username", "answers.": "answer_"}
    username = forms.CharField()
    sectors = forms.CharField()
    answer_impact = forms.CharField()


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "field,shown_on",
    [
        ("user", "username"),  # renamed
        ("sectors[2]", "sectors"),  # an item on its list
        ("answers.impact", "answer_impact"),  # a path prefix renamed
        ("max_load", "__all__"),  # not on the form: the form's own error
        (None, "__all__"),
    ],
)
def test_a_page_shows_a_refusal_on_the_field_it_names(field, shown_on):
    form = ReviewerForm({"username": "x", "sectors": "y", "answer_impact": "z"})
    assert form.is_valid()
    show_refusal(_request(), Refused("No.", field=field), form)
    assert form.errors == {shown_on: ["No."]}


def test_a_page_without_a_form_shows_the_refusal_as_a_message():
    request = _request()
    show_refusal(request, TransitionRefused("Cannot award a draft."))
    assert [str(m) for m in get_messages(request)] == ["Cannot award a draft."]
