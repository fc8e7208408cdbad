"""English claim → evidence retrieval (the CLIMATE-FEVER task): does hybrid search beat
words alone (BM25) and meaning alone, on text that is not the demo catalogue?

    .venv/bin/python benchmarks/claim_evidence.py --data PATH/climate-fever.jsonl \
        --home /tmp/ecotone-claims [--split test] [--modes lexical dense hybrid]

The data set is not shipped with the project: its repository states no licence. Take
``dataset/climate-fever.jsonl`` from https://github.com/tdiggelm/climate-fever-dataset
(1,535 claims about climate found on the internet, each with five Wikipedia sentences
that annotators labelled SUPPORTS, REFUTES or NOT_ENOUGH_INFO; Diggelmann et al. 2020,
arXiv:2012.00614) and pass its path.

Every distinct evidence sentence (5,240) becomes a published English resource in a
scratch SQLite database in ``--home`` (its title the Wikipedia article, its summary the
sentence); the search index is built once and reused while the sentences and the embedder
are the same. Each claim is then searched with ``search_records(claim, kind="resource",
limit=10, mode=m)``, as the search page would. A sentence is relevant to a claim when the
annotators labelled it SUPPORTS or REFUTES for that claim (grade 1); claims with no such
sentence are left out. Claims are split into dev and test halves by a hash of their id.

Prints nDCG@10, Recall@10 and MRR per mode, the share of claims with no result at all
(the relevance floor refusing a real query), and hybrid's ratio to BM25 and to the better
single mode (issue 12's target: 1.15); first as the search page runs (``floor=on``), then
with the relevance floor off (``floor=off``: the modes' fused rankings, every claim
answered). Then each retriever alone (``retriever=bm25|e5|use``: its own ranking, see
``retrievers.py``) and hybrid's ratio to the better of them. Asserts nothing.
"""

import argparse
import hashlib
import json
import os
import statistics
import time
from pathlib import Path

from metrics import mean, ndcg, recall, reciprocal_rank
from retrievers import alone, available

K = 10
MODES = ("lexical", "dense", "hybrid")
EVIDENCE_LABELS = {"SUPPORTS", "REFUTES"}
INDEX_MARKER = "bench-claims-index.json"


def sentence_id(evidence_id: str) -> str:
    return "cf-" + hashlib.sha1(evidence_id.encode(), usedforsecurity=False).hexdigest()[:16]


def split_of(claim_id: str) -> str:
    return (
        "dev"
        if int(hashlib.sha1(claim_id.encode(), usedforsecurity=False).hexdigest(), 16) % 2 == 0
        else "test"
    )


def read_claims(path: Path) -> tuple[dict[str, dict], list[dict]]:
    """(every distinct evidence sentence by its id, the claims with judged evidence)."""
    sentences: dict[str, dict] = {}
    claims = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        relevant = {}
        for evidence in row["evidences"]:
            key = sentence_id(evidence["evidence_id"])
            sentences.setdefault(
                key, {"article": evidence["article"], "text": evidence["evidence"]}
            )
            if evidence["evidence_label"] in EVIDENCE_LABELS:
                relevant[key] = 1
        if relevant:
            claims.append(
                {
                    "id": row["claim_id"],
                    "claim": row["claim"],
                    "relevant": relevant,
                    "split": split_of(row["claim_id"]),
                }
            )
    return sentences, claims


