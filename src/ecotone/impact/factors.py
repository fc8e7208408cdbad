"""The factor library's writes and file formats: publish versions, import, export.

A factor is never changed in place. ``publish_factors`` compares each incoming row with
the current version of its ``key``: the same values change nothing, different values
add version n+1 and mark version n superseded.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ecotone.accounts.audit import record_audit
from ecotone.core.bounds import parse_whole
from ecotone.core.refusals import Refused
from ecotone.core.spreadsheets import neutralise_cell, restore_cell

from .models import EmissionFactor, FactorKind, Gas
from .units import parse_unit

if TYPE_CHECKING:
    from _typeshed import SupportsWrite  # a file, or an HttpResponse written as one

COLUMNS = [
    "key",
    "version",
    "name_en",
    "name_zh",
    "kind",
    "value",
    "low",
    "high",
    "unit",
    "gas",
    "gwp_basis",
    "region",
    "region_zh",
    "year",
    "dataset",
    "source_citation",
    "source_url",
    "verification_note",
    "licence",
    "change_note",
]
COMPARED = [c for c in COLUMNS if c not in ("key", "version", "change_note")]
REQUIRED = ("key", "name_en", "kind", "value", "unit", "source_citation")


@dataclass
class PublishReport:
    created: int = 0
    new_versions: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} new factors, {len(self.new_versions)} new versions, "
            f"{self.unchanged} unchanged"
        )


class FactorFileError(Refused, ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]), field="file")
        self.args = (self.message,)
        self.errors = errors


def current_factors():
    return EmissionFactor.objects.filter(superseded_by__isnull=True)


def _differs(current: EmissionFactor, row: dict) -> bool:
    return any(_normal(getattr(current, name)) != _normal(row.get(name)) for name in COMPARED)


def _normal(value):
    if value is None or value == "":
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    return str(value)


def _build(row: dict, version: int, actor) -> EmissionFactor:
    values = {name: row.get(name) for name in COLUMNS if name not in ("version",)}
    values = {
        k: ("" if v is None and k not in ("low", "high", "year") else v) for k, v in values.items()
    }
    return EmissionFactor(**values, version=version, created_by=actor if _real(actor) else None)


def _real(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


@transaction.atomic
def publish_factors(rows: Iterable[dict], *, actor=None, change_note: str = "") -> PublishReport:
    """Add new factors and new versions of changed ones; one transaction."""
    report = PublishReport()
    current = {f.key: f for f in current_factors()}
    fresh: list[EmissionFactor] = []
    replaced: list[tuple[EmissionFactor, EmissionFactor]] = []
    for row in rows:
        row = {**row, "change_note": row.get("change_note") or change_note}
        existing = current.get(row["key"])
        if existing is None:
            factor = _build(row, 1, actor)
            fresh.append(factor)
            current[row["key"]] = factor
            report.created += 1
        elif existing.pk and _differs(existing, row):
            replaced.append((existing, _build(row, existing.version + 1, actor)))
            report.new_versions.append(row["key"])
        else:
            report.unchanged += 1
    EmissionFactor.objects.bulk_create(fresh, batch_size=500)
    _supersede(replaced, actor)
    return report


def _supersede(replaced: list[tuple[EmissionFactor, EmissionFactor]], actor) -> None:
    now = timezone.now()
    for old, new in replaced:
        # Free the "one current version per key" slot before the new version takes it.
        EmissionFactor.objects.filter(pk=old.pk).update(superseded_at=now, superseded_by=old)
        new.save()
        EmissionFactor.objects.filter(pk=old.pk).update(superseded_by=new)
        record_audit(
            actor=actor,
            action="new_version",
            record=new,
            changes={"value": [old.value, new.value], "unit": [old.unit, new.unit]},
            reason=new.change_note,
        )


def load_seed_factors(data_dir: Path, *, include_oefdb: bool = True, actor=None) -> PublishReport:
    from .seed import seed_rows

    return publish_factors(
        seed_rows(data_dir, include_oefdb=include_oefdb),
        actor=actor,
        change_note="seeded from the shipped tables",
    )


# --- CSV import and export ---------------------------------------------------------------


def export_factors(handle: "SupportsWrite[str]", factors: Iterable[EmissionFactor]) -> int:
    writer = csv.DictWriter(handle, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for factor in factors:
        writer.writerow({name: _cell(getattr(factor, name)) for name in COLUMNS})
        count += 1
    return count


def _cell(value):
    # Names and citations come from other people's tables: never a formula in a spreadsheet.
    return "" if value is None else neutralise_cell(value)


def read_factor_file(handle: IO[str]) -> list[dict]:
    """Every row checked; ``FactorFileError`` lists each bad row (and nothing is kept)."""
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise FactorFileError([f"missing column(s): {', '.join(missing)}"])
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row, problems = _check_row(raw)
        errors += [f"row {number}: {problem}" for problem in problems]
        rows.append(row)
    keys = [row["key"] for row in rows]
    errors += [
        f"key {k!r} appears more than once" for k in sorted({k for k in keys if keys.count(k) > 1})
    ]
    if errors:
        raise FactorFileError(errors)
    return rows


def _check_row(raw: dict) -> tuple[dict, list[str]]:
    row = {name: restore_cell(raw.get(name) or "").strip() for name in COLUMNS if name != "version"}
    problems = [f"{name} is required" for name in REQUIRED if not row[name]]
    for name in ("value", "low", "high"):
        row[name], problem = _float(name, row[name], required=name == "value")
        problems += problem
    row["year"], problem = _year(row["year"])
    problems += problem
    if row["kind"] and row["kind"] not in FactorKind.values:
        problems.append(f"kind {row['kind']!r} is not one of {', '.join(FactorKind.values)}")
    if row["gas"] not in Gas.values:
        problems.append(f"gas {row['gas']!r} is not one of CO2e, CO2, CH4, N2O")
    if row["unit"]:
        try:
            parse_unit(row["unit"])
        except ValueError as error:
            problems.append(f"unit: {error}")
    return row, problems


def _float(name: str, text: str, *, required: bool) -> tuple[float | None, list[str]]:
    if not text:
        return None, ([f"{name} is required"] if required else [])
    try:
        return float(text), []
    except ValueError:
        return None, [f"{name} {text!r} is not a number"]


def _year(text: str) -> tuple[int | None, list[str]]:
    if not text:
        return None, []
    year = parse_whole(text, 1900, 2200)
    if year is None:
        return None, [f"year {text!r} is not a year"]
    return year, []


def import_factors(handle: IO[str], *, actor=None, change_note: str = "") -> PublishReport:
    return publish_factors(read_factor_file(handle), actor=actor, change_note=change_note)
