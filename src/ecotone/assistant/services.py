"""Asking, and who may see what: the one place questions are checked, answered and stored.

The page, the API and ``ecotone ask`` all call ``ask``: it checks the question (length,
language), the conversation (its owner) and the anonymous client's rate, answers
(``extractive``, or ``generative`` when an endpoint is configured) and stores the question
with its answer in one transaction.
"""

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ecotone.search.text import detect_language

from . import catalogue, extractive, generative
from .models import Answer, AnswerMode, Conversation, Feedback, FeedbackVerdict, Question

logger = logging.getLogger("ecotone.assistant")

MAX_QUESTION_CHARS = 2000
MAX_COMMENT_CHARS = 2000
LANGUAGES = ("zh", "en")


class AskRefused(Exception):
    """A question or feedback that cannot be taken: ``status`` is the HTTP status a page or
    the API answers with, ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 422, code=""):
        self.message, self.field, self.status = message, field, status
        self.code = code or {404: "not_found", 429: "rate_limited"}.get(status, "invalid")
        super().__init__(message)


@dataclass(frozen=True)
class Asker:
    """Who is asking: a signed-in user, or an anonymous client known by its address."""

    user: User | AnonymousUser | None = None
    address: str = ""

    @property
    def account(self) -> User | None:
        """The signed-in user, or None for an anonymous asker."""
        if isinstance(self.user, User) and self.user.is_authenticated:
            return self.user
        return None

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    @property
    def client(self) -> str:
        if self.signed_in or not self.address:
            return ""
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, self.address.encode(), hashlib.sha256).hexdigest()


def checked_question(text) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise AskRefused(_("enter a question"), field="question")
    if len(text) > MAX_QUESTION_CHARS:
        raise AskRefused(
            _("a question may have at most %(most)s characters (this one has %(count)s)")
            % {"most": MAX_QUESTION_CHARS, "count": len(text)},
            field="question",
        )
    return text


def checked_language(language, question: str) -> str:
    """The reader's language: as given, else the question's own."""
    language = (language or "").strip().lower().replace("_", "-")
    if not language:
        return detect_language(question)
    language = {"zh-hans": "zh", "zh-cn": "zh", "en-us": "en", "en-gb": "en"}.get(
        language, language
    )
    if language not in LANGUAGES:
        raise AskRefused(_("language must be zh or en"), field="language")
    return language


def can_view(conversation: Conversation, user) -> bool:
    """An anonymous conversation: whoever holds its link. A user's: that user and staff."""
    if conversation.user_id is None:
        return True
    return bool(
        user and user.is_authenticated and (user.is_staff or user.pk == conversation.user_id)
    )


def visible_conversation(public_id, user) -> Conversation:
    """The conversation behind a link, if ``user`` may see it (else ``AskRefused`` 404, as
    for a link that does not exist: a private conversation is not confirmed to exist)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise AskRefused(_("no such conversation"), field="conversation", status=404) from None
    conversation = Conversation.objects.filter(public_id=key).first()
    if conversation is None or not can_view(conversation, user):
        raise AskRefused(_("no such conversation"), field="conversation", status=404)
    return conversation


def _continued(public_id, asker: Asker) -> Conversation | None:
    """The conversation a follow-up joins: only its owner's (an anonymous one's: any
    anonymous holder of the link), so no one's question appears in another's thread."""
    if not public_id:
        return None
    conversation = visible_conversation(public_id, asker.user)
    owner = asker.account.pk if asker.account else None
    if conversation.user_id != owner:
        raise AskRefused(
            _("this conversation is someone else's; ask in a new one"),
            field="conversation",
            status=403,
            code="forbidden",
        )
    return conversation


def check_rate(asker: Asker) -> None:
    """Anonymous clients may ask ``ECOTONE_ASK_RATE_LIMIT`` questions a minute (0: no limit)."""
    limit = settings.ECOTONE_ASK_RATE_LIMIT
    if asker.signed_in or limit <= 0 or not asker.client:
        return
    since = timezone.now() - timedelta(minutes=1)
    recent = Question.objects.filter(client=asker.client, user=None, created_at__gte=since)
    if recent.count() >= limit:
        raise AskRefused(
            _(
                "too many questions: at most %(limit)s a minute without signing in; wait a "
                "minute or sign in"
            )
            % {"limit": limit},
            status=429,
        )


def ask(text, *, language=None, conversation=None, asker: Asker | None = None) -> Answer:
    """Answer a question and store it (with its conversation, new or continued)."""
    asker = asker or Asker()
    text = checked_question(text)
    language = checked_language(language, text)
    thread = _continued(conversation, asker)
    check_rate(asker)
    previous = thread.questions.order_by("-created_at", "-id").first() if thread else None
    extract, mode, dropped = compose(text, language, previous.text if previous else "")
    with transaction.atomic():
        if thread is None:
            thread = Conversation.objects.create(user=asker.account)
        question = Question.objects.create(
            conversation=thread,
            text=text,
            language=language,
            user=asker.account,
            client=asker.client,
        )
        return Answer.objects.create(
            question=question,
            status=extract.status,
            mode=mode,
            sentences=extract.sentences,
            reading=extract.reading,
            dropped=dropped,
        )


def compose(text: str, language: str, previous: str = ""):
    """(extract, mode, uncited sentences dropped) for a checked question, nothing stored:
    counted from the catalogue for its own questions (``catalogue``), else written by the
    configured model from the retrieved passages when one is set and answers, else
    extracted. Labels (section names) are in the reader's language."""
    with override("zh-hans" if language == "zh" else "en"):
        return _compose(text, language, previous)


