import json

from django.core.management.base import BaseCommand
from tqdm import tqdm

from ecotone.search.backends import get_search_backend
from ecotone.search.indexing import count_indexable, rebuild_index


class Command(BaseCommand):
    help = "Search index: `index rebuild` writes it afresh, `index status` describes it."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser("rebuild", help="re-index every public record")
        subcommands.add_parser("status", help="documents per kind and where the index lives")

    def handle(self, *args, action: str, **options):
        if action == "rebuild":
            self.rebuild(options["verbosity"])
        else:
            self.stdout.write(json.dumps(get_search_backend().status(), indent=2))

    def rebuild(self, verbosity: int) -> None:
        total = count_indexable()
        with tqdm(total=total, unit="doc", disable=verbosity < 1, file=self.stderr) as bar:
            written = rebuild_index(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"indexed {written} records"))
