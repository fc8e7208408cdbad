import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ecotone.catalog.models import Resource
from ecotone.catalog.resources import UploadRejected, extract_text
from ecotone.core.testing import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream draws ``text`` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


def test_text_is_extracted_from_pdf_html_and_txt():
    assert "Shenzhen white paper" in extract_text("a.pdf", tiny_pdf("Shenzhen white paper"))
    html = b"<html><script>var x=1</script><body><h1>Title</h1><p>Body text</p></body></html>"
    assert extract_text("a.html", html) == "Title\nBody text"
    assert extract_text("a.txt", "碳中和".encode()) == "碳中和"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("a.txt", "碳中和目标".encode("gbk"), "UTF-8"),
        ("a.pdf", b"%PDF-1.4 broken", "PDF"),
        ("a.exe", b"MZ", "PDF, HTML"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, content, fragment):
    with pytest.raises(UploadRejected, match=fragment):
        extract_text(name, content)


@pytest.fixture
def member_client():
    org = OrganisationFactory()
    user = UserFactory()
    make_member(user, org)
    client = Client()
    client.force_login(user)
    return client, org


def post_resource(client, org, upload):
    return client.post(
        "/en/resources/new/",
        {
            "owner": org.pk,
            "kind": "report",
            "title_en": "Grid report",
            "language": "en",
            "file": upload,
        },
    )


def test_uploading_a_pdf_stores_it_and_its_text(member_client, settings):
    client, org = member_client
    response = post_resource(
        client,
        org,
        SimpleUploadedFile(
            "grid.pdf", tiny_pdf("Grid factor 0.5703"), content_type="application/pdf"
        ),
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title_en="Grid report")
    assert "0.5703" in resource.text
    assert resource.file.name.endswith(".pdf")
    assert client.get(f"/en/resources/{resource.pk}/file/").status_code == 200
    assert Client().get(f"/en/resources/{resource.pk}/file/").status_code == 404  # pending


def test_wrong_type_and_oversized_uploads_save_nothing(member_client, settings):
    client, org = member_client
    wrong = post_resource(client, org, SimpleUploadedFile("tool.exe", b"MZ"))
    assert wrong.status_code == 422
    assert "only these file types are accepted: HTML, PDF, text" in wrong.content.decode()
    broken = post_resource(client, org, SimpleUploadedFile("broken.pdf", b"%PDF-1.4 broken"))
    assert broken.status_code == 422
    assert "PDF" in broken.content.decode()
    settings.RESOURCE_MAX_UPLOAD_BYTES = 10
    big = post_resource(client, org, SimpleUploadedFile("big.txt", b"x" * 100))
    assert big.status_code == 422
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("random.pdf", bytes(range(256)) * 4),
        ("binary.txt", b"text\x00\x01\x02"),
        ("page.html", b"\xff\xfe<"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(member_client, name, content):
    client, org = member_client
    response = post_resource(client, org, SimpleUploadedFile(name, content))
    assert response.status_code == 422
    assert f"{name} is not a real" in response.content.decode()
    assert not Resource.objects.exists()


def test_an_uploaded_html_page_is_handed_back_as_a_download_never_as_a_page(member_client):
    """The stored-XSS report: a member's page with a script must not run for the staff
    member who opens it."""
    client, org = member_client
    page = b"<html><body><h1>Plan</h1><script>fetch('/en/accounts/me/')</script></body></html>"
    response = post_resource(client, org, SimpleUploadedFile("plan.html", page))
    assert response.status_code == 302
    resource = Resource.objects.get(title_en="Grid report")
    served = client.get(f"/en/resources/{resource.pk}/file/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(served.streaming_content) == page  # handed back as uploaded
