"""Operators browse factors and calculations here; both are read-only, because a change
must be a new version (``ecotone impact factors import``, ``ecotone impact recalc``)."""

from django.contrib import admin

from ecotone.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Calculation, CaseShare, EmissionFactor


@admin.register(EmissionFactor)
class EmissionFactorAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "value", "unit", "region", "year", "kind", "dataset")
    list_filter = ("dataset", "kind", "year")
    search_fields = ("key", "name_en", "name_zh", "region")


@admin.register(Calculation)
class CalculationAdmin(ReadOnlyAdmin):
    list_display = ("id", "methodology_id", "version", "value", "unit", "period", "year", "basis")
    list_filter = ("methodology_id", "basis", "period", "evidence")
    raw_id_fields = ("case", "solution")


@admin.register(CaseShare)
class CaseShareAdmin(AuditedAdmin):
    list_display = ("case", "organisation", "share")
    raw_id_fields = ("case", "organisation")
