"""The knowledge assistant's answers against judged questions: cited passages, honest
refusals, supported sentences, latency.

    .venv/bin/python benchmarks/assistant_quality.py --home /tmp/eco-ask
    .venv/bin/python benchmarks/assistant_quality.py --home DIR --questions FILE --split dev -v

Issue 14, section 5. Reads ``benchmarks/data/assistant_questions.jsonl`` (or ``--questions``),
one question a line::

    {"id": "zh-001", "language": "zh", "question": "…", "answerable": true,
     "passages": [{"external_id": "…", "page": "p. 3", "contains": "a verbatim phrase"}]}

The demo is loaded into ``--home`` (``ecotone demo``, indexed once; a prepared home is
reused, as in ``search_quality.py``) and every question goes through
``ecotone.assistant.services.compose(question, language)``, the answering step of
``POST /api/v1/ask`` without storing it. A citation is **correct** when it names the judged
record, the judged page (when one is given) and its passage contains the judged phrase
(compared after folding case, width, script and spacing). Prints, for all questions, per
language and per half (``dev`` / ``test``: by a hash of the id, so the split never moves):

* ``cited_correct``: share of answerable questions whose answer cites a correct passage
  (target ≥ 0.90);
* ``precision`` / ``recall``: of the distinct passages answers cite, the share that are
  judged ones; of the judged passages, the share cited (passage level, over answerable
  questions);
* ``declined``: share of unanswerable questions declined (target ≥ 0.90);
  ``false_declines``: share of answerable ones declined;
* ``sentences_cited``: share of answer sentences with a citation (target 1.0);
  ``supported``: share whose cited passage contains the sentence;
* ``p50_ms`` / ``p95_ms``: time to answer (target p95 ≤ 1,000 ms, extractive, 2 cores).

With ``--withhold`` every answerable question is asked once more with the records that answer
it (its judged passages' records) withheld from what the assistant reads, and
``declined_withheld`` is the share of those it declines: a near-miss question with no answer in
what is read, one per answerable question, so a larger sample of declining than the few
unanswerable questions (the search's own verdict still sees the withheld records, so the
figure is, if anything, kind to the assistant).

``--dump FILE`` writes every answer given (JSON, by question id); ``--answers FILE`` judges
the answers of such a file instead of asking again, so a change of the judged set alone can
be measured on exactly the same answers (``--questions`` old and new, one run of the
assistant).

Prints figures; asserts nothing.
"""

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS = DATA / "assistant_questions.jsonl"
FIELDS = ("id", "language", "question", "answerable", "passages")


