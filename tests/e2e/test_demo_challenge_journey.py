"""The illustrative Demo Challenge in a real Chromium, from the state ``ecotone demo`` leaves it
in (round 1 decided, round 2 half reviewed and overdue, round 3 planned) to published winners:
the reviewers who still owe round-2 reviews submit them, the manager takes the decisions the
rule proposes, assigns and has round 3 reviewed, awards, publishes, and a visitor sees it."""

import json

import pytest
from django.conf import settings
from playwright.sync_api import expect

from ecotone.catalog.importing import import_rows
from ecotone.catalog.kinds import IMPORT_ORDER, KINDS
from ecotone.programs.demo import load_demo_challenge
from ecotone.programs.models import Assignment, Programme, ReviewStatus, Submission
from ecotone.search.backends import reset_search_backend

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLDER = settings.DATA_DIR / "demo"
SLUG = "demo-challenge"
PASSWORD = "correct-horse-battery"


def _jsonl(name: str) -> list[dict]:
    path = FOLDER / f"{KINDS[name].plural}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _import_linked_records(spec: dict) -> None:
    """Only the catalogue records the challenge links: its solutions and their providers."""
    solutions = {item["solution"] for item in spec["submissions"]}
    providers = {row["provider"] for row in _jsonl("solution") if row["external_id"] in solutions}
    wanted = solutions | providers
    for name in IMPORT_ORDER:
        rows = [row for row in _jsonl(name) if row["external_id"] in wanted]
        import_rows(KINDS[name], list(enumerate(rows, start=1)))


@pytest.fixture
def demo_challenge(sectors, settings, tmp_path):
    """The Demo Challenge built by the demo step's own function; its synthetic reviewers get a
    known password, which stands for them logging in."""
    settings.ECOTONE_HOME = tmp_path  # the search index of the published awards
    reset_search_backend()
    spec = json.loads((FOLDER / "programmes" / "demo_challenge.json").read_text(encoding="utf-8"))
    _import_linked_records(spec)
    assert "illustrative" in load_demo_challenge(spec)
    programme = Programme.objects.get(slug=SLUG)
    for reviewer in programme.reviewers.select_related("user"):
        reviewer.user.set_password(PASSWORD)
        reviewer.user.save(update_fields=["password"])
    yield spec
    reset_search_backend()


# --- what the test's reviewers score: the demo file's merit plus each reviewer's habit ------


def _scores(spec: dict, title: str, username: str) -> dict[str, int]:
    quality = next(s["quality"] for s in spec["submissions"] if s["title"] == title)
    bias = next(r["bias"] for r in spec["reviewers"] if f"demo-reviewer-{r['key']}" == username)
    return {key: max(1, min(5, round(value + bias))) for key, value in quality.items()}


def _owing(position: int) -> list[str]:
    """Usernames of the reviewers with an unsubmitted review in this round (read to check)."""
    assignments = Assignment.objects.filter(round__programme__slug=SLUG, round__position=position)
    owing = assignments.exclude(review__status=ReviewStatus.SUBMITTED)
    return sorted(set(owing.values_list("reviewer__user__username", flat=True)))


def _review_states(position: int) -> dict[str, int]:
    assignments = Assignment.objects.filter(round__programme__slug=SLUG, round__position=position)
    return {
        "not started": assignments.filter(review__isnull=True).count(),
        "draft": assignments.filter(review__status=ReviewStatus.DRAFT).count(),
        "submitted": assignments.filter(review__status=ReviewStatus.SUBMITTED).count(),
    }


def _states_text(states: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in states.items())


