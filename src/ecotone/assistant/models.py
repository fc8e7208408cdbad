"""Conversations with the knowledge assistant: questions, the answers given with the
passages they cited (as they read then), and readers' feedback on them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    #: the link's secret: a conversation is found by it, never by a guessable number
    public_id = models.UUIDField(_("link"), default=uuid.uuid4, unique=True, editable=False)
    #: who asked; a signed-in user's conversation is private to them and to staff, an
    #: anonymous one is visible to whoever holds its link
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assistant_conversations",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return str(self.public_id)


class Question(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(_("question"))
    language = models.CharField(_("language"), max_length=2)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assistant_questions",
        verbose_name=_("user"),
    )
    #: a keyed digest of the anonymous client's address, for the rate limit (never the address)
    client = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]


class AnswerStatus(models.TextChoices):
    ANSWERED = "answered", _("answered")
    NOT_ANSWERED = "not_answered", _("not answered")


class AnswerMode(models.TextChoices):
    EXTRACTIVE = "extractive", _("sentences from the documents")
    GENERATIVE = "generative", _("written by a language model from the documents")
    CATALOGUE = "catalogue", _("counted from the catalogue")


class Answer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    status = models.CharField(_("status"), max_length=20, choices=AnswerStatus.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=AnswerMode.choices)
    #: [{"text", "citations": [{"kind", "external_id", "title", "page", "passage", …,
    #: "version"}]}]: what was cited, as it read then
    sentences = models.JSONField(_("sentences"), default=list)
    #: the closest passages, offered when the documents do not answer
    reading = models.JSONField(_("closest passages"), default=list)
    #: written sentences left out for citing no retrieved passage (generative mode)
    dropped = models.PositiveIntegerField(_("uncited sentences dropped"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.question}"


class FeedbackVerdict(models.TextChoices):
    HELPFUL = "helpful", _("Helpful")
    WRONG = "wrong", _("Wrong")
    MISSING_SOURCE = "missing_source", _("A source is missing")


class Feedback(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="feedback")
    verdict = models.CharField(_("verdict"), max_length=20, choices=FeedbackVerdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.answer.question}"
