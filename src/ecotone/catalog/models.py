"""The catalogue: who does what in climate tech, and the evidence for it.

Bilingual text is stored in per-language columns (``title_en`` / ``title_zh``); see
docs/architecture.md for why. Every record carries its provenance (``external_id``,
``source_url``, ``last_verified``) and a publication status; ``owner`` is the
organisation whose members may edit it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ecotone.core.models import Bilingual, PublicationStatus, TimestampedModel

from .choices import (
    ContentLanguage,
    InvestmentStage,
    NeedStatus,
    OrganisationKind,
    ResourceKind,
    SizeBand,
)
from .model_fields import CountryCodeField, Jurisdictions


class Sector(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    name = Bilingual("name")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:sector_detail", args=[self.slug])

    @property
    def label(self) -> str:
        return self.name


class CatalogueRecord(TimestampedModel):
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        unique=True,
        help_text=_("Stable identifier used by imports and exports."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    review_note = models.TextField(_("review note"), blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    owner = models.ForeignKey(
        "catalog.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("maintained by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label or self.external_id

    @property
    def label(self) -> str:
        """The record's name in the active language; each kind says which field it is."""
        raise NotImplementedError

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        """Whether a visitor may see it."""
        return self.is_published

    @classmethod
    def public_condition(cls) -> models.Q:
        return models.Q(status=PublicationStatus.PUBLISHED)