def setup_environment(home: Path, embedder: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ECOTONE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # a scratch SQLite in the home, never a shared one
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecotone.config.settings"
    if embedder:
        os.environ["ECOTONE_EMBEDDER"] = embedder


def load_sentences(sentences: dict[str, dict]) -> int:
    """Store each sentence as a published English resource; returns how many were new."""
    from ecotone.catalog.choices import ContentLanguage, ResourceKind
    from ecotone.catalog.models import Resource
    from ecotone.core.models import PublicationStatus

    known = set(Resource.objects.values_list("external_id", flat=True))
    new = [
        Resource(
            external_id=key,
            kind=ResourceKind.ARTICLE,
            title_en=sentence["article"][:500],
            summary_en=sentence["text"],
            language=ContentLanguage.ENGLISH,
            status=PublicationStatus.PUBLISHED,
        )
        for key, sentence in sentences.items()
        if key not in known
    ]
    Resource.objects.bulk_create(new, batch_size=500)
    return len(new)


def prepare_index(home: Path, sentences: dict[str, dict]) -> dict:
    """Migrate, store the sentences and build the index, unless the home already holds
    an index of the same sentences with the same embedder."""
    from django.conf import settings
    from django.core.management import call_command

    from ecotone.search.indexing import rebuild_index

    call_command("migrate", verbosity=0)
    added = load_sentences(sentences)
    wanted = {"sentences": len(sentences), "embedder": settings.ECOTONE_EMBEDDER}
    marker = home / INDEX_MARKER
    index_s = 0.0
    if added or not marker.exists() or json.loads(marker.read_text()) != wanted:
        started = time.perf_counter()
        rebuild_index()
        index_s = time.perf_counter() - started
        marker.write_text(json.dumps(wanted))
    return {**wanted, "index_s": round(index_s, 1)}


def run_retriever(claims: list[dict], name: str) -> dict[str, dict]:
    """Retriever ``name``'s own ranking of each claim (``retrievers.alone``)."""
    with alone(name):
        return run_mode(claims, "hybrid", floor=False)


def run_mode(claims: list[dict], mode: str, floor: bool) -> dict[str, dict]:
    from ecotone.search.queries import search_records

    runs = {}
    for claim in claims:
        started = time.perf_counter()
        page = search_records(
            claim["claim"], kind="resource", limit=K, mode=mode, answers_only=floor
        )
        ms = (time.perf_counter() - started) * 1000
        ranked = [result["external_id"] for result in page.results if result["match"] == "match"]
        ranked += [result["external_id"] for result in page.results if result["match"] != "match"]
        runs[claim["id"]] = {"ranked": ranked, "ms": ms}
    return runs


def summary(claims: list[dict], runs: dict[str, dict]) -> dict[str, float]:
    def each(metric):
        return mean(metric(runs[c["id"]]["ranked"], c["relevant"], K) for c in claims)

    return {
        "ndcg10": each(ndcg),
        "recall10": each(recall),
        "mrr": each(reciprocal_rank),
        "empty": mean(0.0 if runs[c["id"]]["ranked"] else 1.0 for c in claims),
        "ms_p50": statistics.median(runs[c["id"]]["ms"] for c in claims),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="climate-fever.jsonl")
    parser.add_argument("--home", type=Path, required=True, help="scratch ECOTONE_HOME, kept")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--embedder", default="", help="ECOTONE_EMBEDDER for this run")
    parser.add_argument(
        "--no-retrievers", action="store_true", help="skip the single-retriever runs"
    )
    args = parser.parse_args()

    sentences, claims = read_claims(args.data)
    claims = [c for c in claims if args.split == "all" or c["split"] == args.split]
    setup_environment(args.home.resolve(), args.embedder)
    import django

    django.setup()
    prepared = prepare_index(args.home.resolve(), sentences)
    print(f"index: {json.dumps(prepared)}; claims: {len(claims)} ({args.split})")
    for floor in (True, False):
        results = {}
        for mode in args.modes:
            results[mode] = summary(claims, run_mode(claims, mode, floor))
            figures = " ".join(
                f"{name}={value:.1f}" if name == "ms_p50" else f"{name}={value:.3f}"
                for name, value in results[mode].items()
            )
            print(f"mode={mode} floor={'on' if floor else 'off'} split={args.split} {figures}")
        if set(MODES) <= results.keys():
            hybrid = results["hybrid"]["ndcg10"]
            lexical, dense = results["lexical"]["ndcg10"], results["dense"]["ndcg10"]
            print(
                f"floor={'on' if floor else 'off'} hybrid/bm25={hybrid / lexical:.3f} "
                f"hybrid/best_single={hybrid / max(lexical, dense):.3f} (target 1.15)"
            )
        if floor and "hybrid" in results:
            hybrid_on = results["hybrid"]["ndcg10"]
    if "hybrid" not in args.modes or args.no_retrievers:
        return
    single = {}
    for name in available():
        single[name] = summary(claims, run_retriever(claims, name))
        figures = " ".join(
            f"{key}={value:.1f}" if key == "ms_p50" else f"{key}={value:.3f}"
            for key, value in single[name].items()
        )
        print(f"retriever={name} split={args.split} {figures}")
    best = max(single, key=lambda name: single[name]["ndcg10"])
    print(
        f"hybrid/best_retriever={hybrid_on / single[best]['ndcg10']:.3f} "
        f"(floor on; best retriever {best}; target 1.15)"
    )


if __name__ == "__main__":
    main()
