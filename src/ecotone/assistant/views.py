"""The assistant's pages: ask, read a conversation (shareable by its link), give feedback,
and the staff's list of recent questions with their feedback."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.accounts.permissions import is_staff
from ecotone.search.highlight import find_matches, snippet

from .models import Answer, FeedbackVerdict
from .passages import page_label
from .question import highlight_terms
from .services import (
    MAX_QUESTION_CHARS,
    Asker,
    AskRefused,
    ask,
    give_feedback,
    visible_conversation,
)

STAFF_PAGE_SIZE = 50


def reader_language() -> str:
    return "zh" if (get_language() or "en").startswith("zh") else "en"


def ask_page(request):
    """A new question (GET shows the box; POST asks and shows the conversation)."""
    if request.method == "POST":
        return _ask(request)
    return render(request, "assistant/ask.html", {"max_chars": MAX_QUESTION_CHARS})


def _ask(request):
    conversation = request.POST.get("conversation", "")
    try:
        answer = ask(
            request.POST.get("question", ""),
            language=reader_language(),
            conversation=conversation or None,
            asker=Asker(user=request.user, address=request.META.get("REMOTE_ADDR", "")),
        )
    except AskRefused as refusal:
        if conversation and refusal.status != 404:
            try:
                thread = visible_conversation(conversation, request.user)
            except AskRefused:
                thread = None
            if thread is not None:
                return _conversation(request, thread, refusal)
        context = {
            "error": refusal,
            "max_chars": MAX_QUESTION_CHARS,
            "question": request.POST.get("question", "")[:MAX_QUESTION_CHARS],
        }
        return render(request, "assistant/ask.html", context, status=refusal.status)
    url = reverse("assistant:conversation", args=[answer.question.conversation.public_id])
    return redirect(f"{url}#answer-{answer.public_id}")


def conversation_page(request, public_id):
    try:
        thread = visible_conversation(public_id, request.user)
    except AskRefused as refusal:
        raise Http404(refusal.message) from None
    return _conversation(request, thread)


def _conversation(request, thread, error: AskRefused | None = None):
    language = reader_language()
    exchanges = [
        _exchange(question, language)
        for question in thread.questions.select_related("answer").order_by("created_at", "id")
    ]
    owner = request.user.pk if request.user.is_authenticated else None
    context = {
        "conversation": thread,
        "exchanges": exchanges,
        "share_url": request.build_absolute_uri(
            reverse("assistant:conversation", args=[thread.public_id])
        ),
        "private": thread.user_id is not None,
        "may_continue": thread.user_id == owner,
        "verdicts": FeedbackVerdict.choices,
        "max_chars": MAX_QUESTION_CHARS,
        "error": error,
    }
    return render(
        request, "assistant/conversation.html", context, status=error.status if error else 200
    )


def _exchange(question, language: str) -> dict:
    answer = getattr(question, "answer", None)
    terms = highlight_terms(question.text)
    sentences = [
        {
            "text": s["text"],
            "citations": [_shown(c, terms, language) for c in s["citations"]],
            "counted": s.get("counted", 0),  # a catalogue answer: how many records it counts
            "list_url": s.get("list_url", ""),  # … and the catalogue's list of them
        }
        for s in (answer.sentences if answer else [])
    ]
    reading = [_shown(c, terms, language) for c in (answer.reading if answer else [])]
    return {"question": question, "answer": answer, "sentences": sentences, "reading": reading}


def _shown(citation: dict, terms, language: str) -> dict:
    """A stored citation as the page shows it: the title in the reader's language, the page
    label translated, the passage escaped with the question's words marked."""
    titles = citation.get("titles") or {}
    passage = citation.get("passage", "")
    spans, _ = find_matches(passage, terms)
    return {
        "title": titles.get(language) or citation.get("title") or citation.get("external_id"),
        "page": page_label(citation.get("page", "")),
        "passage_html": mark_safe(snippet(passage, spans, size=len(passage) + 1)),  # noqa: S308 (escaped by snippet)
        "url": citation.get("url", ""),
        "kind": citation.get("kind", ""),
        "external_id": escape(citation.get("external_id", "")),
    }


@require_POST
def feedback(request, public_id):
    try:
        given = give_feedback(
            public_id,
            request.POST.get("verdict", ""),
            request.POST.get("comment", ""),
            user=request.user,
        )
    except AskRefused as refusal:
        if refusal.status == 404:
            raise Http404(refusal.message) from None
        messages.error(request, refusal.message)
        return redirect(request.POST.get("next") or reverse("assistant:ask"))
    messages.success(request, _("Thank you: your feedback was saved."))
    thread = given.answer.question.conversation
    url = reverse("assistant:conversation", args=[thread.public_id])
    return redirect(f"{url}#answer-{given.answer.public_id}")


def staff_questions(request):
    """Recent questions with their answers' status and the feedback they got (staff)."""
    if not is_staff(request.user):
        raise Http404
    answers = (
        Answer.objects.select_related("question__conversation", "question__user")
        .prefetch_related("feedback")
        .order_by("-created_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in ("answered", "not_answered"):
        answers = answers.filter(status=status)
    if request.GET.get("feedback"):
        answers = answers.filter(feedback__isnull=False).distinct()
    page = Paginator(answers, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assistant/staff.html", {"page": page, "status": status})
