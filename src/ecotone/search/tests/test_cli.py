"""`ecotone search`: the search page's results on the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ecotone.core.testing import SolutionFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


def test_prints_ranked_results_and_why(committed):
    with committed():
        pump = SolutionFactory(title_en="Heat pump retrofit for schools")
        SolutionFactory(title_en="Battery recycling")
    text = run("heat pump", "--mode", "lexical")
    assert f"1. [match] solution {pump.external_id}: Heat pump retrofit for schools" in text
    assert "Battery" not in text
    body = json.loads(run("热泵", "--mode", "lexical", "--json"))
    assert [r["external_id"] for r in body["results"]] == [pump.external_id]
    assert body["translation"] == "heat pump"


def test_says_why_nothing_was_found(committed):
    with committed():
        SolutionFactory(title_en="Heat pump retrofit for schools")
    assert "no results (no_match)" in run("qwertyzzk", "--mode", "lexical")
    assert "no results (no_terms)" in run("!!!", "--mode", "lexical")


def test_a_wrong_value_names_its_field():
    with pytest.raises(CommandError, match=r"^limit: "):
        run("heat", "--limit", "0")
    with pytest.raises(CommandError, match=r"^kind: "):
        run("heat", "--kind", "planet")
