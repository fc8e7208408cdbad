"""Questions, answers and feedback for staff to read; nothing is edited here (an answer is
a record of what was said)."""

from django.contrib import admin

from ecotone.core.admin import ReadOnlyAdmin

from . import models


class QuestionInline(admin.TabularInline):
    model = models.Question
    fields = ("text", "language", "user", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(models.Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "user", "created_at")
    search_fields = ("public_id", "questions__text")
    inlines = [QuestionInline]


@admin.register(models.Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("text", "language", "user", "created_at")
    list_filter = ("language",)
    search_fields = ("text",)


class FeedbackInline(admin.TabularInline):
    model = models.Feedback
    fields = ("verdict", "comment", "user", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("question", "status", "mode", "dropped", "created_at")
    list_filter = ("status", "mode", "feedback__verdict")
    search_fields = ("question__text",)
    inlines = [FeedbackInline]


@admin.register(models.Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("answer", "verdict", "comment", "user", "created_at")
    list_filter = ("verdict",)
    search_fields = ("comment", "answer__question__text")
