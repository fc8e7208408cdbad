import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ecotone.search.backends import get_search_backend
from ecotone.search.embedding import export_embeddings, get_embedders, load_embeddings
from ecotone.search.indexing import count_indexable, rebuild_index
from ecotone.search.repair import compare, repair


class Command(BaseCommand):
    help = (
        "Search index: `index rebuild` writes it afresh, `index repair` mends what differs "
        "from the database, `index status` describes it, "
        "`index embeddings export|load` moves the vector cache between machines."
    )

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser("rebuild", help="re-index every public record")
        repair = subcommands.add_parser(
            "repair",
            help="index public records the index lacks or holds out of date, drop the rest",
        )
        repair.add_argument(
            "--check",
            action="store_true",
            help="only report the difference; exit code 1 when there is one",
        )
        subcommands.add_parser("status", help="documents per kind and where the index lives")
        embeddings = subcommands.add_parser("embeddings", help="export or load cached vectors")
        embeddings.add_argument("operation", choices=["export", "load"])
        embeddings.add_argument(
            "path", help="export: the .npz file to write; load: a .npz file or a folder of them"
        )

    def handle(self, *args, action: str, **options):
        if action == "rebuild":
            self.rebuild(options["verbosity"])
        elif action == "repair":
            self.repair(options["check"], options["verbosity"])
        elif action == "embeddings":
            self.embeddings(options["operation"], Path(options["path"]))
        else:
            self.stdout.write(json.dumps(get_search_backend().status(), indent=2))

    def rebuild(self, verbosity: int) -> None:
        total = count_indexable()
        with tqdm(total=total, unit="doc", disable=verbosity < 1, file=self.stderr) as bar:
            written = rebuild_index(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"indexed {written} records"))

    def repair(self, check: bool, verbosity: int) -> None:
        difference = compare()
        for kind in difference.kinds:
            if kind.missing or kind.stale or kind.orphans:
                self.stdout.write(
                    f"{kind.kind}: {kind.public} public, {kind.indexed} indexed; "
                    f"{len(kind.missing)} missing, {len(kind.stale)} stale, "
                    f"{len(kind.orphans)} orphaned"
                )
        if difference.agrees:
            self.stdout.write(self.style.SUCCESS("the index agrees with the database"))
            return
        if check:
            raise CommandError(f"the index differs from the database: {difference.summary()}")
        todo = difference.missing + difference.stale
        with tqdm(total=todo, unit="doc", disable=verbosity < 1, file=self.stderr) as bar:
            repair(difference, progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"repaired: {difference.summary()}"))

    def embeddings(self, operation: str, path: Path) -> None:
        if operation == "export":
            embedders = get_embedders()
            if not embedders:
                raise CommandError("ECOTONE_EMBEDDER=none: there is no vector space to export")
            for embedder in embedders:
                target = path.with_name(f"{path.stem}-{embedder.space}.npz")
                count = export_embeddings(embedder.space, target)
                self.stdout.write(f"{target}: {count} vectors of {embedder.space}")
            return
        files = sorted(path.glob("*.npz")) if path.is_dir() else [path]
        if not all(file.is_file() for file in files):
            raise CommandError(f"{path}: no such file")
        for file in files:
            space, added = load_embeddings(file)
            self.stdout.write(f"{file.name}: {added} new vectors of {space}")
