from typing import ClassVar

from django.contrib import admin
from django.db import models as dj_models

from ecotone.core.admin import AuditedAdmin

from . import models


class RecordAdmin(AuditedAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("status",)
    readonly_fields = ("created_at", "updated_at", "created_by")
    list_per_page = 50


@admin.register(models.Sector)
class SectorAdmin(AuditedAdmin):
    list_display = ("slug", "name_en", "name_zh", "parent")
    list_filter = ("parent",)
    search_fields = ("slug", "name_en", "name_zh")


@admin.register(models.Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ("name_en", "name_zh", "kind", "country", "city", "status")
    list_filter = ("status", "kind", "country")
    search_fields = ("name_en", "name_zh", "external_id")
    filter_horizontal = ("sectors",)
    raw_id_fields = ("owner",)


@admin.register(models.Person)
class PersonAdmin(RecordAdmin):
    list_display = ("name_en", "name_zh", "public_consent", "status")
    search_fields = ("name_en", "name_zh", "external_id")
    raw_id_fields = ("owner",)


@admin.register(models.Solution)
class SolutionAdmin(RecordAdmin):
    list_display = ("title_en", "title_zh", "provider", "trl", "status")
    list_filter = ("status", "trl")
    search_fields = ("title_en", "title_zh", "external_id")
    raw_id_fields = ("provider", "owner")
    filter_horizontal = ("sectors",)


@admin.register(models.Case)
class CaseAdmin(RecordAdmin):
    list_display = ("title_en", "title_zh", "country", "start_date", "status")
    search_fields = ("title_en", "title_zh", "external_id")
    raw_id_fields = ("organisations", "solutions", "owner")
    filter_horizontal = ("sectors",)


@admin.register(models.Need)
class NeedAdmin(RecordAdmin):
    list_display = ("title_en", "title_zh", "organisation", "need_status", "deadline", "status")
    list_filter = ("status", "need_status")
    search_fields = ("title_en", "title_zh", "external_id")
    raw_id_fields = ("organisation", "owner")


@admin.register(models.Resource)
class ResourceAdmin(RecordAdmin):
    list_display = ("title_en", "title_zh", "kind", "language", "published", "status")
    list_filter = ("status", "kind", "language")
    search_fields = ("title_en", "title_zh", "external_id", "publisher", "publisher_zh")
    raw_id_fields = ("owner",)


class EventSessionInline(admin.StackedInline):
    model = models.EventSession
    extra = 0
    raw_id_fields = ("speakers",)


@admin.register(models.Event)
class EventAdmin(RecordAdmin):
    list_display = ("title_en", "title_zh", "start_date", "city", "status")
    search_fields = ("title_en", "title_zh", "external_id")
    raw_id_fields = ("organisers", "owner")
    inlines = [EventSessionInline]


@admin.register(models.Award)
class AwardAdmin(RecordAdmin):
    list_display = ("programme_en", "year", "title_en", "organisation", "status")
    list_filter = ("status", "year")
    raw_id_fields = ("case", "organisation", "awarded_by", "owner")


admin.site.register(models.Affiliation, raw_id_fields=("person", "organisation"))
admin.site.register(models.InvestorProfile, raw_id_fields=("organisation",))


@admin.register(models.Investment)
class InvestmentAdmin(AuditedAdmin):
    """Staff record who invested in whom; the programmes' conflict detection reads these."""

    list_display = ("investor", "investee", "round", "year", "amount", "currency")
    list_filter = ("year",)
    search_fields = (
        "investor__name_en",
        "investor__name_zh",
        "investee__name_en",
        "investee__name_zh",
        "round",
        "external_id",
    )
    autocomplete_fields = ("investor", "investee")
    formfield_overrides = {dj_models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
