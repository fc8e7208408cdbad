from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ecotone.reports.annual import LANGUAGES, STEPS_PER_LANGUAGE, build_annual_report
from ecotone.reports.scope import ScopeError


class Command(BaseCommand):
    help = "Build the annual report as HTML and PDF (report build --year 2023 --region Shenzhen)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build"], help="what to do: build")
        parser.add_argument("--year", required=True, help="the report's year, e.g. 2023")
        parser.add_argument("--region", default="", help="a city (Shenzhen, 深圳) or country code")
        parser.add_argument(
            "--language", default="both", choices=[*LANGUAGES, "both"], help="default: both"
        )
        parser.add_argument(
            "--output", type=Path, default=Path("reports"), help="folder for the files"
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="site address the links in the files point to "
            "(default: the ECOTONE_SITE_URL setting)",
        )

    def handle(self, *args, **options):
        base_url = (options["base_url"] or settings.ECOTONE_SITE_URL).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url: give an address starting with http:// or https://")
        languages = 2 if options["language"] == "both" else 1
        with tqdm(total=STEPS_PER_LANGUAGE * languages, unit=" steps", disable=None) as bar:

            def progress(message: str) -> None:
                bar.set_description(message)
                bar.update(1)

            try:
                written = build_annual_report(
                    options["year"],
                    options["region"],
                    options["language"],
                    output_dir=options["output"],
                    base_url=base_url,
                    progress=progress,
                )
            except ScopeError as error:
                raise CommandError(f"--{error.field}: {error.message}") from None
            except OSError as error:
                raise CommandError(f"--output: cannot write there ({error})") from None
        for path in written:
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))
