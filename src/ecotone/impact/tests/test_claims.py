"""Publishers' claims beside the platform's calculation: on the case page, the calculation
page, the API, the staff list and the CLI.

Claims and activity are the demo's published figures (data/sources/project_cases_public_
sources.csv): Datang Alxa Lanshan solar farm, 300,000 MWh a year, claims 370,000 t CO2 and
130,000 t standard coal saved (People's Daily 2023-04-25); Chifeng wind farm, 130,000 MWh,
claims 150,000 t CO2 (pdfslide.net CDM/VCS summary, 2014).
"""

import io

import pytest
from django.core.management import call_command

from ecotone.core.testing import CaseFactory, UserFactory, logged_in
from ecotone.impact.claims import compare, differing_claims
from ecotone.impact.demo import compute_demo_calculations
from ecotone.impact.models import Calculation

ALXA = "pcs-case-datang-alxa-lanshan-solar-farm"
CHIFENG = "pcs-case-chifeng-wind-power-project"


@pytest.fixture
def demo(library):
    for external_id in (ALXA, CHIFENG):
        CaseFactory(external_id=external_id, source_url="https://example.org/source")
    compute_demo_calculations()
    return {c.case.external_id: c for c in Calculation.objects.select_related("case")}


def test_the_claim_beside_the_calculation_with_the_reasons(demo):
    check = compare(demo[ALXA])
    assert check.claim == 370000
    assert check.ratio == pytest.approx(370000 / (300000 * 0.6361))  # 1.94
    reasons = check.rendered_reasons()
    assert reasons[0].startswith("Grid factor vintage: this calculation uses 0.6361 kg CO2 / kWh")
    assert reasons[1].startswith("Accounting basis:")
    # 130,000 tce × 29.3076 GJ × 94.6 kg/GJ… = 360,425 t: the claim is a coal-saved conversion
    assert "= 360,425 t CO2e, 97% of the claim." in reasons[2]


def test_a_claim_without_coal_saved_has_no_coal_reason(demo):
    check = compare(demo[CHIFENG])
    assert check.ratio == pytest.approx(150000 / (130000 * 0.5122))
    assert not any("Coal-saved" in reason for reason in check.rendered_reasons())


def test_the_case_page_shows_claim_over_calculation(client, demo):
    case = demo[ALXA].case
    page = client.get(case.get_absolute_url()).content.decode()
    assert "claim ÷ calculation = 1.94" in page


def test_the_calculation_page_explains_the_difference_in_both_languages(client, demo):
    url = f"/en/impact/calculations/{demo[ALXA].pk}/"
    english = client.get(url).content.decode()
    assert "The claim against the arithmetic" in english
    assert "claim ÷ calculation = 1.94" in english and "Coal-saved conversion" in english
    chinese = client.get(url.replace("/en/", "/zh-hans/")).content.decode()
    assert "声称值与计算的对照" in chinese and "节约标准煤折算" in chinese


def test_the_api_gives_the_claim_check(client, demo):
    body = client.get(f"/api/v1/impact/calculations/{demo[ALXA].pk}").json()
    assert body["claim_check"]["ratio"] == pytest.approx(1.9389, abs=1e-4)
    assert body["claim_check"]["claim"] == {"value": 370000, "unit": "t CO2e"}
    assert len(body["claim_check"]["reasons"]) == 3


def test_only_staff_see_the_list_of_differing_claims(client, demo):
    url = "/en/impact/claims/"
    assert client.get(url).status_code == 404
    assert logged_in(UserFactory()).get(url).status_code == 404
    staff = logged_in(UserFactory(is_staff=True))
    page = staff.get(url).content.decode()
    assert f'data-calculation="{demo[ALXA].pk}"' in page
    assert f'data-calculation="{demo[CHIFENG].pk}"' in page
    # Alxa differs by 94 %, Chifeng by 125 %: a 100 % margin keeps only Chifeng
    wide = staff.get(url, {"margin": "100"}).content.decode()
    assert f'data-calculation="{demo[ALXA].pk}"' not in wide
    assert f'data-calculation="{demo[CHIFENG].pk}"' in wide
    assert staff.get(url, {"margin": "many"}).status_code == 200  # the default margin


def test_differing_claims_lists_the_largest_difference_first(demo):
    assert [c.calculation.case.external_id for c in differing_claims(0.25)] == [CHIFENG, ALXA]
    assert differing_claims(2.0) == []


def test_the_cli_lists_the_claims(demo):
    out = io.StringIO()
    call_command("impact", "claims", "--margin", "100", stdout=out)
    text = out.getvalue()
    assert "claim 150,000 t CO2e, calculation 66,586 t CO2e, claim ÷ calculation 2.25" in text
    assert "1 claims differ by more than 100%" in text
