#!/usr/bin/env python3
"""Build Ecotone's bundled demo data set (data/demo/*.jsonl) from the shared source files.

This is a maintainer tool. The app and the tests never run it: they read only the files it
writes into data/. Run it from anywhere:

    python data/build_demo.py                 # source folder defaults to ../shared/data
    python data/build_demo.py /path/to/source # or name the source folder
    python data/build_demo.py --check         # validate the existing data/demo/*.jsonl only

It uses only the Python standard library. It
  1. converts the source files into JSON Lines, one file per kind (see data/README.md);
  2. merges the hand-curated records of data/demo/shenzhen_session.json and the illustrative
     organisations and needs of data/demo/illustrative_needs.json (invented, labelled so);
  3. adds the documents of data/documents/ (full texts, pages separated by form feeds) as
     resources, from data/documents/documents.json and one text file per document;
  4. copies the redistributable raw files verbatim into data/third_party/ and data/sources/;
  5. validates the whole set (unique ids, references, sector slugs, required fields, dates,
     enumerations, text lengths) and prints the number of records per file.
"""

# Chinese text in this file uses full-width punctuation on purpose.

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import importlib.util
import json
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = DATA_DIR.parent
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "data"
DEMO_DIR = DATA_DIR / "demo"
THIRD_PARTY_DIR = DATA_DIR / "third_party"
SOURCES_DIR = DATA_DIR / "sources"
TAXONOMY_FILE = PROJECT_ROOT / "src" / "ecotone" / "catalog" / "taxonomy.py"
BILINGUAL_FILE = PROJECT_ROOT / "src" / "ecotone" / "core" / "bilingual.py"
SHENZHEN_FILE = DEMO_DIR / "shenzhen_session.json"
ILLUSTRATIVE_FILE = DEMO_DIR / "illustrative_needs.json"
DOCUMENTS_DIR = DATA_DIR / "documents"
DOCUMENTS_FILE = DOCUMENTS_DIR / "documents.json"
# The CCUS policies' jurisdiction, status and legal weight in both languages (Ecotone's renderings).
POLICY_TERMS_FILE = DEMO_DIR / "policy_terms.tsv"
# The day the documents' texts were taken from their repositories and checked.
DOCUMENTS_VERIFIED = "2026-12-06"

# Used as last_verified when the source file carries no date of its own.
DEFAULT_VERIFIED = "2026-11-24"
MAX_TEXT = 2000


