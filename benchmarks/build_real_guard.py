"""Build ``data/catalog_real_guard.jsonl``: real queries a relevance floor must not empty.

    python benchmarks/build_real_guard.py          # writes the file
    python benchmarks/build_real_guard.py --check  # exits 1 if the file is not what it builds

Issue 12 §3 asks for "no loss on real queries", and the judged sets held only 362 real
queries a split: a rule that empties a page was checked on too few. Every query here is
real text that the catalogue answers, taken from files in the repository (no model, no
index), so the set is rebuilt the same on any machine:

* ``need_title`` / ``need_text``: the matching benchmark's 68 needs
  (``matching_judgements.jsonl``, each with judged counterparts in the catalogue), title
  and problem in the language they are written in, and the demo's own needs
  (``data/demo/needs.jsonl``, both languages); the matcher searches with this text;
* ``assistant``: the knowledge assistant's answerable questions
  (``assistant_questions.jsonl``, ``assistant_questions_demo.jsonl``), whose answer is a
  document the catalogue indexes (a policy or a regulation);
* ``title_words``: one to three words of a demo record's title (the whole title when it is
  that short, else its first run of two or three words that name something) or of a
  Chinese title (a part between punctuation, two to ten characters), from solutions,
  cases, organisations and policies, picked by the SHA-256 of the record's id;
* ``description_words``: two or three words of a demo record's description, picked as
  for titles, or a part of a Chinese description between punctuation;
* ``sector``: the taxonomy's sector names in both languages, for sectors the demo files at
  least ``SECTOR_RECORDS`` records under.

Splits: the matching needs keep their split and the assistant's questions theirs
(``assistant_quality.split_of``), so no text is dev in one benchmark and test in another;
every other group (source, language) is ordered by the SHA-256 of the id and split dev,
test, dev, … as the other catalogue sets are.
"""

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ecotone.catalog.taxonomy import SECTOR_TREE  # noqa: E402
from ecotone.search.text import FUNCTION_WORDS  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
DEMO = ROOT / "data" / "demo"
OUTPUT = DATA / "catalog_real_guard.jsonl"
#: demo records per kind whose titles give short queries, per language
TITLES_PER_KIND = {"solutions": 60, "cases": 40, "organisations": 30, "resources": 30}
DESCRIPTIONS_PER_KIND = {"solutions": 40, "cases": 30, "organisations": 20, "resources": 20}
#: a sector becomes a query when the demo files this many records under it
SECTOR_RECORDS = 3
LONGEST_ENGLISH = 3  #: words
CHINESE_CHARACTERS = (2, 10)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_CHINESE_BREAKS = re.compile(r"[\s，。、：；！？（）()《》「」“”·:;,/|\-—]+")
#: a part that starts or ends with one of these was cut from a longer phrase (航空抵消与…)
_CHINESE_JOINERS = ("与", "和", "及", "的", "或", "对", "在", "为")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’.+-]*[A-Za-z+]|[A-Za-z]")


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def is_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))


def english_title_words(title: str) -> str:
    """The title when it has three words or fewer, else its first run of three (or two)
    words none of which is a function word or a number: "Solar Panel Cleaning Robot for
    Deserts" → "Solar Panel Cleaning"; "" when it has none."""
    words = title.replace("(illustrative)", "").split()
    if 0 < len(words) <= LONGEST_ENGLISH:
        return " ".join(words)
    for size in (3, 2):
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if all(_names_something(word) for word in window):
                return " ".join(window)
    return ""


def _names_something(word: str) -> bool:
    match = _ENGLISH_WORD.fullmatch(word)
    return bool(match) and word.lower() not in FUNCTION_WORDS and len(word) > 1


def chinese_title_words(title: str) -> str:
    """The first part of a Chinese title between punctuation that holds two to ten
    characters, all Chinese ("深圳市2023年…" skips parts with digits), not a phrase cut
    off at a joining word (与, 的, …)."""
    shortest, longest = CHINESE_CHARACTERS
    for part in _CHINESE_BREAKS.split(title.replace("（示意）", "")):
        whole = not part.endswith(_CHINESE_JOINERS) and not part.startswith(_CHINESE_JOINERS)
        if shortest <= len(part) <= longest and all(_CHINESE.match(c) for c in part) and whole:
            return part
    return ""


def need_texts(need: dict) -> list[tuple[str, str, str]]:
    """(source, language, text) of a need's title and problem, in each language it has."""
    texts = []
    for language in ("zh", "en"):
        for field, source in (
            (f"title_{language}", "need_title"),
            (f"problem_{language}", "need_text"),
        ):
            text = need.get(field, "").strip()
            if text:
                texts.append((source, language, text))
    return texts


def need_rows() -> list[dict]:
    rows = []
    for judged in read_jsonl(DATA / "matching_judgements.jsonl"):
        for source, language, text in need_texts(judged["need"]):
            key = f"{source}-{judged['id']}-{language}"
            rows.append(row(key, source, language, text, judged["split"]))
    for need in read_jsonl(DEMO / "needs.jsonl"):
        for source, language, text in need_texts(need):
            rows.append(row(f"{source}-{need['external_id']}-{language}", source, language, text))
    return rows


