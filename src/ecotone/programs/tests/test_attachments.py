"""Applicants attach files to a draft; the files are checked, and served only to those who
may see the application."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecotone.core.testing import UserFactory, logged_in
from ecotone.programs import services
from ecotone.programs.models import Attachment

from .conftest import add_applicant, make_programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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
        ("pitch.pdf", PNG, "pitch.pdf is not a PDF file."),
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
