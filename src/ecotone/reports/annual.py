"""The annual report: a city climate white paper written from the catalogue.

``annual_report(scope)`` collects the figures (a plain object the page and the files share);
``build_annual_report(...)`` writes it as HTML and PDF in one or both languages. The CLI
(``ecotone report build``) and a background task call ``build_annual_report``; the web
page's PDF is built through ``pdfs.py``.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ecotone.core.data_sources import DATA_SOURCES
from ecotone.core.files import write_atomically

from . import dashboards, impact_section
from .charts import with_svg
from .scope import ReportScope, ScopeError, parse_region, parse_year

#: CLI language names → Django language codes
LANGUAGES = {"en": "en", "zh": "zh-hans"}
#: how many times ``build_annual_report`` reports progress for each language
STEPS_PER_LANGUAGE = 3


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | str
    url: str = ""
    note: str = ""


@dataclass
class AnnualReport:
    scope: ReportScope
    headline: list[Figure]
    charts: list[dict]
    winners: list
    events: list
    resources: list
    sources: list[dict]
    impact: object | None
    generated_at: object
    language: str = "en"
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.scope.year

    @property
    def region_label(self) -> str:
        return self.scope.region.label if self.scope.region else _("all regions")

    @property
    def query(self) -> str:
        return urlencode(self.scope.as_params())

    @property
    def title(self) -> str:
        return _("Climate action in %(region)s, %(year)s") % {
            "region": self.region_label,
            "year": self.year,
        }


def headline_figures(scope: ReportScope) -> list[Figure]:
    counts = dashboards.kind_counts(scope)
    url = dashboards.records_url
    return [
        Figure("cases", _("Cases of the year"), counts["cases"], url("cases", scope)),
        Figure("awards", _("Awards given"), counts["awards"], url("awards", scope)),
        Figure("events", _("Events"), counts["events"], url("events", scope)),
        Figure(
            "organisations",
            _("Organisations based here"),
            counts["organisations"],
            url("organisations", scope),
            _("all years"),
        ),
        Figure(
            "solutions",
            _("Solutions from these organisations"),
            counts["solutions"],
            url("solutions", scope),
            _("all years"),
        ),
        Figure(
            "resources", _("Reports and policies"), counts["resources"], url("resources", scope)
        ),
    ]


def annual_report(scope: ReportScope) -> AnnualReport:
    """Every figure of the report, in the active language."""
    charts = [dashboards.sector_chart(scope, kinds=("cases",)), dashboards.programme_chart(scope)]
    resources = list(dashboards.scoped("resources", scope).order_by("-published", "pk")[:30])
    winners = dashboards.award_winners(scope)
    events = dashboards.events(scope)
    return AnnualReport(
        scope=scope,
        headline=headline_figures(scope),
        charts=with_svg(charts),
        winners=winners,
        events=events,
        resources=resources,
        sources=record_sources(winners, events, resources),
        impact=impact_section.report_impact(scope),
        generated_at=timezone.now(),
        language=translation.get_language() or "en",
    )


def record_sources(winners, events, resources) -> list[dict]:
    """Where the report's records come from: each record's source page, then the data sets."""
    seen, sources = set(), []
    for record in [*winners, *events, *resources]:
        if record.source_url and record.source_url not in seen:
            seen.add(record.source_url)
            sources.append({"name": str(record), "url": record.source_url})
    for source in DATA_SOURCES:
        sources.append({"name": source["name"], "url": source["url"], "licence": source["licence"]})
    return sources


def render_html(report: AnnualReport, *, base_url: str) -> str:
    """The stand-alone document: styles inline, charts inline, links absolute."""
    return render_to_string(
        "reports/annual_report_document.html", {"report": report, "base_url": base_url}
    )


def render_pdf(report: AnnualReport, *, base_url: str) -> bytes:
    from weasyprint import HTML

    # WeasyPrint announces each of its steps at INFO; the CLI has its own progress bar.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = render_html(report, base_url=base_url)
    # No base URL for WeasyPrint itself: the document fetches nothing, all is inline.
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report document must not fetch {url}")


def file_stem(scope: ReportScope, language: str) -> str:
    region = scope.region.key if scope.region else "all"
    return f"ecotone-report-{scope.year}-{slugify(region) or 'region'}-{language}"


Progress = Callable[[str], None]


def build_annual_report(
    year: int | str,
    region: str | None,
    language: str = "both",
    *,
    output_dir: Path,
    base_url: str,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report as HTML and PDF into ``output_dir``; return the files written.

    ``language`` is ``en``, ``zh`` or ``both``. Raises ``ScopeError`` naming the bad
    argument. Each file is written under a temporary name and renamed when complete.
    """
    progress = progress or (lambda _message: None)
    scope = ReportScope(year=parse_year(year), region=parse_region(region))
    if scope.year is None:
        raise ScopeError("year", _("Choose a year."))
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for code in _languages(language):
        with translation.override(code):
            written.extend(_build_one(scope, code, output_dir, base_url.rstrip("/"), progress))
    return written


def _languages(language: str) -> list[str]:
    if language == "both":
        return list(LANGUAGES.values())
    if language not in LANGUAGES:
        raise ScopeError("language", _("Use en, zh or both."))
    return [LANGUAGES[language]]


def _build_one(
    scope: ReportScope, code: str, output_dir: Path, base_url: str, progress: Progress
) -> list[Path]:
    stem = file_stem(scope, code)
    progress(f"{code}: collecting figures")
    report = annual_report(scope)
    progress(f"{code}: writing {stem}.html")
    html_path = write_atomically(
        output_dir / f"{stem}.html", render_html(report, base_url=base_url)
    )
    progress(f"{code}: writing {stem}.pdf")
    pdf_path = write_atomically(output_dir / f"{stem}.pdf", render_pdf(report, base_url=base_url))
    return [html_path, pdf_path]
