"""Open data: every published record of each kind as CSV, XLSX, JSON and JSON-LD.

CSV and XLSX are the catalogue's own export format (``catalog.exporting``), so a download
can be imported into another Ecotone. JSON adds the licence notice and each record's page;
JSON-LD describes the records with schema.org types where one fits. Every file carries its
licence where the format has room for it (XLSX: a "Licence" sheet after the data; JSON and
JSON-LD: a ``license`` property at the top); CSV keeps a clean header row for machines, and
``open-data.zip`` bundles all the CSVs with a LICENCE.txt. Files are built once for each
state of the data (``filecache.py``) and served from ``ECOTONE_HOME/reports/open-data/``.
Their text cells are neutralised as every export's are (``core.spreadsheets``): no cell is
a live formula, and the import gives back the published text.
"""

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecotone.catalog.exporting import export_queryset, published
from ecotone.catalog.kinds import KINDS, Kind
from ecotone.catalog.serializers import record_to_row
from ecotone.core.data_sources import DATA_SOURCES

from . import jsonld
from .filecache import open_cached

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonld": "application/ld+json",
}
BUNDLE_NAME = "open-data.zip"
BUNDLE_TYPE = "application/zip"
#: the kinds offered as open data, in the order the page lists them
OPEN_KINDS = ("organisation", "person", "solution", "case", "need", "resource", "event", "award")


@dataclass(frozen=True)
class Dataset:
    kind: Kind

    @property
    def name(self) -> str:
        return self.kind.plural

    @property
    def title(self) -> str:
        return str(self.kind.model._meta.verbose_name_plural).capitalize()

    @property
    def schema_type(self) -> str:
        return jsonld.SCHEMA_TYPES[self.kind.name]

    def count(self) -> int:
        return published(self.kind).count()

    def url(self, file_format: str) -> str:
        return reverse("reports:open_data_file", args=[self.name, file_format])


def datasets() -> list[Dataset]:
    return [Dataset(KINDS[name]) for name in OPEN_KINDS]


def dataset(plural: str) -> Dataset:
    for candidate in datasets():
        if candidate.name == plural:
            return candidate
    raise KeyError(plural)


def licence_url() -> str:
    return reverse("core:about_data")


def licence_notice() -> str:
    """What a re-user must know: sources, their licences, and attribution."""
    parts = [
        _(
            "Ecotone open data. Each record names the page its facts come from (source_url) "
            "and keeps the licence of its source; give the attribution below when you reuse it."
        )
    ]
    for source in DATA_SOURCES:
        parts.append(f"{source['name']}: {source['licence']}")
    return "\n".join(str(part) for part in parts)


def export(data: Dataset, file_format: str, *, base_url: str) -> bytes:
    if file_format in ("csv", "xlsx"):
        return _tabular(data, file_format, base_url)
    if file_format == "json":
        return _json_document(data, base_url)
    if file_format == "jsonld":
        document = jsonld.document(
            data.kind,
            base_url=base_url,
            licence=licence_notice(),
            licence_page=f"{base_url}{licence_url()}",
            downloads={mime: f"{base_url}{data.url(fmt)}" for fmt, mime in FORMATS.items()},
        )
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    raise KeyError(file_format)


def _tabular(data: Dataset, file_format: str, base_url: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="ecotone-open-data-") as folder:
        path = Path(folder) / f"{data.name}.{file_format}"
        export_queryset(data.kind, published(data.kind), path)
        if file_format == "xlsx":
            _add_licence_sheet(path, base_url)
        return path.read_bytes()


def _add_licence_sheet(path: Path, base_url: str) -> None:
    """A "Licence" sheet after the data: importers read the first sheet, people see both."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.create_sheet(_("Licence"))
    for number, line in enumerate(licence_text(base_url).splitlines(), start=1):
        # Our own (translated) text, so not quoted; but text all the same, never a formula.
        sheet.cell(row=number, column=1, value=line).data_type = "s"
    sheet.column_dimensions["A"].width = 120
    workbook.active = 0
    workbook.save(path)


def licence_text(base_url: str) -> str:
    """The licence and attribution as plain text, for files that cannot carry them as data."""
    lines = [
        _("Ecotone open data"),
        _("Licence and attribution: %(url)s") % {"url": f"{base_url}{licence_url()}"},
        _("Generated on %(date)s from the published records.")
        % {"date": timezone.now().date().isoformat()},
        "",
        licence_notice(),
        "",
        _("Sources:"),
    ]
    for source in DATA_SOURCES:
        url = f" — {source['url']}" if source["url"] else ""
        lines.append(f"- {source['name']} ({source['used_for']}): {source['licence']}{url}")
    return "\n".join(str(line) for line in lines) + "\n"


def bundle(base_url: str) -> bytes:
    """Every kind as CSV in one ZIP, with LICENCE.txt (licence, sources, date)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LICENCE.txt", licence_text(base_url))
        for data in datasets():
            archive.writestr(f"ecotone-{data.name}.csv", _tabular(data, "csv", base_url))
    return buffer.getvalue()


def cache_folder() -> Path:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return Path(settings.ECOTONE_HOME) / "reports" / "open-data" / language


def open_export(data: Dataset, file_format: str, *, base_url: str) -> BinaryIO:
    """The file for the current data, built only when the data changed since the last one."""
    name = f"{data.name}.{file_format}"
    return open_cached(
        cache_folder(), name, lambda: export(data, file_format, base_url=base_url), base_url
    )


def open_bundle(*, base_url: str) -> BinaryIO:
    return open_cached(cache_folder(), BUNDLE_NAME, lambda: bundle(base_url), base_url)


def _json_document(data: Dataset, base_url: str) -> bytes:
    records = []
    for record in published(data.kind).iterator(chunk_size=2000):
        row = record_to_row(data.kind, record)
        row["page"] = f"{base_url}{record.get_absolute_url()}"
        records.append(row)
    document = {
        "license": f"{base_url}{licence_url()}",
        "attribution": licence_notice(),
        "dataset": data.name,
        "licence": licence_notice(),
        "licence_page": f"{base_url}{licence_url()}",
        "columns": data.kind.columns,
        "count": len(records),
        "records": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
