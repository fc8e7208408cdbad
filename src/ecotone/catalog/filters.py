"""One filter definition per kind, shared by the list pages, the API and exports."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import DateTimeField, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ecotone.core.bounds import MAX_TRL, MAX_YEAR, MIN_TRL, MIN_YEAR
from ecotone.core.models import PublicationStatus
from ecotone.core.widgets import LongSelect

from .choices import ContentLanguage, NeedStatus, OrganisationKind, ResourceKind
from .model_fields import EUROPEAN_UNION, INTERNATIONAL
from .models import Award, Case, Event, Need, Organisation, Person, Resource, Sector, Solution

#: (code, name) of every country, named and ordered in each language once it is asked for
_COUNTRY_CHOICES: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """Every country in the reader's language. A callable, so that each form copies a
    reference rather than ~250 choices, read when the page is drawn."""
    language = get_language() or settings.LANGUAGE_CODE
    if language not in _COUNTRY_CHOICES:
        _COUNTRY_CHOICES[language] = [(code, str(name)) for code, name in countries]
    return _COUNTRY_CHOICES[language]


#: the same for jurisdictions: the European Union and "international" first, then countries
_JURISDICTION_CHOICES: dict[str, list[tuple[str, str]]] = {}


def jurisdiction_choices() -> list[tuple[str, str]]:
    """What a document may govern, in the reader's language: the two that are not a
    country first (a reader looking for the EU's rules should not scroll to E)."""
    language = get_language() or settings.LANGUAGE_CODE
    if language not in _JURISDICTION_CHOICES:
        wider = [(EUROPEAN_UNION, _("European Union")), (INTERNATIONAL, _("International"))]
        _JURISDICTION_CHOICES[language] = [(code, str(name)) for code, name in wider] + [
            (code, str(name)) for code, name in countries
        ]
    return _JURISDICTION_CHOICES[language]


def sector_and_descendants(slug: str) -> list[int]:
    return list(
        Sector.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values_list("pk", flat=True)
    )


def city_names(text: str) -> tuple[str, str]:
    """(English, Chinese) names of the city ``text`` names in either language: the other
    name is taken from any record that gives both (``深圳`` → ``("Shenzhen", "深圳")``)."""
    text = text.strip()
    for model in (Case, Organisation, Event, Need):
        pair = (
            model.objects.filter(Q(city__iexact=text) | Q(city_zh=text))
            .exclude(city="")
            .exclude(city_zh="")
            .order_by("pk")
            .values_list("city", "city_zh")
            .first()
        )
        if pair:
            return pair
    return (text, "") if text.isascii() else ("", text)


def in_city(english: str, chinese: str, prefix: str = "") -> Q:
    """Records placed in the city: either name in the city field (any case) or in the
    Chinese city field. The one city rule of the catalogue's filters and the reports'
    regions."""
    condition = Q()
    for name in dict.fromkeys(name for name in (english, chinese) if name):
        condition |= Q(**{f"{prefix}city__iexact": name}) | Q(**{f"{prefix}city_zh": name})
    return condition


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number within ``min_value``..``max_value``; anything else is a form error
    naming the filter (django-filter's own NumberFilter takes decimals and any size)."""

    field_class = forms.IntegerField


class CatalogueFilterSet(django_filters.FilterSet):
    """Filters every kind shares. Subclasses name their text and year columns."""

    text_fields: tuple[str, ...] = ()
    year_field: str | None = None

    q = django_filters.CharFilter(method="filter_text", label=_("Contains"))
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_sector",
        label=_("Sector"),
    )
    country = django_filters.ChoiceFilter(
        choices=country_choices, widget=LongSelect, label=_("Country")
    )
    city = django_filters.CharFilter(method="filter_city", label=_("City"))
    # a kind without a year sets it to None, which takes the filter away
    year: WholeNumberFilter | None = WholeNumberFilter(
        method="filter_year", min_value=MIN_YEAR, max_value=MAX_YEAR, label=_("Year")
    )
    status = django_filters.ChoiceFilter(choices=PublicationStatus.choices, label=_("Status"))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for field in self.text_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition) if value.strip() else queryset

    def filter_sector(self, queryset: QuerySet, name: str, value: Sector) -> QuerySet:
        sector_ids = sector_and_descendants(value.slug)
        return queryset.filter(sectors__in=sector_ids).distinct()

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(in_city(*city_names(value)))

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not self.year_field:
            return queryset
        if _on_a_timestamp(self._meta.model, self.year_field) and not MIN_YEAR < value < MAX_YEAR:
            # The first and last years cannot be moved between time zones (year 0 and 10000
            # do not exist), and nothing was added to the catalogue in either.
            return queryset.none()
        return queryset.filter(**{self.year_field: value})


