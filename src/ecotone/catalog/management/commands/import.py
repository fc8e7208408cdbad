from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ecotone.catalog.importing import ImportFailed, import_file
from ecotone.catalog.kinds import KINDS, get_kind
from ecotone.catalog.tabular import FileFormatError, format_of, write_rows


class Command(BaseCommand):
    help = "Import records of one kind from a CSV, XLSX or JSON Lines file (upsert by external_id)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows even when some rows are bad (default: all or nothing)",
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="write every bad row, and every note on a good one, to this CSV file",
        )
        parser.add_argument(
            "--status",
            default="published",
            help="status of new records whose row has none (default: published)",
        )

    def handle(self, *args, **options):
        try:
            kind = get_kind(options["kind"])
        except KeyError:
            raise CommandError(
                f"unknown kind {options['kind']!r}; use one of: {', '.join(KINDS)}"
            ) from None
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        self._check_options(options)
        with tqdm(desc=f"validating {kind.plural}", unit=" rows", disable=None) as bar:
            try:
                result = import_file(
                    kind,
                    path,
                    skip_invalid=options["skip_invalid"],
                    default_status=options["status"],
                    progress=bar.update,
                )
            except ImportFailed as failure:
                result = failure.result
        self._report(result, options["report"])
        bad_rows = len({error.row for error in result.errors})
        if not result.written and all(error.row == 0 for error in result.errors):
            raise CommandError(f"{path} could not be read; nothing was imported")
        if not result.written:
            raise CommandError(
                f"{bad_rows} bad row(s) in {path} ({len(result.errors)} problem(s)); "
                "nothing was imported"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{kind.plural}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {bad_rows} bad row(s) skipped, "
                f"{len(result.notes)} note(s)"
            )
        )

    def _check_options(self, options) -> None:
        from ecotone.core.models import PublicationStatus

        if options["status"] not in PublicationStatus.values:
            raise CommandError(f"--status must be one of {', '.join(PublicationStatus.values)}")
        report = options["report"]
        if report is not None:
            try:
                format_of(report)
            except FileFormatError as error:
                raise CommandError(f"--report {report}: {error.message}") from None

    def _report(self, result, report_path: Path | None) -> None:
        for error in result.errors[:20]:
            self.stderr.write(str(error))
        if len(result.errors) > 20:
            self.stderr.write(f"… and {len(result.errors) - 20} more")
        for note in result.notes[:20]:
            self.stdout.write(f"note: {note}")
        if len(result.notes) > 20:
            self.stdout.write(f"… and {len(result.notes) - 20} more notes")
        if report_path is not None:
            rows = [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors]
            rows += [
                {"row": n.row, "column": n.column, "message": f"note: {n.message}"}
                for n in result.notes
            ]
            write_rows(report_path, ["row", "column", "message"], rows)
            self.stderr.write(f"report: {report_path}")
