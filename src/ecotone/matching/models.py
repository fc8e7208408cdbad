"""What matchmaking stores: introduction requests, feedback on matches, a need's
matching criteria, and how often its matches were shown.

Scores themselves are never stored: they are computed from the catalogue on each request
(``services.matches_for_need``), so a match always reflects the records as they are now.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ecotone.core.models import TimestampedModel


class IntroductionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Introduction(TimestampedModel):
    """One organisation asks to be introduced to another, about a need or a solution.

    The record it is about belongs to one of the two sides (a need posted by either, a
    solution provided by either); the services check that. Contact details are shown to
    the two sides only once a member of the target organisation has accepted.
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="introductions_requested",
        verbose_name=_("requested by"),
    )
    requesting_organisation = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.CASCADE,
        related_name="introductions_requested",
        verbose_name=_("requesting organisation"),
    )
    target_organisation = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.CASCADE,
        related_name="introductions_received",
        verbose_name=_("organisation asked"),
    )
    need = models.ForeignKey(
        "catalog.Need",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="introductions",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        "catalog.Solution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="introductions",
        verbose_name=_("solution"),
    )
    message = models.TextField(_("message"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.REQUESTED,
        db_index=True,
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    response_note = models.TextField(_("response note"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, solution__isnull=True)
                | Q(need__isnull=True, solution__isnull=False),
                name="introduction_is_about_one_record",
            ),
            models.CheckConstraint(
                condition=~Q(requesting_organisation=models.F("target_organisation")),
                name="introduction_not_to_itself",
            ),
            # The services refuse duplicates with a message; these catch two clicks that race.
            models.UniqueConstraint(
                fields=["requesting_organisation", "target_organisation", "need"],
                condition=Q(status="requested", need__isnull=False),
                name="one_open_introduction_per_need",
            ),
            models.UniqueConstraint(
                fields=["requesting_organisation", "target_organisation", "solution"],
                condition=Q(status="requested", solution__isnull=False),
                name="one_open_introduction_per_solution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requesting_organisation} → {self.target_organisation}"

    @property
    def about(self):
        """The need or solution the introduction is about."""
        return self.need if self.need_id else self.solution

    @property
    def about_kind(self) -> str:
        return "need" if self.need_id else "solution"

    @property
    def is_open(self) -> bool:
        return self.status == IntroductionStatus.REQUESTED


class FeedbackVote(models.IntegerChoices):
    RELEVANT = 1, _("Relevant")
    NOT_RELEVANT = -1, _("Not relevant")


class MatchFeedback(TimestampedModel):
    """One person's verdict on one match of a need: a solution or a case, relevant or not."""

    need = models.ForeignKey(
        "catalog.Need", on_delete=models.CASCADE, related_name="match_feedback"
    )
    solution = models.ForeignKey(
        "catalog.Solution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_feedback",
    )
    case = models.ForeignKey(
        "catalog.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_feedback",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_feedback"
    )
    vote = models.SmallIntegerField(_("verdict"), choices=FeedbackVote.choices)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(solution__isnull=False, case__isnull=True)
                | Q(solution__isnull=True, case__isnull=False),
                name="feedback_is_on_one_candidate",
            ),
            models.UniqueConstraint(
                fields=["need", "solution", "user"],
                condition=Q(solution__isnull=False),
                name="one_feedback_per_user_need_solution",
            ),
            models.UniqueConstraint(
                fields=["need", "case", "user"],
                condition=Q(case__isnull=False),
                name="one_feedback_per_user_need_case",
            ),
        ]

    def __str__(self) -> str:
        candidate = self.solution if self.solution_id else self.case
        return f"{self.need} ↔ {candidate}: {self.get_vote_display()}"

    @property
    def candidate_kind(self) -> str:
        return "solution" if self.solution_id else "case"


class NeedCriteria(TimestampedModel):
    """Matching limits a need's maintainers state that the catalogue's Need does not hold.

    Kept here rather than on ``catalog.Need`` so that the catalogue's form, file format and
    API stay unchanged by matchmaking. A limit applies only when stated: the need's own
    country is where it is (a preference in the ranking), never a limit by itself.
    """

    need = models.OneToOneField(
        "catalog.Need", on_delete=models.CASCADE, related_name="match_criteria"
    )
    min_trl = models.PositiveSmallIntegerField(
        _("minimum technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    regions = CountryField(
        _("only solutions and cases from these countries"), multiple=True, blank=True
    )

    class Meta:
        verbose_name = _("matching criteria")
        verbose_name_plural = _("matching criteria")

    def __str__(self) -> str:
        return f"{self.need} criteria"


class MatchSurface(models.TextChoices):
    PAGE = "page", _("need page")
    API = "api", _("API")


class MatchImpression(models.Model):
    """How often a need's matches were shown, per day and surface: the top of the staff
    funnel (shown → feedback → introductions). Counted per request, whoever asked, so
    crawlers count too; the figures say so."""

    need = models.ForeignKey(
        "catalog.Need", on_delete=models.CASCADE, related_name="match_impressions"
    )
    day = models.DateField(_("day"))
    surface = models.CharField(_("surface"), max_length=8, choices=MatchSurface.choices)
    views = models.PositiveIntegerField(_("times shown"), default=0)
    matches_shown = models.PositiveIntegerField(_("matches shown"), default=0)

    class Meta:
        ordering = ["-day", "need_id", "surface"]
        verbose_name = _("match impression")
        verbose_name_plural = _("match impressions")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "day", "surface"], name="one_impression_row_per_need_day_surface"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} {self.day} {self.surface}: {self.views}"
