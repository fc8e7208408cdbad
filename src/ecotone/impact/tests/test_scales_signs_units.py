"""Plausibility as warnings by the subject's scale, signs of series, and the unit parser."""

import math

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ecotone.impact.calculator import CalculationError, calculate, get_methodology
from ecotone.impact.inputs import parse_inputs
from ecotone.impact.units import Quantity, format_unit, parse_unit, quantity

from .test_calculator import gwp_table


def run(methodology_id: str, inputs: dict, **context):
    method = get_methodology(methodology_id)
    return calculate(methodology_id, parse_inputs(method, inputs), {"gwp": gwp_table(), **context})


def grid(value, unit="MWh", factor=0.5366, factor_unit="t CO2e / MWh", **context):
    inputs = {
        "electricity": {"value": value, "unit": unit},
        "grid_factor": {"value": factor, "unit": factor_unit},
    }
    return run("grid_electricity_displacement", inputs, **context)


# --- 1. plausibility is a warning set by the subject's scale -------------------------------


def test_a_programme_figure_computes_for_a_case_with_a_warning_naming_the_field():
    # 120 TWh is what a large city uses (Shanghai about 180 TWh): city scale.
    outcome = grid(120_121_000)
    assert outcome.magnitude() == pytest.approx(120_121_000 * 0.5366)
    [warning] = outcome.warnings
    assert warning.field == "electricity"
    assert warning.render() == (
        "electricity: 120,121,000 MWh is city scale, above what a case reaches "
        "(10,000,000 MWh): confirm."
    )


@pytest.mark.parametrize(
    ("scale", "warned"),
    [("case", True), ("city", True), ("country", False), ("world", False)],
)
def test_the_subjects_scale_sets_the_warning(scale, warned):
    # China's generation is about 9,000 TWh a year: national, not a city's.
    outcome = grid(9_000, "TWh", scale=scale)
    assert bool(outcome.warnings) is warned
    if warned:
        assert "is national scale" in outcome.warnings[0].render()


def test_the_world_is_warned_only_beyond_global_scale():
    assert not grid(30_000, "TWh", scale="world").warnings
    [warning] = grid(80_000, "TWh", scale="world").warnings
    assert "beyond global scale" in warning.render()


def test_a_shenzhen_sized_city_fits_the_city_scale():
    assert not grid(100, "TWh", scale="city").warnings
    assert "city scale" in grid(100, "TWh").warnings[0].render()


def test_a_factor_does_not_scale_with_the_subject():
    [warning] = grid(5, factor=3, scale="world").warnings
    assert warning.field == "grid_factor"
    assert "above the plausible maximum of 2 t CO2e / MWh" in warning.render()


def test_a_warning_reads_in_chinese():
    warning = grid(120_121_000).warnings[0]
    with translation.override("zh-hans"):
        text = warning.render()
    assert "城市" in text and "120,121,000 MWh" in text


def test_an_unknown_scale_is_refused_naming_it():
    with pytest.raises(CalculationError) as caught:
        grid(5, scale="galaxy")
    assert caught.value.field == "scale"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-5, "electricity must be at least 0 MWh: electricity is an amount, never negative"),
        (math.nan, "electricity must be a finite number"),
        (math.inf, "electricity must be a finite number"),
    ],
)
def test_only_the_impossible_is_refused(value, message):
    with pytest.raises(CalculationError) as caught:
        grid(value)
    assert caught.value.field == "electricity"
    assert caught.value.message == message


def test_a_result_that_overflows_names_the_input_that_caused_it():
    with pytest.raises(CalculationError) as caught:
        grid(1e300, factor=1e10, factor_unit="t CO2e / kWh")
    assert caught.value.field == "electricity"
    assert "overflows" in caught.value.message


# --- 2. series and signs -------------------------------------------------------------------


def series(*pairs, unit="t CO2e"):
    return [{"year": year, "value": value, "unit": unit} for year, value in pairs]


def cumulative(rows, first, last):
    inputs = {"annual": rows, "from_year": {"value": first}, "to_year": {"value": last}}
    return run("cumulative_total", inputs)


def test_a_series_may_start_with_net_increases_and_the_trace_says_so():
    outcome = cumulative(series((2020, -1200), (2021, -300), (2022, 900), (2023, 2400)), 2020, 2023)
    assert outcome.magnitude() == 1800
    trace = [step.render() for step in outcome.trace]
    assert "2020: -1,200 t CO2e, a net increase in emissions of 1,200 t CO2e." in trace
    assert "2023: 2,400 t CO2e." in trace


def test_a_negative_total_is_called_a_net_increase_in_both_languages():
    outcome = cumulative(series((2020, -1200), (2021, 200)), 2020, 2021)
    assert outcome.magnitude() == -1000
    last = outcome.trace[-1]
    assert last.render() == "The total is negative: a net increase in emissions of 1,000 t CO2e."
    with translation.override("zh-hans"):
        assert "净增加" in last.render()


def test_a_negative_part_year_is_a_net_increase():
    inputs = {"annual": {"value": -3650, "unit": "t CO2e"}, "days": {"value": 100}}
    outcome = run("crediting_period", inputs)
    assert outcome.magnitude() == pytest.approx(-1000)
    assert "net increase" in outcome.trace[-1].render()


def test_electricity_still_may_not_be_negative():
    method = get_methodology("grid_electricity_displacement")
    assert method.spec("electricity").sign == "non-negative"
    assert get_methodology("cumulative_total").spec("annual").sign == "any"


