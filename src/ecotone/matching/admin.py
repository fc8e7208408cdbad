from django.contrib import admin

from . import models


@admin.register(models.Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ("requesting_organisation", "target_organisation", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = (
        "requester",
        "requesting_organisation",
        "target_organisation",
        "need",
        "solution",
        "responded_by",
    )
    readonly_fields = ("created_at", "updated_at")


@admin.register(models.MatchFeedback)
class MatchFeedbackAdmin(admin.ModelAdmin):
    list_display = ("need", "solution", "case", "user", "vote", "updated_at")
    list_filter = ("vote",)
    raw_id_fields = ("need", "solution", "case", "user")


@admin.register(models.NeedCriteria)
class NeedCriteriaAdmin(admin.ModelAdmin):
    list_display = ("need", "min_trl")
    raw_id_fields = ("need",)
