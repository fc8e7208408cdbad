"""City-scale totals in the units a city reports, and the page of calculations behind one."""

import pytest

from ecotone.catalog.models import Case
from ecotone.core.testing import logged_in
from ecotone.impact.models import Calculation
from ecotone.impact.services import Subject, save_calculation
from ecotone.impact.units import format_reported


@pytest.mark.parametrize(
    ("tonnes", "language", "shown"),
    [
        (64_456_928.6, "zh-hans", "6,445.7 万吨CO2e"),
        (1200, "zh-hans", "1,200 吨CO2e"),
        (190_830, "zh-hans", "19.083 万吨CO2e"),
        (64_456_928.6, "en", "64.457 Mt CO2e"),
        (190_830, "en", "190,830 t CO2e"),
        (-1000, "en", "-1,000 t CO2e"),
    ],
)
def test_a_total_in_the_unit_a_city_reports(tonnes, language, shown):
    assert format_reported(tonnes, language) == shown


def save(case, member, value):
    return save_calculation(
        actor=member,
        subject=Subject(case=case),
        methodology_id="grid_electricity_displacement",
        inputs={
            "electricity": {"value": value, "unit": "MWh"},
            "grid_factor": {"value": 1, "unit": "t CO2e / MWh"},
        },
        year=2023,
    )


def test_the_calculations_behind_a_figure_in_both_languages(client, case, member):
    first, second = save(case, member, 120_000), save(case, member, 80_000)
    url = f"/en/impact/calculations/?ids={first.pk},{second.pk}"
    page = client.get(url).content.decode()
    assert 'data-total="200000.0">200,000 t CO2e' in page
    assert page.index(f'data-calculation="{first.pk}"') < page.index(
        f'data-calculation="{second.pk}"'
    )
    assert f'href="/en/impact/calculations/{first.pk}/"' in page
    chinese = client.get(url.replace("/en/", "/zh-hans/")).content.decode()
    assert "20 万吨CO2e" in chinese


def test_the_list_shows_only_what_the_reader_may_see(client, case, member):
    calculation = save(case, member, 1000)
    Case.objects.filter(pk=case.pk).update(status="draft")
    page = client.get(f"/en/impact/calculations/?ids={calculation.pk}").content.decode()
    assert f'data-calculation="{calculation.pk}"' not in page
    assert "1 calculation is not shown" in page
    member_page = logged_in(member).get(f"/en/impact/calculations/?ids={calculation.pk}")
    assert f'data-calculation="{calculation.pk}"' in member_page.content.decode()


@pytest.mark.parametrize("ids", ["1,x", "0", ",".join(["1"] * 1001)])
def test_bad_ids_are_a_400(client, db, ids):
    assert client.get("/en/impact/calculations/", {"ids": ids}).status_code == 400
    assert not Calculation.objects.exists()
