"""Validation of catalogue records, shared by the web forms, the API and imports.

One form per kind whose field names are the import/export format. References to
other records are written as their ``external_id`` (sectors as their slug).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ecotone.core.bilingual import bilingual_pairs
from ecotone.core.uploads import FileRejected, check_content

from .bilingual import empty_copied_chinese
from .fields import (
    CountryListField,
    ReferenceField,
    ReferenceListField,
    StageListField,
    catalogue_formfield,
)
from .models import (
    Affiliation,
    Award,
    Case,
    Event,
    EventSession,
    Investment,
    InvestorProfile,
    Need,
    Organisation,
    Person,
    Resource,
    Sector,
    Solution,
)
from .references import ReferenceResolver

# Long enough for any honest description; short enough that a runaway cell is caught.
MAX_DESCRIPTION_CHARS = 20_000
MAX_FULL_TEXT_CHARS = 2_000_000


class SharedFields(dict):
    """Form fields that every form made from them shares rather than copies."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class CatalogueRecordForm(forms.ModelForm):
    """Base for every kind: provenance fields, bilingual checks, list and reference fields."""

    external_id = forms.CharField(
        label=_("external id"),
        max_length=200,
        required=False,
        help_text=_("Optional. A stable identifier; left empty, one is made for you."),
    )
    #: field bases of which at least one language must be filled in
    bilingual_required: tuple[str, ...] = ()
    reference_fields: dict[str, type[Model]] = {}
    reference_list_fields: dict[str, type[Model]] = {}
    country_list_fields: tuple[str, ...] = ()
    long_text_limits: dict[str, int] = {}

    class Meta:
        formfield_callback = catalogue_formfield

    #: True when ``base_fields`` already hold the reference and list fields (an import's)
    fields_prepared = False

    def __init__(self, *args, resolver: ReferenceResolver | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.fields_prepared:
            self._add_reference_fields(resolver)
        if self.instance.pk:
            self._show_existing_references()

    def _add_reference_fields(self, resolver: ReferenceResolver | None) -> None:
        for name, model in self.reference_fields.items():
            required = not self._meta.model._meta.get_field(name).null
            self.fields[name] = ReferenceField(model, required=required, label=self._label(name))
        for name, model in self.reference_list_fields.items():
            self.fields[name] = ReferenceListField(model, label=self._label(name))
        for name in self.country_list_fields:
            self.fields[name] = CountryListField(required=False, label=self._label(name))
        if resolver is not None:
            for field in self.fields.values():
                if hasattr(field, "resolver"):
                    field.resolver = resolver

    @classmethod
    def model_defaults(cls) -> dict:
        """Values for columns a row or payload leaves out, taken from the model's defaults."""
        defaults = {}
        for name in cls._meta.fields or ():
            field = cls._meta.model._meta.get_field(name)
            if field.has_default() and not callable(field.default):
                defaults[name] = field.default
        return defaults

    @cached_property
    def changed_data(self):
        return self._with_emptied_copies(super().changed_data)

    @classmethod
    def for_many_rows(cls, resolver: ReferenceResolver) -> type["CatalogueRecordForm"]:
        """This form, for checking the rows of one import: its forms share one set of fields.

        ``Form()`` deep-copies every field for every form, which cost more than checking a
        row. Checking never changes a field, so the forms of one import can share them; the
        import also checks uniqueness itself (duplicates within the file, existing records
        are updated).
        """
        sample = cls(resolver=resolver)
        form: type[CatalogueRecordForm] = type(
            cls.__name__,
            (cls,),
            {
                "__module__": cls.__module__,
                "Meta": cls.Meta,
                "fields_prepared": True,
                "validate_unique": lambda self: None,
                # worked out once for the import, not once a row
                "bilingual_pairs": sample.bilingual_pairs,
                "text_limits": sample.text_limits,
            },
        )
        form.base_fields = SharedFields(sample.fields)
        return form

    def _with_emptied_copies(self, changed: list[str]) -> list[str]:
        """What changed once ``clean()`` emptied copied Chinese fields: a copy sent for a
        field that is empty already changes nothing; a copy stored before is removed."""
        emptied = {note.field for note in getattr(self, "bilingual_notes", ()) if note.emptied}
        if not emptied:
            return changed
        stored = {name for name in emptied if self.get_initial_for_field(self.fields[name], name)}
        return [name for name in changed if name not in emptied] + sorted(stored - set(changed))

    def _label(self, name: str):
        return self._meta.model._meta.get_field(name).verbose_name

    def _show_existing_references(self) -> None:
        for name in self.reference_fields:
            related = getattr(self.instance, name)
            self.initial[name] = related.external_id if related else ""
        for name, model in self.reference_list_fields.items():
            key = "slug" if model is Sector else "external_id"
            # .all() uses a prefetch when the caller made one (bulk imports do).
            self.initial[name] = [getattr(item, key) for item in getattr(self.instance, name).all()]
        for name in self.country_list_fields:
            self.initial[name] = [country.code for country in getattr(self.instance, name)]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        #: for the import report: copies of the English text emptied, Latin-only Chinese kept
        self.bilingual_notes = empty_copied_chinese(cleaned, self.bilingual_pairs)
        for base in self.bilingual_required:
            if not (cleaned.get(f"{base}_en") or cleaned.get(f"{base}_zh")):
                self.add_error(
                    f"{base}_en",
                    ValidationError(
                        _("give %(field)s in English or Chinese (or both)"),
                        code="required",
                        params={"field": base.replace("_", " ")},
                    ),
                )
        for name, limit in self.text_limits.items():
            value = cleaned.get(name) or ""
            if len(value) > limit:
                self.add_error(
                    name,
                    ValidationError(
                        _("too long: %(length)d characters, at most %(limit)d allowed"),
                        code="max_length",
                        params={"length": len(value), "limit": limit},
                    ),
                )
        return cleaned

    @cached_property
    def bilingual_pairs(self) -> list[tuple[str, str]]:
        """(English, Chinese) field pairs."""
        return bilingual_pairs(list(self.fields))

    @cached_property
    def text_limits(self) -> dict[str, int]:
        """Length limit per long-text field."""
        limits = {
            field.name: MAX_DESCRIPTION_CHARS
            for field in self._meta.model._meta.fields
            if field.get_internal_type() == "TextField" and field.name in self.fields
        }
        return {**limits, **self.long_text_limits}


PROVENANCE = ["external_id", "source_url", "last_verified"]


class OrganisationForm(CatalogueRecordForm):
    bilingual_required = ("name",)
    reference_list_fields = {"sectors": Sector}

    class Meta(CatalogueRecordForm.Meta):
        model = Organisation
        fields = [
            *PROVENANCE,
            "name_en",
            "name_zh",
            "kind",
            "country",
            "city",
            "city_zh",
            "website",
            "founded",
            "size_band",
            "sectors",
            "description_en",
            "description_zh",
        ]


class InvestorProfileForm(CatalogueRecordForm):
    """What an investor looks for; read by matchmaking (venture → investors)."""

    reference_fields = {"organisation": Organisation}
    reference_list_fields = {"sectors": Sector}
    country_list_fields = ("regions",)
    stages = StageListField(required=False, label=_("stages"))

    class Meta(CatalogueRecordForm.Meta):
        model = InvestorProfile
        fields = [
            "external_id",
            "organisation",
            "stages",
            "ticket_min_usd",
            "ticket_max_usd",
            "sectors",
            "regions",
            "thesis_en",
            "thesis_zh",
        ]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("ticket_min_usd"), cleaned.get("ticket_max_usd")
        if low is not None and high is not None and low > high:
            self.add_error("ticket_max_usd", _("must not be below the minimum ticket"))
        organisation = cleaned.get("organisation")
        if organisation is not None and (
            InvestorProfile.objects.filter(organisation_id=organisation.pk)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("organisation", _("this organisation already has an investor profile"))
        return cleaned


class InvestmentForm(CatalogueRecordForm):
    """Who invested in whom (read by the programmes' conflict detection)."""

    reference_fields = {"investor": Organisation, "investee": Organisation}

    class Meta(CatalogueRecordForm.Meta):
        model = Investment
        fields = [
            "external_id",
            "investor",
            "investee",
            "year",
            "round",
            "amount",
            "currency",
            "source_url",
            "note",
        ]


class PersonForm(CatalogueRecordForm):
    bilingual_required = ("name",)

    class Meta(CatalogueRecordForm.Meta):
        model = Person
        fields = [
            *PROVENANCE,
            "name_en",
            "name_zh",
            "title_en",
            "title_zh",
            "bio_en",
            "bio_zh",
            "public_consent",
        ]


class AffiliationForm(CatalogueRecordForm):
    reference_fields = {"person": Person, "organisation": Organisation}

    class Meta(CatalogueRecordForm.Meta):
        model = Affiliation
        fields = ["external_id", "person", "organisation", "role_en", "role_zh", "start", "end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("must not be before the start"))
        return cleaned


class SolutionForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_fields = {"provider": Organisation}
    reference_list_fields = {"sectors": Sector}
    country_list_fields = ("regions",)

    class Meta(CatalogueRecordForm.Meta):
        model = Solution
        fields = [
            *PROVENANCE,
            "title_en",
            "title_zh",
            "provider",
            "description_en",
            "description_zh",
            "sectors",
            "trl",
            "regions",
            "abatement_value",
            "abatement_unit",
            "abatement_basis",
            "abatement_source_url",
            "price_from",
            "price_currency",
            "price_basis",
            "url",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("abatement_value") is not None and not cleaned.get("abatement_unit"):
            self.add_error("abatement_unit", _("give the unit of the claimed abatement"))
        if cleaned.get("price_from") is not None and not cleaned.get("price_currency"):
            self.add_error("price_currency", _("give the currency of the price"))
        return cleaned


class CaseForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_list_fields = {
        "organisations": Organisation,
        "solutions": Solution,
        "sectors": Sector,
    }

    class Meta(CatalogueRecordForm.Meta):
        model = Case
        fields = [
            *PROVENANCE,
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "organisations",
            "solutions",
            "sectors",
            "country",
            "city",
            "city_zh",
            "start_date",
            "end_date",
            "outcomes_en",
            "outcomes_zh",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("must not be before the start"))
        return cleaned


class NeedForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_fields = {"organisation": Organisation}
    reference_list_fields = {"sectors": Sector}

    class Meta(CatalogueRecordForm.Meta):
        model = Need
        fields = [
            *PROVENANCE,
            "organisation",
            "title_en",
            "title_zh",
            "problem_en",
            "problem_zh",
            "sectors",
            "country",
            "city",
            "city_zh",
            "budget_min",
            "budget_max",
            "currency",
            "deadline",
            "need_status",
        ]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and low < 0:
            self.add_error("budget_min", _("must not be negative"))
        if low is not None and high is not None and high < low:
            self.add_error("budget_max", _("must not be below the lower end of the budget"))
        currency = cleaned.get("currency") or ""
        if currency and not (len(currency) == 3 and currency.isalpha()):
            self.add_error("currency", _("use a three-letter currency code such as CNY or USD"))
        cleaned["currency"] = currency.upper()
        return cleaned


class ResourceForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_list_fields = {"sectors": Sector}
    long_text_limits = {"text": MAX_FULL_TEXT_CHARS}

    class Meta(CatalogueRecordForm.Meta):
        model = Resource
        fields = [
            *PROVENANCE,
            "kind",
            "title_en",
            "title_zh",
            "summary_en",
            "summary_zh",
            "publisher",
            "publisher_zh",
            "published",
            "language",
            "url",
            "text",
            "sectors",
            "jurisdiction",
        ]
        error_messages = {
            "jurisdiction": {
                "invalid_choice": _(
                    "unknown jurisdiction %(value)r: use a country's ISO 3166 two-letter code "
                    "(CN, US), EU for the European Union or INT for international rules"
                )
            }
        }


class EventForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_list_fields = {"organisers": Organisation}

    class Meta(CatalogueRecordForm.Meta):
        model = Event
        fields = [
            *PROVENANCE,
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "start_date",
            "end_date",
            "venue_en",
            "venue_zh",
            "city",
            "city_zh",
            "country",
            "organisers",
            "url",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("must not be before the start"))
        return cleaned


class EventSessionForm(CatalogueRecordForm):
    bilingual_required = ("title",)
    reference_fields = {"event": Event}
    reference_list_fields = {"speakers": Person}

    class Meta(CatalogueRecordForm.Meta):
        model = EventSession
        fields = [
            "external_id",
            "event",
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "starts_at",
            "ends_at",
            "speakers",
        ]


class AwardForm(CatalogueRecordForm):
    bilingual_required = ("programme",)
    reference_fields = {"case": Case, "organisation": Organisation, "awarded_by": Organisation}

    class Meta(CatalogueRecordForm.Meta):
        model = Award
        fields = [
            *PROVENANCE,
            "programme_en",
            "programme_zh",
            "year",
            "title_en",
            "title_zh",
            "case",
            "organisation",
            "awarded_by",
        ]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 1900 <= year <= 2100:
            raise ValidationError(_("must be a year between 1900 and 2100"))
        return year


class ResourceUploadForm(forms.Form):
    """The file part of a resource, checked before any text is extracted."""

    file = forms.FileField(required=False)

    ACCEPTED = (".pdf", ".html", ".htm", ".txt")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > settings.RESOURCE_MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("the file is %(size)d MB; at most %(limit)d MB is allowed"),
                params={
                    "size": upload.size // 2**20,
                    "limit": settings.RESOURCE_MAX_UPLOAD_BYTES // 2**20,
                },
            )
        content = upload.read()
        upload.seek(0)
        try:
            check_content(upload.name, content, self.ACCEPTED)
        except FileRejected as rejected:
            raise ValidationError(rejected.message) from None
        return upload
