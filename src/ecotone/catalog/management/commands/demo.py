from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ecotone.catalog.importing import ImportFailed, import_file
from ecotone.catalog.kinds import IMPORT_ORDER, KINDS


class Command(BaseCommand):
    help = "Load the bundled demo data set (data/demo/*.jsonl). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=None,
            help="folder holding <kind plural>.jsonl files (default: the bundled data/demo)",
        )

    def handle(self, *args, **options):
        from pathlib import Path

        folder = Path(options["data_dir"] or settings.DATA_DIR / "demo")
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder")
        for name in IMPORT_ORDER:
            kind = KINDS[name]
            path = folder / f"{kind.plural}.jsonl"
            if not path.exists():
                continue
            try:
                result = import_file(kind, path)
            except ImportFailed as failure:
                for error in failure.result.errors[:20]:
                    self.stderr.write(f"{path.name}: {error}")
                raise CommandError(
                    f"{path.name} has bad rows; nothing from it was loaded"
                ) from None
            self.stdout.write(
                f"{kind.plural:>14}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