def _on_a_timestamp(model, year_field: str) -> bool:
    """Whether ``year_field`` (``created_at__year``, ``year``) is read from a timestamp."""
    column = model._meta.get_field(year_field.split("__")[0])
    return isinstance(column, DateTimeField)


class OrganisationFilterSet(CatalogueFilterSet):
    text_fields = ("name_en", "name_zh", "description_en", "description_zh")
    year_field = "founded"
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sector", "country", "city", "year", "status"]


class PersonFilterSet(CatalogueFilterSet):
    text_fields = ("name_en", "name_zh", "title_en", "title_zh")
    sector = None
    country = None
    city = None
    year = None

    class Meta:
        model = Person
        fields = ["q", "status"]


class SolutionFilterSet(CatalogueFilterSet):
    text_fields = ("title_en", "title_zh", "description_en", "description_zh")
    year_field = "created_at__year"
    trl = WholeNumberFilter(field_name="trl", min_value=MIN_TRL, max_value=MAX_TRL, label=_("TRL"))
    trl_min = WholeNumberFilter(
        field_name="trl",
        lookup_expr="gte",
        min_value=MIN_TRL,
        max_value=MAX_TRL,
        label=_("TRL from"),
    )
    country = django_filters.ChoiceFilter(
        choices=country_choices, widget=LongSelect, method="filter_region", label=_("Country")
    )
    city = None
    provider = django_filters.CharFilter(field_name="provider__external_id", label=_("Provider"))

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # ``regions`` is stored as comma-separated codes.
        return queryset.filter(
            Q(regions=value)
            | Q(regions__startswith=f"{value},")
            | Q(regions__endswith=f",{value}")
            | Q(regions__contains=f",{value},")
        )

    class Meta:
        model = Solution
        fields = ["q", "sector", "country", "trl", "trl_min", "provider", "year", "status"]


class CaseFilterSet(CatalogueFilterSet):
    text_fields = ("title_en", "title_zh", "description_en", "description_zh")
    year_field = "start_date__year"
    organisation = django_filters.CharFilter(
        field_name="organisations__external_id", label=_("Organisation")
    )

    class Meta:
        model = Case
        fields = ["q", "sector", "country", "city", "year", "organisation", "status"]


class NeedFilterSet(CatalogueFilterSet):
    text_fields = ("title_en", "title_zh", "problem_en", "problem_zh")
    year_field = "deadline__year"
    need_status = django_filters.ChoiceFilter(choices=NeedStatus.choices, label=_("Need status"))

    class Meta:
        model = Need
        fields = ["q", "sector", "country", "city", "need_status", "year", "status"]


class ResourceFilterSet(CatalogueFilterSet):
    text_fields = ("title_en", "title_zh", "summary_en", "summary_zh", "publisher", "publisher_zh")
    year_field = "published__year"
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, label=_("Kind"))
    language = django_filters.ChoiceFilter(choices=ContentLanguage.choices, label=_("Language"))
    jurisdiction = django_filters.ChoiceFilter(
        choices=jurisdiction_choices, widget=LongSelect, label=_("Jurisdiction")
    )
    country = None
    city = None

    class Meta:
        model = Resource
        fields = ["q", "kind", "language", "jurisdiction", "sector", "year", "status"]


class EventFilterSet(CatalogueFilterSet):
    text_fields = ("title_en", "title_zh", "description_en", "description_zh")
    year_field = "start_date__year"
    sector = None

    class Meta:
        model = Event
        fields = ["q", "country", "city", "year", "status"]


class AwardFilterSet(CatalogueFilterSet):
    text_fields = ("programme_en", "programme_zh", "title_en", "title_zh")
    year_field = "year"
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_case_sector",
        label=_("Sector"),
    )
    country = None
    city = None

    def filter_case_sector(self, queryset: QuerySet, name: str, value: Sector) -> QuerySet:
        return queryset.filter(case__sectors__in=sector_and_descendants(value.slug)).distinct()

    class Meta:
        model = Award
        fields = ["q", "sector", "year", "status"]