def load_questions(path: Path) -> list[dict]:
    """The judged questions; a line missing a field or of the wrong shape is an error naming
    its line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = [name for name in FIELDS if name not in row]
        if missing or row["language"] not in ("zh", "en"):
            raise SystemExit(f"{path}:{number}: needs {', '.join(FIELDS)} (language zh or en)")
        questions.append(row)
    return questions


def split_of(question_id: str) -> str:
    return "dev" if int(hashlib.sha256(question_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def normal(text: str) -> str:
    from ecotone.assistant.passages import normalised

    return " ".join(normalised(text).split())


def is_correct(citation: dict, judged: dict) -> bool:
    if citation["external_id"] != judged["external_id"]:
        return False
    if judged.get("page") and citation.get("page", "") != judged["page"]:
        return False
    return normal(judged.get("contains", "")) in normal(citation["passage"])


def judge(question: dict, answer: dict) -> dict:
    """One question's outcome from an API-shaped answer (``answer``, ``status``)."""
    sentences = answer["answer"]
    citations = [c for s in sentences for c in s["citations"]]
    distinct = {(c["external_id"], c.get("page", ""), c["passage"]): c for c in citations}
    judged = question["passages"]
    answered = answer["status"] == "answered"
    return {
        "answerable": question["answerable"],
        "answered": answered,
        "correct": any(is_correct(c, j) for c in citations for j in judged),
        "cited_passages": len(distinct),
        "cited_correct_passages": sum(
            any(is_correct(c, j) for j in judged) for c in distinct.values()
        ),
        "judged_passages": len(judged),
        "judged_found": sum(any(is_correct(c, j) for c in citations) for j in judged),
        "sentences": len(sentences),
        "sentences_cited": sum(bool(s["citations"]) for s in sentences),
        "supported": sum(
            any(normal(s["text"]) in normal(c["passage"]) for c in s["citations"])
            for s in sentences
        ),
    }


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def summarise(outcomes: list[dict]) -> dict:
    answerable = [o for o in outcomes if o["answerable"]]
    unanswerable = [o for o in outcomes if not o["answerable"]]
    times = sorted(o["ms"] for o in outcomes)
    sentences = sum(o["sentences"] for o in outcomes)
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "cited_correct": share(sum(o["correct"] for o in answerable), len(answerable)),
        "precision": share(
            sum(o["cited_correct_passages"] for o in answerable),
            sum(o["cited_passages"] for o in answerable),
        ),
        "recall": share(
            sum(o["judged_found"] for o in answerable),
            sum(o["judged_passages"] for o in answerable),
        ),
        "declined": share(sum(not o["answered"] for o in unanswerable), len(unanswerable)),
        "false_declines": share(sum(not o["answered"] for o in answerable), len(answerable)),
        "sentences_cited": share(sum(o["sentences_cited"] for o in outcomes), sentences),
        "supported": share(sum(o["supported"] for o in outcomes), sentences),
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1) if times else None,
    }


def evaluate(questions: list[dict], answer: Callable[[str, str], dict]) -> list[dict]:
    """Each question answered by ``answer(question, language)`` and judged, with its time."""
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        given = answer(question["question"], question["language"])
        elapsed = (time.perf_counter() - started) * 1000
        outcome = judge(question, given)
        outcome.update(
            id=question["id"],
            language=question["language"],
            split=split_of(question["id"]),
            ms=elapsed,
            given=given,
            expected=question["passages"],
        )
        outcomes.append(outcome)
    return outcomes


def saved_answers(path: Path, questions: list[dict]) -> Callable[[str, str], dict]:
    """``answer(question, language)`` reading the answers a ``--dump`` file holds."""
    by_id = json.loads(path.read_text(encoding="utf-8"))
    by_text = {(q["question"], q["language"]): by_id[q["id"]] for q in questions}
    return lambda question, language: by_text[(question, language)]


def dump_answers(path: Path, outcomes: list[dict]) -> None:
    given = {o["id"]: o["given"] for o in outcomes}
    path.write_text(json.dumps(given, ensure_ascii=False, indent=1), encoding="utf-8")


def extractive_answer(question: str, language: str) -> dict:
    """What ``POST /api/v1/ask`` answers (catalogue questions included), without storing it;
    extractive unless ``ECOTONE_ASK_LLM_URL`` is set."""
    from ecotone.assistant.services import checked_question, compose

    extract, _, _ = compose(checked_question(question), language)
    return {"answer": extract.sentences, "status": extract.status}


def withholding(external_ids: set[str], real: Callable):
    """``real`` (``extractive.retrieve``) leaving out the records of ``external_ids`` (and
    still returning as many records as asked for): the answer is withheld from what is read."""
    import dataclasses

    from ecotone.assistant.passages import load_records

    def retrieve(q, *, kinds, limit=8):
        found = real(q, kinds=kinds, limit=limit + len(external_ids))
        kept = [
            (kind, record.pk)
            for kind, record in load_records(found.keys)
            if record.external_id not in external_ids
        ]
        return dataclasses.replace(found, keys=kept[:limit])

    return retrieve


