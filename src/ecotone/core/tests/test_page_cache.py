"""Whole pages kept for visitors who are not logged in (core/page_cache.py): served again
from the cache until the catalogue changes, never to or from a logged-in user, never with a
cookie, a CSRF token or a message of one visitor in them. A real file cache in the test's
own folder; the real database (SQLite, or PostgreSQL with DATABASE_URL)."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from ecotone.catalog.models import Sector
from ecotone.core.page_cache import STATE_HEADER, cached_public_page
from ecotone.core.testing import NeedFactory, SolutionFactory, UserFactory
from ecotone.matching.models import MatchImpression

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_cache")]


def state(response) -> str | None:
    return response.get(STATE_HEADER)


def test_a_visitor_s_second_home_page_comes_from_the_cache_until_a_record_is_committed(
    client, committed
):
    first = client.get(reverse("core:home"))
    again = client.get(reverse("core:home"))
    assert (state(first), state(again)) == ("stored", "hit")
    assert again.content == first.content
    assert "Tidal heat for a fishing port" not in again.content.decode()

    with committed():
        NeedFactory(title_en="Tidal heat for a fishing port")
    after_edit = client.get(reverse("core:home"))
    assert state(after_edit) == "stored"  # made again at once
    assert "Tidal heat for a fishing port" in after_edit.content.decode()


def test_an_edit_of_a_need_shows_on_its_page_at_once(client, committed):
    with committed():
        need = NeedFactory(title_en="Cold storage for a market")
    url = need.get_absolute_url()
    client.get(url)
    assert state(client.get(url)) == "hit"
    with committed():
        need.title_en = "Solar cold storage for a market"
        need.save()
    page = client.get(url)
    assert state(page) == "stored"
    assert "Solar cold storage for a market" in page.content.decode()


def test_a_logged_in_user_never_gets_a_cached_page_and_never_fills_the_cache(client):
    url = reverse("catalog:record_list", args=["needs"])
    assert state(client.get(url)) == "stored"  # a visitor's page is in the cache
    user = UserFactory(username="ines-with-a-private-name")
    client.force_login(user)
    mine = client.get(url)
    assert state(mine) is None  # made for the user, not taken from the cache nor kept
    assert "ines-with-a-private-name" in mine.content.decode()
    client.logout()
    visitor = client.get(url)
    assert state(visitor) == "hit"
    assert "ines-with-a-private-name" not in visitor.content.decode()


def test_each_language_and_each_query_has_its_own_page(client):
    english = client.get("/en/search/?q=heat")
    chinese = client.get("/zh-hans/search/?q=heat")
    other = client.get("/en/search/?q=heat+pump")
    assert [state(r) for r in (english, chinese, other)] == ["stored"] * 3
    assert 'lang="en"' in english.content.decode()
    assert 'lang="zh-hans"' in chinese.content.decode()
    assert state(client.get("/zh-hans/search/?q=heat")) == "hit"


def test_a_need_page_from_the_cache_still_counts_the_showing_of_its_matches(client, committed):
    storage = Sector.objects.get(slug="energy-storage")
    with committed():
        need = NeedFactory(
            title_en="Battery storage for an industrial park",
            problem_en="We want batteries to shift solar output to the evening peak.",
        )
        need.sectors.add(storage)
        battery = SolutionFactory(
            title_en="Containerised battery storage",
            description_en="Lithium batteries that shift solar output to the evening peak.",
        )
        battery.sectors.add(storage)
    url = need.get_absolute_url()
    pages = [client.get(url) for _ in range(3)]
    assert [state(page) for page in pages] == ["stored", "hit", "hit"]
    assert "Containerised battery storage" in pages[2].content.decode()
    impression = MatchImpression.objects.get(need=need, surface="page")
    assert (impression.views, impression.matches_shown) == (3, 3)


def test_other_detail_pages_are_not_kept(client, committed):
    with committed():
        solution = SolutionFactory()
    assert state(client.get(solution.get_absolute_url())) is None


# What a page may not carry into the cache, through views made for the purpose.


def anonymous_get(path: str = "/en/made-for-the-test/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def counting_view(body):
    calls = []

    @cached_public_page
    def view(request):
        calls.append(request)
        return body(request)

    return view, calls


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda r: HttpResponse(get_token(r)), id="a CSRF token"),
        pytest.param(lambda r: _with_cookie(HttpResponse("hello")), id="a cookie"),
        pytest.param(lambda r: _with_session_write(r), id="a session write"),
        pytest.param(lambda r: _with_message(r), id="a message"),
        pytest.param(lambda r: HttpResponse("gone", status=404), id="not a 200"),
        pytest.param(lambda r: _private(HttpResponse("mine")), id="Cache-Control: private"),
    ],
)
def test_a_page_that_carries_something_of_one_visitor_is_never_kept(body):
    view, calls = counting_view(body)
    first, second = view(anonymous_get()), view(anonymous_get())
    assert len(calls) == 2
    assert state(first) is None and state(second) is None


def test_a_visitor_with_a_message_waiting_gets_a_page_made_for_them():
    view, calls = counting_view(lambda r: HttpResponse("the page"))
    view(anonymous_get())  # kept
    assert state(view(anonymous_get())) == "hit"
    request = anonymous_get()
    messages.info(request, "Your password was changed.")
    assert state(view(request)) is None
    assert len(calls) == 2


def test_only_gets_are_answered_from_the_cache():
    view, calls = counting_view(lambda r: HttpResponse("the page"))
    view(anonymous_get())
    request = RequestFactory().head("/en/made-for-the-test/")
    request.user = AnonymousUser()
    assert state(view(request)) is None
    assert len(calls) == 2


def _with_cookie(response):
    response.set_cookie("tracking", "1")
    return response


def _with_session_write(request):
    request.session["seen"] = True
    return HttpResponse("hello")


def _with_message(request):
    messages.info(request, "Welcome back.")
    return HttpResponse("hello")


def _private(response):
    response["Cache-Control"] = "private, max-age=0"
    return response
