from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecotone.catalog.exporting import export_queryset, published
from ecotone.catalog.kinds import KINDS, get_kind
from ecotone.catalog.queries import InvalidFilter, filter_names, narrowed
from ecotone.catalog.tabular import FileFormatError


class Command(BaseCommand):
    help = (
        "Export the published records of one kind to CSV, XLSX or JSON Lines, optionally "
        "narrowed by the list page's and the API's filters (--filter sector=energy)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a filter of the kind's list (q, sector, country, city, year, …); repeatable",
        )

    def handle(self, *args, **options):
        try:
            kind = get_kind(options["kind"])
        except KeyError:
            raise CommandError(f"unknown kind {options['kind']!r}") from None
        params = self._filters(kind, options["filter"])
        try:
            queryset = narrowed(kind, published(kind), params) if params else published(kind)
            count = export_queryset(kind, queryset.order_by("pk"), options["file"])
        except InvalidFilter as refusal:
            raise CommandError(f"--filter {refusal.field}: {refusal.message}") from None
        except FileFormatError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{count} {kind.plural} written to {options['file']}"))

    def _filters(self, kind, given: list[str]) -> dict[str, str]:
        known = filter_names(kind) if kind.filterset else []
        params = {}
        for item in given:
            name, equals, value = item.partition("=")
            if not equals:
                raise CommandError(f"--filter {item!r}: write it as NAME=VALUE")
            if name not in known:
                raise CommandError(
                    f"--filter {name}: {kind.plural} have the filters {', '.join(known) or 'none'}"
                )
            params[name] = value
        return params
