"""The annual report's PDF on the web: built once per state of the data, then served from disk.

A PDF takes seconds to write, too long for a request. ``request_pdf`` answers at once: the
file if one was built from the current data (same fingerprint), otherwise it queues the
build for the worker (``ecotone.core.tasks.uses_worker()``) and says where it stands; with
the immediate backend the build runs there and then. Files live in
``ECOTONE_HOME/reports/web/<year>/<region>/<language>/<fingerprint>.pdf``; a build removes
the older files of its folder. Beside a queued build lies ``<fingerprint>.task`` with the
id of its task, so a second request waits for it instead of queueing another.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.text import slugify

from ecotone.core.files import write_atomically
from ecotone.core.tasks import uses_worker

from . import annual
from .fingerprint import data_fingerprint
from .scope import ReportScope

#: task states, as ``django_tasks`` names them, that mean "still to come"
PENDING = ("READY", "RUNNING")


@dataclass(frozen=True)
class PdfKey:
    year: int
    region: str
    language: str
    fingerprint: str

    @classmethod
    def current(cls, scope: ReportScope, language: str, base_url: str) -> "PdfKey":
        region = scope.region.key if scope.region else ""
        return cls(scope.year, region, language, data_fingerprint(base_url))

    @property
    def folder(self) -> Path:
        region = slugify(self.region) or "all"
        return web_folder() / str(self.year) / region / self.language

    @property
    def path(self) -> Path:
        return self.folder / f"{self.fingerprint}.pdf"

    @property
    def marker(self) -> Path:
        return self.folder / f"{self.fingerprint}.task"


@dataclass(frozen=True)
class PdfState:
    """Where a PDF stands: ``ready`` (``path`` is the file), ``waiting``, ``running`` or
    ``failed`` (``task_id`` is the build's task)."""

    status: str
    path: Path | None = None
    task_id: str = ""
    done: int = 0
    total: int = 0

    @property
    def pending(self) -> bool:
        return self.status in ("waiting", "running")


def web_folder() -> Path:
    return Path(settings.ECOTONE_HOME) / "reports" / "web"


def build_pdf(scope: ReportScope, language: str, base_url: str, progress=None) -> Path:
    """Write the PDF of ``scope`` in ``language`` for the current data; return its path.

    The fingerprint is taken before the figures are read: data changed during the build
    leaves the file under the older fingerprint, so it is rebuilt next time, never served
    as current while being older."""
    progress = progress or (lambda _message: None)
    key = PdfKey.current(scope, language, base_url)
    if key.path.exists():
        return key.path
    with translation.override(language):
        progress("collecting figures")
        report = annual.annual_report(scope)
        progress("writing the PDF")
        content = annual.render_pdf(report, base_url=base_url)
    key.folder.mkdir(parents=True, exist_ok=True)
    write_atomically(key.path, content)
    _remove_older_files(key)
    return key.path


def _remove_older_files(key: PdfKey) -> None:
    for path in key.folder.iterdir():
        if path.stem != key.fingerprint and path.suffix in (".pdf", ".task"):
            path.unlink(missing_ok=True)
    key.marker.unlink(missing_ok=True)


def request_pdf(
    scope: ReportScope, language: str, base_url: str, *, retry: bool = False
) -> PdfState:
    """The PDF if it is fresh; otherwise queue (or, without a worker, run) its build.

    A failed build is reported as such, and queued again only when ``retry`` is asked."""
    from .tasks import build_report_pdf_task

    key = PdfKey.current(scope, language, base_url)
    if key.path.exists():
        return PdfState("ready", path=key.path)
    if not uses_worker():
        result = build_report_pdf_task.enqueue(scope.year, key.region, language, base_url)
        return PdfState("ready", path=Path(result.return_value))
    state = queued_state(key)
    if state is not None and (state.pending or (state.status == "failed" and not retry)):
        return state
    result = build_report_pdf_task.enqueue(scope.year, key.region, language, base_url)
    key.folder.mkdir(parents=True, exist_ok=True)
    write_atomically(key.marker, str(result.id))
    return PdfState("waiting", task_id=str(result.id))


def queued_state(key: PdfKey) -> PdfState | None:
    """The state of the build queued for ``key``, if one was (and its task still exists)."""
    from django.core.exceptions import ValidationError
    from django_tasks.exceptions import TaskResultDoesNotExist

    from ecotone.core.models import TaskProgress

    from .tasks import build_report_pdf_task

    try:
        task_id = key.marker.read_text(encoding="utf-8").strip()
        result = build_report_pdf_task.get_result(task_id)
    except (FileNotFoundError, TaskResultDoesNotExist, ValueError, ValidationError):
        return None
    if result.status == "SUCCESSFUL":
        # built, but from newer data than ``key`` (the data changed since): build again
        return None
    progress = TaskProgress.objects.filter(result_id=task_id).first()
    status = {"READY": "waiting", "RUNNING": "running"}.get(result.status, "failed")
    return PdfState(
        status,
        task_id=task_id,
        done=progress.done if progress else 0,
        total=progress.total if progress else 0,
    )
