"""Applicants attach files to a draft; the files are checked, and served only to those who
may see the application."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecotone.core.testing import UserFactory, logged_in
from ecotone.programs import services
from ecotone.programs.models import Attachment

from .conftest import add_applicant, make_programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  #: the signature, then nothing an image holds


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in files.items():
            package.writestr(name, content)
    return buffer.getvalue()


ZIP_NOT_OFFICE = zipped({"notes.txt": b"a zip file named as a document"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def real_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def draft():
    world = make_programme()
    user, org = add_applicant(world, "Sun Startup")
    submission = services.save_draft(
        user=user,
        programme=world.programme,
        data={
            "track": "energy",
            "applicant": org.pk,
            "title": "Solar roofs",
            "summary": "Rooftop solar power",
            "answers": {"impact": "100 t"},
        },
    )
    return world, user, submission


def upload(client, submission, name: str, content: bytes):
    return client.post(
        f"/en/programmes/submissions/{submission.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_an_applicant_attaches_a_pdf_that_the_manager_can_download(draft):
    world, user, submission = draft
    page = upload(logged_in(user), submission, "pitch.pdf", PDF).content.decode()
    assert "pitch.pdf is attached." in page
    attachment = Attachment.objects.get(submission=submission)
    assert (attachment.name, attachment.size) == ("pitch.pdf", len(PDF))
    url = f"/en/programmes/attachments/{attachment.pk}/"
    for reader in (user, world.manager):
        response = logged_in(reader).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    assert logged_in(UserFactory(username="stranger")).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "only these file types are accepted"),
        ("pitch.pdf", PNG, "pitch.pdf is not a real PDF file"),
        ("fake.docx", bytes(range(256)) * 8, "fake.docx is not a real Word (DOCX) file"),
        ("zip.docx", ZIP_NOT_OFFICE, "zip.docx is not a real Word (DOCX) file"),
        ("photo.png", PNG, "photo.png is not a real PNG file"),
        ("huge.pdf", PDF + b"0" * (2**20), "huge.pdf is larger than 1 MB"),
    ],
)
def test_a_wrong_or_oversized_file_is_refused_and_nothing_is_stored(draft, name, content, message):
    world, user, submission = draft
    world.programme.max_attachment_mb = 1
    world.programme.save()
    page = upload(logged_in(user), submission, name, content).content.decode()
    assert message in page
    assert not Attachment.objects.exists()


def test_attachments_are_frozen_once_the_application_is_submitted(draft):
    _world, user, submission = draft
    upload(logged_in(user), submission, "pitch.pdf", PDF)
    services.submit_submission(user=user, submission=submission)
    page = upload(logged_in(user), submission, "more.pdf", PDF).content.decode()
    assert "Attachments can only change while the application is a draft." in page
    attachment = Attachment.objects.get()
    logged_in(user).post(f"/en/programmes/attachments/{attachment.pk}/remove/")
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_only_the_applicant_attaches(draft):
    world, _user, submission = draft
    upload(logged_in(world.manager), submission, "pitch.pdf", PDF)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("plan.docx", DOCX), ("site.png", real_png())])
def test_real_office_files_and_images_are_accepted(draft, name, content):
    _world, user, submission = draft
    page = upload(logged_in(user), submission, name, content).content.decode()
    assert f"{name} is attached." in page


def test_files_are_served_so_they_cannot_run_as_pages_of_the_site(draft):
    """A PDF or an image opens in the browser (an image sandboxed; Chromium shows no
    sandboxed PDF, so a PDF gets a policy without script); anything else is a download."""
    world, user, submission = draft
    for name, content in (("pitch.pdf", PDF), ("site.png", real_png()), ("plan.docx", DOCX)):
        upload(logged_in(user), submission, name, content)
    served = {}
    for attachment in Attachment.objects.all():
        response = logged_in(world.manager).get(f"/en/programmes/attachments/{attachment.pk}/")
        served[attachment.name] = response
        assert response["X-Content-Type-Options"] == "nosniff"
    assert served["pitch.pdf"]["Content-Disposition"].startswith("inline")
    assert served["pitch.pdf"]["Content-Type"] == "application/pdf"
    assert "default-src 'none'" in served["pitch.pdf"]["Content-Security-Policy"]
    assert served["site.png"]["Content-Disposition"].startswith("inline")
    assert served["site.png"]["Content-Security-Policy"].startswith("sandbox")
    assert served["plan.docx"]["Content-Disposition"].startswith("attachment")
    assert served["plan.docx"]["Content-Security-Policy"].startswith("sandbox")
