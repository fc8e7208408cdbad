"""Emission factors (versioned), calculations (immutable, versioned) and case shares.

Neither a factor nor a calculation is ever edited in place: a change is a new row with the
next ``version`` of the same ``key`` / ``lineage``, and the old row points to it through
``superseded_by``. The old row stays readable, so every stored number can still be traced
to exactly the values it was computed from.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ecotone.core.models import Bilingual


class FactorKind(models.TextChoices):
    GRID_AVERAGE = "grid_average", _("Grid average (consumption accounting)")
    GRID_FOSSIL = "grid_fossil", _("Fossil-fuel electricity average")
    GRID_ETS = "grid_ets", _("Emissions-trading grid factor")
    COMBINED_MARGIN = "combined_margin", _("Combined-margin baseline (CDM/CCER)")
    FUEL_COMBUSTION = "fuel_combustion", _("Fuel combustion factor")
    CALORIFIC_VALUE = "calorific_value", _("Net calorific value")
    GWP = "gwp", _("Global warming potential")
    OTHER = "other", _("Other emission factor")


class Gas(models.TextChoices):
    CO2E = "CO2e", "CO2e"
    CO2 = "CO2", "CO2"
    CH4 = "CH4", "CH4"
    N2O = "N2O", "N2O"
    NONE = "", _("not a gas")


class EmissionFactor(models.Model):
    """One version of one factor. ``key`` names the factor across its versions."""

    key = models.CharField(_("key"), max_length=200, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FactorKind.choices)
    value = models.FloatField(_("value"))
    low = models.FloatField(_("lower bound"), null=True, blank=True)
    high = models.FloatField(_("upper bound"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=80)
    gas = models.CharField(_("gas"), max_length=8, choices=Gas.choices, blank=True)
    gwp_basis = models.CharField(_("GWP basis"), max_length=8, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True, db_index=True)
    region_zh = models.CharField(_("region (Chinese)"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    dataset = models.CharField(_("dataset"), max_length=60, blank=True, db_index=True)
    source_citation = models.TextField(_("source"))
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    change_note = models.TextField(_("why this version"), blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    name = Bilingual("name")
    region_label = Bilingual("region", english_field="region")

    class Meta:
        ordering = ["dataset", "key", "-version"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="impact_factor_key_version"),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(superseded_by__isnull=True),
                name="impact_factor_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}: {self.value:g} {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("impact:factor_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class Basis(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved (a deployed case)")
    POTENTIAL = "potential", _("Potential (a solution)")


class Period(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    CUMULATIVE = "cumulative", _("Cumulative")


class Evidence(models.TextChoices):
    ILLUSTRATIVE = "illustrative", _("Illustrative: some inputs are not published")
    REPORTED = "reported", _("Calculated from published inputs")
    VERIFIED = "verified", _("Verified by a third party")


class Calculation(models.Model):
    """One version of a stored calculation about a case (achieved) or a solution
    (potential). ``lineage`` ties its versions together."""

    lineage = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "catalog.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calculations",
    )
    solution = models.ForeignKey(
        "catalog.Solution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calculations",
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=300, blank=True)
    methodology_id = models.CharField(_("methodology"), max_length=80)
    methodology_version = models.CharField(_("methodology version"), max_length=20)
    period = models.CharField(_("period"), max_length=12, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    from_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    to_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    inputs = models.JSONField(_("inputs as given"), default=dict)
    resolved_inputs = models.JSONField(_("inputs used"), default=dict)
    context = models.JSONField(default=dict, blank=True)
    factors = models.JSONField(_("factor versions"), default=list)
    factor_versions = models.ManyToManyField(EmissionFactor, blank=True, related_name="+")
    value = models.FloatField(_("result"))
    low = models.FloatField(_("low"))
    high = models.FloatField(_("high"))
    unit = models.CharField(_("unit"), max_length=40)
    trace = models.JSONField(_("trace"), default=list)
    #: values implausible for the subject's scale, acknowledged by whoever saved it
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    evidence = models.CharField(_("evidence"), max_length=14, choices=Evidence.choices)
    illustrative_inputs = models.JSONField(default=list, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_zh = models.TextField(_("note (Chinese)"), blank=True)
    claim_value = models.FloatField(_("publisher's claim"), null=True, blank=True)
    claim_unit = models.CharField(max_length=40, blank=True)
    claim_source_url = models.URLField(max_length=1000, blank=True)
    claim_coal_saved = models.FloatField(
        _("publisher's claimed standard coal saved (t ce)"), null=True, blank=True
    )
    change_reason = models.TextField(_("why this version"), blank=True)
    demo_key = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    label = Bilingual("label")
    note = Bilingual("note")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calculation")
        verbose_name_plural = _("calculations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False, solution__isnull=True, basis="achieved"))
                | Q(case__isnull=True, solution__isnull=False, basis="potential"),
                name="impact_calculation_one_subject",
            ),
            models.UniqueConstraint(
                fields=["lineage", "version"], name="impact_calculation_lineage_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.methodology_id} v{self.version}: {self.value:g} {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("impact:calculation_detail", args=[self.pk])

    @property
    def subject(self):
        return self.case if self.case_id else self.solution

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class CaseShare(models.Model):
    """The part of a case's reductions an organisation declares as its own. Without rows
    for a case, its organisations share equally."""

    case = models.ForeignKey("catalog.Case", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="impact_share_unique"),
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=1), name="impact_share_in_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.organisation_id}: {self.share}"
