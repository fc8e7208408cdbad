"""A directory the size of WIPO GREEN on PostgreSQL: import N technology records and index
them end to end (rows, passages, vectors, index writes), with progress per phase, resumable
after a kill, printing records/s per phase and where the time goes.

    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/import_scale.py
    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/import_scale.py \\
        --records 150000 --embedder use          # WIPO GREEN's size (docs/search.md)

It MIGRATES the database ``DATABASE_URL`` names and writes solutions ``scale-<n>`` into it:
point it at a scratch database. It refuses a database that holds other solutions.

Phases, each timed on its own:

1. ``rows``: synthetic bilingual records (title, description of ~60 words) imported through
   the real bulk import (``catalog.importing.import_rows``: checking, writing, sectors), a
   chunk per transaction, without the background indexing an import queues;
2. ``passages``: the index documents of the records the index lacks (texts, facets,
   passages: ``search.indexing.document_for``);
3. ``vectors``: the passages embedded by ``--embedder`` (through the vector cache, so a
   resumed run re-embeds nothing it embedded before);
4. ``index``: the documents written to PostgreSQL's index (tsvector, BM25 statistics and
   postings, pgvector tables), one transaction per batch.

Resuming: kill it at any point and run it again with the same arguments. Imported chunks
are committed whole, so the import goes on at the first chunk not imported; indexing goes
on with the records the index lacks (what ``ecotone index repair`` would do).

``--estimate`` also embeds a sample of the same passages with every embedder that loads
here and prints how long the vectors of ``--estimate-records`` (150,000) records would take
with each: the embedding model is the limit of a full index. Prints figures; asserts nothing.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_speed import WORDS_EN, WORDS_ZH

PREFIX = "scale-"
SECTORS = ["solar-power", "wind-power", "energy-storage", "green-building", "ccus"]
COUNTRIES = ["CN", "US", "GB", "DE", "IN", "BR", "KE", "JP"]
EMBEDDERS = ["none", "use", "e5", "e5+use"]


def record_row(number: int) -> dict:
    """One technology record: English and Chinese title and description, each unique (its
    number is in its words), so that no two passages share a cached vector."""
    rng = random.Random(number)
    title_words = rng.sample(WORDS_EN, 4)
    return {
        "external_id": f"{PREFIX}{number}",
        "title_en": f"{' '.join(title_words).capitalize()} system {number}",
        "title_zh": "".join(rng.sample(WORDS_ZH, 3)) + f"系统{number}",
        "description_en": " ".join(rng.choices(WORDS_EN, k=60)) + f" (design {number}).",
        "description_zh": "".join(rng.choices(WORDS_ZH, k=30)) + f"（设计{number}）。",
        "sectors": "; ".join(rng.sample(SECTORS, rng.randint(1, 2))),
        "trl": str(rng.randint(3, 9)),
        "regions": "; ".join(rng.sample(COUNTRIES, 2)),
        "status": "published",
    }


class Phase:
    """Records done, seconds spent and a progress line, for one phase."""

    def __init__(self, name: str, total: int):
        self.name, self.total = name, total
        self.done, self.seconds, self.started = 0, 0.0, time.perf_counter()

    def add(self, records: int, seconds: float, already: int = 0) -> None:
        self.done += records
        self.seconds += seconds
        position = already + self.done
        rate = self.done / self.seconds if self.seconds else 0.0
        print(
            f"  {self.name:<8} {position:>9,}/{self.total:,} records  {rate:8,.0f} records/s",
            flush=True,
        )

    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def setup(embedder: str) -> None:
    os.environ["ECOTONE_EMBEDDER"] = embedder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecotone.config.settings")
    # indexing is this benchmark's own phases, not a task per import
    os.environ["ECOTONE_TASKS"] = "immediate"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a scratch PostgreSQL database")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ecotone.core.signals import records_imported

    records_imported.disconnect(dispatch_uid="ecotone.search:imported")


def refuse_a_live_database() -> None:
    from ecotone.catalog.models import Solution

    others = Solution.objects.exclude(external_id__startswith=PREFIX).count()
    if others:
        sys.exit(
            f"this database holds {others} other solutions: point DATABASE_URL at a scratch "
            "database (the benchmark migrates it and writes thousands of records)"
        )


def import_rows_phase(records: int, chunk: int) -> Phase:
    from ecotone.catalog.importing import import_rows
    from ecotone.catalog.kinds import KINDS
    from ecotone.catalog.models import Solution

    already = Solution.objects.filter(external_id__startswith=PREFIX).count()
    phase = Phase("rows", records)
    if already:
        print(f"  rows: {already:,} imported by an earlier run; going on from there")
    for start in range(already, records, chunk):
        end = min(start + chunk, records)
        rows = ((n - start + 2, record_row(n)) for n in range(start, end))
        began = time.perf_counter()
        result = import_rows(KINDS["solution"], rows)
        phase.add(result.created + result.updated, time.perf_counter() - began, already)
    return phase


def index_phases(records: int, batch: int) -> tuple[Phase, Phase, Phase]:
    from ecotone.catalog.models import Solution
    from ecotone.core.cache import index_changed
    from ecotone.search.backends import get_search_backend
    from ecotone.search.embedding import get_embedders
    from ecotone.search.indexing import document_for, with_vectors
    from ecotone.search.registry import get_index

    index = get_index("solution")
    backend = get_search_backend()
    wanted = set(
        Solution.objects.filter(external_id__startswith=PREFIX).values_list("pk", flat=True)
    )
    missing = sorted(wanted - backend.indexed_pks("solution"))
    already = len(wanted) - len(missing)
    if already:
        print(f"  index: {already:,} records indexed by an earlier run; going on from there")
    phases = tuple(Phase(name, records) for name in ("passages", "vectors", "index"))
    passages_phase, vectors_phase, index_phase = phases
    passages = 0
    for start in range(0, len(missing), batch):
        pks = missing[start : start + batch]
        began = time.perf_counter()
        queryset = index.get_queryset().filter(pk__in=pks).prefetch_related(*index.prefetch_paths)
        documents = [document_for(index, record) for record in queryset]
        passages += sum(len(doc.passages) for doc in documents)
        passages_phase.add(len(documents), time.perf_counter() - began, already)
        if get_embedders():
            began = time.perf_counter()
            documents = with_vectors(documents)
            vectors_phase.add(len(documents), time.perf_counter() - began, already)
        began = time.perf_counter()
        backend.update(documents, [])
        index_changed()
        index_phase.add(len(documents), time.perf_counter() - began, already)
    if missing:
        print(f"  {passages / len(missing):.2f} passages per record")
    return phases


def estimate(records: int, sample: int) -> None:
    """Each embedder's passages/s on the benchmark's own passages, and the time the vectors
    of ``records`` records would take."""
    from ecotone.search.embedding import _embedders
    from ecotone.search.indexing import document_for
    from ecotone.search.registry import get_index

    index = get_index("solution")
    queryset = index.get_queryset().filter(external_id__startswith=PREFIX)[:sample]
    documents = [document_for(index, record) for record in queryset]
    texts = [passage.text for doc in documents for passage in doc.passages]
    per_record = len(texts) / max(len(documents), 1)
    print(f"\nvectors of {records:,} records ({per_record:.2f} passages each), per embedder:")
    for choice in EMBEDDERS[1:]:
        try:
            embedders = _embedders(choice)
        except Exception as error:
            print(f"  {choice:<7} not available here: {error}")
            continue
        for embedder in embedders:
            embedder.embed_passages(texts[:8])  # loaded and warm
        began = time.perf_counter()
        for embedder in embedders:
            embedder.embed_passages(texts)
        rate = len(texts) / (time.perf_counter() - began)
        hours = records * per_record / rate / 3600
        print(
            f"  {choice:<7} {rate:7,.0f} passages/s = {rate / per_record:6,.0f} records/s: "
            f"{hours:5.1f} h for {records:,} records"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--embedder", choices=EMBEDDERS, default="none")
    parser.add_argument("--chunk", type=int, default=5_000, help="records per import")
    parser.add_argument("--batch", type=int, default=500, help="records per index write")
    parser.add_argument("--estimate", action="store_true", help="time every embedder too")
    parser.add_argument("--estimate-records", type=int, default=150_000)
    parser.add_argument("--estimate-sample", type=int, default=200)
    args = parser.parse_args()

    setup(args.embedder)
    refuse_a_live_database()
    began = time.perf_counter()
    print(f"import_scale: {args.records:,} records, embedder {args.embedder}")
    rows = import_rows_phase(args.records, args.chunk)
    phases = [rows, *index_phases(args.records, args.batch)]
    wall = time.perf_counter() - began
    spent = sum(phase.seconds for phase in phases) or 1.0
    print(f"\nimport_scale records={args.records} embedder={args.embedder} seconds={wall:.1f}")
    for phase in phases:
        if phase.name == "vectors" and args.embedder == "none":
            print(f"  {phase.name:<8} none (ECOTONE_EMBEDDER=none: lexical search only)")
            continue
        print(
            f"  {phase.name:<8} records={phase.done:>7} seconds={phase.seconds:8.1f} "
            f"records_per_s={phase.rate():8.0f} share={phase.seconds / spent:5.1%}"
        )
    indexing = sum(phase.seconds for phase in phases[1:])
    done = phases[-1].done
    if done and indexing:
        print(f"  indexing end to end: {done / indexing:.0f} records/s")
    if args.estimate:
        estimate(args.estimate_records, args.estimate_sample)


if __name__ == "__main__":
    main()
