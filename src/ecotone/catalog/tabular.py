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

from ecotone.core.refusals import Refused
from ecotone.core.spreadsheets import neutralise_cell, restore_cell, xlsx_row

SUPPORTED_EXTENSIONS = (".csv", ".xlsx", ".jsonl")
#: Python's csv module refuses a cell over 131,072 characters, but a resource's full text
#: may hold 2,000,000 (``forms.MAX_FULL_TEXT_CHARS``), plus the quote an export may add.
#: Cells up to twice that are read, so that a text somewhat too long is reported by its
#: column; a longer cell stops the file at its row before it fills the memory.
CSV_CELL_LIMIT = 4_000_000


class FileFormatError(Refused):
    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message, field="file")
        self.row, self.column = row, column
        where = f"row {row}" if row else "file"
        self.args = (f"{where}{f', column {column}' if column else ''}: {message}",)


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
    csv.field_size_limit(CSV_CELL_LIMIT)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield from _csv_rows(_csv_records(csv.reader(handle)))
        except UnicodeDecodeError:
            _decode_utf8(path)  # raises FileFormatError naming the line
            raise


def _csv_records(reader) -> Iterator[list[str]]:
    """The reader's records; one it cannot read is reported with its row number."""
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileFormatError(_csv_problem(error), row=number + 1) from None
        if cells:  # a blank line is not a row
            number += 1
        yield cells


def _csv_problem(error: csv.Error) -> str:
    if "field limit" in str(error):
        return f"a cell is longer than {CSV_CELL_LIMIT:,} characters, more than any column holds"
    return f"not readable as CSV ({error})"


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
        except RecursionError:
            raise FileFormatError("not valid JSON (nested too deeply)", row=number) from None
        except ValueError:  # Python reads integers of up to 4,300 digits
            raise FileFormatError("not valid JSON (a number too long)", row=number) from None
        if not isinstance(row, dict):
            raise FileFormatError("each line must be a JSON object", row=number)
        _check_json_cells(number, row)
        yield number, row


def _check_json_cells(number: int, row: dict) -> None:
    """A value is what a CSV cell can hold: text, a number, true/false, null or a list."""
    for column, value in row.items():
        _check_unicode(number, column, column)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                raise FileFormatError(
                    f"a {'JSON object' if isinstance(item, dict) else 'list in a list'} is not "
                    "a value; write text, a number, true/false, null or a list of those",
                    row=number,
                    column=column,
                )
            if isinstance(item, str):
                _check_unicode(number, column, item)


def _check_unicode(number: int, column: str, text: str) -> None:
    # JSON's \ud800-style escapes can name half of a surrogate pair, which is no character
    # and cannot be stored.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = f"\\u{ord(text[error.start]):04x}"
        raise FileFormatError(
            f"not valid Unicode text (a lone surrogate {code})", row=number, column=column
        ) from None


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl, zipfile and the XML parser each raise their own
        raise FileFormatError(f"not a readable XLSX workbook ({_reason(error)})") from None
    try:
        rows = _sheet_rows(sheet)
        header_cells = next(rows, None)
        if header_cells is None:
            return
        header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
        for number, cells in enumerate(rows, start=2):
            row = _xlsx_record(number, header, cells)
            if any(value not in (None, "") for value in row.values()):
                yield number, row
    finally:
        workbook.close()


def _xlsx_record(number: int, header: list[str], cells) -> dict:
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
    return row


def _sheet_rows(sheet) -> Iterator[tuple]:
    """The sheet's rows; a sheet broken part-way is reported at the row it breaks in."""
    rows = sheet.iter_rows()
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as error:  # as when opening it: many kinds, all meaning "broken"
            raise FileFormatError(
                f"not a readable XLSX workbook ({_reason(error)})", row=number + 1
            ) from None
        number += 1
        yield cells


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__


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


def csv_lines(handle, columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """Write the header and then each row to ``handle`` (anything with ``write``), yielding
    what ``write`` returned for each (the header first): the import reads the file back."""
    writer = csv.DictWriter(handle, fieldnames=columns)
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow({key: neutralise_cell(_flat(value)) for key, value in row.items()})


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
            count = sum(1 for _line in csv_lines(handle, columns, rows)) - 1  # the header
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
