"""The catalogue's kinds of record, declared once and used by pages, API, import and export."""

from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django_filters import FilterSet

from . import filters, forms, models


@dataclass(frozen=True)
class Kind:
    name: str  #: singular, as used in the CLI and the API (``organisation``)
    plural: str  #: URL segment and API path (``organisations``)
    model: type[Model]
    form: type[forms.CatalogueRecordForm]
    filterset: type[FilterSet] | None = None
    #: the foreign key that names the maintaining organisation, if the kind has one
    owner_field: str | None = None
    #: the many-to-many whose first organisation maintains the record, if any
    owner_list_field: str | None = None
    #: has its own list and detail pages and API endpoints
    browsable: bool = True
    #: related objects to fetch with every list query (no N+1 on list pages)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    has_status: bool = True
    extra_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        """The import/export columns: the form's fields, then status."""
        columns = list(self.form._meta.fields or ())
        if self.has_status:
            columns.append("status")
        return columns

    def queryset(self) -> QuerySet:
        return (
            self.model._default_manager.select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
            .all()
        )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind(
            "organisation",
            "organisations",
            models.Organisation,
            forms.OrganisationForm,
            filters.OrganisationFilterSet,
            select_related=("investor_profile",),
            prefetch_related=("sectors", "investor_profile__sectors"),
        ),
        Kind(
            "investor_profile",
            "investor_profiles",
            models.InvestorProfile,
            forms.InvestorProfileForm,
            browsable=False,
            has_status=False,
            select_related=("organisation",),
            prefetch_related=("sectors",),
        ),
        Kind(
            "investment",
            "investments",
            models.Investment,
            forms.InvestmentForm,
            browsable=False,
            has_status=False,
            select_related=("investor", "investee"),
        ),
        Kind(
            "person",
            "people",
            models.Person,
            forms.PersonForm,
            filters.PersonFilterSet,
        ),
        Kind(
            "affiliation",
            "affiliations",
            models.Affiliation,
            forms.AffiliationForm,
            browsable=False,
            has_status=False,
            select_related=("person", "organisation"),
        ),
        Kind(
            "solution",
            "solutions",
            models.Solution,
            forms.SolutionForm,
            filters.SolutionFilterSet,
            owner_field="provider",
            select_related=("provider",),
            prefetch_related=("sectors",),
        ),
        Kind(
            "case",
            "cases",
            models.Case,
            forms.CaseForm,
            filters.CaseFilterSet,
            owner_list_field="organisations",
            prefetch_related=("sectors", "organisations", "solutions"),
        ),
        Kind(
            "need",
            "needs",
            models.Need,
            forms.NeedForm,
            filters.NeedFilterSet,
            owner_field="organisation",
            select_related=("organisation",),
            prefetch_related=("sectors",),
        ),
        Kind(
            "resource",
            "resources",
            models.Resource,
            forms.ResourceForm,
            filters.ResourceFilterSet,
            prefetch_related=("sectors",),
        ),
        Kind(
            "event",
            "events",
            models.Event,
            forms.EventForm,
            filters.EventFilterSet,
            owner_list_field="organisers",
            prefetch_related=("organisers",),
        ),
        Kind(
            "session",
            "sessions",
            models.EventSession,
            forms.EventSessionForm,
            browsable=False,
            has_status=False,
            select_related=("event",),
            prefetch_related=("speakers",),
        ),
        Kind(
            "award",
            "awards",
            models.Award,
            forms.AwardForm,
            filters.AwardFilterSet,
            owner_field="awarded_by",
            select_related=("case", "organisation", "awarded_by"),
        ),
    ]
}

BROWSABLE_KINDS = [kind for kind in KINDS.values() if kind.browsable]

#: the order an import of a whole data set must follow (references point backwards)
IMPORT_ORDER = [
    "organisation",
    "investor_profile",
    "investment",
    "person",
    "affiliation",
    "solution",
    "case",
    "need",
    "resource",
    "event",
    "session",
    "award",
]


def get_kind(name: str) -> Kind:
    """Accept the singular or the plural name."""
    lowered = name.lower()
    for kind in KINDS.values():
        if lowered in (kind.name, kind.plural):
            return kind
    raise KeyError(name)


def kind_of(record: Model) -> Kind:
    for kind in KINDS.values():
        if isinstance(record, kind.model):
            return kind
    raise KeyError(type(record).__name__)
