"""Operators set programmes up here: the call, tracks, rounds with their rubric, the
reviewer pool. What applicants, reviewers and managers do afterwards (submissions, reviews,
assignments, decisions) is read-only here: it changes only through the services, which
check each transition and write the audit trail."""

from django.contrib import admin

from ecotone.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    Assignment,
    Criterion,
    Decision,
    Programme,
    Review,
    Reviewer,
    Round,
    Submission,
    Track,
)


class TrackInline(admin.TabularInline):
    model = Track
    extra = 1
    fields = ("position", "key", "name_en", "name_zh", "sectors")
    filter_horizontal = ("sectors",)


class RoundInline(admin.TabularInline):
    model = Round
    extra = 1
    fields = (
        "position",
        "kind",
        "name_en",
        "name_zh",
        "reviewers_per_submission",
        "max_load",
        "decision_rule",
        "decision_value",
        "reviews_due",
        "status",
    )
    readonly_fields = ("status",)
    show_change_link = True  # the rubric is edited on the round's own page


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("slug", "title_en", "year", "opens_at", "closes_at", "visibility")
    list_filter = ("year", "visibility", "illustrative")
    search_fields = ("slug", "title_en", "title_zh")
    autocomplete_fields = ("organiser",)
    readonly_fields = ("results_published_at",)
    inlines = (TrackInline, RoundInline)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1
    fields = ("position", "key", "name_en", "name_zh", "weight", "scale_min", "scale_max", "levels")


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ("programme", "position", "kind", "status", "reviews_due")
    list_filter = ("kind", "status")
    readonly_fields = ("status",)
    inlines = (CriterionInline,)


@admin.register(Reviewer)
class ReviewerAdmin(AuditedAdmin):
    list_display = ("display_name", "programme", "max_load", "active")
    list_filter = ("programme", "active")
    search_fields = ("user__username", "user__email", "expertise")
    autocomplete_fields = ("user", "person", "declared_organisations")
    filter_horizontal = ("sectors",)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("title", "programme", "track", "applicant", "status")
    list_filter = ("programme", "status")
    search_fields = ("title",)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("submission", "reviewer", "round")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "status")
    list_filter = ("status",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "round", "outcome")
    list_filter = ("outcome",)