def assistant_rows() -> list[dict]:
    from assistant_quality import split_of

    rows = []
    for name in ("assistant_questions.jsonl", "assistant_questions_demo.jsonl"):
        for question in read_jsonl(DATA / name):
            if question["answerable"]:
                key = f"assistant-{question['id']}"
                text = question["question"].strip()
                rows.append(
                    row(key, "assistant", question["language"], text, split_of(question["id"]))
                )
    return rows


def title_rows() -> list[dict]:
    rows = []
    for kind, count in TITLES_PER_KIND.items():
        records = read_jsonl(DEMO / f"{kind}.jsonl")
        records.sort(key=lambda record: sha(record["external_id"]))
        for language, pick in (("en", english_title_words), ("zh", chinese_title_words)):
            taken = 0
            for record in records:
                title = record.get(f"title_{language}") or record.get(f"name_{language}") or ""
                words = (
                    pick(title.strip()) if title and is_chinese(title) == (language == "zh") else ""
                )
                if words and taken < count:
                    rows.append(
                        row(
                            f"title_words-{record['external_id']}-{language}",
                            "title_words",
                            language,
                            words,
                        )
                    )
                    taken += 1
    return rows


def description_rows() -> list[dict]:
    """Two or three words of a demo record's description (its first run of words that
    name something, as for titles), or a part of a Chinese description between
    punctuation: what a searcher who read about the record might type."""
    rows = []
    for kind, count in DESCRIPTIONS_PER_KIND.items():
        records = read_jsonl(DEMO / f"{kind}.jsonl")
        records.sort(key=lambda record: sha("description " + record["external_id"]))
        for language, pick in (("en", english_description_words), ("zh", chinese_title_words)):
            taken = 0
            for record in records:
                text = _description(record, language)
                words = pick(text) if text and is_chinese(text) == (language == "zh") else ""
                if words and taken < count:
                    key = f"description_words-{record['external_id']}-{language}"
                    rows.append(row(key, "description_words", language, words))
                    taken += 1
    return rows


def _description(record: dict, language: str) -> str:
    for field in ("description", "summary", "problem"):
        text = record.get(f"{field}_{language}") or ""
        if text.strip():
            return text.strip()
    return ""


def english_description_words(text: str) -> str:
    """The first run of three (or two) words that name something, in the first sentence."""
    first_sentence = text.split(". ")[0]
    return english_title_words(" ".join(first_sentence.split()[:40]) + " . . . .")


def sector_rows() -> list[dict]:
    filed: Counter[str] = Counter()
    for kind in ("solutions", "cases", "organisations", "resources"):
        for record in read_jsonl(DEMO / f"{kind}.jsonl"):
            filed.update(record.get("sectors") or [])
    rows = []
    for slug, name_en, name_zh, children in SECTOR_TREE:
        parent_count = filed[slug] + sum(filed[child] for child, _, _ in children)
        for child_slug, child_en, child_zh, count in [
            (slug, name_en, name_zh, parent_count),
            *((c, e, z, filed[c]) for c, e, z in children),
        ]:
            if count >= SECTOR_RECORDS:
                rows.append(row(f"sector-{child_slug}-en", "sector", "en", child_en))
                rows.append(row(f"sector-{child_slug}-zh", "sector", "zh", child_zh))
    return rows


def row(key: str, source: str, language: str, query: str, split: str = "") -> dict:
    return {"id": key, "source": source, "language": language, "split": split, "query": query}


def assign_splits(rows: list[dict]) -> list[dict]:
    """Rows without a split: per (source, language), by SHA-256 of the id, dev, test, …"""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entry in rows:
        if not entry["split"]:
            groups[(entry["source"], entry["language"])].append(entry)
    for members in groups.values():
        members.sort(key=lambda entry: sha(entry["id"]))
        for place, entry in enumerate(members):
            entry["split"] = ("dev", "test")[place % 2]
    return rows


def build() -> list[dict]:
    rows = assign_splits(
        [*need_rows(), *assistant_rows(), *title_rows(), *description_rows(), *sector_rows()]
    )
    seen: set[str] = set()
    unique = []
    for entry in rows:  # the same text twice (two needs with one title) counts once
        if entry["query"] not in seen:
            seen.add(entry["query"])
            unique.append(entry)
    return unique


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = parser.parse_args()
    text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in build())
    if args.check:
        sys.exit(0 if OUTPUT.read_text(encoding="utf-8") == text else 1)
    OUTPUT.write_text(text, encoding="utf-8")
    counts = Counter(
        (e["source"], e["language"], e["split"]) for e in map(json.loads, text.splitlines())
    )
    for key, count in sorted(counts.items()):
        print(*key, count)


if __name__ == "__main__":
    main()
