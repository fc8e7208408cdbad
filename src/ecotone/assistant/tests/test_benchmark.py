"""``benchmarks/assistant_quality.py`` judges answers as its docstring says, on a tiny set
over this app's test documents (the real set is judged over the demo)."""

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[4] / "benchmarks" / "assistant_quality.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("assistant_quality", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


QUESTIONS = [
    {
        "id": "en-cost",
        "language": "en",
        "question": "What did a heat pump cost to install?",
        "answerable": True,
        "passages": [{"external_id": "res-heat-pumps", "page": "p. 3", "contains": "30,000  Yuan"}],
    },
    {
        "id": "zh-cop",
        "language": "zh",
        "question": "哈尔滨的热泵性能系数是多少？",
        "answerable": True,
        "passages": [{"external_id": "res-heat-pumps", "page": "p. 2", "contains": "was 2.6"}],
    },
    {
        "id": "en-wrong-page",
        "language": "en",
        "question": "What did a heat pump cost to install?",
        "answerable": True,
        "passages": [{"external_id": "res-heat-pumps", "page": "p. 1", "contains": "30,000"}],
    },
    {
        "id": "en-none",
        "language": "en",
        "question": "Who won the football world cup in 1998?",
        "answerable": False,
        "passages": [],
    },
]


def test_figures_on_a_tiny_set(documents, bench, tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n")
    outcomes = bench.evaluate(bench.load_questions(path), bench.extractive_answer)
    by_id = {o["id"]: o for o in outcomes}
    assert by_id["en-cost"]["correct"] and by_id["zh-cop"]["correct"]
    assert not by_id["en-wrong-page"]["correct"]  # the judged page is another one
    figures = bench.summarise(outcomes)
    assert figures["cited_correct"] == round(2 / 3, 3)
    assert figures["declined"] == 1.0
    assert figures["sentences_cited"] == 1.0
    assert figures["supported"] == 1.0
    assert 0 < figures["precision"] <= 1 and 0 < figures["recall"] < 1
    lines = bench.report(outcomes, "all")
    assert lines[0].startswith("all ") and any(line.startswith("lang=zh") for line in lines)


def test_a_malformed_line_names_its_number(bench, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "language": "fr"}\n')
    with pytest.raises(SystemExit, match=r"bad\.jsonl:1"):
        bench.load_questions(path)


def test_the_split_is_stable(bench):
    assert bench.split_of("zh-001") == bench.split_of("zh-001")
    assert {bench.split_of(f"q{n}") for n in range(20)} == {"dev", "test"}


def test_an_answer_withheld_from_what_is_read_is_declined(documents, bench):
    """``--withhold``: the record that answers is left out of what the assistant reads, and
    only for that question (the search is its own again afterwards)."""
    from ecotone.assistant import extractive

    real = extractive.retrieve
    outcomes = bench.declined_withheld(QUESTIONS[:2] + QUESTIONS[3:])
    assert [o["id"] for o in outcomes] == ["en-cost", "zh-cop"]  # answerable ones only
    assert all(o["declined"] for o in outcomes)
    assert extractive.retrieve is real
    assert bench.extractive_answer(QUESTIONS[0]["question"], "en")["status"] == "answered"
    lines = bench.report_withheld(outcomes, "all")
    assert lines[0].split()[1:] == ["withheld=2", "declined_withheld=1.0"]


def test_each_question_withholds_its_own_records_only(documents, bench):
    """The records withheld for one question are read again for the next."""
    bus = {
        "id": "en-bus",
        "language": "en",
        "question": "How many buses does the Shenzhen depot charge overnight?",
        "answerable": True,
        "passages": [{"external_id": "res-heat-pumps", "contains": "x"}],
    }
    cost = dict(QUESTIONS[0], passages=[{"external_id": "case-bus-depot", "contains": "x"}])
    outcomes = bench.declined_withheld([bus, cost])
    assert [o["declined"] for o in outcomes] == [False, False]


def test_saved_answers_are_judged_against_another_judged_set(documents, bench, tmp_path):
    """``--dump`` then ``--answers``: the same answers judged against the set before and
    after a passage is added to it, without asking the assistant again."""
    questions = [QUESTIONS[0], QUESTIONS[3]]
    outcomes = bench.evaluate(questions, bench.extractive_answer)
    dump = tmp_path / "answers.json"
    bench.dump_answers(dump, outcomes)
    saved = bench.saved_answers(dump, questions)
    assert bench.evaluate(questions, saved)[0]["correct"]
    unjudged = dict(QUESTIONS[0], passages=[{"external_id": "res-heat-pumps", "contains": "x"}])
    assert not bench.evaluate([unjudged], bench.saved_answers(dump, [unjudged]))[0]["correct"]


POOL = SCRIPT.with_name("assistant_pool.py")


def test_the_pool_holds_judged_cited_and_ranked_passages_without_their_source(
    documents, bench, tmp_path
):
    """``assistant_pool.py``: every question's judged passage, the passages its answer cites
    and the best ranked ones, each once with the lists it came from; the file to judge from
    says nothing of them."""
    import sys

    sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("assistant_pool", POOL)
    pool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pool)
    pairs = pool.pool(QUESTIONS[0], neighbours=3)
    sources = {key[1]: entry["sources"] for key, entry in pairs.items()}
    assert "judged" in sources["p. 3"] and "cited" in sources["p. 3"]
    assert all(entry["id"] == "en-cost" for entry in pairs.values())
    assert len(pairs) == len({(e["external_id"], e["page"], e["passage"]) for e in pairs.values()})
