"""Amounts on the pages are grouped by thousands in both languages."""

from decimal import Decimal

import pytest

from ecotone.core.testing import NeedFactory

pytestmark = pytest.mark.django_db


def test_a_needs_budget_is_grouped_by_thousands_on_the_chinese_page_too(client):
    need = NeedFactory(budget_min=Decimal("1500000"), budget_max=Decimal("5000000"))
    path = need.get_absolute_url().removeprefix("/en")
    english = client.get(f"/en{path}").content.decode()
    chinese = client.get(f"/zh-hans{path}").content.decode()
    assert "1,500,000 – 5,000,000" in english
    assert "1,500,000 – 5,000,000" in chinese
