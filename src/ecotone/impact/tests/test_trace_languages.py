"""Every trace line reads in the reader's language: the stored trace is a message id with
language-neutral parameters, rendered on the page through the Chinese catalogue."""

import ast
import html
import re
from pathlib import Path

import pytest
from django.utils import translation

from ecotone.impact.calculator import TraceStep, methodologies, render_trace
from ecotone.impact.models import Calculation
from ecotone.impact.services import Subject, save_calculation


def quantity(value, unit):
    return {"value": value, "unit": unit}


# One saved calculation per methodology (two for fuel switching, whose trace branches),
# chosen so that every step a methodology can write appears: units read from Chinese and
# per-year spellings, a factor given without its gas, net increases, rising consumption.
CASES = {
    "grid_electricity_displacement": {
        "electricity": quantity(3, "亿千瓦时/年"),
        "grid_factor": quantity(0.6361, "kgCO2e/kWh"),
    },
    "electricity_efficiency": {
        "baseline_consumption": quantity(1000, "MWh"),
        "project_consumption": quantity(1200, "MWh"),
        "grid_factor": quantity(0.5, "t CO2e / MWh"),
    },
    "activity_factor": {
        "activity": quantity(1000, "MWh"),
        "factor": quantity(0.5, "t CO2e / MWh"),
    },
    "baseline_minus_project": {
        "baseline": [{"label": "燃煤锅炉", "value": 100, "unit": "t CO2e"}],
        "project": [{"label": "heat pump", "value": 40, "unit": "t CO2e"}],
    },
    "fuel_combustion": {
        "fuel_mass": quantity(1000, "t"),
        "ncv": quantity(25.8, "TJ / Gg"),
        "co2_factor": quantity(94600, "kg/TJ"),
        "ch4_factor": quantity(1, "kg CH4 / TJ"),
        "n2o_factor": quantity(1.5, "kg N2O / TJ"),
        "gwp_set": {"value": "AR5"},
    },
    "fuel_switching": {
        "baseline_fuel_mass": quantity(1000, "t"),
        "baseline_ncv": quantity(25.8, "TJ / Gg"),
        "baseline_co2_factor": quantity(94600, "kg CO2 / TJ"),
        "project_ncv": quantity(48, "TJ / Gg"),
        "project_co2_factor": quantity(56100, "kg CO2 / TJ"),
    },
    "fuel_switching measured": {
        "baseline_fuel_mass": quantity(1000, "t"),
        "baseline_ncv": quantity(25.8, "TJ / Gg"),
        "baseline_co2_factor": quantity(94600, "kg CO2 / TJ"),
        "project_ncv": quantity(48, "TJ / Gg"),
        "project_co2_factor": quantity(56100, "kg CO2 / TJ"),
        "project_fuel_mass": quantity(530, "t"),
    },
    "vehicle_electrification": {
        "distance": quantity(100000, "km"),
        "fuel_per_km": quantity(8, "L / hkm"),
        "fuel_factor": quantity(2.3, "kg CO2e / L"),
        "electricity_per_km": quantity(0.15, "kWh / km"),
        "grid_factor": quantity(0.58, "kg CO2e / kWh"),
    },
    "cumulative_total": {
        "annual": [
            {"year": 2020, "value": -1200, "unit": "t CO2e"},
            {"year": 2021, "value": 200, "unit": "t CO2e"},
        ],
        "from_year": {"value": 2020},
        "to_year": {"value": 2021},
    },
    "crediting_period": {
        "annual": quantity(-1000, "t CO2e"),
        "days": {"value": 365},
    },
}

# What may stay in Latin letters in a Chinese line once its parameters are taken out:
# the chemical formulas and the GWP abbreviation, which Chinese reports write this way.
SYMBOLS = {"CO2", "CH4", "N2O", "GWP"}


def save(case, member, name):
    return save_calculation(
        actor=member,
        subject=Subject(case=case),
        methodology_id=name.split()[0],
        inputs=CASES[name],
        year=2023,
        acknowledge_warnings=True,
    )


def rendered_params(row) -> list[str]:
    return [str(value) for value in row.get("params", {}).values()]


def latin_words(line: str, row: dict) -> set[str]:
    for value in sorted(rendered_params(row), key=len, reverse=True):
        line = line.replace(value, " ")
    return set(re.findall(r"[A-Za-z][A-Za-z0-9]*", line)) - SYMBOLS


def trace_on_page(page: str) -> list[str]:
    block = re.search(r'<ol class="trace">(.*?)</ol>', page, re.S).group(1)
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_every_methodology_has_a_case_here():
    assert {m.id for m in methodologies()} == {name.split()[0] for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_chinese_calculation_page_shows_no_english_trace_sentence(
    client, library, case, member, name
):
    calculation = save(case, member, name)
    stored = calculation.trace
    assert stored and all(set(row) == {"message", "params"} for row in stored)
    english = client.get(f"/en/impact/calculations/{calculation.pk}/").content.decode()
    chinese = client.get(f"/zh-hans/impact/calculations/{calculation.pk}/").content.decode()
    english_lines, chinese_lines = trace_on_page(english), trace_on_page(chinese)
    assert len(english_lines) == len(chinese_lines) == len(stored)
    for row, in_english, in_chinese in zip(stored, english_lines, chinese_lines, strict=True):
        with translation.override("en"):
            assert in_english == TraceStep(row["message"], row["params"]).render()
        assert in_chinese != in_english
        assert in_english not in chinese
        assert not latin_words(in_chinese, row), (row["message"], in_chinese)


def test_the_api_reads_the_stored_trace_in_the_asked_language(client, library, case, member):
    calculation = save(case, member, "grid_electricity_displacement")
    url = f"/api/v1/impact/calculations/{calculation.pk}"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["trace"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["trace"]
    with translation.override("zh-hans"):
        assert chinese == render_trace(calculation.trace)
    assert chinese[0] == "electricity：3 亿千瓦时/年 = 300,000 MWh。"
    assert english[0] == "electricity: 3 亿千瓦时/年 = 300,000 MWh."
    assert chinese[-1].startswith("减排量 = 电量 × 电网排放因子 = 300,000 MWh × ")


def test_a_trace_stored_by_an_older_version_still_displays(client, library, case, member):
    calculation = save(case, member, "activity_factor")
    Calculation.objects.filter(pk=calculation.pk).update(
        trace=[
            "Emissions = 1,000 MWh × 0.5 t CO2e / MWh = 500 t CO2e.",
            {"message": "Total = %(total)s.", "params": {}},
            {"message": "A step this version no longer writes: %(x)s.", "params": {"x": 1}},
        ]
    )
    for language in ("en", "zh-hans"):
        page = client.get(f"/{language}/impact/calculations/{calculation.pk}/")
        assert page.status_code == 200
        lines = trace_on_page(page.content.decode())
        assert lines[0] == "Emissions = 1,000 MWh × 0.5 t CO2e / MWh = 500 t CO2e."
        assert lines[1] == "Total = %(total)s."
        assert lines[2] == "A step this version no longer writes: 1."


def impact_msgids() -> list[tuple[str, str]]:
    """Every string the impact app marks for translation, with its file."""
    found = []
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((path.name, node.args[0].value))
    return found


def test_every_impact_message_has_a_chinese_translation():
    marked = impact_msgids()
    assert len(marked) > 100
    with translation.override("zh-hans"):
        untranslated = [(name, msgid) for name, msgid in marked if _zh(msgid) == msgid]
    assert not untranslated


def _zh(msgid: str) -> str:
    return translation.gettext(msgid)