def load_bilingual_rule():
    """The app's rule for Chinese fields that only repeat the English text
    (src/ecotone/core/bilingual.py, standard library only), loaded by path: no Django here."""
    spec = importlib.util.spec_from_file_location("ecotone_core_bilingual", BILINGUAL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BILINGUAL = load_bilingual_rule()

OST_COMMIT = "191e74dce47e"
OST_ORGS_URL = f"https://github.com/protontypes/open-sustainable-technology/blob/{OST_COMMIT}/organizations.csv"
OST_README_URL = (
    f"https://github.com/protontypes/open-sustainable-technology/blob/{OST_COMMIT}/README.md"
)
CCUS_COMMIT = "76512d02ea1f"
CCUS_POLICIES_URL = (
    f"https://github.com/liuh886/ccus-policy-hub/blob/{CCUS_COMMIT}/public/data/policies.json"
)
CCUS_FACILITIES_URL = (
    f"https://github.com/liuh886/ccus-policy-hub/blob/{CCUS_COMMIT}/public/data/facilities.json"
)

# Raw files shipped verbatim. ShareAlike / attribution-required files go to third_party/,
# factual tables to sources/. No drawdown_* file is ever copied (NonCommercial or unclear licence).
THIRD_PARTY_FILES = ["oefdb_open_emission_factors.csv", "ost_organizations.csv", "ost_projects.csv"]
SOURCE_FILES = [
    "china_electricity_co2_factors.csv",
    "ipcc2006_stationary_combustion_defaults.csv",
    "ipcc2006_road_transport_defaults.csv",
    "gwp100.csv",
    "project_cases_public_sources.csv",
    "ccus_policies_bilingual.jsonl",
    "ccus_facilities_bilingual.csv",
]

KINDS = [
    "organisations",
    "people",
    "affiliations",
    "solutions",
    "cases",
    "needs",
    "resources",
    "events",
    "sessions",
    "awards",
]

# --------------------------------------------------------------------------------------
# Countries: English names used by the sources -> ISO 3166-1 alpha-2. Names that are not a
# single country ("Global", "EU", "International", "Germany-Netherlands", ...) map to nothing
# and the record simply has no country.
# --------------------------------------------------------------------------------------
COUNTRY_ISO2 = {
    "Algeria": "DZ",
    "Argentina": "AR",
    "Australia": "AU",
    "Austria": "AT",
    "Bahrain": "BH",
    "Belgium": "BE",
    "Brazil": "BR",
    "Bulgaria": "BG",
    "Canada": "CA",
    "Chile": "CL",
    "China": "CN",
    "Chinese Taipei": "TW",
    "Colombia": "CO",
    "Croatia": "HR",
    "Czech Republic": "CZ",
    "Denmark": "DK",
    "Egypt": "EG",
    "Finland": "FI",
    "France": "FR",
    "Georgia": "GE",
    "Germany": "DE",
    "Greece": "GR",
    "Hungary": "HU",
    "Iceland": "IS",
    "India": "IN",
    "Indonesia": "ID",
    "Iran": "IR",
    "Ireland": "IE",
    "Italy": "IT",
    "Japan": "JP",
    "Kenya": "KE",
    "Kuwait": "KW",
    "Latvia": "LV",
    "Libya": "LY",
    "Lithuania": "LT",
    "Luxembourg": "LU",
    "Malaysia": "MY",
    "Mexico": "MX",
    "Netherlands": "NL",
    "New Zealand": "NZ",
    "Nigeria": "NG",
    "Norway": "NO",
    "Oman": "OM",
    "Panama": "PA",
    "Papua New Guinea": "PG",
    "Philippines": "PH",
    "Poland": "PL",
    "Portugal": "PT",
    "Qatar": "QA",
    "Romania": "RO",
    "Russia": "RU",
    "Saudi Arabia": "SA",
    "Singapore": "SG",
    "Slovakia": "SK",
    "Slovenia": "SI",
    "South Korea": "KR",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "Thailand": "TH",
    "UK": "GB",
    "United Arab Emirates": "AE",
    "United Kingdom": "GB",
    "United States": "US",
    "Uruguay": "UY",
    "USA": "US",
    "Vietnam": "VN",
}

# Every code the data set may use (the ones above plus those the hand-curated file uses).
KNOWN_ISO2 = set(COUNTRY_ISO2.values()) | {"AE", "CN"}


def country_code(name: str) -> str | None:
    return COUNTRY_ISO2.get(name.strip())


# A resource's jurisdiction: a country's code, or one of the two that are not one country
# (the app's ``catalog.model_fields.Jurisdictions``). "Global", "Germany-Netherlands" and
# other values that name no one jurisdiction give none.
JURISDICTION_CODES = {"European Union": "EU", "International": "INT"}
KNOWN_JURISDICTIONS = KNOWN_ISO2 | set(JURISDICTION_CODES.values())


def jurisdiction_code(name: str) -> str | None:
    return JURISDICTION_CODES.get(name.strip()) or country_code(name)


# --------------------------------------------------------------------------------------
# Open Sustainable Technology: form_of_organization -> Ecotone kind.
# OST "community" groups are volunteer open-source communities and "collaboration" groups are
# joint projects of several institutions; Ecotone has no such kind, and neither is a company, a
# government, an investor or a broker, so both are filed as "ngo" (non-governmental, non-profit).
# Rows with an empty form (474 of 1,192; they also have no country) are left out, because
# kind is required and we would have to guess it.
# --------------------------------------------------------------------------------------
OST_KIND = {
    "academia": "research_institute",
    "for-profit": "corporate",
    "government agency": "government",
    "non-profit": "ngo",
    "community": "ngo",
    "collaboration": "ngo",
}

# OST sub-category -> Ecotone sector slugs (src/ecotone/catalog/taxonomy.py). A top-level slug
# is used only where no second-level sector fits. An empty list means "no sector".
OST_SECTORS: dict[str, list[str]] = {
    # Atmosphere
    "Atmospheric Chemistry and Aerosol": ["climate-modelling"],
    "Atmospheric Composition and Dynamics": ["climate-modelling"],
    "Atmospheric Dispersion and Transport": ["climate-modelling"],
    "Meteorological Observation and Forecast": ["climate-modelling"],
    "Radiative Transfer": ["climate-modelling"],
    # Biosphere
    "Avian Monitoring and Analysis": ["biodiversity"],
    "Bioacoustics and Acoustic Data Analysis": ["biodiversity"],
    "Biodiversity Analysis and Metrics": ["biodiversity"],
    "Biodiversity Citizen Science": ["biodiversity"],
    "Biodiversity Data Access and Management": ["biodiversity"],
    "Biodiversity Data Cleaning and Standardization": ["biodiversity"],
    "Biomass": ["forestry"],  # vegetation / forest biomass estimation, not bioenergy
    "Conservation and Restoration": ["biodiversity"],
    "Deforestation and Reforestation": ["forestry"],
    "Ecological and Environmental Modeling": ["biodiversity"],
    "Forest Modeling and Analysis": ["forestry"],
    "Forest Observation and Management": ["forestry"],
    "Forest Remote Sensing": ["forestry", "earth-observation"],
    "Marine Life and Fishery": ["biodiversity"],
    "Plants and Vegetation": ["biodiversity"],
    "Species Distribution Modeling": ["biodiversity"],
    "Terrestrial Wildlife": ["biodiversity"],
    "Wildfire": ["climate-risk"],
    # Climate Change
    "Climate Data Access and Visualization": ["climate-modelling"],
    "Climate Data Processing and Analysis": ["climate-modelling"],
    "Climate Data Standards": ["climate-modelling"],
    "Climate Downscaling": ["climate-modelling"],
    "Earth and Climate Modeling": ["climate-modelling"],
    "Integrated Assessment and Climate Policy": ["climate-policy"],
    "Natural Hazard and Storms": ["climate-risk"],
    "Natural Hazard and Storm": ["climate-risk"],  # spelling used in organizations.csv
    # Consumption
    "Agriculture and Nutrition": ["agriculture"],
    "Buildings and Heating": ["green-building", "heating-cooling"],
    "Computation and Communication": ["carbon-accounting"],  # energy/CO2 of software and ICT
    "Mobility and Transportation": ["low-carbon-transportation"],
    "Production and Industry": ["industry"],
    # Cryosphere
    "Glacier and Ice Sheets": ["climate-modelling"],
    "Sea Ice": ["climate-modelling"],
    "Snow and Permafrost": ["climate-modelling"],
    # Emissions
    "Carbon Capture": ["ccus"],
    "Carbon Intensity and Accounting": ["carbon-accounting"],
    "Carbon Offsets and Trading": ["carbon-markets"],
    "Emission Observation and Modeling": ["emissions-data"],
    # Energy Storage
    "Battery": ["energy-storage"],
    "Hydrogen": ["hydrogen"],
    # Energy Systems
    "Building Energy Monitoring": ["green-building"],
    "Energy Data Accessibility and Integration": ["energy"],
    "Energy Markets": ["energy"],
    "Energy Policy": ["climate-policy"],
    "Energy System Modeling Frameworks": ["energy"],
    "Global and Regional Energy System Models": ["energy"],
    "Grid Analysis and Planning": ["power-grids"],
    "Grid Management and Microgrid": ["power-grids"],
    "Load and Demand Forecasting": ["power-grids"],
    "Renewable Energy Integration": ["power-grids"],
    # Hydrosphere
    "Coastal and Reefs": ["climate-risk"],
    "Freshwater and Hydrology": ["water"],
    "Ocean Carbon and Temperature": ["climate-modelling"],
    "Ocean Models": ["climate-modelling"],
    "Ocean and Hydrology Data Access": ["earth-observation"],
    "Waves and Currents": ["climate-modelling"],
    # Industrial Ecology
    "Circular Economy and Waste": ["circular-economy"],
    "Input Output Model": ["carbon-accounting"],
    "Life Cycle Assessment": ["carbon-accounting"],
    # Natural Resources
    "Air Quality": ["emissions-data"],
    "Ecotoxicology": ["biodiversity"],
    "Soil and Land": ["forestry"],  # taxonomy: "Forests and land use"
    "Water Supply and Quality": ["water"],
    # Renewable Energy
    "Bioenergy": ["bioenergy"],
    "Geothermal Energy": ["geothermal"],
    "Hydro Energy": ["hydropower"],
    "Photovoltaics and Solar Energy": ["solar-power"],
    "Wind Energy": ["wind-power"],
    # Sustainable Development
    "Curated Lists": ["climate-data"],
    "Data Catalogs and Interfaces": ["climate-data"],
    "Environmental Satellites": ["earth-observation"],
    "Knowledge Platforms": ["climate-data"],
    "Population and Poverty": ["adaptation"],
    "Sustainable Development Goals": ["climate-policy"],
    "Sustainable Investment": ["climate-finance"],
    "Taxonomy and Ontology": ["climate-data"],
    "Education": [],
}

# CCUS facility sector -> extra Ecotone sector next to "ccus".
CCUS_EXTRA_SECTOR = {
    "DAC": "direct-air-capture",
    "Hydrogen or ammonia": "hydrogen",
    "Biofuels": "bioenergy",
    "Cement": "heavy-industry",
    "Iron and steel": "heavy-industry",
    "Chemicals": "heavy-industry",
    "Fertilizer": "heavy-industry",
    "Lime": "heavy-industry",
    "Aluminium": "heavy-industry",
    "Refining": "heavy-industry",
    "Coal-to-liquids": "heavy-industry",
    "Coal-to-gas": "heavy-industry",
    "Gas-to-liquids": "heavy-industry",
}
CAPTURE_TYPES = {"Capture", "Full chain", "CCU"}

# project_cases_public_sources.csv: our own Chinese renderings of the few values used.
PROVINCE_ZH = {
    "Inner Mongolia": "内蒙古",
    "Heilongjiang": "黑龙江",
    "Liaoning": "辽宁",
    "Inner Mongolia (Northeast grid)": "内蒙古（东北电网）",
    "Hebei (North China grid)": "河北（华北电网）",
    "Jilin (Northeast grid)": "吉林（东北电网）",
    "Tamil Nadu": "泰米尔纳德邦",
    "Shaanxi": "陕西",
}
COUNTRY_ZH = {"CN": "中国", "IN": "印度"}


def technology_zh(tech: str) -> str:
    if tech.startswith("utility-scale solar PV"):
        return "集中式光伏" + tech[len("utility-scale solar PV") :]
    if tech.startswith("onshore wind"):
        return "陆上风电" + tech[len("onshore wind") :]
    if tech.startswith("waste gas / waste heat to power"):
        return "余热余压发电" + tech[len("waste gas / waste heat to power") :]
    return tech


def case_sectors_for_technology(tech: str) -> list[str]:
    t = tech.lower()
    if "solar" in t:
        return ["solar-power"]
    if "wind" in t:
        return ["wind-power"]
    if "waste heat" in t:
        return ["energy-conservation"]
    return []


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug or "x"


def clip(text: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def fmt_number(value: str) -> str:
    """'370000' -> '370,000'; '0.5' stays '0.5'."""
    try:
        num = float(value)
    except ValueError:
        return value
    if num.is_integer():
        return f"{int(num):,}"
    return f"{num:,.6g}"


def sentence(text: str) -> str:
    """Strip and end with a full stop, so that appended sentences read properly."""
    text = (text or "").strip()
    if text and text[-1] not in ".!?。！？":
        text += "."
    return text


def iso_date_or(value: str, fallback: str) -> str:
    try:
        dt.date.fromisoformat(value)
        return value
    except (TypeError, ValueError):
        return fallback


def drop_empty(record: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """Omit optional fields we don't have; `keep` names fields kept even when empty."""
    keep = set(keep)
    return {k: v for k, v in record.items() if k in keep or v not in (None, "", [])}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def repo_namespace(url: str) -> str | None:
    """'https://github.com/NOAA-GFDL/MOM6' -> 'github.com/noaa-gfdl'."""
    m = re.match(r"https?://([^/]+)/([^/?#]+)", (url or "").strip())
    if not m:
        return None
    return f"{m.group(1).lower()}/{m.group(2).lower()}"


# --------------------------------------------------------------------------------------
# Open Sustainable Technology -> organisations, solutions
# --------------------------------------------------------------------------------------

_NOT_A_CITY = re.compile(
    r"universit|institut|lab|center|centre|school|college|research|forschung|smithsonian|"
    r"agency|department|bay area|online|earth|global|worldwide|international",
    re.IGNORECASE,
)
_COUNTRY_NAMES = {n.lower() for n in COUNTRY_ISO2} | {
    "us",
    "united states of america",
    "the netherlands",
}


def ost_city(location: str) -> str | None:
    """Best-effort city from OST's free-text location ('Berkeley, CA' -> 'Berkeley').

    Only 'City, Region[, Country]' shapes are accepted; anything else (a bare word, an
    institution, an address, several cities) gives no city rather than a wrong one.
    """
    parts = [p.strip() for p in (location or "").split(",") if p.strip()]
    if not 2 <= len(parts) <= 3:
        return None
    first = re.sub(r"\s*\([^)]*\)", "", parts[0]).strip()
    first = re.sub(r"\s+[A-Z]{2}$", "", first)  # 'Seattle WA' -> 'Seattle'
    if (
        not first
        or len(first) > 30
        or re.search(r"[\d/|@()]", first)
        or first.isupper()
        or first.lower() in _COUNTRY_NAMES
        or _NOT_A_CITY.search(first)
    ):
        return None
    return first


def ost_sectors(sub_categories: str) -> list[str]:
    slugs: list[str] = []
    for sub in sub_categories.split(","):
        sub = sub.strip()
        if not sub:
            continue
        if sub not in OST_SECTORS:
            raise KeyError(f"OST sub-category without a sector mapping: {sub!r}")
        for slug in OST_SECTORS[sub]:
            if slug not in slugs:
                slugs.append(slug)
    return slugs


def normalise_website(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if not re.match(r"https?://", url):
        url = "https://" + url
    return url


def build_ost_organisations(source: Path) -> tuple[list[dict], dict[str, str]]:
    rows = read_csv(source / "ost_organizations.csv")
    taken: set[str] = set()
    records: list[dict] = []
    namespace_to_id: dict[str, str] = {}
    for row in rows:
        kind = OST_KIND.get(row["form_of_organization"].strip())
        if kind is None:
            continue  # no form given: kind unknown, row left out (see OST_KIND)
        ext_id = unique_id("ost-org-" + slugify(row["organization_user_name"]), taken)
        n_projects = row["total_listed_projects_in_organization"].strip()
        parts = [sentence(row["organization_description"])]
        if n_projects:
            plural = "project" if n_projects == "1" else "projects"
            parts.append(
                f"Listed by Open Sustainable Technology with {n_projects} open-source {plural}."
            )
        location = row["organization_location"].strip()
        if location:
            parts.append(f"Location as given by the source: {location}.")
        record = {
            "external_id": ext_id,
            "name_en": row["organization_name"].strip(),
            "name_zh": "",
            "kind": kind,
            "country": country_code(row["location_country"]),
            "city": ost_city(location),
            "website": normalise_website(row["organization_website"]),
            "size_band": "unknown",
            "sectors": ost_sectors(row["organization_sub_category"]),
            "description_en": clip(" ".join(p for p in parts if p)),
            "description_zh": "",
            "source_url": OST_ORGS_URL,
            "last_verified": DEFAULT_VERIFIED,
            "status": "published",
        }
        records.append(drop_empty(record, keep=("name_zh", "description_zh", "sectors")))
        ns = repo_namespace(row["organization_namespace_url"])
        if ns and ns not in namespace_to_id:
            namespace_to_id[ns] = ext_id
    return records, namespace_to_id


def project_slug(url: str) -> str:
    m = re.match(r"https?://([^/]+)/(.*)", url.strip())
    if not m:
        return slugify(url)
    host, path = m.group(1).lower(), m.group(2).strip("/")
    if host in ("github.com", "www.github.com"):
        return slugify(path)
    return slugify(f"{host}-{path}")


def build_ost_solutions(source: Path, namespace_to_org: dict[str, str]) -> list[dict]:
    rows = read_csv(source / "ost_projects.csv")
    taken: set[str] = set()
    records = []
    for row in rows:
        url = row["url"].strip()
        record = {
            "external_id": unique_id("ost-prj-" + project_slug(url), taken),
            "title_en": row["name"].strip(),
            "title_zh": "",
            "provider": namespace_to_org.get(repo_namespace(url) or ""),
            "description_en": clip(row["description"]),
            "description_zh": "",
            "sectors": ost_sectors(row["sub_category"]),
            "url": url,
            "source_url": OST_README_URL,
            "last_verified": DEFAULT_VERIFIED,
            "status": "published",
        }
        records.append(drop_empty(record, keep=("title_zh", "description_zh", "sectors")))
    return records


# --------------------------------------------------------------------------------------
# ccus-policy-hub -> resources (policies) and cases (facilities)
# --------------------------------------------------------------------------------------

AI_AUTHORS = ("gemini", "ai agent")


def policy_sectors(row: dict) -> list[str]:
    text = f"{row.get('title_en', '')} {row.get('description_en', '')}".lower()
    sectors: list[str] = []
    if re.search(
        r"\bccus\b|\bccs\b|carbon capture|co2 storage|co₂ storage|geological storage|"
        r"carbon dioxide storage|sequestration|\bstorage\b|carbon removal|\bcdr\b",
        text,
    ):
        sectors.append("ccus")
    if row.get("category") in ("Market", "Methodology") or re.search(
        r"\bets\b|emissions? trading|offset|carbon credit|crediting|carbon market", text
    ):
        sectors.append("carbon-markets")
    if row.get("category") == "Strategic" or not sectors:
        sectors.append("climate-policy")
    return sectors


def read_policy_terms(path: Path = POLICY_TERMS_FILE) -> dict[tuple[str, str], tuple[str, str]]:
    """(field, value as the source writes it) -> (English, Chinese)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            (row["field"], row["source"]): (row["en"], row["zh"])
            for row in csv.DictReader(fh, delimiter="\t")
        }


def policy_facts(row: dict, terms: dict[tuple[str, str], tuple[str, str]]) -> tuple[str, str]:
    """The policy's jurisdiction, status and legal weight as an English and a Chinese
    sentence each, every value in the sentence's own language (the source writes them in
    English, a few statuses in Chinese); a value missing from ``policy_terms.tsv`` stops the
    build, naming the policy and the field, rather than put English words in Chinese text."""
    labels = {
        "country": ("Jurisdiction", "适用范围"),
        "status": ("Status", "状态"),
        "legal_weight": ("Legal weight", "法律效力"),
    }
    english, chinese = [], []
    for field, (label_en, label_zh) in labels.items():
        value = (row.get(field) or "").strip()
        if not value:
            en, zh = "not given", "未注明"
        elif (field, value) in terms:
            en, zh = terms[field, value]
        else:
            raise KeyError(
                f"policy {row.get('id')!r}: {field} {value!r} is not in {POLICY_TERMS_FILE.name}"
            )
        english.append(f"{label_en}: {en}.")
        chinese.append(f"{label_zh}：{zh}。")
    return " ".join(english), "".join(chinese)


#: the English names of the policy hub's publishers it writes only in Chinese (our
#: translations of the agencies' names, as the agencies name themselves in English)
PUBLISHERS_IN_ENGLISH = {
    "澳大利亚议会": "Parliament of Australia",
    "加拿大财政部": "Department of Finance Canada",
    "湖北省生态环境厅": "Department of Ecology and Environment of Hubei Province",
    "工信部": "Ministry of Industry and Information Technology (MIIT)",
    "哥伦比亚能源部": "Ministry of Mines and Energy of Colombia",
    "丹麦能源署": "Danish Energy Agency",
    "冰岛议会": "Althingi, Parliament of Iceland",
    "罗马尼亚矿产资源管理局": "National Agency for Mineral Resources (Romania)",
    "沙特能源部": "Saudi Ministry of Energy",
}
HAN = re.compile(r"[\u3400-\u9fff]")


def publisher_names(name: str, english: str = "", chinese: str = "") -> dict[str, str]:
    """``publisher`` (English) and ``publisher_zh`` from a source's one name, which may be
    in either language, and the other language's name where the source or we give it."""
    name = name.strip()
    if HAN.search(name) and not re.search(r"[A-Za-z]", name):  # "工信部 (MIIT)" is English
        return {"publisher": english or PUBLISHERS_IN_ENGLISH.get(name, ""), "publisher_zh": name}
    return {"publisher": name, "publisher_zh": chinese}


def build_ccus_policies(source: Path) -> list[dict]:
    terms = read_policy_terms()
    records = []
    taken: set[str] = set()
    with (source / "ccus_policies_bilingual.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            author = (row.get("provenance_author") or "").strip()
            ai = any(a in author.lower() for a in AI_AUTHORS)
            if ai:
                note_en = (
                    f"AI-written summary from ccus-policy-hub (author recorded as "
                    f"'{author}'); demo text, not an authoritative summary of the policy."
                )
                note_zh = (
                    f"本摘要由 ccus-policy-hub 的AI撰写（记录的作者为“{author}”），"
                    "仅作演示文本，不是该政策的权威摘要。"
                )
            else:
                label = author or "not recorded"
                note_en = (
                    f"Summary from ccus-policy-hub (author recorded as '{label}'); "
                    "demo text, not an authoritative summary of the policy."
                )
                note_zh = (
                    f"本摘要来自 ccus-policy-hub（记录的作者为“{label}”），"
                    "仅作演示文本，不是该政策的权威摘要。"
                )
            facts_en, facts_zh = policy_facts(row, terms)
            desc_en = plain_text(row.get("description_en") or "")
            desc_zh = plain_text(row.get("description_zh") or "")
            published = row.get("pub_date")
            record = {
                "external_id": unique_id("ccus-pol-" + slugify(row["id"]), taken),
                "kind": "policy",
                "title": row["title_en"].strip(),
                "text": clip(f"{desc_en}\n\n{note_en}"),
                "language": "en",
                "title_en": row["title_en"].strip(),
                "title_zh": (row.get("title_zh") or "").strip(),
                "summary_en": clip(f"{note_en} {facts_en} {desc_en}"),
                "summary_zh": clip(f"{note_zh}{facts_zh}{desc_zh}") if desc_zh else "",
                "url": (row.get("url") or "").strip(),
                **publisher_names(row.get("source") or ""),
                "published": published if published and iso_date_or(published, "") else None,
                "sectors": policy_sectors(row),
                "jurisdiction": jurisdiction_code(row.get("country") or ""),
                "source_url": CCUS_POLICIES_URL,
                "last_verified": DEFAULT_VERIFIED,
                "status": "published",
            }
            records.append(drop_empty(record, keep=("sectors",)))
    return records


_MARKDOWN_HEADING = re.compile(r"^#+\s.*$", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """The source writes its descriptions in Markdown; a catalogue summary is plain text, so
    the pages showed "## Policy Core" and "**psychosocial risks**" as written. The headings
    are the one generic title of a one-section summary (Policy Core, 政策概览) and go; bold
    keeps its words."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = _MARKDOWN_HEADING.sub("", text).replace("**", "")
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text)]
    return "\n\n".join(part for part in paragraphs if part)


_END_YEAR = re.compile(r"Suspension, decommissioning, or cancellation year:\s*(\d{4})")


def facility_description(text: str, heading: str, joiner: str) -> str:
    text = (text or "").replace(heading, "").strip()
    return re.sub(r"\s*\n+\s*", joiner, text)


def build_ccus_facilities(source: Path) -> list[dict]:
    rows = read_csv(source / "ccus_facilities_bilingual.csv")
    records = []
    taken: set[str] = set()
    for row in rows:
        ftype = row["type_en"].strip()
        capacity = row["capacity_estimated_mtco2_per_yr"].strip()
        if capacity:
            value = fmt_number(capacity)
            if ftype in CAPTURE_TYPES:
                out_en = (
                    f"Capture capacity: {value} Mt CO2/yr "
                    "(IEA CCUS Projects Database via ccus-policy-hub)."
                )
                out_zh = (
                    f"捕集能力：每年{value}百万吨二氧化碳"
                    "（IEA CCUS项目数据库，经 ccus-policy-hub）。"
                )
            else:
                out_en = (
                    f"Capacity ({ftype} project): {value} Mt CO2/yr "
                    "(IEA CCUS Projects Database via ccus-policy-hub)."
                )
                out_zh = (
                    f"规模（{row['type_zh'].strip() or ftype}项目）：每年{value}百万吨二氧化碳"
                    "（IEA CCUS项目数据库，经 ccus-policy-hub）。"
                )
        else:
            out_en = "Capacity not reported in the IEA CCUS Projects Database extract."
            out_zh = "IEA CCUS项目数据库摘录中未报告规模。"
        status = row["status"].strip()
        year = row["operation_year"].strip()
        start = f"{year}-01-01" if re.fullmatch(r"\d{4}", year) and status != "Cancelled" else None
        end = None
        m = _END_YEAR.search(row["description_en"])
        if m and status in ("Decommissioned", "Suspended"):
            end = f"{m.group(1)}-01-01"
        sectors = ["ccus"]
        extra = CCUS_EXTRA_SECTOR.get(row["sector_en"].strip())
        if extra:
            sectors.append(extra)
        desc_en = facility_description(row["description_en"], "### Project Overview", " ")
        desc_zh = facility_description(row["description_zh"], "### 项目概览", "")
        record = {
            "external_id": unique_id("ccus-fac-" + slugify(row["id"]), taken),
            "title_en": row["name_en"].strip(),
            # the source repeats the English name for most facilities: not a translation
            "title_zh": BILINGUAL.without_copy(row["name_zh"].strip(), row["name_en"].strip()),
            "description_en": clip(
                f"{desc_en} Data: IEA CCUS Projects Database, as redistributed by "
                "ccus-policy-hub; the description is generated from the database fields. "
                "Dates have year precision only."
            ),
            "description_zh": clip(
                f"{desc_zh}数据来源：IEA CCUS项目数据库（经 ccus-policy-hub 转载）；"
                "描述由数据库字段生成。日期仅精确到年份。"
            ),
            "organisations": [],
            "solutions": [],
            "sectors": sectors,
            "country": country_code(row["country"]),
            "start_date": start,
            "end_date": end,
            "outcomes_en": out_en,
            "outcomes_zh": out_zh,
            "source_url": CCUS_FACILITIES_URL,
            "last_verified": DEFAULT_VERIFIED,
            "status": "published",
        }
        records.append(
            drop_empty(record, keep=("title_zh", "organisations", "solutions", "sectors"))
        )
    return records


# --------------------------------------------------------------------------------------
# project_cases_public_sources.csv -> cases
# --------------------------------------------------------------------------------------

_START = re.compile(r"(grid-connected|in operation)\s+(\d{4}-\d{2}-\d{2})")


def build_project_cases(source: Path) -> list[dict]:
    rows = read_csv(source / "project_cases_public_sources.csv")
    records = []
    taken: set[str] = set()
    for row in rows:
        iso2 = country_code(row["country"])
        province = row["province"].strip()
        tech = row["technology"].strip()
        cap = row["capacity_mw"].strip()
        gen = row["annual_generation_mwh"].strip()
        co2 = row["claimed_annual_co2_reduction_t"].strip()
        coal = row["claimed_annual_standard_coal_saved_t"].strip()
        basis = row["reporting_basis"].strip()

        desc_en = (
            f"{tech[:1].upper() + tech[1:]} project in {province}, {row['country'].strip()}, "
            f"with a capacity of {fmt_number(cap)} MW. Status reported by the source: "
            f"{row['status'].strip()}. Type of source: {basis}."
        )
        desc_zh = (
            f"位于{COUNTRY_ZH.get(iso2 or '', row['country'])}{PROVINCE_ZH.get(province, province)}"
            f"的{technology_zh(tech)}项目，装机容量{fmt_number(cap)}兆瓦。"
            f"来源所述状态（原文）：{row['status'].strip()}。来源类型（原文）：{basis}。"
        )

        out_en: list[str] = []
        out_zh: list[str] = []
        if gen:
            out_en.append(f"Annual generation of about {fmt_number(gen)} MWh.")
            out_zh.append(f"年发电量约{fmt_number(gen)}兆瓦时。")
        claims_en, claims_zh = [], []
        if co2:
            claims_en.append(f"{fmt_number(co2)} t of CO2 avoided per year")
            claims_zh.append(f"每年减少二氧化碳排放{fmt_number(co2)}吨")
        if coal:
            claims_en.append(f"{fmt_number(coal)} t of standard coal saved per year")
            claims_zh.append(f"每年节约标准煤{fmt_number(coal)}吨")
        if claims_en:
            out_en.append(
                "The publisher claims "
                + " and ".join(claims_en)
                + "; claimed by the publisher; method not stated."
            )
            out_zh.append(
                "发布方称" + "、".join(claims_zh) + "；此为发布方的说法，未说明计算方法。"
            )
        else:
            out_en.append("No reduction figure is given in the source record.")
            out_zh.append("来源记录中没有减排数字。")

        m = _START.search(row["status"])
        source_date = row["source_date"].strip()
        record = {
            "external_id": unique_id("pcs-case-" + slugify(row["name"]), taken),
            "title_en": row["name"].strip(),
            "title_zh": "",  # the sources name the projects in English only
            "description_en": clip(desc_en),
            "description_zh": clip(desc_zh),
            "organisations": [],
            "solutions": [],
            "sectors": case_sectors_for_technology(tech),
            "country": iso2,
            "start_date": m.group(2) if m else None,
            "outcomes_en": " ".join(out_en),
            "outcomes_zh": "".join(out_zh),
            "source_url": row["source_url"].strip(),
            "last_verified": iso_date_or(source_date, DEFAULT_VERIFIED),
            "status": "published",
        }
        records.append(
            drop_empty(record, keep=("title_zh", "organisations", "solutions", "sectors"))
        )
    return records


# --------------------------------------------------------------------------------------
# Hand-curated Shenzhen Session records
# --------------------------------------------------------------------------------------


def load_shenzhen(path: Path) -> dict[str, list[dict]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[dict]] = {kind: list(raw.get(kind, [])) for kind in KINDS}
    award = raw["award_cases"]
    for entry in award["entries"]:
        key, org = entry["key"], entry["organisation"]
        case_id = f"szs-2023-case-{key}"
        sectors = entry["sectors"]
        if sectors:
            sector_en = (
                "Sector assigned by Ecotone editors from the company's main business; "
                "the award announcement's category list is not matched to companies in our sources."
            )
            sector_zh = (
                "所属领域由Ecotone编辑根据企业主营业务指定；获奖公告中的类别未与具体企业对应。"
            )
        else:
            sector_en = (
                "No sector is assigned: the company's business is not known to us and the award "
                "announcement's category list is not matched to companies in our sources."
            )
            sector_zh = "未指定领域：我们不了解该企业的业务，获奖公告中的类别也未与具体企业对应。"
        out["cases"].append(
            {
                "external_id": case_id,
                "title_en": f"{entry['company_en']}: one of {award['programme_en']}",
                "title_zh": f"{entry['company_zh']}：{award['programme_zh']}（十大案例之一）",
                "description_en": (
                    f"The case of {entry['company_en']} was named one of "
                    f"{award['programme_en']}, announced at the Shenzhen Session of the China "
                    "Pavilion at COP28 (Dubai, 5 December 2023). Our sources name the company "
                    "and the award but do not describe the content of the case. "
                    f"{sector_en}"
                ),
                "description_zh": (
                    f"{entry['company_zh']}的案例入选{award['programme_zh']}（十大案例），于2023年12月5日在迪拜COP28"
                    f"中国角深圳边会上揭晓。我们的资料给出了企业名称和奖项，但没有介绍案例内容。{sector_zh}"
                ),
                "organisations": [org],
                "solutions": [],
                "sectors": sectors,
                "country": "CN",
                "city": "Shenzhen",
                "city_zh": "深圳",
                "source_url": award["source_url"],
                "last_verified": award["last_verified"],
                "status": "published",
            }
        )
        out["awards"].append(
            {
                "external_id": f"szs-2023-award-{key}",
                "programme_en": award["programme_en"],
                "programme_zh": award["programme_zh"],
                "year": award["year"],
                "title_en": f"{award['programme_en']}: {entry['company_en']}",
                "title_zh": f"{award['programme_zh']}（十大案例）：{entry['company_zh']}",
                "case": case_id,
                "organisation": org,
                "source_url": award["source_url"],
                "last_verified": award["last_verified"],
                "status": "published",
            }
        )
    return out


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------

REQUIRED = {
    "organisations": [
        "external_id",
        "name_en",
        "kind",
        "size_band",
        "sectors",
        "source_url",
        "last_verified",
        "status",
    ],
    "people": ["external_id", "name_en", "public_consent", "source_url", "last_verified", "status"],
    "affiliations": ["external_id", "person", "organisation"],
    "solutions": ["external_id", "title_en", "sectors", "source_url", "last_verified", "status"],
    "cases": [
        "external_id",
        "title_en",
        "organisations",
        "solutions",
        "sectors",
        "source_url",
        "last_verified",
        "status",
    ],
    "needs": ["external_id"],
    "resources": [
        "external_id",
        "kind",
        "title",
        "text",
        "language",
        "source_url",
        "last_verified",
        "status",
    ],
    "events": ["external_id", "title_en", "start_date", "source_url", "last_verified", "status"],
    "sessions": ["external_id", "event", "title_en", "speakers"],
    "awards": [
        "external_id",
        "programme_en",
        "year",
        "title_en",
        "case",
        "organisation",
        "source_url",
        "last_verified",
        "status",
    ],
}
ENUMS = {
    ("organisations", "kind"): {
        "startup",
        "corporate",
        "investor",
        "research_institute",
        "ngo",
        "government",
        "intermediary",
    },
    ("organisations", "size_band"): {"micro", "small", "medium", "large", "unknown"},
    ("resources", "kind"): {"report", "white_paper", "policy", "article"},
    ("resources", "language"): {"en", "zh"},
}
DATE_FIELDS = {"last_verified", "start_date", "end_date", "published", "start", "end"}
DATETIME_FIELDS = {"starts_at", "ends_at"}
URL_FIELDS = {"source_url", "url", "website", "abatement_source_url"}
LIMITED_FIELDS = {
    "description_en",
    "description_zh",
    "bio_en",
    "bio_zh",
    "summary_en",
    "summary_zh",
    "outcomes_en",
    "outcomes_zh",
}
SECTOR_KINDS = {"organisations", "solutions", "cases", "resources"}
# (kind, field) -> kind the field refers to; list-valued fields are checked item by item.
REFERENCES = {
    ("affiliations", "person"): "people",
    ("affiliations", "organisation"): "organisations",
    ("solutions", "provider"): "organisations",
    ("cases", "organisations"): "organisations",
    ("cases", "solutions"): "solutions",
    ("events", "organisers"): "organisations",
    ("sessions", "event"): "events",
    ("sessions", "speakers"): "people",
    ("awards", "case"): "cases",
    ("awards", "organisation"): "organisations",
    ("awards", "awarded_by"): "organisations",
}


PROVENANCE = {"source_url", "last_verified"}


def is_illustrative(record: dict) -> bool:
    """Records of illustrative_needs.json: invented, so they have no source to cite."""
    return str(record.get("external_id", "")).startswith("demo-")


def taxonomy_slugs(path: Path) -> set[str]:
    """Read SECTOR_TREE from taxonomy.py with `ast`, without importing the Django project."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            target, value = node.targets[0].id, node.value
        if target == "SECTOR_TREE" and value is not None:
            slugs: set[str] = set()
            for slug, _en, _zh, children in ast.literal_eval(value):
                slugs.add(slug)
                slugs.update(child[0] for child in children)
            return slugs
    raise ValueError(f"SECTOR_TREE not found in {path}")


def validate(data: dict[str, list[dict]], sector_slugs: set[str]) -> list[str]:
    errors: list[str] = []
    ids: dict[str, set[str]] = {}
    for kind in KINDS:
        seen: set[str] = set()
        for rec in data.get(kind, []):
            ext = rec.get("external_id")
            if ext in seen:
                errors.append(f"{kind}: duplicate external_id {ext!r}")
            seen.add(ext)
        ids[kind] = seen

    for kind in KINDS:
        for rec in data.get(kind, []):
            where = f"{kind}/{rec.get('external_id')}"
            for field in REQUIRED[kind]:
                if field in PROVENANCE and is_illustrative(rec):
                    continue
                if (
                    field not in rec
                    or rec[field] is None
                    or (rec[field] == "" and field != "name_zh")
                ):
                    errors.append(f"{where}: required field {field!r} missing")
            if "status" in REQUIRED[kind] and rec.get("status") != "published":
                errors.append(f"{where}: status must be 'published'")
            for (k, field), allowed in ENUMS.items():
                if k == kind and rec.get(field) not in allowed:
                    errors.append(
                        f"{where}: {field}={rec.get(field)!r} not one of {sorted(allowed)}"
                    )
            for field, value in rec.items():
                if field in DATE_FIELDS and value is not None:
                    try:
                        dt.date.fromisoformat(value)
                    except (TypeError, ValueError):
                        errors.append(f"{where}: {field}={value!r} is not an ISO date")
                if field in DATETIME_FIELDS and value is not None:
                    try:
                        if dt.datetime.fromisoformat(value).utcoffset() is None:
                            errors.append(f"{where}: {field} has no UTC offset")
                    except (TypeError, ValueError):
                        errors.append(f"{where}: {field}={value!r} is not an ISO datetime")
                if field in URL_FIELDS and value and not re.match(r"https?://", value):
                    errors.append(f"{where}: {field}={value!r} is not an http(s) URL")
                if field in LIMITED_FIELDS and isinstance(value, str) and len(value) > MAX_TEXT:
                    errors.append(f"{where}: {field} longer than {MAX_TEXT} characters")
            for english, chinese in BILINGUAL.bilingual_pairs(list(rec)):
                if BILINGUAL.judge_chinese(rec[chinese] or "", rec[english] or "") == "copy":
                    errors.append(f"{where}: {chinese} repeats {english}; leave it empty")
            if "country" in rec and rec["country"] not in KNOWN_ISO2:
                errors.append(
                    f"{where}: country {rec['country']!r} is not a known ISO 3166-1 alpha-2 code"
                )
            if "jurisdiction" in rec and rec["jurisdiction"] not in KNOWN_JURISDICTIONS:
                errors.append(
                    f"{where}: jurisdiction {rec['jurisdiction']!r} is not a known country "
                    "code, EU or INT"
                )
            for code in rec.get("regions", []):
                if code not in KNOWN_ISO2:
                    errors.append(
                        f"{where}: region {code!r} is not a known ISO 3166-1 alpha-2 code"
                    )
            if kind in SECTOR_KINDS:
                sectors = rec.get("sectors")
                if not isinstance(sectors, list):
                    errors.append(f"{where}: sectors must be a list")
                else:
                    for slug in sectors:
                        if slug not in sector_slugs:
                            errors.append(f"{where}: unknown sector slug {slug!r}")
            if kind == "people" and not isinstance(rec.get("public_consent"), bool):
                errors.append(f"{where}: public_consent must be true or false")
            if kind == "organisations" and "founded" in rec and not isinstance(rec["founded"], int):
                errors.append(f"{where}: founded must be an integer year")
            if kind == "solutions" and "trl" in rec and rec["trl"] not in range(1, 10):
                errors.append(f"{where}: trl must be 1-9")
            if kind == "awards" and not isinstance(rec.get("year"), int):
                errors.append(f"{where}: year must be an integer")
            for (k, field), target in REFERENCES.items():
                if k != kind or field not in rec:
                    continue
                values = rec[field] if isinstance(rec[field], list) else [rec[field]]
                for value in values:
                    if value not in ids[target]:
                        errors.append(f"{where}: {field} {value!r} does not resolve in {target}")
    return errors


# --------------------------------------------------------------------------------------
# data/documents -> resources with full text
# --------------------------------------------------------------------------------------


def build_documents(folder: Path = DOCUMENTS_DIR) -> list[dict]:
    """One resource per entry of documents.json, its text read from <external_id>.txt.

    Pages (or a document's sections, recorded in ``page_labels``) are separated by form
    feeds, as the app stores an uploaded PDF's pages; search labels them "p. 1", "p. 2"..."""
    records = []
    for doc in json.loads((folder / "documents.json").read_text(encoding="utf-8")):
        ext = doc["external_id"]
        text = (folder / f"{ext}.txt").read_text(encoding="utf-8").rstrip("\n")
        language = doc["language"]
        record = {
            "external_id": ext,
            "kind": doc["kind"],
            "title": doc[f"title_{language}"],
            "text": text,
            "language": language,
            "title_en": doc["title_en"],
            "title_zh": doc["title_zh"],
            "summary_en": doc["summary_en"],
            "summary_zh": doc["summary_zh"],
            **publisher_names(
                doc["publisher"], doc.get("publisher_en", ""), doc.get("publisher_zh", "")
            ),
            "url": doc["url"],
            "sectors": doc["sectors"],
            "jurisdiction": doc["jurisdiction"],
            "source_url": doc["url"],
            "last_verified": DOCUMENTS_VERIFIED,
            "status": "published",
        }
        if doc.get("published"):
            record["published"] = doc["published"]
        records.append(record)
    return records


def check_documents(data: dict[str, list[dict]], folder: Path = DOCUMENTS_DIR) -> list[str]:
    """resources.jsonl holds each document exactly as data/documents/ gives it, and each
    document has as many pages as it names labels for (none: one unlabelled page)."""
    errors: list[str] = []
    shipped = {rec["external_id"]: rec for rec in data.get("resources", [])}
    docs = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    for doc, record in zip(docs, build_documents(folder), strict=True):
        ext = record["external_id"]
        if shipped.get(ext) != record:
            errors.append(f"resources/{ext}: differs from data/documents/ (run build_demo.py)")
        pages = record["text"].split("\f")
        labels = doc.get("page_labels") or []
        if labels and len(pages) != len(labels):
            errors.append(f"documents/{ext}: {len(pages)} pages but {len(labels)} page labels")
        if not labels and len(pages) != 1:
            errors.append(f"documents/{ext}: {len(pages)} pages but no page labels")
        if any(not page.strip() for page in pages):
            errors.append(f"documents/{ext}: an empty page")
        for field in ("licence", "retrieved_from", "url", "jurisdiction"):
            if not doc.get(field):
                errors.append(f"documents/{ext}: {field} missing")
    return errors


# --------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def read_demo() -> dict[str, list[dict]]:
    data: dict[str, list[dict]] = {}
    for kind in KINDS:
        path = DEMO_DIR / f"{kind}.jsonl"
        data[kind] = []
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                data[kind] = [json.loads(line) for line in fh if line.strip()]
    return data


def copy_raw_files(source: Path) -> None:
    for folder, names in ((THIRD_PARTY_DIR, THIRD_PARTY_FILES), (SOURCES_DIR, SOURCE_FILES)):
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(source / name, folder / name)
        # Keep the upstream provenance notes next to the files, as they ask.
        shutil.copyfile(source / "README.md", folder / "UPSTREAM_README.md")


def load_illustrative(path: Path) -> dict[str, list[dict]]:
    """Hand-written illustrative organisations and needs (labelled so in their text)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {kind: list(raw.get(kind, [])) for kind in KINDS}


def build(source: Path) -> dict[str, list[dict]]:
    shenzhen = load_shenzhen(SHENZHEN_FILE)
    illustrative = load_illustrative(ILLUSTRATIVE_FILE)
    ost_orgs, namespaces = build_ost_organisations(source)
    data = {kind: list(shenzhen[kind]) for kind in KINDS}
    data["organisations"] += ost_orgs
    data["solutions"] += build_ost_solutions(source, namespaces)
    data["resources"] += build_ccus_policies(source)
    data["resources"] += build_documents()
    data["cases"] += build_ccus_facilities(source)
    data["cases"] += build_project_cases(source)
    data["organisations"] += illustrative["organisations"]
    data["needs"] += illustrative["needs"]
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        default=str(DEFAULT_SOURCE),
        help="folder with the source files (default: ../shared/data from the project root)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only validate the existing data/demo/*.jsonl; read no source",
    )
    args = parser.parse_args(argv)

    if args.check:
        data = read_demo()
    else:
        source = Path(args.source).resolve()
        if not source.is_dir():
            parser.error(f"source folder not found: {source}")
        data = build(source)
        DEMO_DIR.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            write_jsonl(DEMO_DIR / f"{kind}.jsonl", data[kind])
        copy_raw_files(source)

    errors = validate(data, taxonomy_slugs(TAXONOMY_FILE)) + check_documents(data)
    for kind in KINDS:
        print(f"{kind + '.jsonl':<22} {len(data[kind]):>6}")
    if errors:
        for err in errors[:200]:
            print("ERROR", err, file=sys.stderr)
        print(f"{len(errors)} validation error(s)", file=sys.stderr)
        return 1
    print("validation passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