class ReviewerBrowsers:
    """One browser per reviewer, logged in on first use and kept for the later rounds."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.pages = browser, base, {}

    def page(self, username: str):
        if username not in self.pages:
            self.pages[username] = self.browser.new_page()
            log_in(self.pages[username], self.base, username, PASSWORD)
        return self.pages[username]


def review_what_is_owed(reviewers: ReviewerBrowsers, username: str, round_name: str, spec) -> int:
    """The reviewer opens their queue and submits every review of ``round_name`` still open
    in it, through the review form."""
    page = reviewers.page(username)
    page.goto(f"{reviewers.base}/en/programmes/reviews/")
    expect(page.locator("h1")).to_have_text("Your reviews")
    owed = (
        page.locator("tr.queue-item")
        .filter(has=page.locator("td:nth-child(3)", has_text=round_name))
        .filter(has_not=page.locator("td:nth-child(5)", has_text="Submitted"))
    )
    count = owed.count()
    assert count > 0, f"{username} owes nothing in {round_name}"
    for _ in range(count):
        link = owed.first.locator("a")
        title = link.inner_text()
        link.click()
        for key, score in _scores(spec, title, username).items():
            page.locator(f"input[name=score_{key}][value='{score}']").check()
        page.fill("textarea[name=comment_to_applicant]", "Clear plan; name the first users.")
        page.select_option("select[name=confidence]", "4")
        page.get_by_role("button", name="Submit review").click()
        expect(page.locator(".messages")).to_contain_text("Review submitted")
    expect(owed).to_have_count(0)
    return count


# --- the ranking page, read as the manager reads it ----------------------------------------


def ranking_rows(page) -> list[dict]:
    rows = []
    for table in page.locator("table.ranking").all():
        for row in table.locator(".ranking-row").all():
            cells = row.locator("td")
            rows.append(
                {
                    "table": table,
                    "row": row,
                    "rank": int(cells.nth(1).inner_text().rstrip("=")),
                    "title": cells.nth(2).inner_text(),
                    "raw": float(cells.nth(3).inner_text()),
                    "calibrated": float(cells.nth(4).inner_text()),
                    "ticked": row.locator("input[name=submission]").is_checked(),
                    "outcome": row.locator("select").input_value(),
                }
            )
    return rows


def assert_ranked_by_calibrated_total(rows: list[dict]) -> None:
    for table in {id(r["table"]): r["table"] for r in rows}.values():
        mine = [r for r in rows if r["table"] is table]
        assert [r["calibrated"] for r in mine] == sorted(
            (r["calibrated"] for r in mine), reverse=True
        )
        assert [r["rank"] for r in mine] == sorted(r["rank"] for r in mine)
    # the demo reviewers are lenient or severe on purpose: calibration moves some totals
    assert any(abs(r["raw"] - r["calibrated"]) >= 0.1 for r in rows)


def titles(status: str, position: int | None = None) -> set[str]:
    found = Submission.objects.filter(programme__slug=SLUG, status=status)
    if position is not None:
        found = found.filter(current_round__position=position)
    return set(found.values_list("title", flat=True))


# --- the manager's steps -------------------------------------------------------------------

DECIDE = "Record the decisions for the ticked submissions"
DASHBOARD = "Manage Demo Challenge (illustrative)"


def sees_round_two_in_progress(manager) -> dict[str, int]:
    """The dashboard as the demo left it: round 2 under way with overdue reviews."""
    second = manager.locator("#round-2")
    expect(manager.locator("#round-1 .badge")).to_have_text("Finished")
    expect(second.locator(".badge")).to_have_text("In progress")
    expect(manager.locator("#round-3 .badge")).to_have_text("Planned")
    waiting = Submission.objects.filter(current_round__position=2, status="in_review").count()
    expect(second).to_contain_text(f"{waiting} awaiting a decision")
    states = _review_states(2)
    assert states["not started"] and states["draft"] and states["submitted"]
    expect(second).to_contain_text(_states_text(states))
    overdue = states["not started"] + states["draft"]
    expect(second.locator(".warning-text")).to_contain_text(f"{overdue} reviews are overdue")
    return states


def open_ranking(manager, position: int, name: str) -> list[dict]:
    manager.locator(f"#round-{position}").get_by_role("link", name="Ranking and decisions").click()
    expect(manager.locator("h1")).to_contain_text(name)
    expect(manager.locator(".ranking-row").first).to_be_visible()
    rows = ranking_rows(manager)
    assert_ranked_by_calibrated_total(rows)
    return rows


def record_decisions(manager, rows: list[dict], reason: str) -> None:
    manager.fill("#decision-reason", reason)
    manager.get_by_role("button", name=DECIDE).click()
    expect(manager.locator(".messages")).to_contain_text(f"{len(rows)} decisions recorded")


def decides_as_the_rule_proposes(manager, round_spec: dict) -> set[str]:
    """Top N per track advance, the others are rejected: all ticked and chosen already."""
    rows = open_ranking(manager, 2, round_spec["name_en"])
    waiting = Submission.objects.filter(current_round__position=2, status="in_review")
    assert len(rows) == waiting.count()
    for row in rows:
        assert row["ticked"], row["title"]
        expected = "advance" if row["rank"] <= round_spec["decision_value"] else "reject"
        assert row["outcome"] == expected, row["title"]
    advancing = {r["title"] for r in rows if r["outcome"] == "advance"}
    record_decisions(manager, rows, "Best calibrated expert scores in their track.")
    assert titles("in_review", position=3) == advancing
    assert titles("rejected") >= {r["title"] for r in rows} - advancing
    return advancing


def assigns_the_final_round(manager, round_spec: dict, advancing: set[str]) -> int:
    """Round 3 is under way once round 2's last decision is taken; the solver staffs it."""
    manager.get_by_role("link", name=DASHBOARD).click()
    third = manager.locator("#round-3")
    expect(manager.locator("#round-2 .badge")).to_have_text("Finished")
    expect(third.locator(".badge")).to_have_text("In progress")
    expect(third).to_contain_text(f"{len(advancing)} awaiting a decision")
    third.get_by_role("link", name="Assignment").click()
    manager.get_by_role("button", name="Run the assignment").click()
    per_submission = round_spec["reviewers_per_submission"]
    wanted = per_submission * len(advancing)
    expect(manager.locator(".messages")).to_contain_text(f"Assignment done: {wanted} new")
    expect(manager.locator(".assignment-row")).to_have_count(len(advancing))
    for section in manager.locator(".assignment-row").all():
        expect(section.locator(".assigned-reviewer")).to_have_count(per_submission)
    return wanted