def _compose(text: str, language: str, previous: str):
    counted = catalogue.answer(text, language)
    if counted is not None and counted.status == "answered":
        return counted, AnswerMode.CATALOGUE, 0
    extract = extractive.answer(text, language, previous)
    if not settings.ECOTONE_ASK_LLM_URL or extract.status != "answered":
        return extract, AnswerMode.EXTRACTIVE, 0
    try:
        written = generative.answer(text, language, extract)
    except generative.ModelUnavailable as error:
        logger.warning("generative answer failed, extractive used: %s", error)
        return extract, AnswerMode.EXTRACTIVE, 0
    if written is None:
        return extract, AnswerMode.EXTRACTIVE, 0
    return written.extract, AnswerMode.GENERATIVE, written.dropped


def answer_body(answer: Answer, language: str | None = None) -> dict:
    """An answer as the API gives it (the contract's keys first); titles in ``language``."""
    language = language or answer.question.language
    return {
        "answer": [
            {
                "text": s["text"],
                "citations": [public_citation(c, language) for c in s["citations"]],
                **{key: s[key] for key in ("counted", "list_url") if key in s},
            }
            for s in answer.sentences
        ],
        "status": answer.status,
        "conversation": str(answer.question.conversation.public_id),
        "answer_id": str(answer.public_id),
        "question": answer.question.text,
        "language": answer.question.language,
        "mode": answer.mode,
        "reading": [public_citation(c, language) for c in answer.reading],
        "message": ""
        if answer.status == "answered"
        else "the platform's documents do not answer this; the closest passages are in 'reading'",
    }


def public_citation(citation: dict, language: str) -> dict:
    titles = citation.get("titles") or {}
    title = titles.get(language) or citation.get("title") or citation["external_id"]
    return {
        "kind": citation["kind"],
        "external_id": citation["external_id"],
        "title": title,
        "page": citation.get("page", ""),
        "passage": citation["passage"],
        "url": citation.get("url", ""),
        "version": citation.get("version", ""),
    }


def visible_answer(public_id, user) -> Answer:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise AskRefused(_("no such answer"), field="answer", status=404) from None
    answer = Answer.objects.select_related("question__conversation").filter(public_id=key).first()
    if answer is None or not can_view(answer.question.conversation, user):
        raise AskRefused(_("no such answer"), field="answer", status=404)
    return answer


def give_feedback(answer_id, verdict, comment="", *, user=None) -> Feedback:
    """A reader's verdict on an answer they may see."""
    answer = visible_answer(answer_id, user)
    if verdict not in FeedbackVerdict.values:
        raise AskRefused(
            _("verdict must be one of: %(verdicts)s")
            % {"verdicts": ", ".join(FeedbackVerdict.values)},
            field="verdict",
        )
    comment = str(comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise AskRefused(
            _("a comment may have at most %(most)s characters") % {"most": MAX_COMMENT_CHARS},
            field="comment",
        )
    signed_in = user is not None and user.is_authenticated
    return Feedback.objects.create(
        answer=answer, verdict=verdict, comment=comment, user=user if signed_in else None
    )


def conversations_of(user):
    """A signed-in user's own conversations, newest first."""
    return Conversation.objects.filter(user=user).prefetch_related("questions")
