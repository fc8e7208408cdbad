"""The emission-factor filters: one definition for the library page, ``GET impact/factors``
and ``ecotone impact factors export``, so the same parameters give the same factors."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ecotone.catalog.filters import WholeNumberFilter
from ecotone.core.bounds import MAX_YEAR, MIN_YEAR
from ecotone.core.refusals import Refused

from .models import EmissionFactor, FactorKind


class InvalidFactorFilter(Refused, ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


class EmissionFactorFilterSet(django_filters.FilterSet):
    """``q`` (key or name, either language), ``dataset``, ``kind``, ``region`` (either
    language, any case), ``year``; current versions unless ``all_versions``."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    dataset = django_filters.CharFilter(field_name="dataset", label=_("Dataset"))
    kind = django_filters.ChoiceFilter(choices=FactorKind.choices, label=_("Kind"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region"))
    year = WholeNumberFilter(
        field_name="year", min_value=MIN_YEAR, max_value=MAX_YEAR, label=_("Year")
    )
    all_versions = django_filters.BooleanFilter(method="filter_versions", label=_("All versions"))

    class Meta:
        model = EmissionFactor
        fields = ["q", "dataset", "kind", "region", "year", "all_versions"]

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("all_versions"):
            queryset = queryset.filter(superseded_by__isnull=True)
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(key__icontains=value) | Q(name_en__icontains=value) | Q(name_zh__icontains=value)
        )

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(region__iexact=value) | Q(region_zh=value))

    def filter_versions(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # applied in ``qs``: without it, only current versions


def filtered_factors(params) -> QuerySet:
    """The factors ``params`` select, in the library's order; a bad parameter is refused
    naming it (a 422 in the API, an error in the CLI)."""
    filterset = EmissionFactorFilterSet(data=params, queryset=library_order())
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise InvalidFactorFilter(field, str(messages[0]))
    return filterset.qs


def library_order() -> QuerySet:
    return EmissionFactor.objects.order_by("dataset", "key", "version")
