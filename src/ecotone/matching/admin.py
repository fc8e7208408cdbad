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


@admin.register(models.BrokerAssignment)
class BrokerAssignmentAdmin(admin.ModelAdmin):
    """Staff appoint brokers here: a person or an intermediary organisation, for sectors
    and/or countries (none: all)."""

    list_display = ("__str__", "active", "appointed_by", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("organisation", "user", "appointed_by")
    filter_horizontal = ("sectors",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.appointed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.BrokerAction)
class BrokerActionAdmin(admin.ModelAdmin):
    list_display = ("introduction", "outcome", "broker", "created_at")
    list_filter = ("outcome",)
    raw_id_fields = ("introduction", "broker")