def awards_the_best_of_each_track(manager, spec: dict, advancing: set[str]) -> set[str]:
    """The final round has no rule: the manager ticks every row and chooses."""
    manager.get_by_role("link", name=DASHBOARD).click()
    rows = open_ranking(manager, 3, spec["rounds"][2]["name_en"])
    assert {r["title"] for r in rows} == advancing
    assert not any(r["ticked"] for r in rows)  # a manual rule proposes nothing
    for row in rows:
        row["row"].locator("input[name=submission]").check()
        row["row"].locator("select").select_option("award" if row["rank"] == 1 else "reject")
    awarded = {r["title"] for r in rows if r["rank"] == 1}
    assert 0 < len(awarded) <= spec["award_count"]
    record_decisions(manager, rows, "The jury's choice after the final review.")
    assert titles("awarded") == awarded
    return awarded


def publishes(manager, awarded: set[str]) -> None:
    manager.get_by_role("link", name=DASHBOARD).click()
    expect(manager.locator("#round-3 .badge")).to_have_text("Finished")
    manager.get_by_role("button", name="Publish the results").click()
    expect(manager.locator("h1")).to_contain_text("Results")
    expect(manager.locator(".messages")).to_contain_text(f"Results published: {len(awarded)}")


def a_visitor_sees_the_winners(browser, base: str) -> None:
    """The results page, then the award on the winning organisation's page."""
    winners = Submission.objects.filter(programme__slug=SLUG, status="awarded")
    names = sorted(s.applicant.name_en for s in winners.select_related("applicant"))
    visitor = browser.new_page()
    visitor.goto(f"{base}/en/programmes/{SLUG}/results/")
    expect(visitor.locator("h1")).to_contain_text("Demo Challenge (illustrative)")
    cards = visitor.locator(".winners .winner")
    expect(cards).to_have_count(len(names))
    for name in names:
        expect(cards.filter(has_text=name)).to_have_count(1)
    cards.filter(has_text=names[0]).get_by_role("link", name=names[0]).click()
    expect(visitor.locator("main")).to_contain_text("Demo Challenge (illustrative)")
    visitor.locator(".award-winner a").click()
    expect(visitor.locator("h1")).to_contain_text(names[0])
    panel = visitor.locator(".programme-awards")
    panel.get_by_role("link", name="Demo Challenge (illustrative)").click()
    expect(visitor.locator(".winners .winner")).to_have_count(len(names))


# --- the journey ---------------------------------------------------------------------------


def test_the_demo_challenge_goes_from_round_two_to_published_winners(
    browser, live_server, demo_challenge, staff_user
):
    spec, base = demo_challenge, live_server.url
    expert, final = spec["rounds"][1], spec["rounds"][2]
    manager = browser.new_page()
    log_in(manager, base, staff_user.username)
    manager.goto(f"{base}/en/programmes/{SLUG}/")
    manager.get_by_role("link", name="Manage this programme").click()
    states = sees_round_two_in_progress(manager)

    reviewers = ReviewerBrowsers(browser, base)
    done = sum(review_what_is_owed(reviewers, u, expert["name_en"], spec) for u in _owing(2))
    assert done == states["not started"] + states["draft"]
    manager.reload()
    everything = f"not started 0, draft 0, submitted {sum(states.values())}"
    expect(manager.locator("#round-2")).to_contain_text(everything)
    expect(manager.locator("#round-2 .warning-text")).to_have_count(0)

    advancing = decides_as_the_rule_proposes(manager, expert)
    wanted = assigns_the_final_round(manager, final, advancing)
    done = sum(review_what_is_owed(reviewers, u, final["name_en"], spec) for u in _owing(3))
    assert done == wanted
    awarded = awards_the_best_of_each_track(manager, spec, advancing)
    publishes(manager, awarded)
    a_visitor_sees_the_winners(browser, base)
