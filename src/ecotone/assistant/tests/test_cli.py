"""``ecotone ask``: the same answers on the command line."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ecotone.assistant.models import Question
from ecotone.core.testing import CaseFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("ask", *args, stdout=out)
    return out.getvalue()


def test_an_answer_with_its_sources(documents):
    out = run("What did a heat pump cost to install?")
    assert "30,000 yuan" in out
    assert "[Heat pumps in cold regions, page 3 (resource res-heat-pumps)]" in out
    assert Question.objects.get().text == "What did a heat pump cost to install?"


def test_json_keeps_the_api_contract(documents):
    body = json.loads(run("哈尔滨的热泵性能系数是多少？", "--language", "zh", "--json"))
    assert body["status"] == "answered"
    assert body["answer"][0]["citations"][0]["title"] == "寒冷地区的热泵"


def test_a_decline(documents):
    out = run("Who won the football world cup in 1998?")
    assert "The platform's documents do not answer this." in out


def test_bad_input_is_an_error_naming_the_field():
    with pytest.raises(CommandError, match="question: enter a question"):
        run("   ")
    with pytest.raises(CommandError, match="at most 2000 characters"):
        run("x" * 2001)


def test_a_count_of_more_records_than_it_cites_says_where_the_rest_are():
    for number in range(12):
        CaseFactory(title_en=f"Offshore storage {number:02d}", country="NO")
    out = run("How many cases are there in Norway?")
    assert "1. 12 published cases are in Norway." in out
    assert "   … 12 in all: /en/cases/?country=NO" in out
    body = json.loads(run("How many cases are there in Norway?", "--json"))
    assert (body["answer"][0]["counted"], body["answer"][0]["list_url"]) == (
        12,
        "/en/cases/?country=NO",
    )
