"""Matches and introductions on the pages, in both languages."""

import pytest
from django.core import mail

from ecotone.catalog.models import InvestorProfile, Sector
from ecotone.core.testing import (
    CaseFactory,
    NeedFactory,
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
    make_member,
)
from ecotone.matching.models import Introduction, NeedCriteria

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committed):
    ev = Sector.objects.get(slug="electric-vehicles")
    city = OrganisationFactory(name_en="Shenzhen Metro", kind="corporate")
    startup = OrganisationFactory(name_en="Volt Startup", kind="startup")
    asker, answerer = UserFactory(username="mei"), UserFactory(username="ravi")
    make_member(asker, city)
    make_member(answerer, startup)
    with committed():
        need = NeedFactory(
            organisation=city,
            title_en="Depot charging for electric buses",
            title_zh="电动公交车场站充电",
            country="CN",
        )
        need.sectors.add(ev)
        chargers = SolutionFactory(
            provider=startup, title_en="Depot charging cabinets", title_zh="场站充电柜", trl=8
        )
        chargers.sectors.add(ev)
        slow = SolutionFactory(provider=startup, title_en="Lab charger prototype", trl=3)
        slow.sectors.add(ev)
        case = CaseFactory(title_en="Bus depot in Munich", country="DE")
        case.sectors.add(ev)
        case.organisations.add(startup)
    return {
        "city": city,
        "startup": startup,
        "asker": asker,
        "answerer": answerer,
        "need": need,
        "chargers": chargers,
    }


def test_a_need_page_lists_matches_with_their_reasons(client, world):
    html = client.get(world["need"].get_absolute_url()).content.decode()
    matches = html[html.index('id="matches"') :]
    assert "Depot charging cabinets" in matches
    assert "shares sector Electric vehicles and charging" in matches
    assert "TRL 8 of 9" in matches
    # the need is in China, but states no limit: a depot abroad is a fit, not excluded
    assert "This need states no limit" in matches
    assert "Bus depot in Munich" in _ranked_part(matches) and "excluded because" not in matches
    assert "carried out elsewhere" in matches
    # visitors neither vote nor ask from the match list
    assert "Relevant" not in matches and "Request an introduction" not in matches


def test_a_budget_is_stated_once_and_a_price_above_it_excludes(client, world, committed):
    need, chargers = world["need"], world["chargers"]
    with committed():
        need.budget_max, need.currency = 300000, "CNY"
        need.save()
        chargers.price_from, chargers.price_currency = 450000, "CNY"
        chargers.price_basis = "per depot"
        chargers.save()
    html = client.get(need.get_absolute_url()).content.decode()
    matches = html[html.index('id="matches"') :]
    assert "Budget: up to 300,000 CNY, checked against each solution" in matches
    assert "priced from 450,000 CNY (per depot), above the budget" in matches
    solution_page = client.get(chargers.get_absolute_url()).content.decode()
    assert "from 450,000 CNY" in solution_page and "(per depot)" in solution_page


