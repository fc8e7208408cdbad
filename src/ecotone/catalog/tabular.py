"""Reading and writing the catalogue's file formats: CSV, XLSX and JSON Lines.

The format is chosen by the file's extension. Readers yield ``(row_number, dict)``
and raise ``FileFormatError`` with the row (and column) when a file cannot be read.
CSV and XLSX text passes through ``core.spreadsheets`` both ways, so no exported cell is
a live formula and an import gives back the exported text; JSON Lines stay as they are.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ecotone.core.spreadsheets import neutralise_cell, restore_cell, xlsx_row

SUPPORTED_EXTENSIONS = (".csv", ".xlsx", ".jsonl")


class FileFormatError(Exception):
    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        self.row, self.column, self.message = row, column, message
        where = f"row {row}" if row else "file"
        super().__init__(f"{where}{f', column {column}' if column else ''}: {message}")


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise FileFormatError(
            f"unsupported file type {suffix or '(none)'}; use one of "
            + ", ".join(SUPPORTED_EXTENSIONS)
        )
    return suffix


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """Rows are numbered as a spreadsheet shows them: the header is row 1 in CSV/XLSX."""
    suffix = format_of(path)
    if suffix == ".csv":
        yield from _read_csv(path)
    elif suffix == ".xlsx":
        yield from _read_xlsx(path)
    else:
        yield from _read_jsonl(path)


def _decode_utf8(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FileFormatError(
            f"the file is not UTF-8 (byte {error.start}); save it as UTF-8 and try again",
            row=line,
        ) from None


def _read_csv(path: Path) -> Iterator[tuple[int, dict]]:
    """Stream the rows (as ``csv.DictReader`` reads them) rather than hold the decoded file.

    Bytes that are not UTF-8 are reported with their line, as by ``_decode_utf8``.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield from _csv_rows(csv.reader(handle))
        except UnicodeDecodeError:
            _decode_utf8(path)  # raises FileFormatError naming the line
            raise


def _csv_rows(reader) -> Iterator[tuple[int, dict]]:
    header = next(reader, None)
    if header is None:
        return
    width = len(header)
    # Columns keep their stripped header name; unnamed ones are dropped. When a name
    # repeats, its last cell wins.
    named = [(index, name.strip()) for index, name in enumerate(header) if name]
    simple = len(named) == width and len({name for _index, name in named}) == width
    names = [name for _index, name in named]
    number = 1
    for cells in reader:
        if not cells:  # a blank line is not a row
            continue
        number += 1
        if len(cells) > width:
            raise FileFormatError("more cells than header columns", row=number)
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        cells = [restore_cell(cell) for cell in cells]
        if simple:
            yield number, dict(zip(names, cells, strict=True))
        else:
            yield number, {name: cells[index] for index, name in named}


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(_decode_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise FileFormatError(f"not valid JSON ({error.msg})", row=number) from None
        if not isinstance(row, dict):
            raise FileFormatError("each line must be a JSON object", row=number)
        yield number, row


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise FileFormatError(f"not a readable XLSX workbook ({error})") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows()
    header_cells = next(rows, None)
    if header_cells is None:
        return
    header = [str(cell.value).strip() if cell.value is not None else "" for cell in header_cells]
    for number, cells in enumerate(rows, start=2):
        row = {}
        for name, cell in zip(header, cells, strict=False):
            if not name:
                continue
            if cell.data_type == "f":
                raise FileFormatError(
                    "cells with formulas are not imported; paste the values instead",
                    row=number,
                    column=name,
                )
            row[name] = _xlsx_value(cell.value)
        if any(value not in (None, "") for value in row.values()):
            yield number, row
    workbook.close()


def _xlsx_value(value):
    import datetime

    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return restore_cell(value)


def _flat(value):
    """CSV and XLSX cells hold lists as ``a; b``."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else value


def write_rows(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    suffix = format_of(path)
    count = 0
    if suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({key: neutralise_cell(_flat(value)) for key, value in row.items()})
                count += 1
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(xlsx_row(sheet, columns))
        for row in rows:
            sheet.append(xlsx_row(sheet, [_flat(row.get(column)) for column in columns]))
            count += 1
        workbook.save(path)
    return count
