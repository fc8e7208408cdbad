"""The knowledge assistant in a real Chromium: a visitor asks in English and in Chinese,
reads cited answers, follows up, is told honestly when the documents do not answer, and
leaves feedback; the page keeps to the site's Content-Security-Policy throughout."""

import pytest
from playwright.sync_api import expect

from ecotone.assistant.models import Feedback
from ecotone.catalog.models import Resource
from ecotone.core.testing import CaseFactory
from ecotone.search.backends import reset_search_backend

from .test_content_security_policy import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = "\f".join(
    [
        "Heat pumps in cold regions. This report reviews air-source heat pumps in northern cities.",
        "Field results. Air-source heat pumps kept homes at 20 degrees at outdoor "
        "temperatures of minus 25 degrees in Harbin. Their seasonal coefficient of "
        "performance was 2.6 over the winter of 2022.",
        "Costs. The installed cost of a heat pump for a 90 square metre flat was about "
        "30,000 yuan, and subsidies covered a third of it.",
    ]
)
POLICY = "\f".join(
    [
        "关于推进碳捕集利用与封存示范的指导意见。",
        "到2025年，建成若干个百万吨级碳捕集利用与封存示范项目。各地应当为示范项目提供用地和电价支持。",
    ]
)


@pytest.fixture
def documents(settings, tmp_path):
    settings.ECOTONE_HOME = tmp_path
    settings.ECOTONE_ASK_RATE_LIMIT = 0
    reset_search_backend()
    Resource.objects.create(
        external_id="res-heat-pumps",
        title_en="Heat pumps in cold regions",
        title_zh="寒冷地区的热泵",
        text=REPORT,
        status="published",
    )
    Resource.objects.create(
        external_id="res-ccus-policy",
        kind="policy",
        title_zh="关于推进碳捕集利用与封存示范的指导意见",
        title_en="Guidance on CCUS demonstration",
        language="zh",
        text=POLICY,
        status="published",
    )
    yield
    reset_search_backend()


def ask(page, question: str) -> None:
    page.fill("textarea[name=question]", question)
    page.get_by_role("button", name="Ask").or_(page.get_by_role("button", name="提问")).click()
    page.wait_for_load_state()


def test_a_visitor_asks_in_both_languages(browser, live_server, documents):
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ask").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the platform's documents")

    ask(page, "What did a heat pump cost to install?")
    sentence = page.locator(".answer-sentence").first
    expect(sentence).to_contain_text("30,000 yuan")
    expect(sentence.locator("figcaption")).to_contain_text("Heat pumps in cold regions, page 3")
    expect(sentence.locator("mark").first).to_be_visible()
    share = page.locator("a.share-link").get_attribute("href")

    ask(page, "And the coefficient of performance in Harbin?")
    expect(page.locator(".exchange")).to_have_count(2)
    expect(page.locator(".exchange").nth(1)).to_contain_text("2.6")

    ask(page, "Who won the football world cup in 1998?")
    expect(page.locator(".exchange").nth(2)).to_contain_text(
        "The platform's documents do not answer this."
    )
    page.locator(".exchange").nth(0).get_by_role("button", name="Helpful").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("your feedback was saved")
    assert Feedback.objects.get().verdict == "helpful"

    other = browser.new_page()  # the shared link shows the same conversation
    other.goto(share)
    expect(other.locator(".exchange")).to_have_count(3)

    page.goto(f"{live_server.url}/zh-hans/ask/")
    ask(page, "哈尔滨的热泵性能系数是多少？")
    chinese = page.locator(".answer-sentence").first
    expect(chinese).to_contain_text("2.6")
    expect(chinese.locator("figcaption")).to_contain_text("寒冷地区的热泵")

    page.goto(f"{live_server.url}/en/ask/")
    ask(page, "How many CCUS demonstration projects by 2025?")
    english = page.locator(".answer-sentence").first
    expect(english).to_contain_text("百万吨级")
    expect(english.locator("figcaption")).to_contain_text("Guidance on CCUS demonstration")
    assert page.evaluate("window.__violations") == []


def test_a_visitor_counts_the_catalogue_and_opens_the_whole_list(browser, live_server, documents):
    """A count cites ten records; "See all" opens the catalogue's list, which holds all."""
    for number in range(12):
        CaseFactory(title_en=f"Offshore storage {number:02d}", title_zh="", country="NO")
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/zh-hans/ask/")
    ask(page, "挪威有哪些案例？")
    sentence = page.locator(".answer-sentence").first
    expect(sentence.locator("p").first).to_have_text("挪威有 12 个已发布的案例。")
    expect(sentence.locator("figure")).to_have_count(10)
    sentence.get_by_role("link", name="在目录中查看全部 12 条").click()
    page.wait_for_load_state()
    for number in (0, 11):
        expect(page.get_by_role("link", name=f"Offshore storage {number:02d}")).to_be_visible()
    assert page.evaluate("window.__violations") == []


def test_enter_in_the_feedback_comment_does_not_vote_helpful(browser, live_server, documents):
    """A reader who types why an answer is wrong and presses Enter must not have it recorded
    as "Helpful" (the comment box used to submit its form's first button, Helpful)."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/ask/")
    ask(page, "What did a heat pump cost to install?")
    comment = page.get_by_label("Was this answer right? A comment (optional)")
    comment.fill("the cost is for 2019, not today")
    comment.press("Enter")
    page.wait_for_load_state()
    assert not Feedback.objects.exists()
    page.get_by_role("button", name="Wrong").click()
    page.wait_for_load_state()
    given = Feedback.objects.get()
    assert (given.verdict, given.comment.strip()) == ("wrong", "the cost is for 2019, not today")