def test_the_need_page_in_chinese(client, world):
    response = client.get(f"/zh-hans/needs/{world['need'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "场站充电柜" in html and "电动汽车与充电" in html


def test_maintainers_vote_and_ask_from_the_match_list(world):
    client = logged_in(world["asker"])
    html = client.get(world["need"].get_absolute_url()).content.decode()
    intro_url = f"/en/introductions/new/{world['startup'].pk}/?about=need%3A{world['need'].pk}"
    assert intro_url in html
    assert 'name="verdict" value="relevant"' in html
    response = client.post(
        f"/en/matching/needs/{world['need'].pk}/feedback/",
        {"kind": "solution", "id": world["chargers"].pk, "verdict": "relevant"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#matches")
    html = client.get(world["need"].get_absolute_url()).content.decode()
    assert "1 marked it relevant, 0 not relevant" in html
    assert 'value="relevant" class="small" aria-pressed="true"' in html


def test_minimum_readiness_set_on_the_page_moves_a_solution_to_excluded(world):
    client = logged_in(world["asker"])
    url = world["need"].get_absolute_url()
    assert "Lab charger prototype" in _ranked_part(client.get(url).content.decode())
    client.post(f"/en/matching/needs/{world['need'].pk}/criteria/", {"min_trl": "6"})
    assert NeedCriteria.objects.get(need=world["need"]).min_trl == 6
    html = client.get(url).content.decode()
    assert "Lab charger prototype" not in _ranked_part(html)
    assert "TRL 3 is below the minimum of 6" in html
    response = client.post(f"/en/matching/needs/{world['need'].pk}/criteria/", {"min_trl": "x"})
    assert response.status_code == 302
    assert NeedCriteria.objects.get(need=world["need"]).min_trl == 6


def test_the_needs_maintainers_state_the_countries_on_the_page(world):
    client = logged_in(world["asker"])
    url, need = world["need"].get_absolute_url(), world["need"]
    form = client.get(url).content.decode()
    assert 'name="regions"' in form and '<option value="CN">China</option>' in form
    client.post(f"/en/matching/needs/{need.pk}/criteria/", {"min_trl": "", "regions": ["CN"]})
    assert [str(c.code) for c in NeedCriteria.objects.get(need=need).regions] == ["CN"]
    html = client.get(url).content.decode()
    assert "Limits this need states:" in html
    assert "only solutions and cases from China" in html
    assert "Bus depot in Munich" not in _ranked_part(html)
    assert "carried out in Germany; the need asks for China" in html
    assert '<option value="CN" selected>China</option>' in html
    # an unknown code is refused by name and nothing changes
    response = client.post(
        f"/en/matching/needs/{need.pk}/criteria/", {"regions": ["CN", "XX"]}, follow=True
    )
    assert "Unknown country code: XX." in response.content.decode()
    assert [str(c.code) for c in NeedCriteria.objects.get(need=need).regions] == ["CN"]
    # choosing no country lifts the limit
    client.post(f"/en/matching/needs/{need.pk}/criteria/", {"min_trl": ""})
    assert list(NeedCriteria.objects.get(need=need).regions) == []
    assert "Bus depot in Munich" in _ranked_part(client.get(url).content.decode())


def test_visitors_see_the_stated_limits_but_not_the_form(client, world):
    NeedCriteria.objects.create(need=world["need"], regions=["CN", "SG"], min_trl=6)
    html = client.get(world["need"].get_absolute_url()).content.decode()
    assert "only solutions and cases from China, Singapore" in html
    assert "TRL 6 or above" in html
    assert 'name="regions"' not in html


def _ranked_part(html: str) -> str:
    """The ranked list only, without the excluded candidates below it."""
    start = html.index('class="cards match-list"')
    return html[start : html.index("</ol>", start)]


def test_requesting_an_introduction_through_the_form(world, committed):
    client = logged_in(world["asker"])
    url = f"/en/introductions/new/{world['startup'].pk}/?about=need:{world['need'].pk}"
    form = client.get(url).content.decode()
    assert f'value="need:{world["need"].pk}" selected' in form
    assert f'value="solution:{world["chargers"].pk}"' in form
    body = {
        "requesting_organisation": world["city"].pk,
        "about": f"need:{world['need'].pk}",
        "message": "We run 200 buses.",
    }
    with committed():
        response = client.post(url, body)
    assert response.status_code == 302 and response["Location"] == "/en/introductions/"
    assert Introduction.objects.get().message == "We run 200 buses."
    assert len(mail.outbox) == 1
    again = client.post(url, body)
    assert again.status_code == 422
    assert "already has an open request" in again.content.decode()
    assert Introduction.objects.count() == 1
    empty = client.post(url, {**body, "message": ""})
    assert empty.status_code == 422


def test_a_person_without_an_organisation_is_told_to_join_one(world):
    client = logged_in(UserFactory())
    html = client.get(f"/en/introductions/new/{world['startup'].pk}/").content.decode()
    assert "Join or add your organisation first" in html
    need_page = client.get(world["need"].get_absolute_url()).content.decode()
    assert "join yours first, then ask" in need_page


def test_other_organisations_can_offer_help_from_the_need_page(world):
    html = logged_in(world["answerer"]).get(world["need"].get_absolute_url()).content.decode()
    assert f"/en/introductions/new/{world['city'].pk}/?about=need%3A{world['need'].pk}" in html
    own = logged_in(world["asker"]).get(world["need"].get_absolute_url()).content.decode()
    assert "Meet them" not in own


def test_solution_and_organisation_pages_show_pilot_sites_and_investors(client, world):
    fund = OrganisationFactory(name_en="Mobility Fund", kind="investor")
    profile = InvestorProfile.objects.create(organisation=fund, stages=["series_a"])
    profile.sectors.add(Sector.objects.get(slug="electric-vehicles"))
    for page in (world["chargers"].get_absolute_url(), world["startup"].get_absolute_url()):
        html = client.get(page).content.decode()
        assert "Pilot sites: open needs that fit" in html
        assert "Depot charging for electric buses" in html
        assert "Investors whose thesis fits" in html and "Mobility Fund" in html
    member = logged_in(world["answerer"]).get(world["chargers"].get_absolute_url())
    html = member.content.decode()
    assert f"/en/introductions/new/{fund.pk}/?about=solution%3A{world['chargers'].pk}" in html
    assert f"/en/introductions/new/{world['city'].pk}/?about=need%3A{world['need'].pk}" in html
    investor_page = client.get(fund.get_absolute_url()).content.decode()
    assert "Pilot sites" not in investor_page  # an investor is a counterpart, not a venture


def test_the_introductions_page_answers_and_shows_contacts(world, committed):
    with committed():
        logged_in(world["asker"]).post(
            f"/en/introductions/new/{world['startup'].pk}/",
            {
                "requesting_organisation": world["city"].pk,
                "about": f"need:{world['need'].pk}",
                "message": "Hello",
            },
        )
    introduction = Introduction.objects.get()
    target = logged_in(world["answerer"])
    page = target.get("/en/introductions/").content.decode()
    assert "Accept and share contact details" in page and "mei@example.org" not in page
    with committed():
        response = target.post(
            f"/en/introductions/{introduction.pk}/answer/",
            {"decision": "accept", "note": "Call us"},
            follow=True,
        )
    html = response.content.decode()
    assert "You can now see each other" in html
    assert "mei@example.org" in html and "ravi@example.org" in html
    assert "Call us" in html
    asker_page = logged_in(world["asker"]).get("/en/introductions/").content.decode()
    assert "ravi@example.org" in asker_page and "Accepted" in asker_page


def impressions(need) -> list[tuple[str, int, int]]:
    from ecotone.matching.models import MatchImpression

    rows = MatchImpression.objects.filter(need=need).order_by("surface")
    return list(rows.values_list("surface", "views", "matches_shown"))


def test_showing_a_needs_matches_is_counted_per_surface_and_day(client, world):
    need = world["need"]
    page = client.get(need.get_absolute_url()).content.decode()
    shown_on_page = page[page.index('id="matches"') :].count('<li class="card match"')
    assert shown_on_page >= 1
    client.get(need.get_absolute_url())
    api = client.get(f"/api/v1/needs/{need.pk}/matches?limit=1").json()
    assert len(api["matches"]) == 1
    assert impressions(need) == [("api", 1, 1), ("page", 2, 2 * shown_on_page)]


def test_a_list_with_no_match_is_not_counted(client, world, committed):
    with committed():
        lonely = NeedFactory(organisation=world["city"], title_en="Zyxwv qqq unmatched")
    api = client.get(f"/api/v1/needs/{lonely.pk}/matches").json()
    assert api["matches"] == []
    assert impressions(lonely) == []


def test_staff_figures_show_how_often_matches_were_shown(client, world):
    need = world["need"]
    client.get(need.get_absolute_url())
    client.get(f"/api/v1/needs/{need.pk}/matches?limit=2")
    client.get(f"/api/v1/needs/{need.pk}/matches?limit=2")
    staff = UserFactory(username="ops", is_staff=True)
    html = logged_in(staff).get("/en/matching/figures/").content.decode()
    assert 'data-figure="match_lists_shown">3<' in html
    assert 'data-figure="match_lists_shown_on_pages">1<' in html
    assert 'data-figure="needs_whose_matches_were_shown">1<' in html
    assert "Match lists shown in the last 30 days" in html


def test_the_limits_and_the_left_out_count_read_in_chinese(client, world, committed):
    with committed():
        need = world["need"]
        need.problem_en = "Our buses wait at the harbour terminal overnight."
        need.save()
        # shares a word of the problem but not the title, and no sector: left out, counted
        shipping = CaseFactory(title_en="CO2 shipping from the harbour terminal", country="CN")
        shipping.sectors.add(Sector.objects.get(slug="ccus"))
    html = client.get(f"/zh-hans/needs/{world['need'].pk}/").content.decode()
    assert "本需求未声明限制条件" in html
    assert "未予列出" in html


def test_the_chinese_need_page_punctuates_its_lists_and_limits_in_chinese(world, committed):
    """Limits, shared sectors and evidence read 技术成熟度 6 级及以上；预算不超过…。 and
    电动汽车与充电、低碳交通, not with the English "; ", ", " and "."."""
    need, chargers = world["need"], world["chargers"]
    transport = Sector.objects.get(slug="low-carbon-transportation")
    with committed():
        need.budget_max, need.currency = 2_000_000, "CNY"
        need.save()
        need.sectors.add(transport)
        chargers.sectors.add(transport)
    client = logged_in(world["asker"])
    client.post(f"/en/matching/needs/{need.pk}/criteria/", {"min_trl": "6"})
    html = client.get(f"/zh-hans/needs/{need.pk}/").content.decode()
    matches = html.split('id="matches"')[1].split("</section>")[0]
    limits = " ".join(matches.split('class="hint need-limits">')[1].split("</p>")[0].split())
    assert limits.endswith("。") and "；" in limits, limits
    assert "、" in matches and "; " not in matches and ", " not in matches


def test_the_limits_form_says_where_the_budget_limit_comes_from(world, committed):
    """The form said limits apply only when stated there, while the need's budget, stated
    elsewhere, already limited the matches."""
    need = world["need"]
    with committed():
        need.budget_max, need.currency = 2_000_000, "CNY"
        need.save()
    html = logged_in(world["asker"]).get(need.get_absolute_url()).content.decode()
    assert "budget up to 2,000,000 CNY" in html
    assert "Limits apply only when you state them here." not in html
    assert "the budget limit is this need's budget, changed by editing the need" in html
