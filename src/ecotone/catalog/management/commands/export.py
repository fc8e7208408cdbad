from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecotone.catalog.exporting import export_queryset, published
from ecotone.catalog.kinds import KINDS, get_kind
from ecotone.catalog.tabular import FileFormatError


class Command(BaseCommand):
    help = "Export the published records of one kind to CSV, XLSX or JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            kind = get_kind(options["kind"])
        except KeyError:
            raise CommandError(f"unknown kind {options['kind']!r}") from None
        try:
            count = export_queryset(kind, published(kind), options["file"])
        except FileFormatError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{count} {kind.plural} written to {options['file']}"))
