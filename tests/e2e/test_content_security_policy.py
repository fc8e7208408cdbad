"""The site-wide Content-Security-Policy holds on the pages people open, and an uploaded
page never runs as a page of the site, in a real Chromium."""

import pytest
from django.core.files.base import ContentFile

pytestmark = pytest.mark.browser

#: collects every violation the browser reports, from the first script of each page on
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

PAGES = [
    "/en/",
    "/zh-hans/",
    "/en/search/?q=BYD",
    "/en/ask/",
    "/zh-hans/ask/",
    "/en/cases/",
    "/en/solutions/",
    "/en/reports/",
    "/en/reports/open-data/",
    "/en/impact/",
    "/en/programmes/",
    "/en/accounts/login/",
    "/api/v1/docs",
    "/admin/login/",
]


def test_the_pages_people_open_pass_the_site_policy(browser, live_server, shenzhen_session):
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    console_refusals = []
    page.on(
        "console",
        lambda message: (
            console_refusals.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    opened = {}
    for path in [*PAGES, _first_case_path()]:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, path
        opened[path] = page.evaluate("window.__violations")
    assert {path: found for path, found in opened.items() if found} == {}
    assert console_refusals == []


def _first_case_path() -> str:
    from ecotone.catalog.models import Case

    return (
        Case.objects.filter(external_id__startswith="szs-")
        .order_by("pk")
        .first()
        .get_absolute_url()
    )


def test_an_uploaded_page_with_a_script_is_downloaded_not_run(
    browser, live_server, shenzhen_session, staff_user
):
    """The stored-XSS report: a member's HTML file with a script, opened by staff."""
    from ecotone.catalog.models import Resource

    from .conftest import log_in

    resource = Resource.objects.filter(external_id__startswith="szs-").order_by("pk").first()
    script = b"<html><body><script>document.title = 'ran'; window.ran = true;</script></body>"
    resource.file.save("plan.html", ContentFile(script), save=True)
    page = browser.new_page()
    log_in(page, live_server.url, staff_user.username)
    with page.expect_download() as download:
        page.evaluate(f"location.href = '/en/resources/{resource.pk}/file/'")
    assert download.value.suggested_filename == "plan.html"
    assert page.title() != "ran"
    assert page.evaluate("window.ran === undefined")
