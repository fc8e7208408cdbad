"""Investments between organisations: the record's rules, the admin, and both pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from ecotone.catalog.models import Investment
from ecotone.core.testing import OrganisationFactory, UserFactory, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    fund = OrganisationFactory(name_en="Blue Ridge Fund", name_zh="蓝岭基金", kind="investor")
    startup = OrganisationFactory(name_en="Sunbeam Storage", name_zh="阳光储能", kind="startup")
    return fund, startup


def invest(fund, startup, **values) -> Investment:
    return Investment.objects.create(investor=fund, investee=startup, **values)


def test_one_investment_per_pair_and_round(pair):
    fund, startup = pair
    invest(fund, startup, round="Series A", year=2021)
    invest(fund, startup, round="Series B", year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        invest(fund, startup, round="Series A", year=2022)
    assert Investment.objects.count() == 2


def test_an_organisation_does_not_invest_in_itself(pair):
    fund, _startup = pair
    with pytest.raises(ValidationError) as error:
        Investment(investor=fund, investee=fund).full_clean()
    assert "investee" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        invest(fund, fund)


def test_an_amount_needs_a_currency_in_capitals(pair):
    fund, startup = pair
    with pytest.raises(ValidationError) as error:
        Investment(investor=fund, investee=startup, amount=Decimal("5000000")).full_clean()
    assert "currency" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Investment(investor=fund, investee=startup, amount=1, currency="usd").full_clean()
    assert "currency" in error.value.message_dict
    Investment(investor=fund, investee=startup, amount=1, currency="USD").full_clean()


def test_both_pages_show_the_investment_in_the_readers_language(pair, client):
    fund, startup = pair
    invest(
        fund,
        startup,
        round="Series A",
        year=2021,
        amount=Decimal("30000000"),
        currency="CNY",
        source_url="https://news.example/sunbeam-series-a",
    )
    fund_page = client.get(fund.get_absolute_url()).content.decode()
    assert "Portfolio" in fund_page and "Sunbeam Storage" in fund_page
    assert "Series A, 2021" in fund_page and "CNY" in fund_page
    assert "https://news.example/sunbeam-series-a" in fund_page
    startup_page = client.get(startup.get_absolute_url()).content.decode()
    assert "Investors" in startup_page and "Blue Ridge Fund" in startup_page
    with translation.override("zh-hans"):
        zh_page = client.get(startup.get_absolute_url()).content.decode()
    assert "蓝岭基金" in zh_page


def test_an_unpublished_counterpart_is_left_out_for_visitors(pair, client):
    fund, startup = pair
    startup.status = "draft"
    startup.save()
    invest(fund, startup, round="Seed")
    assert "Sunbeam Storage" not in client.get(fund.get_absolute_url()).content.decode()
    staff = logged_in(UserFactory(is_staff=True))
    assert "Sunbeam Storage" in staff.get(fund.get_absolute_url()).content.decode()


def test_staff_add_an_investment_in_the_admin(pair):
    fund, startup = pair
    staff = logged_in(UserFactory(is_staff=True, is_superuser=True))
    assert staff.get("/admin/catalog/investment/").status_code == 200
    response = staff.post(
        "/admin/catalog/investment/add/",
        {
            "investor": fund.pk,
            "investee": startup.pk,
            "round": "Seed",
            "year": "2019",
            "amount": "",
            "currency": "",
            "source_url": "https://news.example/seed",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    investment = Investment.objects.get()
    assert (investment.investor, investment.investee, investment.year) == (fund, startup, 2019)
    assert staff.get("/admin/catalog/investment/?q=Sunbeam").status_code == 200
