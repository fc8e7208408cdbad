"""Text cells that a spreadsheet will not run as formulas, and the way back.

A spreadsheet program reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or a carriage return) as a formula, so a record named
``=HYPERLINK("http://evil","click")`` would become a live link in the file a manager
opens. Every CSV and XLSX the platform writes passes its text cells through
``neutralise_cell``, which puts one ``'`` in front of such text (OWASP's advice for CSV
injection); imports pass them through ``restore_cell``, which takes exactly that ``'``
away again.

The rule is reversible for every string. Text that already begins with ``'`` followed
(after any further quotes) by one of those characters gets one more ``'``, so
``'=x`` is written ``''=x`` and read back as ``'=x``, while ``'plain`` is written and
read unchanged. Numbers stay numbers, and text that is just a number such as ``-12.5``
is left alone: a spreadsheet reads it as that number, not as a formula.
"""

import re
from collections.abc import Iterable

#: first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
#: a number written plainly, which a spreadsheet reads as a number (ASCII digits only)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _needs_quote(text: str) -> bool:
    """Whether ``text``, after any leading quotes, would be read as a formula."""
    unquoted = text.lstrip(QUOTE)
    return unquoted[:1] in FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(unquoted) is None


def neutralise_cell(value):
    """``value`` as it may be written into a spreadsheet cell; only text changes."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def restore_cell(value):
    """The value ``neutralise_cell`` was given, from what it returned."""
    if isinstance(value, str) and value[:1] == QUOTE and _needs_quote(value[1:]):
        return value[1:]
    return value


def neutralise_row(values: Iterable) -> list:
    return [neutralise_cell(value) for value in values]


def xlsx_row(sheet, values: Iterable) -> list:
    """Cells for ``sheet.append`` on a write-only sheet: text neutralised and kept as text.

    openpyxl on its own turns text beginning with ``=`` into a formula and ``#N/A`` into
    an error value; these cells are plain strings whatever they hold. A carriage return
    does not survive the file's XML (a reader sees a line feed), so line breaks are
    written as line feeds before the text is neutralised: otherwise ``\r=x`` would come
    back as a quoted ``\n=x`` that no import could recognise. Other control characters
    (``\x07``) cannot be stored in the file at all: they are written as U+FFFD, where
    openpyxl would refuse the whole export.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    row = []
    for value in values:
        if isinstance(value, str):
            text = value.replace("\r\n", "\n").replace("\r", "\n")
            text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
            cell = WriteOnlyCell(sheet, value=neutralise_cell(text))
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
