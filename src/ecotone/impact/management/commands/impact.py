"""``ecotone impact …``: the factor library, calculations and recalculation for operators.

ecotone impact factors load [--without-oefdb]   seed the library from data/sources
ecotone impact factors import FILE.csv [--note]   add factors / new versions from a CSV
ecotone impact factors export [FILE.csv] [--all-versions] [--q --dataset --kind --region --year]
ecotone impact calc METHODOLOGY --input name=value unit ... | --json '{"inputs": …}'
                   [--scale case|city|country|world] [--acknowledge-warnings] [--unit U]
ecotone impact recalc [--dry-run]                  recalculate what a factor update changed
ecotone impact claims [--margin 25]                claims differing from the calculation
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ...calculator import SCALES, CalculationError
from ...claims import differing_claims
from ...factors import (
    FactorFileError,
    export_factors,
    import_factors,
    load_seed_factors,
)
from ...filters import InvalidFactorFilter, filtered_factors
from ...services import (
    UnacknowledgedWarnings,
    evaluate,
    outcome_payload,
    recalculate_stale,
    require_acknowledgement,
    stale_calculations,
)

#: ``ecotone impact factors export --<name>``: the library page's and the API's filters
FACTOR_FILTERS = ("q", "dataset", "kind", "region", "year")


class Command(BaseCommand):
    help = "Emission-factor library, calculations and recalculation (see docs/impact.md)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        factors = commands.add_parser("factors").add_subparsers(dest="action", required=True)
        load = factors.add_parser("load", help="seed the library from data/sources")
        load.add_argument("--without-oefdb", action="store_true")
        load.add_argument("--data-dir", default=None)
        imported = factors.add_parser("import", help="add factors or new versions from a CSV")
        imported.add_argument("file")
        imported.add_argument("--note", default="", help="why these versions (kept with them)")
        exported = factors.add_parser("export", help="write the library as CSV")
        exported.add_argument("file", nargs="?", default="-")
        exported.add_argument("--all-versions", action="store_true")
        for name in FACTOR_FILTERS:
            exported.add_argument(f"--{name}", default=None)
        calc = commands.add_parser("calc", help="run a methodology (same answer as the API)")
        calc.add_argument("methodology")
        calc.add_argument("--input", action="append", default=[], metavar="NAME=VALUE UNIT")
        calc.add_argument("--json", default=None, help='{"inputs": {...}, "context": {...}}')
        calc.add_argument("--language", default="en")
        calc.add_argument(
            "--scale", choices=list(SCALES), default=None, help="what the calculation is about"
        )
        calc.add_argument(
            "--acknowledge-warnings",
            action="store_true",
            help="confirm values flagged as implausible for the scale",
        )
        calc.add_argument("--unit", default=None, help="the result in this unit (Mt CO2e/yr)")
        claims = commands.add_parser("claims", help="claims differing from the calculation")
        claims.add_argument("--margin", type=float, default=25.0, help="in percent (25)")
        claims.add_argument("--language", default="en")
        recalc = commands.add_parser("recalc", help="recalculate after a factor update")
        recalc.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        command = options["command"]
        if command == "factors":
            getattr(self, f"factors_{options['action']}")(options)
        else:
            getattr(self, command)(options)

    def factors_load(self, options):
        folder = Path(options["data_dir"] or settings.DATA_DIR)
        report = load_seed_factors(folder, include_oefdb=not options["without_oefdb"])
        self.stdout.write(f"factor library: {report.summary()}")
        for key in report.new_versions:
            self.stdout.write(f"  new version: {key}")

    def factors_import(self, options):
        try:
            with open(options["file"], encoding="utf-8", newline="") as handle:
                report = import_factors(handle, change_note=options["note"])
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}") from None
        except FactorFileError as failure:
            for problem in failure.errors:
                self.stderr.write(problem)
            raise CommandError("the file has bad rows; nothing was imported") from None
        self.stdout.write(f"imported: {report.summary()}")
        for key in report.new_versions:
            self.stdout.write(f"  new version: {key} (run `ecotone impact recalc`)")

    def factors_export(self, options):
        params = {name: options[name] for name in FACTOR_FILTERS if options[name] is not None}
        if options["all_versions"]:
            params["all_versions"] = "true"
        try:
            queryset = filtered_factors(params).order_by("key", "version")
        except InvalidFactorFilter as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        if options["file"] == "-":
            count = export_factors(self.stdout, queryset)
        else:
            with open(options["file"], "w", encoding="utf-8", newline="") as handle:
                count = export_factors(handle, queryset)
        self.stderr.write(f"{count} factors exported")

    def calc(self, options):
        body = self._calc_body(options)
        context = dict(body.get("context") or {})
        if options["scale"]:
            context["scale"] = options["scale"]
        acknowledged = options["acknowledge_warnings"] or body.get("acknowledge_warnings") is True
        with translation.override(options["language"]):
            try:
                outcome, _ = evaluate(options["methodology"], body["inputs"], context)
                require_acknowledgement(outcome, acknowledged)
                payload = outcome_payload(outcome, options["unit"])
            except UnacknowledgedWarnings as error:
                for row in error.warnings:
                    self.stderr.write(row["message"])
                raise CommandError(
                    "values need confirming: check them, then run again with "
                    "--acknowledge-warnings (or give --scale)"
                ) from None
            except CalculationError as error:
                raise CommandError(f"{error.field}: {error.message}") from None
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def _calc_body(self, options) -> dict:
        if options["json"]:
            text = sys.stdin.read() if options["json"] == "-" else options["json"]
            try:
                body = json.loads(text)
            except json.JSONDecodeError as error:
                raise CommandError(f"--json: {error}") from None
            if not isinstance(body, dict) or not isinstance(body.get("inputs"), dict):
                raise CommandError('--json needs {"inputs": {...}}')
            return body
        return {"inputs": dict(_input_option(text) for text in options["input"])}

    def claims(self, options):
        if not 0 <= options["margin"] <= 100000:
            raise CommandError("--margin: give a percentage, 0 or more")
        with translation.override(options["language"]):
            checks = differing_claims(options["margin"] / 100)
            for check in checks:
                c = check.calculation
                ratio = "—" if check.ratio is None else f"{check.ratio:.2f}"
                self.stdout.write(
                    f"#{c.pk} {c.subject}: claim {check.claim:,.0f} {c.unit}, "
                    f"calculation {c.value:,.0f} {c.unit}, claim ÷ calculation {ratio}"
                )
                for reason in check.rendered_reasons():
                    self.stdout.write(f"  - {reason}")
        self.stdout.write(f"{len(checks)} claims differ by more than {options['margin']:g}%")

    def recalc(self, options):
        if options["dry_run"]:
            for calculation in stale_calculations():
                self.stdout.write(f"would recalculate #{calculation.pk} {calculation}")
            return
        changed = recalculate_stale(reason="factor update (ecotone impact recalc)")
        for old, new, difference in changed:
            self.stdout.write(f"#{old.pk} v{old.version} → #{new.pk} v{new.version}:")
            for name, (before, after) in difference.items():
                self.stdout.write(f"  {name}: {before} → {after}")
        self.stdout.write(f"{len(changed)} calculations recalculated")


def _input_option(text: str) -> tuple[str, dict]:
    """``electricity=300000 MWh`` or ``grid_factor=@cn-national-china-average-2022``."""
    name, sep, rest = text.partition("=")
    if not sep or not name.strip():
        raise CommandError(f"--input {text!r}: write NAME=VALUE UNIT or NAME=@FACTOR_KEY")
    rest = rest.strip()
    if rest.startswith("@"):
        return name.strip(), {"factor": rest[1:]}
    value, _, unit = rest.partition(" ")
    return name.strip(), {"value": _number(name, value), "unit": unit.strip()}


def _number(name: str, text: str):
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"--input {name}: {text!r} is not a number") from None
