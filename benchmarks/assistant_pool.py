"""A pool of (question, passage) pairs for judging the assistant's question set blind.

    .venv/bin/python benchmarks/assistant_pool.py --home DIR --out DIR [--neighbours 3]

For every question of ``assistant_questions.jsonl`` (both halves) the pool holds the judged
passages, the passages the current answer cites (or, when it declines, offers as reading),
and the passages of the first ``--neighbours`` distinct passages by the assistant's own
sentence ranking. Writes two files to ``--out``:

* ``pairs.jsonl``: ``{"pair", "question", "passage"}`` in a shuffled order with opaque ids,
  nothing saying where a pair came from, to be judged "does this passage contain the
  answer?" without knowing which list or system put it there;
* ``key.jsonl``: each pair's question id, record, page, passage and the lists it came from
  (``judged``, ``cited``, ``neighbour``), read only after judging.

Prints counts; asserts nothing.
"""

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant_quality import QUESTIONS, extractive_answer, is_correct, load_questions, normal


def ranked_passages(question: dict):
    """The passages read for ``question``, in the order of their best sentence after the
    assistant's scoring and weighing by meaning."""
    from ecotone.assistant import extractive
    from ecotone.assistant.question import (
        asks_for,
        concepts,
        without_kind_words,
    )

    text = question["question"]
    kinds = asks_for(text)
    wanted = without_kind_words(concepts(text), kinds)
    if not wanted:
        return [], []
    passages, _ = extractive.retrieve_passages(text, "", wanted, kinds)
    sentences = extractive.ranked_sentences(text, passages, wanted, [], kinds)
    ordered = []
    for sentence in sentences:
        if sentence.passage not in ordered:
            ordered.append(sentence.passage)
    return ordered, passages


def pool(question: dict, neighbours: int) -> dict[tuple, dict]:
    """(record, page, passage) → the pair with the lists it came from."""
    pairs: dict[tuple, dict] = {}

    def add(external_id: str, page: str, text: str, source: str) -> None:
        key = (external_id, page, text)
        entry = pairs.setdefault(
            key,
            {"id": question["id"], "external_id": external_id, "page": page, "passage": text},
        )
        entry.setdefault("sources", [])
        if source not in entry["sources"]:
            entry["sources"].append(source)

    given = extractive_answer(question["question"], question["language"])
    for sentence in given["answer"]:
        for c in sentence["citations"]:
            add(c["external_id"], c.get("page", ""), c["passage"], "cited")
    ordered, read = ranked_passages(question)
    if given["status"] != "answered":
        for passage in ordered[:3]:
            add(passage.external_id, passage.page, passage.text, "cited")
    for passage in ordered[:neighbours]:
        add(passage.external_id, passage.page, passage.text, "neighbour")
    for judged in question["passages"]:
        text = judged_text(judged, read)
        add(judged["external_id"], judged.get("page", ""), text, "judged")
    return pairs


def judged_text(judged: dict, read) -> str:
    """The text of the judged passage: as read for the question, else from the document."""
    for passage in read:
        as_cited = {"external_id": passage.external_id, "page": passage.page}
        if is_correct({**as_cited, "passage": passage.text}, judged):
            return passage.text
    from ecotone.catalog.models import Resource
    from ecotone.search.passages import document_chunks

    record = Resource.objects.get(external_id=judged["external_id"])
    for label, text in document_chunks(record.text or ""):
        if label == judged.get("page", "") and normal(judged["contains"]) in normal(text):
            return text
    raise SystemExit(f"judged passage not found: {judged}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--neighbours", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    args.embedder, args.backend = None, "embedded"
    from search_quality import prepare_index, setup_environment

    home = setup_environment(args)
    import django

    django.setup()
    prepare_index(home, False)
    questions = load_questions(args.questions)
    entries = []
    for question in questions:
        entries += list(pool(question, args.neighbours).values())
    random.Random(args.seed).shuffle(entries)
    args.out.mkdir(parents=True, exist_ok=True)
    text_of = {q["id"]: q["question"] for q in questions}
    with (
        (args.out / "pairs.jsonl").open("w", encoding="utf-8") as pairs,
        (args.out / "key.jsonl").open("w", encoding="utf-8") as key,
    ):
        for number, entry in enumerate(entries, start=1):
            pair = f"p{number:04d}"
            question = text_of[entry["id"]]
            row = {"pair": pair, "question": question, "passage": entry["passage"]}
            pairs.write(json.dumps(row, ensure_ascii=False) + "\n")
            key.write(json.dumps({"pair": pair, **entry}, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for entry in entries:
        for source in entry["sources"]:
            counts[source] = counts.get(source, 0) + 1
    print(f"{len(entries)} pairs over {len(questions)} questions; by source {counts}")


if __name__ == "__main__":
    main()