# --- 3. units ------------------------------------------------------------------------------

SPELLINGS = {
    "m3": ("m**3", 1),
    "Nm3": ("Nm3", 1),
    "tCO2e": ("t CO2e", 1),
    "tCO2/yr": ("t CO2e / year", 1),
    "kgCO2e/kWh": ("kg CO2e / kWh", 1),
    "MWh/a": ("MWh / year", 1),
    "MMBtu": ("GJ", 1.055056),  # Pint's Btu: 1,055.056 J
    "therm": ("MJ", 105.5056),
    "scf": ("Nm3", 0.0283168466 * 273.15 / 288.7055556),
    "kg/TJ": ("kg / TJ", 1),
    "万吨CO2": ("t CO2e", 1e4),
    "亿千瓦时": ("kWh", 1e8),
    "万千瓦": ("kW", 1e4),
    "千瓦时": ("kWh", 1),
    "吨": ("t", 1),
    "吨标准煤": ("GJ", 29.3076),
    "tce": ("GJ", 29.3076),
    "万吨标煤": ("GJ", 29.3076e4),
    "万吨CO2/年": ("t CO2e / year", 1e4),
    "Mt CO2e/yr": ("t CO2e / year", 1e6),
    "kt CO2e": ("t CO2e", 1e3),  # a kilotonne, never a knot
    "标方": ("Nm3", 1),
    "立方米": ("m**3", 1),
}


@pytest.mark.parametrize(("text", "expected"), SPELLINGS.items())
def test_the_spellings_people_write(text, expected):
    unit, factor = expected
    assert Quantity(1, parse_unit(text)).to(unit).magnitude == pytest.approx(factor, rel=1e-9)


def test_a_gas_volume_at_reference_conditions_is_not_a_plain_volume():
    assert Quantity(1, parse_unit("scf")).to("Nm3").magnitude == pytest.approx(0.026791, rel=1e-4)
    with pytest.raises(Exception):  # noqa: B017  (Pint's DimensionalityError)
        Quantity(1, parse_unit("Nm3")).to("m**3")


@pytest.mark.parametrize("text", ["furlongs of joy", "万吨香蕉", "1e4 kWh", ""])
def test_what_is_not_a_unit_is_refused(text):
    if text == "":
        assert parse_unit(text) == parse_unit("dimensionless")
        return
    with pytest.raises(ValueError):
        parse_unit(text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SPELLINGS)))
def test_parse_format_parse_round_trips(text):
    unit = parse_unit(text)
    assert parse_unit(format_unit(unit)) == unit


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda v: abs(v) > 1e-9),
    st.sampled_from(sorted(SPELLINGS)),
)
def test_convert_and_convert_back_round_trips(value, text):
    start = quantity(value, text)
    base = start.to_base_units()
    back = base.to(parse_unit(text))
    assert back.magnitude == pytest.approx(value, rel=1e-9)


def test_chinese_units_are_normalised_in_the_trace():
    outcome = grid(1.2, "亿千瓦时")
    assert outcome.magnitude() == pytest.approx(120_000 * 0.5366)
    trace = [step.render() for step in outcome.trace]
    assert trace[0] == "electricity: 1.2 亿千瓦时 = 120,000 MWh."
    assert trace[1] == "Electricity supplied to the grid: 1.2 亿千瓦时."


def test_a_per_year_amount_is_the_amount_in_one_year():
    outcome = grid(300_000, "MWh/a")
    assert outcome.magnitude() == pytest.approx(300_000 * 0.5366)
    trace = [step.render() for step in outcome.trace]
    assert "electricity is given per year: the calculation uses the amount in one year." in trace


def test_a_capacity_is_not_an_amount_of_electricity():
    with pytest.raises(CalculationError) as caught:
        grid(5, "万千瓦")
    assert caught.value.field == "electricity"
    assert "a rate (such as a capacity), not an amount" in caught.value.message


def test_a_co2_factor_without_its_gas_is_read_as_co2():
    inputs = {
        "fuel_mass": {"value": 1000, "unit": "t"},
        "ncv": {"value": 48.0, "unit": "TJ / Gg"},
        "co2_factor": {"value": 56_100, "unit": "kg/TJ"},
    }
    outcome = run("fuel_combustion", inputs)
    assert outcome.magnitude() == pytest.approx(2692.8)
    trace = [step.render() for step in outcome.trace]
    assert "co2_factor is given without a gas: its mass is read as CO2." in trace


def test_standard_coal_equivalent_through_activity_factor():
    # 1 万吨标煤 = 10^4 tce = 293,076 GJ (GB/T 2589-2020: 1 kgce = 29.3076 MJ).
    inputs = {
        "activity": {"value": 1, "unit": "万吨标煤"},
        "factor": {"value": 94_600, "unit": "kg CO2 / TJ"},
    }
    outcome = run("activity_factor", inputs)
    assert outcome.magnitude() == pytest.approx(293.076 * 94.6)
    assert outcome.trace[0].render() == "activity: 1 万吨标煤 = 10,000 tce."


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(SPELLINGS)), st.sampled_from(["*", "/"])),
        min_size=1,
        max_size=3,
    )
)
def test_composite_units_round_trip_through_their_text(parts):
    text = parts[0][0]
    for spelling, operator in parts[1:]:
        text = f"({text}) {operator} ({spelling})"
    unit = parse_unit(text)
    back = parse_unit(format_unit(unit))
    assert Quantity(1, unit).to(back).magnitude == pytest.approx(1, rel=1e-12)
