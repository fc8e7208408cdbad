"""Factor versions, import/export, stored calculations, recalculation and the CLI."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from ecotone.core.testing import UserFactory
from ecotone.impact.calculator import CalculationError
from ecotone.impact.factors import (
    FactorFileError,
    export_factors,
    import_factors,
    publish_factors,
)
from ecotone.impact.models import Calculation, EmissionFactor
from ecotone.impact.services import Subject, recalculate, recalculate_stale, save_calculation

NATIONAL_2022 = "cn-national-china-average-2022"


def test_seed_loads_the_shipped_tables_and_is_idempotent(library):
    factor = EmissionFactor.objects.get(key=NATIONAL_2022)
    assert (factor.value, factor.unit, factor.kind, factor.year) == (
        0.5366,
        "kg CO2 / kWh",
        "grid_average",
        2022,
    )
    assert EmissionFactor.objects.get(key="cn-national-china-ets-2022").value == 0.5703
    assert EmissionFactor.objects.get(key="ipcc2006-ncv-natural-gas").low == 46.5
    assert EmissionFactor.objects.get(key="gwp100-ar5-ch4").value == 28
    from django.conf import settings

    from ecotone.impact.factors import load_seed_factors

    again = load_seed_factors(settings.DATA_DIR, include_oefdb=False)
    assert (again.created, again.new_versions) == (0, [])


def row(value, **extra):
    return {
        "key": "test-grid",
        "name_en": "Test grid",
        "kind": "grid_average",
        "value": value,
        "unit": "t CO2e / MWh",
        "source_citation": "a test",
        **extra,
    }


def test_a_changed_value_is_a_new_version_and_the_old_one_stays(db):
    publish_factors([row(0.5)])
    report = publish_factors([row(0.6)], change_note="corrected")
    assert report.new_versions == ["test-grid"]
    old, new = EmissionFactor.objects.filter(key="test-grid").order_by("version")
    assert (old.value, old.superseded_by_id, new.value, new.version) == (0.5, new.pk, 0.6, 2)
    assert publish_factors([row(0.6)]).unchanged == 1


def test_import_reports_every_bad_row_and_keeps_nothing(db):
    text = (
        "key,name_en,kind,value,unit,source_citation,year\n"
        "a,A,grid_average,0.5,t CO2e / MWh,src,2022\n"
        "b,B,nonsense,x,parsecs of,src,20x\n"
        ",C,grid_average,1,t,,\n"
    )
    with pytest.raises(FactorFileError) as caught:
        import_factors(io.StringIO(text))
    message = "\n".join(caught.value.errors)
    for expected in (
        "row 3: kind",
        "row 3: value",
        "row 3: unit",
        "row 3: year",
        "row 4: key",
        "row 4: source_citation",
    ):
        assert expected in message
    assert not EmissionFactor.objects.exists()


def test_export_then_import_round_trips(library):
    out = io.StringIO()
    count = export_factors(out, EmissionFactor.objects.filter(dataset="ipcc-gwp100"))
    assert count == 9
    EmissionFactor.objects.filter(dataset="ipcc-gwp100").delete()
    report = import_factors(io.StringIO(out.getvalue()))
    assert report.created == 9
    assert EmissionFactor.objects.get(key="gwp100-ar6-n2o").value == 273


GRID_INPUTS = {
    "electricity": {"value": 1000, "unit": "MWh"},
    "grid_factor": {"factor": NATIONAL_2022},
}


def test_saving_needs_edit_permission(library, case):
    with pytest.raises(PermissionDenied):
        save_calculation(
            actor=UserFactory(),
            subject=Subject(case=case),
            methodology_id="grid_electricity_displacement",
            inputs=GRID_INPUTS,
            year=2022,
        )
    assert not Calculation.objects.exists()


def test_a_factor_for_another_year_or_region_is_refused(library, case, member):
    for context, message in (({"year": 2023}, "2022"), ({"region": "Shandong"}, "China")):
        with pytest.raises(CalculationError) as caught:
            save_calculation(
                actor=member,
                subject=Subject(case=case),
                context=context,
                methodology_id="grid_electricity_displacement",
                inputs=GRID_INPUTS,
                year=2023,
            )
        assert caught.value.field == "grid_factor" and message in caught.value.message


def test_recalculation_after_a_factor_update_makes_a_new_version_with_the_difference(
    library, case, member
):
    first = save_calculation(
        actor=member,
        subject=Subject(case=case),
        year=2022,
        methodology_id="grid_electricity_displacement",
        inputs=GRID_INPUTS,
    )
    assert first.value == pytest.approx(536.6) and first.factors[0]["version"] == 1
    current = EmissionFactor.objects.get(key=NATIONAL_2022)
    publish_factors(
        [
            {
                **{
                    f: getattr(current, f)
                    for f in (
                        "key",
                        "name_en",
                        "kind",
                        "unit",
                        "source_citation",
                        "region",
                        "year",
                        "gas",
                        "dataset",
                    )
                },
                "value": 0.54,
            }
        ]
    )
    changed = recalculate_stale()
    assert len(changed) == 1
    _old, new, difference = changed[0]
    assert (new.version, new.previous_id, new.lineage) == (2, first.pk, first.lineage)
    assert difference["value"] == [pytest.approx(536.6), pytest.approx(540.0)]
    assert (
        "v1" in difference["factor:grid_factor"][0] and "v2" in difference["factor:grid_factor"][1]
    )
    first.refresh_from_db()
    assert first.superseded_by_id == new.pk and first.value == pytest.approx(536.6)
    assert recalculate_stale() == []
    with pytest.raises(CalculationError):
        recalculate(first, actor=member, reason="again")


def test_cli_calc_gives_the_same_answer_as_the_api(library, client):
    body = {
        "methodology": "fuel_combustion",
        "inputs": {
            "fuel_mass": {"value": 2, "unit": "t"},
            "ncv": {"factor": "ipcc2006-ncv-natural-gas"},
            "co2_factor": {"factor": "ipcc2006-stationary-co2-natural-gas"},
            "ch4_factor": {"factor": "ipcc2006-stationary-ch4-energy-natural-gas"},
        },
    }
    api = client.post("/api/v1/impact/calculate", body, content_type="application/json").json()
    out = io.StringIO()
    call_command(
        "impact",
        "calc",
        "fuel_combustion",
        "--json",
        json.dumps({"inputs": body["inputs"]}),
        stdout=out,
    )
    cli = json.loads(out.getvalue())
    assert cli["result"] == api["result"] and cli["range"] == api["range"]
    assert cli["factors"] == api["factors"]
    assert api["result"]["value"] == pytest.approx(2 * 48 * 56.1 / 1000 + 2 * 48 / 1000 * 28 / 1000)


def test_cli_calc_names_the_bad_input(library):
    with pytest.raises(CommandError, match="grid_factor"):
        call_command(
            "impact",
            "calc",
            "grid_electricity_displacement",
            "--input",
            "electricity=5 MWh",
            "--input",
            "grid_factor=@no-such-factor",
        )
