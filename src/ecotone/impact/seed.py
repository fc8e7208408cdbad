"""Rows of the shipped factor tables (``data/sources/``, ``data/third_party/``) as
factor dictionaries ready for ``factors.publish_factors``. Pure: reads CSV, writes nothing."""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from .units import parse_unit

IPCC_2006 = "IPCC 2006 Guidelines for National Greenhouse Gas Inventories"
OEFDB_LICENCE = "CC BY-SA 4.0 — Open Emission Factors Database, Climatiq and contributors"
OEFDB_URL = "https://github.com/climatiq/Open-Emission-Factors-DB"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rows(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# --- China electricity -----------------------------------------------------------------


def _grid_kind(factor_type: str) -> tuple[str, str]:
    """(kind, key part) of a China factor row by its ``factor_type`` text."""
    text = factor_type.lower()
    if "ets" in text:
        return "grid_ets", "ets"
    if "excl. market" in text:  # "… excl. market-traded non-fossil …" is an average
        return "grid_average", "average-excl-market"
    if "fossil" in text:
        return "grid_fossil", "fossil"
    return "grid_average", "average"


def china_electricity(path: Path) -> Iterator[dict]:
    for row in _rows(path):
        kind, part = _grid_kind(row["factor_type"])
        region = row["region_en"]
        url = row["retrieved_via"] if row["retrieved_via"].startswith("http") else ""
        yield {
            "key": f"cn-{row['level']}-{slug(region)}-{part}-{row['data_year']}",
            "name_en": f"{region}: {row['factor_type']}, {row['data_year']}",
            "name_zh": (
                f"{row['region_zh']}{row['data_year']}年电力二氧化碳排放因子"
                f"（{row['factor_type']}）"
            ),
            "kind": kind,
            "value": float(row["value"]),
            "unit": row["unit"]
            .replace("kgCO2/kWh", "kg CO2 / kWh")
            .replace("tCO2/MWh", "t CO2 / MWh"),
            "gas": "CO2",
            "region": region,
            "region_zh": row["region_zh"],
            "year": int(row["data_year"]),
            "dataset": "cn-electricity",
            "source_citation": row["official_source"],
            "source_url": url.split(" ;")[0].strip(),
            "verification_note": f"{row['verification']}. Retrieved via: {row['retrieved_via']}",
        }


# --- IPCC 2006 ---------------------------------------------------------------------------


def _ipcc(key, name_en, name_zh, kind, value, unit, gas, source, note, low=None, high=None):
    return {
        "key": key,
        "name_en": name_en,
        "name_zh": name_zh,
        "kind": kind,
        "value": value,
        "low": low,
        "high": high,
        "unit": unit,
        "gas": gas,
        "dataset": "ipcc2006",
        "source_citation": f"{IPCC_2006}. {source.split(': http')[0]}",
        "source_url": _first_url(source),
        "verification_note": note,
    }


def _first_url(text: str) -> str:
    found = re.search(r"https?://\S+", text)
    return found.group(0).rstrip(";,") if found else ""


def ipcc_stationary(path: Path) -> Iterator[dict]:
    for row in _rows(path):
        fuel, zh, name = slug(row["fuel_en"]), row["fuel_zh"], row["fuel_en"]
        src, note = row["source"], row["cross_check"]
        yield _ipcc(
            f"ipcc2006-stationary-co2-{fuel}",
            f"{name}: CO2, stationary combustion",
            f"{zh}：固定源燃烧CO2排放因子",
            "fuel_combustion",
            float(row["co2_kg_per_tj_default"]),
            "kg CO2 / TJ",
            "CO2",
            src,
            note,
            _number(row["co2_kg_per_tj_lower"]),
            _number(row["co2_kg_per_tj_upper"]),
        )
        yield _ipcc(
            f"ipcc2006-ncv-{fuel}",
            f"{name}: net calorific value",
            f"{zh}：净发热值",
            "calorific_value",
            float(row["ncv_tj_per_gg_default"]),
            "TJ / Gg",
            "",
            src,
            note,
            _number(row["ncv_tj_per_gg_lower"]),
            _number(row["ncv_tj_per_gg_upper"]),
        )
        for gas, column in (("CH4", "ch4"), ("N2O", "n2o")):
            yield _ipcc(
                f"ipcc2006-stationary-{column}-energy-{fuel}",
                f"{name}: {gas}, energy industries",
                f"{zh}：能源工业{gas}排放因子",
                "fuel_combustion",
                float(row[f"{column}_kg_per_tj_energy_industries"]),
                f"kg {gas} / TJ",
                gas,
                src,
                note,
            )


def ipcc_road(path: Path) -> Iterator[dict]:
    for row in _rows(path):
        fuel, zh, name = slug(row["fuel_en"]), row["fuel_zh"], row["fuel_en"]
        for gas, column in (("CO2", "co2"), ("CH4", "ch4"), ("N2O", "n2o")):
            yield _ipcc(
                f"ipcc2006-road-{column}-{fuel}",
                f"{name}: {gas}, road transport",
                f"{zh}：道路运输{gas}排放因子",
                "fuel_combustion",
                float(row[f"{column}_kg_per_tj"]),
                f"kg {gas} / TJ",
                gas,
                row["source"],
                f"technology: {row['technology']}; {row['note']}",
            )


def gwp100(path: Path) -> Iterator[dict]:
    for row in _rows(path):
        gas = row["gas"]
        for basis in ("AR4", "AR5", "AR6"):
            yield {
                "key": f"gwp100-{basis.lower()}-{gas.lower()}",
                "name_en": f"GWP100 of {gas} ({basis})",
                "name_zh": f"{gas}的100年全球增温潜势（{basis}）",
                "kind": "gwp",
                "value": float(row[f"{basis.lower()}_gwp100"]),
                "unit": f"kg CO2e / (kg {gas})",
                "gas": gas,
                "gwp_basis": basis,
                "dataset": "ipcc-gwp100",
                "source_citation": f"IPCC {basis}, 100-year global warming potentials",
                "source_url": "https://www.ipcc.ch/",
                "verification_note": row["note"],
            }


# --- Open Emission Factors Database (CC BY-SA 4.0) -----------------------------------------

OEFDB_UNITS = {
    "kWh": "kWh",
    "km": "km",
    "kg": "kg",
    "short ton": "short_ton",
    "tonne-km": "t * km",
    "tonne": "t",
    "mile": "mile",
    "passenger-km": "km",
    "MMBTU": "MMBtu",
    "gal (US)": "gallon",
    "L": "L",
    "GJ": "GJ",
    "passenger-mile": "mile",
    "scf": "ft ** 3",
    "ton-mile": "short_ton * mile",
    "m3": "m ** 3",
}


def oefdb(path: Path) -> Iterator[dict]:
    """Rows with a CO2e value per a physical unit (spend-based rows are left out: a
    currency is not a unit the calculator converts)."""
    seen: dict[str, int] = {}
    for row in _rows(path):
        activity_unit = OEFDB_UNITS.get(row["activity_unit"])
        basis, value = "AR5", _number(row["kgCO2e-AR5"])
        if value is None:
            basis, value = "AR4", _number(row["kgCO2e-AR4"])
        if activity_unit is None or value is None:
            continue
        unit = f"kg CO2e / {activity_unit}"
        parse_unit(unit)
        base = slug(
            f"oefdb {row['activity_id']} {row['region']} {row['year_released']} "
            f"{row['source']} {row['activity_unit']}"
        )
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}-{seen[base]}"
        year = _number(row["year_released"])
        yield {
            "key": key[:200],
            "name_en": row["name"][:300],
            "kind": "grid_average" if "electricity" in row["activity_id"] else "other",
            "value": value,
            "unit": unit,
            "gas": "CO2e",
            "gwp_basis": basis,
            "region": row["region"],
            "year": int(year) if year else None,
            "dataset": "oefdb",
            "source_citation": f"{row['source']} via the Open Emission Factors Database",
            "source_url": row["source_link"][:1000]
            if row["source_link"].startswith("http")
            else "",
            "verification_note": row["description"][:2000],
            "licence": OEFDB_LICENCE,
        }


def seed_rows(data_dir: Path, *, include_oefdb: bool = True) -> Iterator[dict]:
    factors = data_dir / "sources"
    yield from china_electricity(factors / "china_electricity_co2_factors.csv")
    yield from ipcc_stationary(factors / "ipcc2006_stationary_combustion_defaults.csv")
    yield from ipcc_road(factors / "ipcc2006_road_transport_defaults.csv")
    yield from gwp100(factors / "gwp100.csv")
    if include_oefdb:
        yield from oefdb(data_dir / "third_party" / "oefdb_open_emission_factors.csv")
