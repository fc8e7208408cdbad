"""Where the knowledge assistant loses the answer: stage by stage, on judged questions.

    .venv/bin/python benchmarks/assistant_stages.py --home DIR --split dev [-v]

For each answerable question of ``assistant_questions.jsonl`` (the same dev/test halves as
``assistant_quality.py``) it follows ``extractive.answer`` step by step and prints the share
of questions for which a judged passage is

* ``record@10`` / ``record@30``: its record among the search's first 10 / 30 records
  (``search.queries.retrieve``; the assistant reads 10);
* ``passage_read``: a passage read (``retrieve_passages``: the pages of a long document that
  hold most of the question, the summary and fields);
* ``sentence_scored``: a sentence of a correct passage scored at all (its record passed the
  record gate and the sentence holds one of the question's concepts);
* ``sentence@1`` / ``@3`` / ``@10``: a sentence of a correct passage among the first 1, 3, 10
  after scoring and weighing by meaning (``weigh_meaning``);
* ``cited``: the answer cites a correct passage (``assistant_quality``'s measure).

The difference between two neighbouring figures is what that stage loses. Prints figures;
asserts nothing. ``-v`` lists each question's stages.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant_quality import QUESTIONS, is_correct, load_questions, split_of

STAGES = (
    "record@10",
    "record@30",
    "passage_read",
    "sentence_scored",
    "sentence@1",
    "sentence@3",
    "sentence@10",
    "cited",
)


def passage_dict(passage) -> dict:
    return {"external_id": passage.external_id, "page": passage.page, "passage": passage.text}


def stages(question: dict) -> dict:
    """Which stages a judged passage of ``question`` reaches."""
    from ecotone.assistant import extractive
    from ecotone.assistant.passages import KINDS, load_records
    from ecotone.assistant.question import (
        asks_for,
        concepts,
        search_text,
        without_kind_words,
    )
    from ecotone.search.queries import retrieve

    text, judged = question["question"], question["passages"]
    wanted_records = {j["external_id"] for j in judged}
    found = retrieve(search_text(text), kinds=KINDS, limit=30)
    ids = [record.external_id for _, record in load_records(found.keys)]
    places = [i for i, external_id in enumerate(ids) if external_id in wanted_records]
    first = places[0] if places else None
    reached = {
        "record@10": first is not None and first < 10,
        "record@30": first is not None,
        "record_rank": first,
    }
    kinds = asks_for(text)
    wanted = without_kind_words(concepts(text), kinds)
    passages, _ = extractive.retrieve_passages(text, "", wanted, kinds)

    def correct(passage) -> bool:
        return any(is_correct(passage_dict(passage), j) for j in judged)

    reached["passage_read"] = any(correct(p) for p in passages)
    sentences = extractive.ranked_sentences(text, passages, wanted, [], kinds)
    places = [i for i, s in enumerate(sentences) if correct(s.passage)]
    reached["sentence_scored"] = bool(places)
    for k in (1, 3, 10):
        reached[f"sentence@{k}"] = bool(places) and places[0] < k
    reached["sentence_rank"] = places[0] if places else None
    given = extractive.answer(text, question["language"])
    reached["cited"] = any(
        is_correct(c, j) for s in given.sentences for c in s["citations"] for j in judged
    )
    return reached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="ECOTONE_HOME (a prepared one, as assistant_quality's)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--embedder", help="sets ECOTONE_EMBEDDER (none: words only)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    args.backend, args.rebuild = "embedded", False
    questions = [q for q in load_questions(args.questions) if q["answerable"]]
    if args.split != "all":
        questions = [q for q in questions if split_of(q["id"]) == args.split]

    from search_quality import prepare_index, setup_environment

    home = setup_environment(args)
    import django

    django.setup()
    from django.utils.translation import override

    prepare_index(home, False)
    rows = []
    for question in questions:
        with override("zh-hans" if question["language"] == "zh" else "en"):
            rows.append((question, stages(question)))
    print(f"{len(rows)} answerable questions ({args.split})")
    for stage in STAGES:
        share = sum(r[stage] for _, r in rows) / len(rows) if rows else 0.0
        print(f"{stage:16} {share:.3f}")
    if args.verbose:
        for question, r in rows:
            marks = " ".join(f"{s}={'y' if r[s] else '-'}" for s in STAGES)
            print(
                f"{question['id']:6} rec={r['record_rank']} sent={r['sentence_rank']} "
                f"{marks}  {question['question'][:60]}"
            )


if __name__ == "__main__":
    main()