class Organisation(CatalogueRecord):
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    country = CountryCodeField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True, db_index=True)
    city_zh = models.CharField(_("city (Chinese)"), max_length=120, blank=True)
    city_label = Bilingual("city", english_field="city")
    website = models.URLField(_("website"), max_length=500, blank=True)
    founded = models.PositiveSmallIntegerField(
        _("founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    size_band = models.CharField(
        _("size"), max_length=20, choices=SizeBand.choices, default=SizeBand.UNKNOWN
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    name = Bilingual("name")
    description = Bilingual("description")

    class Meta:
        ordering = ["name_en", "name_zh", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    @property
    def label(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["organisations", self.pk])


class InvestorProfile(TimestampedModel):
    external_id = models.CharField(
        _("external id"), max_length=200, unique=True, null=True, blank=True
    )
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="investor_profile"
    )
    stages = models.JSONField(_("stages"), default=list, blank=True)
    ticket_min_usd = models.PositiveBigIntegerField(
        _("minimum ticket (USD)"), null=True, blank=True
    )
    ticket_max_usd = models.PositiveBigIntegerField(
        _("maximum ticket (USD)"), null=True, blank=True
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="investor_profiles", verbose_name=_("sectors")
    )
    regions = CountryCodeField(_("regions"), multiple=True, blank=True)
    thesis_en = models.TextField(_("thesis (English)"), blank=True)
    thesis_zh = models.TextField(_("thesis (Chinese)"), blank=True)

    thesis = Bilingual("thesis")

    def __str__(self) -> str:
        return f"{self.organisation} investor profile"

    @property
    def stage_labels(self) -> list[str]:
        labels = dict(InvestmentStage.choices)
        return [str(labels.get(stage, stage)) for stage in self.stages]


class Investment(TimestampedModel):
    """One investment of an organisation in another, as a public source records it.

    Shown on both organisations' pages (the investor's portfolio, the investee's investors)
    and read by the programmes' conflict detection. Edited by staff in the admin."""

    external_id = models.CharField(
        _("external id"), max_length=200, unique=True, null=True, blank=True
    )
    investor = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="investments_made",
        verbose_name=_("investor"),
    )
    investee = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="investments_received",
        verbose_name=_("investee"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    round = models.CharField(
        _("round or stage"),
        max_length=100,
        blank=True,
        help_text=_("As the source names it, e.g. Seed, Series A, Pre-IPO, grant."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. CNY or USD."))],
        help_text=_("ISO 4217 code, e.g. CNY, USD."),
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "investee__name_en", "id"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [
            models.UniqueConstraint(
                fields=["investor", "investee", "round"], name="one_investment_per_round"
            ),
            models.CheckConstraint(
                condition=~models.Q(investor=models.F("investee")),
                name="investment_between_two_organisations",
            ),
        ]

    def __str__(self) -> str:
        stage = f" ({self.round})" if self.round else ""
        return f"{self.investor} → {self.investee}{stage}"

    def clean(self) -> None:
        super().clean()
        if self.investor_id and self.investor_id == self.investee_id:
            raise ValidationError({"investee": _("An organisation does not invest in itself.")})
        if self.amount is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the amount.")})

    @property
    def when(self) -> str:
        """Round and year as one phrase: "Series A, 2021", "2021", "Seed" or ""."""
        return ", ".join(part for part in (self.round, str(self.year or "")) if part)


class Person(CatalogueRecord):
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    bio_zh = models.TextField(_("biography (Chinese)"), blank=True)
    public_consent = models.BooleanField(
        _("shown publicly"),
        default=False,
        help_text=_("The person agreed to be listed publicly, or appears publicly in this role."),
    )

    name = Bilingual("name")
    title = Bilingual("title")
    bio = Bilingual("bio")

    @property
    def is_public(self) -> bool:
        return self.is_published and self.public_consent

    @classmethod
    def public_condition(cls) -> models.Q:
        return models.Q(status=PublicationStatus.PUBLISHED, public_consent=True)

    class Meta:
        ordering = ["name_en", "name_zh", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    @property
    def label(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["people", self.pk])


class Affiliation(TimestampedModel):
    external_id = models.CharField(_("external id"), max_length=200, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role_en = models.CharField(_("role (English)"), max_length=300, blank=True)
    role_zh = models.CharField(_("role (Chinese)"), max_length=300, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    role = Bilingual("role")

    class Meta:
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation}"


class Solution(CatalogueRecord):
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    provider = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions",
        verbose_name=_("provider"),
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="solutions", verbose_name=_("sectors")
    )
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        db_index=True,
    )
    regions = CountryCodeField(_("regions deployed"), multiple=True, blank=True)
    abatement_value = models.DecimalField(
        _("claimed abatement"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    abatement_unit = models.CharField(_("abatement unit"), max_length=60, blank=True)
    abatement_basis = models.TextField(_("abatement basis"), blank=True)
    abatement_source_url = models.URLField(_("abatement source"), max_length=500, blank=True)
    #: what a buyer pays at least, as the provider states it; read by matchmaking's budget check
    price_from = models.DecimalField(
        _("price from"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_currency = models.CharField(
        _("price currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. CNY or USD."))],
    )
    price_basis = models.CharField(
        _("price basis"),
        max_length=200,
        blank=True,
        help_text=_("What the price buys, e.g. per installed system, per MWh of storage."),
    )
    url = models.URLField(_("website"), max_length=500, blank=True)

    title = Bilingual("title")
    description = Bilingual("description")

    class Meta:
        ordering = ["title_en", "title_zh", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    @property
    def label(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["solutions", self.pk])


class Case(CatalogueRecord):
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="cases", verbose_name=_("organisations")
    )
    solutions = models.ManyToManyField(
        Solution, blank=True, related_name="cases", verbose_name=_("solutions")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="cases", verbose_name=_("sectors")
    )
    country = CountryCodeField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True, db_index=True)
    city_zh = models.CharField(_("city (Chinese)"), max_length=120, blank=True)
    city_label = Bilingual("city", english_field="city")
    start_date = models.DateField(_("started"), null=True, blank=True)
    end_date = models.DateField(_("ended"), null=True, blank=True)
    outcomes_en = models.TextField(_("outcomes (English)"), blank=True)
    outcomes_zh = models.TextField(_("outcomes (Chinese)"), blank=True)

    title = Bilingual("title")
    description = Bilingual("description")
    outcomes = Bilingual("outcomes")

    class Meta:
        ordering = ["-start_date", "title_en", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    @property
    def label(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["cases", self.pk])


class Need(CatalogueRecord):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="needs", verbose_name=_("posted by")
    )
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    problem_en = models.TextField(_("problem (English)"), blank=True)
    problem_zh = models.TextField(_("problem (Chinese)"), blank=True)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="needs", verbose_name=_("sectors")
    )
    country = CountryCodeField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True, db_index=True)
    city_zh = models.CharField(_("city (Chinese)"), max_length=120, blank=True)
    city_label = Bilingual("city", english_field="city")
    budget_min = models.DecimalField(
        _("budget from"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("budget up to"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    need_status = models.CharField(
        _("need status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )

    title = Bilingual("title")
    problem = Bilingual("problem")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    @property
    def label(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["needs", self.pk])


def resource_upload_path(instance: "Resource", filename: str) -> str:
    return f"resources/{instance.external_id}/{filename}"


class Resource(CatalogueRecord):
    kind = models.CharField(
        _("kind"), max_length=20, choices=ResourceKind.choices, default=ResourceKind.REPORT
    )
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    publisher_zh = models.CharField(_("publisher (Chinese)"), max_length=300, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=ContentLanguage.choices, default="en"
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=resource_upload_path, blank=True)
    text = models.TextField(_("full text"), blank=True)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="resources", verbose_name=_("sectors")
    )
    #: where the document applies, when it governs somewhere: a law, a notice, a policy
    jurisdiction = CountryCodeField(
        _("jurisdiction"),
        countries=Jurisdictions,
        blank=True,
        db_index=True,
        help_text=_(
            "Where the document applies: a country's ISO 3166 code (CN), EU for the European "
            "Union or INT for international rules; empty when it governs nowhere in particular."
        ),
    )

    title = Bilingual("title")
    summary = Bilingual("summary")
    publisher_label = Bilingual("publisher", english_field="publisher")

    class Meta:
        ordering = ["-published", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    @property
    def label(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["resources", self.pk])


class Event(CatalogueRecord):
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=300, blank=True)
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True, db_index=True)
    city_zh = models.CharField(_("city (Chinese)"), max_length=120, blank=True)
    city_label = Bilingual("city", english_field="city")
    country = CountryCodeField(_("country"), blank=True, db_index=True)
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="events", verbose_name=_("organisers")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)

    title = Bilingual("title")
    description = Bilingual("description")
    venue = Bilingual("venue")

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    @property
    def label(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["events", self.pk])


class EventSession(TimestampedModel):
    external_id = models.CharField(_("external id"), max_length=200, unique=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    speakers = models.ManyToManyField(
        Person, blank=True, related_name="sessions", verbose_name=_("speakers")
    )

    title = Bilingual("title")
    description = Bilingual("description")

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class Award(CatalogueRecord):
    programme_en = models.CharField(_("programme (English)"), max_length=300, blank=True)
    programme_zh = models.CharField(_("programme (Chinese)"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title_en = models.CharField(_("award (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("award (Chinese)"), max_length=300, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="awards"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="awards")
    awarded_by = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards_given",
    )

    programme = Bilingual("programme")
    title = Bilingual("title")

    class Meta:
        ordering = ["-year", "programme_en", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    @property
    def label(self) -> str:
        return self.title or f"{self.programme} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:record_detail", args=["awards", self.pk])
