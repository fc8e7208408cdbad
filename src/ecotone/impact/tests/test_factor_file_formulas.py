"""The factor CSV carries no formula text, and its import gives back what was exported."""

import csv
import io

import pytest

from ecotone.impact.factors import export_factors, import_factors, publish_factors
from ecotone.impact.models import EmissionFactor

pytestmark = pytest.mark.django_db


def test_factor_text_is_quoted_on_export_and_restored_on_import():
    publish_factors(
        [
            {
                "key": "test-grid",
                "name_en": '=HYPERLINK("http://evil","click")',
                "kind": "grid_average",
                "value": 0.5,
                "low": -0.25,
                "unit": "t CO2e / MWh",
                "source_citation": "@SUM(A1)",
                "verification_note": "'=x",
            }
        ]
    )
    out = io.StringIO()
    export_factors(out, EmissionFactor.objects.all())
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["name_en"], row["source_citation"], row["verification_note"]) == (
        '\'=HYPERLINK("http://evil","click")',
        "'@SUM(A1)",
        "''=x",
    )
    assert row["low"] == "-0.25"  # a number stays a number
    EmissionFactor.objects.all().delete()
    assert import_factors(io.StringIO(out.getvalue())).created == 1
    factor = EmissionFactor.objects.get()
    assert (factor.name_en, factor.source_citation, factor.verification_note, factor.low) == (
        '=HYPERLINK("http://evil","click")',
        "@SUM(A1)",
        "'=x",
        -0.25,
    )


def test_a_year_that_only_looks_like_digits_is_named_not_a_crash():
    """``"²".isdigit()`` is true and ``int("²")`` raises: the file's row is refused instead."""
    import pytest

    from ecotone.impact.factors import FactorFileError

    out = io.StringIO()
    publish_factors(
        [
            {
                "key": "k",
                "name_en": "K",
                "kind": "grid_average",
                "value": 0.5,
                "unit": "t CO2e / MWh",
                "source_citation": "test",
                "year": 2020,
            }
        ]
    )
    export_factors(out, EmissionFactor.objects.all())
    bad = out.getvalue().replace(",2020,", ",²,")
    assert bad != out.getvalue()
    with pytest.raises(FactorFileError, match="year '²' is not a year"):
        import_factors(io.StringIO(bad))
