"""The annual report as a background task (run by the worker, or at once in tests)."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from ecotone.core.tasks import ProgressReport

from .annual import LANGUAGES, STEPS_PER_LANGUAGE, build_annual_report


def report_folder() -> Path:
    return Path(settings.ECOTONE_HOME) / "reports"


@task(takes_context=True)
def build_annual_report_task(
    context, year: int, region: str, language: str, base_url: str
) -> list[str]:
    """Build the annual report"""
    languages = len(LANGUAGES) if language == "both" else 1
    report = ProgressReport(context, "annual report", STEPS_PER_LANGUAGE * languages)
    written = build_annual_report(
        year,
        region,
        language,
        output_dir=report_folder(),
        base_url=base_url,
        progress=lambda _message: report.advance(),
    )
    report.finish()
    return [str(path) for path in written]


#: how many times ``pdfs.build_pdf`` reports progress
PDF_STEPS = 2


@task(takes_context=True)
def build_report_pdf_task(context, year: int, region: str, language: str, base_url: str) -> str:
    """Build the annual report's PDF for the web"""
    from .pdfs import build_pdf
    from .scope import ReportScope, parse_region

    report = ProgressReport(context, "annual report PDF", PDF_STEPS)
    scope = ReportScope(year=int(year), region=parse_region(region or None))
    path = build_pdf(scope, language, base_url, progress=lambda _message: report.advance())
    report.finish()
    return str(path)
