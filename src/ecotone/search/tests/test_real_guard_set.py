"""The real-query guard of ``benchmarks/catalog_relevance.py`` (``catalog_real_guard.jsonl``,
built by ``benchmarks/build_real_guard.py``): the shipped file is what the builder makes,
its halves keep the other benchmarks' halves, and the benchmark reports an emptied guard
query under its source and language."""

import importlib
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[4] / "benchmarks"
GUARD = BENCHMARKS / "data" / "catalog_real_guard.jsonl"


@pytest.fixture(scope="module")
def modules():
    sys.path.insert(0, str(BENCHMARKS))  # the scripts import their sibling modules by name
    try:
        yield {
            name: importlib.import_module(name)
            for name in ("build_real_guard", "catalog_relevance", "assistant_quality")
        }
    finally:
        sys.path.remove(str(BENCHMARKS))


def shipped() -> list[dict]:
    return [json.loads(line) for line in GUARD.read_text(encoding="utf-8").splitlines()]


def test_the_shipped_guard_is_what_the_builder_builds(modules):
    assert shipped() == modules["build_real_guard"].build()


def test_the_guard_draws_real_text_from_every_source_in_both_languages():
    sources = {(row["source"], row["language"]) for row in shipped()}
    for source in ("need_title", "assistant", "title_words", "description_words", "sector"):
        assert {(source, "en"), (source, "zh")} <= sources


def test_a_matching_need_and_an_assistant_question_keep_their_half(modules):
    needs = {
        f"{judged['id']}": judged["split"]
        for judged in modules["build_real_guard"].read_jsonl(
            BENCHMARKS / "data" / "matching_judgements.jsonl"
        )
    }
    split_of = modules["assistant_quality"].split_of
    for row in shipped():
        if row["source"] in ("need_title", "need_text") and row["id"].split("-")[1] in needs:
            assert row["split"] == needs[row["id"].split("-")[1]], row["id"]
        if row["source"] == "assistant":
            assert row["split"] == split_of(row["id"].removeprefix("assistant-")), row["id"]


def test_a_chinese_title_part_cut_at_a_joining_word_is_no_query(modules):
    words = modules["build_real_guard"].chinese_title_words
    assert words("ICAO CORSIA 航空抵消与 CCU 燃料规则 (2024)") == "燃料规则"
    assert words("深圳市2023年绿色低碳典型案例") == ""


def test_an_english_title_gives_its_first_words_that_name_something(modules):
    words = modules["build_real_guard"].english_title_words
    assert words("Global Wind Atlas") == "Global Wind Atlas"
    assert words("Reservoir release scheduling for a cascade of hydropower plants") == (
        "Reservoir release scheduling"
    )
    assert words("Energy monitoring for 40 public office buildings (illustrative)") == (
        "public office buildings"
    )


def test_an_emptied_guard_query_is_reported_under_its_source_and_language(modules, capsys):
    bench = modules["catalog_relevance"]
    queries = bench.guard_queries(
        [
            {"id": "a", "source": "need_title", "language": "en", "split": "dev", "query": "x"},
            {"id": "b", "source": "need_title", "language": "en", "split": "dev", "query": "y"},
            {"id": "c", "source": "sector", "language": "zh", "split": "dev", "query": "储能"},
        ]
    )
    runs = {
        "a": {"ranked": [], "ms": 1.0},
        "b": {"ranked": ["r1"], "ms": 1.0},
        "c": {"ranked": ["r2"], "ms": 1.0},
    }
    bench.report_real_empty(queries, runs, "hybrid", "dev")
    print(bench.targets_line(queries, runs, "hybrid", "dev"))
    bench.print_details(queries, runs, "hybrid")
    printed = capsys.readouterr().out
    assert "source=need_title language=en split=dev queries=2 empty=0.50" in printed
    assert "source=sector language=zh split=dev queries=1 empty=0.00" in printed
    assert "real_empty=0.33 (0.00)" in printed
    assert "emptied mode=hybrid source=need_title language=en query=x" in printed
