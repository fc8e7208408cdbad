"""Uploaded resource files: type and size checks, then full-text extraction."""

import io

from bs4 import BeautifulSoup
from django.conf import settings
from django.utils.translation import gettext as _

from ecotone.core.refusals import Refused


class UploadRejected(Refused):
    """A file that cannot be attached; the message says why."""

    def __init__(self, message):
        super().__init__(message, field="file")
        self.args = (str(message),)


def extract_text(name: str, content: bytes) -> str:
    """Plain text from a PDF, HTML or TXT file; page breaks in PDFs become form feeds."""
    lowered = name.lower()
    if lowered.endswith(".pdf"):
        return _pdf_text(content)
    if lowered.endswith((".html", ".htm")):
        soup = BeautifulSoup(content, "html.parser")
        for tag in soup(["script", "style", "noscript"]):
            tag.decompose()
        return "\n".join(line.strip() for line in soup.get_text("\n").splitlines() if line.strip())
    if lowered.endswith(".txt"):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UploadRejected(_("The text file is not UTF-8; save it as UTF-8.")) from None
    raise UploadRejected(_("Only PDF, HTML and plain-text files can be uploaded."))


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\f".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        raise UploadRejected(_("The PDF could not be read; is it damaged?")) from None


def attach_uploaded_file(resource, upload) -> None:
    if upload.size > settings.RESOURCE_MAX_UPLOAD_BYTES:
        raise UploadRejected(_("The file is too large."))
    content = upload.read()
    resource.text = extract_text(upload.name, content)
    upload.seek(0)
    resource.file.save(upload.name, upload, save=False)
    resource.save(update_fields=["file", "text", "updated_at"])
