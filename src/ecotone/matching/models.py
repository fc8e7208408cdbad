"""What matchmaking stores: introduction requests, feedback on matches, a need's
matching criteria, and how often its matches were shown.

Scores themselves are never stored: they are computed from the catalogue on each request
(``services.matches_for_need``), so a match always reflects the records as they are now.
"""

from datetime import timedelta

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
    CONNECTED = "connected", _("Connected by a broker")


class IntroductionRoute(models.TextChoices):
    """Who is asked to answer: the target's members, or, while it has none (or they let
    the deadline pass), the platform's brokers."""

    MEMBERS = "members", _("the organisation's members")
    BROKERS = "brokers", _("the platform's brokers")


class BrokerOutcome(models.TextChoices):
    CONTACTED = "contacted", _("Contacted the organisation")
    NO_ANSWER = "no_answer", _("No answer from the organisation")
    DECLINED = "declined", _("The organisation declined")
    CONNECTED = "connected", _("Connected the two sides")


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
    route = models.CharField(
        _("answered by"),
        max_length=10,
        choices=IntroductionRoute.choices,
        default=IntroductionRoute.MEMBERS,
        db_index=True,
    )
    reminded_at = models.DateTimeField(_("members reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("handed to brokers"), null=True, blank=True)
    brokers_reminded_at = models.DateTimeField(_("brokers reminded"), null=True, blank=True)
    broker_outcome = models.CharField(
        _("last broker step"), max_length=12, choices=BrokerOutcome.choices, blank=True
    )
    broker_outcome_at = models.DateTimeField(_("last broker step at"), null=True, blank=True)

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

    @property
    def with_brokers(self) -> bool:
        return self.route == IntroductionRoute.BROKERS


class BrokerAction(TimestampedModel):
    """One thing a broker did about an introduction, with their note. Notes of "contacted"
    and "no answer" stay between brokers and staff; a "declined" or "connected" note is the
    answer the requester reads."""

    introduction = models.ForeignKey(
        Introduction, on_delete=models.CASCADE, related_name="broker_actions"
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("broker"),
    )
    outcome = models.CharField(_("what was done"), max_length=12, choices=BrokerOutcome.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("broker action")
        verbose_name_plural = _("broker actions")

    def __str__(self) -> str:
        return f"{self.introduction}: {self.outcome}"


class BrokerAssignment(TimestampedModel):
    """Staff appoint a person, or an intermediary organisation (all its active members),
    to broker introductions to organisations of some sectors and/or countries. No sector
    means every sector; no country means everywhere."""

    organisation = models.ForeignKey(
        "catalog.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="broker_assignments",
        verbose_name=_("intermediary organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="broker_assignments",
        verbose_name=_("person"),
    )
    sectors = models.ManyToManyField(
        "catalog.Sector", blank=True, related_name="+", verbose_name=_("sectors")
    )
    regions = CountryField(_("countries"), multiple=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("appointed by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("broker assignment")
        verbose_name_plural = _("broker assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, user__isnull=True)
                | Q(organisation__isnull=True, user__isnull=False),
                name="broker_is_an_organisation_or_a_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.user)


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


class AlertKind(models.TextChoices):
    NEEDS_FOR_SOLUTIONS = "needs_for_solutions", _("New needs that fit our solutions")
    SOLUTIONS_FOR_NEEDS = "solutions_for_needs", _("New solutions and cases that fit our needs")


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as there is something new")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly digest")
    NONE = "none", _("No e-mail")


#: how long after its last e-mail an alert is due again
ALERT_PERIODS = {
    AlertFrequency.IMMEDIATE: timedelta(0),
    AlertFrequency.DAILY: timedelta(days=1),
    AlertFrequency.WEEKLY: timedelta(days=7),
}


class EmailSubscription(TimestampedModel):
    """What every e-mail alert has: how often it is sent and when it last was. Records
    newer than ``last_sent_at`` (or, before the first e-mail, than the subscription) are
    new to it."""

    frequency = models.CharField(
        _("how often"),
        max_length=10,
        choices=AlertFrequency.choices,
        default=AlertFrequency.WEEKLY,
    )
    #: moved forward by every run that sends
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    #: when the e-mail's unsubscribe link last stopped it (the staff figures count these)
    unsubscribed_at = models.DateTimeField(_("unsubscribed by link"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_due(self, now) -> bool:
        if self.frequency == AlertFrequency.NONE:
            return False
        return self.last_sent_at is None or now - self.last_sent_at >= ALERT_PERIODS[self.frequency]

    @property
    def since(self):
        """Records created after this are new: a fresh alert counts from its creation,
        so older records are not news to anyone."""
        return self.last_sent_at or self.created_at


class MatchAlert(EmailSubscription):
    """One member's e-mail alert of new matches for one of their organisations. Every
    active member has both kinds, weekly, until they change or unsubscribe it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_alerts"
    )
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="match_alerts"
    )
    kind = models.CharField(_("alert"), max_length=24, choices=AlertKind.choices)

    class Meta:
        ordering = ["organisation_id", "kind"]
        verbose_name = _("match alert")
        verbose_name_plural = _("match alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "kind"], name="one_alert_per_user_org_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.kind} ({self.frequency})"


class Follow(TimestampedModel):
    """A person follows an organisation, a sector or a programme; their feed shows what
    changed there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    organisation = models.ForeignKey(
        "catalog.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    sector = models.ForeignKey(
        "catalog.Sector", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    programme = models.ForeignKey(
        "programs.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, sector__isnull=True, programme__isnull=True)
                | Q(organisation__isnull=True, sector__isnull=False, programme__isnull=True)
                | Q(organisation__isnull=True, sector__isnull=True, programme__isnull=False),
                name="follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="follow_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "sector"],
                condition=Q(sector__isnull=False),
                name="follow_sector_once",
            ),
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=Q(programme__isnull=False),
                name="follow_programme_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.target}"

    @property
    def target(self):
        return self.organisation or self.sector or self.programme


class SavedSearch(EmailSubscription):
    """A person's search (words and facets, as on the search page), with an optional
    e-mail alert of the records that newly answer it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(_("search words"), max_length=1000)
    filters = models.JSONField(_("filters"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return f"{self.user}: {self.query}"


class MatchListAlert(EmailSubscription):
    """A person's e-mail alert of new matches for one need (solutions and cases) or one
    solution (needs it could serve): "alert me when new matches appear"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_list_alerts"
    )
    need = models.ForeignKey(
        "catalog.Need",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_list_alerts",
    )
    solution = models.ForeignKey(
        "catalog.Solution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_list_alerts",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("match list alert")
        verbose_name_plural = _("match list alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, solution__isnull=True)
                | Q(need__isnull=True, solution__isnull=False),
                name="match_list_alert_of_one_record",
            ),
            models.UniqueConstraint(
                fields=["user", "need"],
                condition=Q(need__isnull=False),
                name="one_match_list_alert_per_need",
            ),
            models.UniqueConstraint(
                fields=["user", "solution"],
                condition=Q(solution__isnull=False),
                name="one_match_list_alert_per_solution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.record} ({self.frequency})"

    @property
    def record(self):
        """The need or the solution whose matches are sent."""
        return self.need if self.need_id else self.solution

    @property
    def record_kind(self) -> str:
        return "need" if self.need_id else "solution"


class SentItem(models.Model):
    """A record an alert (a match alert or a saved search) has sent: written before the
    e-mail leaves, so no alert ever sends a record twice, even in a run restarted after
    a crash."""

    alert = models.ForeignKey(
        MatchAlert, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    match_list = models.ForeignKey(
        MatchListAlert, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    record_kind = models.CharField(max_length=12)
    record_id = models.PositiveIntegerField()
    sent_at = models.DateTimeField(db_index=True)
    why = models.TextField(blank=True)
    #: the first time the e-mail's link to this record was followed (once per item; no
    #: pixel, nothing about who or how often)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=False, saved_search__isnull=True, match_list__isnull=True)
                | Q(alert__isnull=True, saved_search__isnull=False, match_list__isnull=True)
                | Q(alert__isnull=True, saved_search__isnull=True, match_list__isnull=False),
                name="sent_item_of_one_alert",
            ),
            models.UniqueConstraint(
                fields=["alert", "record_kind", "record_id"],
                condition=Q(alert__isnull=False),
                name="one_item_per_alert_record",
            ),
            models.UniqueConstraint(
                fields=["saved_search", "record_kind", "record_id"],
                condition=Q(saved_search__isnull=False),
                name="one_item_per_saved_search_record",
            ),
            models.UniqueConstraint(
                fields=["match_list", "record_kind", "record_id"],
                condition=Q(match_list__isnull=False),
                name="one_item_per_match_list_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.record_kind} {self.record_id}"

    @property
    def subscription_id(self) -> str:
        if self.alert_id:
            return f"alert {self.alert_id}"
        if self.saved_search_id:
            return f"search {self.saved_search_id}"
        return f"match list {self.match_list_id}"
