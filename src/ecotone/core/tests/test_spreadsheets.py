from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecotone.core.spreadsheets import FORMULA_STARTS, neutralise_cell, restore_cell, xlsx_row

#: text made mostly of the characters the rule is about, so that every case comes up
tricky_text = st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.eE xA中"), max_size=12)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil","click")', '\'=HYPERLINK("http://evil","click")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("-1+2", "'-1+2"),
        ("-A1", "'-A1"),
        ("-", "'-"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=x", "''=x"),
        ("''@x", "'''@x"),
        ("'plain", "'plain"),
        ("'", "'"),
        ("plain", "plain"),
        ("深圳 = 低碳", "深圳 = 低碳"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        ("-.5", "-.5"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_one_quote(value, written):
    assert neutralise_cell(value) == written
    assert restore_cell(written) == value


@pytest.mark.parametrize("value", [-12.5, 3, Decimal("-1.25"), None, True])
def test_values_that_are_not_text_pass_through(value):
    assert neutralise_cell(value) is value
    assert restore_cell(value) is value


def test_numbers_in_other_scripts_are_not_plain_numbers():
    # Only ASCII digits make a number a spreadsheet reads as one.
    assert neutralise_cell("-٣") == "'-٣"


@given(tricky_text)
def test_restore_undoes_neutralise_for_any_text(value):
    assert restore_cell(neutralise_cell(value)) == value


@given(tricky_text)
def test_neutralised_text_never_starts_a_formula(value):
    written = neutralise_cell(value)
    if written[:1] in FORMULA_STARTS:
        float(written)  # only a plain number may start with + or -


def test_a_control_character_that_xlsx_cannot_hold_does_not_stop_the_export(tmp_path):
    """openpyxl refuses ``\\x07`` in a cell; one such description made every XLSX export of
    its kind a 500."""
    from openpyxl import Workbook, load_workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(xlsx_row(sheet, ["bell\x07here", "=1+1"]))
    workbook.save(tmp_path / "out.xlsx")
    cells = next(load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))
    assert cells == ("bell\ufffdhere", "'=1+1")
