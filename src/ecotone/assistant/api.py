"""``POST /api/v1/ask``: a question in, an answer made of cited sentences out."""

from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from ecotone.core.schemas import BodyIn, ErrorOut

from .services import (
    MAX_COMMENT_CHARS,
    MAX_QUESTION_CHARS,
    Asker,
    answer_body,
    ask,
    give_feedback,
    visible_conversation,
)

router = Router(tags=["assistant"])


class AskIn(BodyIn):
    #: the question, in Chinese or English
    question: str = Field(max_length=MAX_QUESTION_CHARS * 2)
    #: the reader's language (titles, page labels); the question's own when left out
    language: Literal["zh", "en"] | None = None
    #: a conversation's id from an earlier answer: the question is a follow-up
    conversation: str | None = None


class CitationOut(Schema):
    kind: str
    external_id: str
    title: str
    page: str
    passage: str
    url: str
    version: str


class SentenceOut(Schema):
    text: str
    citations: list[CitationOut]
    #: a count of the catalogue's records (mode ``catalogue``): how many it counts (it cites
    #: ten at most) and the catalogue's list of them; absent for a document's sentence
    counted: int | None = None
    list_url: str | None = None


class AnswerOut(Schema):
    answer: list[SentenceOut]
    status: Literal["answered", "not_answered"]
    conversation: str
    answer_id: str
    question: str
    language: str
    mode: str
    reading: list[CitationOut]
    message: str


class FeedbackIn(BodyIn):
    verdict: Literal["helpful", "wrong", "missing_source"]
    comment: str = Field("", max_length=MAX_COMMENT_CHARS)


class FeedbackOut(Schema):
    answer_id: str
    verdict: str
    comment: str


class ConversationOut(Schema):
    conversation: str
    questions: list[AnswerOut]


def _asker(request) -> Asker:
    return Asker(user=request.user, address=request.META.get("REMOTE_ADDR", ""))


@router.post(
    "/ask",
    response={200: AnswerOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    operation_id="ask",
    summary="Ask the platform's documents a question",
)
def ask_question(request, body: AskIn):
    """Answers with sentences taken from the public records (resources' full text page by
    page, cases, solutions, needs), each with the passages it cites. ``status`` is
    ``not_answered`` when the documents do not answer: ``answer`` is then empty and
    ``reading`` lists the closest passages. The question must have 1 to 2,000 characters.
    Anonymous clients may ask ``ECOTONE_ASK_RATE_LIMIT`` questions a minute (429 beyond).
    A signed-in user's conversations are private to them and to staff; an anonymous
    conversation is visible to whoever holds its id."""
    answer = ask(
        body.question, language=body.language, conversation=body.conversation, asker=_asker(request)
    )
    return answer_body(answer, body.language)


@router.get(
    "/ask/conversations/{conversation}",
    response={200: ConversationOut, 404: ErrorOut},
    operation_id="ask_conversation",
    summary="A conversation's questions and answers",
)
def conversation(request, conversation: str):
    """As they were answered: each citation keeps the passage and the record's version it
    was read at."""
    found = visible_conversation(conversation, request.user)
    answers = [q.answer for q in found.questions.select_related("answer", "conversation")]
    return {
        "conversation": str(found.public_id),
        "questions": [answer_body(answer) for answer in answers],
    }


@router.post(
    "/ask/answers/{answer_id}/feedback",
    response={200: FeedbackOut, 404: ErrorOut},
    operation_id="ask_feedback",
    summary="Say whether an answer helped",
)
def feedback(request, answer_id: str, body: FeedbackIn):
    """``helpful``, ``wrong`` or ``missing_source``, with an optional comment; staff read it
    with the question."""
    given = give_feedback(answer_id, body.verdict, body.comment, user=request.user)
    return {
        "answer_id": str(given.answer.public_id),
        "verdict": given.verdict,
        "comment": given.comment,
    }
