"""A case page's dates: a plan is not said to have started, and a date its source gives
only as a year (stored as 1 January) is shown as that year."""

import datetime

import pytest
from django.test import Client

from ecotone.core.testing import CaseFactory

pytestmark = pytest.mark.django_db


def dates_on(page: str, label: str) -> str:
    after = page.split(f"<dt>{label}</dt>", 1)[1]
    return " ".join(after.split("<dd>", 1)[1].split("</dd>", 1)[0].split())


@pytest.mark.parametrize(
    ("language", "label", "shown"),
    [
        ("en", "Dates", "planned to start 2030"),
        ("zh-hans", "日期", "计划于 2030年 开始"),
    ],
)
def test_a_planned_case_is_planned_and_dated_by_its_year(language, label, shown):
    case = CaseFactory(start_date=datetime.date(2030, 1, 1))
    page = Client().get(f"/{language}/cases/{case.pk}/").content.decode()
    assert dates_on(page, label) == shown


def test_a_past_case_started_and_ended_on_the_dates_it_gives():
    case = CaseFactory(start_date=datetime.date(2017, 1, 1), end_date=datetime.date(2021, 6, 15))
    page = Client().get(f"/en/cases/{case.pk}/").content.decode()
    assert dates_on(page, "Dates") == "started 2017; ended June 15, 2021"
