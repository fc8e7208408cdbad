"""Files people upload: what their content really is, and how the site hands them back.

A file's name is a claim; its bytes decide. Every upload is checked against the type its
extension names (a ``fake.docx`` of random bytes is refused), and every stored file is
served so that it can never run as a page of this site:

* PDF and images open in the browser (``inline``), everything else is a download
  (``attachment``); HTML is never served as ``text/html``;
* every response carries ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy
  of its own: images and downloads are ``sandbox``-ed (an opaque origin, no script);
  a PDF gets ``default-src 'none'`` instead, because Chromium refuses to display a
  sandboxed PDF at all (measured with Chromium 156: the navigation never completes),
  and its viewer runs in an extension origin, not the site's.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.http import FileResponse
from django.utils.translation import gettext as _

from .refusals import Refused


class FileRejected(Refused, ValueError):
    """An upload whose content is not what its name says, or of a type not accepted."""

    def __init__(self, message: str):
        super().__init__(message, field="file")
        self.args = (message,)


@dataclass(frozen=True)
class FileType:
    extension: str
    label: str  #: what a person calls it, for messages
    content_type: str  #: the type it is served as
    inline: bool = False  #: shown in the browser rather than downloaded


FILE_TYPES = {
    ".pdf": FileType(".pdf", "PDF", "application/pdf", inline=True),
    ".png": FileType(".png", "PNG", "image/png", inline=True),
    ".jpg": FileType(".jpg", "JPEG", "image/jpeg", inline=True),
    ".jpeg": FileType(".jpeg", "JPEG", "image/jpeg", inline=True),
    ".docx": FileType(
        ".docx",
        "Word (DOCX)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": FileType(
        ".xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ".pptx": FileType(
        ".pptx",
        "PowerPoint (PPTX)",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    # a page someone saved: kept for its text, handed back only as a download
    ".html": FileType(".html", "HTML", "application/octet-stream"),
    ".htm": FileType(".htm", "HTML", "application/octet-stream"),
    ".txt": FileType(".txt", "text", "text/plain; charset=utf-8"),
}
#: the part every Office Open XML package of each kind holds
OFFICE_MAIN_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
SANDBOXED = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


def file_type(name: str) -> FileType | None:
    return FILE_TYPES.get(Path(name).suffix.lower())


def check_content(name: str, content: bytes, accepted: tuple[str, ...]) -> FileType:
    """The type of ``name`` if its extension is among ``accepted`` and ``content`` really
    is such a file; else ``FileRejected`` with a message naming the file."""
    kind = file_type(name)
    if kind is None or kind.extension not in accepted:
        types = ", ".join(sorted({FILE_TYPES[e].label for e in accepted}))
        raise FileRejected(
            _("%(name)s: only these file types are accepted: %(types)s.")
            % {"name": Path(name).name, "types": types}
        )
    if not _looks_like(kind.extension, content):
        raise FileRejected(
            _("%(name)s is not a real %(type)s file (its content does not match its name).")
            % {"name": Path(name).name, "type": kind.label}
        )
    return kind


def _looks_like(extension: str, content: bytes) -> bool:
    if extension == ".pdf":
        return content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]
    if extension in (".png", ".jpg", ".jpeg"):
        return _is_image(content, "PNG" if extension == ".png" else "JPEG")
    if extension in OFFICE_MAIN_PARTS:
        return _is_office_package(content, OFFICE_MAIN_PARTS[extension])
    return _is_text(content)  # .txt, .html, .htm


def _is_image(content: bytes, image_format: str) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != image_format:
                return False
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def _is_office_package(content: bytes, main_folder: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(main_folder) for n in names)


def _is_text(content: bytes) -> bool:
    """Text in UTF-8 (a BOM allowed): no NUL byte, which no text file holds."""
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def serve_stored_file(stored_file, filename: str) -> FileResponse:
    """A response for a file someone uploaded that no browser will run as a page here."""
    kind = file_type(filename)
    inline = kind is not None and kind.inline and _starts_as(kind, stored_file)
    content_type = kind.content_type if kind else "application/octet-stream"
    if not inline and content_type.startswith(("application/pdf", "image/")):
        content_type = "application/octet-stream"
    response = FileResponse(
        stored_file.open("rb"),
        as_attachment=not inline,
        filename=Path(filename).name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    is_pdf = inline and kind is not None and kind.extension == ".pdf"
    response["Content-Security-Policy"] = PDF_POLICY if is_pdf else SANDBOXED
    return response


def _starts_as(kind: FileType, stored_file) -> bool:
    """A file stored before content checks existed is shown inline only if it starts as
    its type should (a PDF that is really HTML is downloaded instead)."""
    with stored_file.open("rb") as handle:
        head = handle.read(16)
    if kind.extension == ".pdf":
        return head.startswith(b"%PDF-")
    if kind.extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    return head.startswith(b"\xff\xd8\xff")
