"""The /ask/ pages with Django's test client: asking, conversations, feedback, staff list."""

import re

import pytest
from django.test import Client

from ecotone.assistant.models import Feedback, Question
from ecotone.core.testing import CaseFactory, UserFactory, logged_in

pytestmark = pytest.mark.django_db


def ask(client, question, lang="en", **extra):
    return client.post(f"/{lang}/ask/", {"question": question, **extra}, follow=True)


def test_the_page_and_the_navigation_link():
    page = Client().get("/en/ask/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/en/ask/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script>" not in html  # the policy allows no inline script


def test_asking_shows_cited_sentences_with_marked_words(documents):
    page = ask(Client(), "What did a heat pump cost to install?")
    assert page.status_code == 200
    html = page.content.decode()
    assert "30,000 yuan" in html
    assert "Heat pumps in cold regions" in html
    assert "page 3" in html
    assert "<mark>cost</mark>" in html
    assert f'href="/en/resources/{documents["report"].pk}/"' in html


def test_a_chinese_reader_sees_chinese_titles_and_labels(documents):
    html = ask(Client(), "哈尔滨的热泵性能系数是多少？", lang="zh-hans").content.decode()
    assert "寒冷地区的热泵" in html
    assert "第 2 页" in html or "page 2" in html


def test_a_refusal_says_so_and_offers_reading(documents):
    question = "Salmon export volumes of Norwegian fjords and heat pumps"
    html = ask(Client(), question).content.decode()
    assert "documents do not answer this." in html
    assert "Closest passages" in html
    assert "Heat pumps in cold regions" in html


def test_a_question_the_documents_do_not_answer(documents):
    html = ask(Client(), "Who won the football world cup in 1998?").content.decode()
    assert "documents do not answer this." in html


def test_an_empty_question_is_refused_with_its_reason():
    page = Client().post("/en/ask/", {"question": "  "})
    assert page.status_code == 422
    assert "enter a question" in page.content.decode()
    assert not Question.objects.exists()


def test_a_follow_up_stays_in_the_conversation(documents):
    client = Client()
    first = ask(client, "air-source heat pumps in Harbin")
    link = first.redirect_chain[-1][0].split("#")[0]
    thread = re.search(r"/ask/c/([0-9a-f-]{36})/", link).group(1)
    second = ask(client, "And what did it cost?", conversation=thread)
    html = second.content.decode()
    assert "air-source heat pumps in Harbin" in html and "And what did it cost?" in html
    assert Question.objects.filter(conversation__public_id=thread).count() == 2


def test_private_conversations_and_feedback(documents):
    owner = logged_in(UserFactory())
    page = ask(owner, "air-source heat pumps in Harbin")
    link = page.redirect_chain[-1][0].split("#")[0]
    assert "only you and the platform" in page.content.decode()
    assert Client().get(link).status_code == 404
    answer = Question.objects.get().answer
    feedback_url = f"/en/ask/answers/{answer.public_id}/feedback/"
    assert Client().post(feedback_url, {"verdict": "wrong"}).status_code == 404
    done = owner.post(feedback_url, {"verdict": "wrong", "comment": "not Harbin"}, follow=True)
    assert done.status_code == 200
    assert Feedback.objects.get().comment == "not Harbin"
    staff = logged_in(UserFactory(is_staff=True))
    listing = staff.get("/en/ask/staff/").content.decode()
    assert "air-source heat pumps in Harbin" in listing and "not Harbin" in listing
    assert owner.get("/en/ask/staff/").status_code == 404


def test_feedback_needs_the_csrf_token(documents):
    client = Client(enforce_csrf_checks=True)
    ask(Client(), "heat pumps in Harbin")
    answer = Question.objects.get().answer
    response = client.post(f"/en/ask/answers/{answer.public_id}/feedback/", {"verdict": "helpful"})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_a_count_of_more_records_than_it_cites_links_to_the_catalogue_list():
    """Ten cases are cited under the sentence; the other two are one click away, on the
    catalogue's own list with the same filter, which shows all twelve."""
    for number in range(12):
        CaseFactory(title_en=f"Offshore storage {number:02d}", country="NO")
    page = ask(Client(), "How many cases are there in Norway?")
    html = page.content.decode()
    assert "12 published cases are in Norway." in html
    link = re.search(r'<p class="see-all"><a href="([^"]+)">See all 12 in the catalogue</a>', html)
    assert link, "no link to the other records counted"
    listed = Client().get(link.group(1).replace("&amp;", "&")).content.decode()
    assert all(f"Offshore storage {number:02d}" in listed for number in range(12))


def test_a_chinese_citation_names_its_page_after_a_chinese_comma(documents):
    """寒冷地区的热泵，第 2 页, not 寒冷地区的热泵, 第 2 页."""
    html = ask(Client(), "哈尔滨的热泵性能系数是多少？", lang="zh-hans").content.decode()
    captions = [
        re.sub(r"<[^>]+>", "", caption)
        for caption in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    ]
    assert "寒冷地区的热泵，第 2 页" in captions, captions
