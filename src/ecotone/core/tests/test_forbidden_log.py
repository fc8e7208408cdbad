"""A refusal (403) is logged as one line saying who was refused what and why, with no
traceback: refusals are expected, and a traceback per refusal buries real errors."""

import logging

import pytest

from ecotone.core.testing import SolutionFactory, UserFactory, logged_in, token_headers

pytestmark = pytest.mark.django_db


def records_about(caplog, path: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if path in record.getMessage()]


def test_a_refused_page_is_one_line_with_method_path_user_and_reason(caplog):
    solution = SolutionFactory()
    user = UserFactory(username="nosy")
    path = f"/en/solutions/{solution.pk}/edit/"
    with caplog.at_level(logging.INFO):
        response = logged_in(user).get(path)
    assert response.status_code == 403
    [record] = records_about(caplog, path)
    assert record.exc_info is None and record.levelno == logging.WARNING
    line = record.getMessage()
    assert "\n" not in line
    assert f"GET {path}" in line and f"user={user.pk}" in line
    assert "You may not edit this record." in line


def test_a_refused_api_call_is_one_line_with_method_path_user_and_reason(client, caplog):
    solution = SolutionFactory()
    user = UserFactory()
    path = f"/api/v1/solutions/{solution.pk}"
    with caplog.at_level(logging.INFO):
        response = client.patch(
            path,
            {"title_en": "Mine now"},
            content_type="application/json",
            headers=token_headers(user),
        )
    assert response.status_code == 403
    [record] = records_about(caplog, path)
    assert record.exc_info is None
    line = record.getMessage()
    assert f"PATCH {path}" in line and f"user={user.pk}" in line
    assert "You may not edit this record." in line