def declined_withheld(questions: list[dict]) -> list[dict]:
    """Each answerable question asked with its judged records withheld: declined or not."""
    from ecotone.assistant import extractive

    real = extractive.retrieve
    outcomes = []
    try:
        for question in questions:
            if not question["answerable"]:
                continue
            withheld = {j["external_id"] for j in question["passages"]}
            extractive.retrieve = withholding(withheld, real)  # this question's only
            given = extractive_answer(question["question"], question["language"])
            outcomes.append(
                {
                    "id": question["id"],
                    "language": question["language"],
                    "split": split_of(question["id"]),
                    "declined": given["status"] != "answered",
                }
            )
    finally:
        extractive.retrieve = real
    return outcomes


def report_withheld(outcomes: list[dict], split: str) -> list[str]:
    groups = [("all", outcomes)]
    groups += [
        (f"lang={lang}", [o for o in outcomes if o["language"] == lang]) for lang in ("zh", "en")
    ]
    if split == "all":
        groups += [
            (f"split={h}", [o for o in outcomes if o["split"] == h]) for h in ("dev", "test")
        ]
    return [
        f"{name:10} withheld={len(group)} declined_withheld="
        f"{share(sum(o['declined'] for o in group), len(group))}"
        for name, group in groups
        if group
    ]


def report(outcomes: list[dict], split: str) -> list[str]:
    lines = []
    groups = [("all", outcomes)]
    groups += [
        (f"lang={lang}", [o for o in outcomes if o["language"] == lang]) for lang in ("zh", "en")
    ]
    if split == "all":
        groups += [
            (f"split={half}", [o for o in outcomes if o["split"] == half])
            for half in ("dev", "test")
        ]
    for name, group in groups:
        if group:
            figures = " ".join(f"{k}={v}" for k, v in summarise(group).items())
            lines.append(f"{name:10} {figures}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="ECOTONE_HOME to load the demo into (default: a new one)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--embedder", help="sets ECOTONE_EMBEDDER (none: words only)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index")
    parser.add_argument("-v", "--verbose", action="store_true", help="every miss, with its answer")
    parser.add_argument(
        "--withhold",
        action="store_true",
        help="also ask each answerable question with its answering records withheld",
    )
    parser.add_argument("--dump", type=Path, help="write the answers given to this file (JSON)")
    parser.add_argument("--answers", type=Path, help="judge the answers of a --dump file")
    args = parser.parse_args()
    args.backend = "embedded"
    if not args.questions.exists():
        raise SystemExit(f"{args.questions}: no such file (see the format in this script's doc)")
    questions = load_questions(args.questions)
    if args.split != "all":
        questions = [q for q in questions if split_of(q["id"]) == args.split]
    if args.answers:
        for line in report(evaluate(questions, saved_answers(args.answers, questions)), args.split):
            print(line)
        return

    from search_quality import prepare_index, setup_environment

    home = setup_environment(args)
    import django

    django.setup()
    prepared = prepare_index(home, args.rebuild)
    print(f"home {home}: {prepared['documents']} records indexed, embedder {prepared['embedder']}")
    for language, question in (("en", "heat pumps"), ("zh", "热泵")):  # loads models, glossaries
        extractive_answer(question, language)
    outcomes = evaluate(questions, extractive_answer)
    if args.dump:
        dump_answers(args.dump, outcomes)
    for line in report(outcomes, args.split):
        print(line)
    if args.withhold:
        for line in report_withheld(declined_withheld(questions), args.split):
            print(line)
    if args.verbose:
        for o in outcomes:
            wrong = (o["answerable"] and not o["correct"]) or (
                not o["answerable"] and o["answered"]
            )
            if wrong:
                cited = [
                    (c["external_id"], c["page"])
                    for s in o["given"]["answer"]
                    for c in s["citations"]
                ]
                status = o["given"]["status"]
                print(f"MISS {o['id']} answerable={o['answerable']} {status} cited={cited}")
                for judged in o["expected"]:
                    print(
                        f"     expected {judged['external_id']} {judged.get('page', '')!r}: "
                        f"{judged.get('contains', '')}"
                    )
                for sentence in o["given"]["answer"]:
                    print(f"     said: {sentence['text'][:160]}")


if __name__ == "__main__":
    main()
