"""Award and challenge programmes: the call, its rounds and rubric, submissions, the reviewer
pool, assignments, reviews and decisions.

Statuses change only through the transition services in ``services/states.py``, each leaving an
``accounts.AuditEntry`` (who, when, from, to, why). Scores are stored as given per criterion;
totals, calibration and ranks are derived (``calibration.py``) so they always match the rubric.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecotone.core.models import Bilingual, TimestampedModel


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a time zone name such as Asia/Shanghai."), params={"value": value}
        ) from None


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Managers only")


class ReviewMode(models.TextChoices):
    BLIND = "blind", _("Blind: reviewers do not see who applied")
    OPEN = "open", _("Open: reviewers see who applied")


class Programme(TimestampedModel):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    organiser = models.ForeignKey(
        "catalog.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes_organised",
        verbose_name=_("organiser"),
    )
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    eligibility_zh = models.TextField(_("eligibility (Chinese)"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    opens_at = models.DateTimeField(_("call opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("call closes"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    award_count = models.PositiveSmallIntegerField(_("number of awards"), default=1)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    review_mode = models.CharField(
        _("review"), max_length=10, choices=ReviewMode.choices, default=ReviewMode.BLIND
    )
    #: questions every applicant answers: [{"key", "label_en", "label_zh", "required"}]
    questions = models.JSONField(_("questions"), default=list, blank=True)
    max_attachment_mb = models.PositiveSmallIntegerField(_("largest attachment (MB)"), default=10)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    #: demo programmes with synthetic content say so on every page
    illustrative = models.BooleanField(_("illustrative"), default=False)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)

    title = Bilingual("title")
    description = Bilingual("description")
    eligibility = Bilingual("eligibility")

    class Meta:
        ordering = ["-year", "title_en", "id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def label(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        return reverse("programs:programme_detail", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.opens_at is None or now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None

    def rounds_in_order(self):
        return self.rounds.order_by("position", "id")


class Track(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tracks")
    key = models.SlugField(_("key"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    sectors = models.ManyToManyField("catalog.Sector", blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    name = Bilingual("name")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="track_key_per_programme")
        ]

    def __str__(self) -> str:
        return self.name or self.key


class RoundKind(models.TextChoices):
    SCREENING = "screening", _("Screening")
    EXPERT = "expert", _("Expert review")
    FINAL = "final", _("Final")


class DecisionRule(models.TextChoices):
    TOP_N = "top_n", _("Top N per track")
    THRESHOLD = "threshold", _("Calibrated score at or above a threshold")
    MANUAL = "manual", _("Manual")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    FINISHED = "finished", _("Finished")


class Round(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    reviewers_per_submission = models.PositiveSmallIntegerField(
        _("reviewers per submission"), default=3, validators=[MinValueValidator(1)]
    )
    max_load = models.PositiveSmallIntegerField(
        _("maximum reviews per reviewer"), default=10, validators=[MinValueValidator(1)]
    )
    min_affinity = models.FloatField(_("minimum affinity"), null=True, blank=True)
    decision_rule = models.CharField(
        _("decision rule"), max_length=20, choices=DecisionRule.choices, default=DecisionRule.MANUAL
    )
    #: N for top-N, the calibrated score (0–100) for a threshold
    decision_value = models.FloatField(_("N or threshold"), null=True, blank=True)
    disagreement_threshold = models.FloatField(_("disagreement threshold (points)"), default=25.0)
    reviews_due = models.DateTimeField(_("reviews due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )

    name = Bilingual("name")

    class Meta:
        ordering = ["programme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="round_position")
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    def next_round(self):
        return self.programme.rounds.filter(position__gt=self.position).order_by("position").first()


class Criterion(models.Model):
    """One line of a round's rubric, with a descriptor for each level of its scale."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("key"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[MinValueValidator(0.01)])
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    #: one descriptor per level, lowest first: [{"en": "...", "zh": "..."}]
    levels = models.JSONField(_("level descriptors"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    name = Bilingual("name")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="criterion_key_per_round")
        ]

    def __str__(self) -> str:
        return self.name or self.key


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    REJECTED = "rejected", _("Not selected")
    AWARDED = "awarded", _("Awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Submission(TimestampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="submissions")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="submissions")
    applicant = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.CASCADE,
        related_name="programme_submissions",
        verbose_name=_("applicant"),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    case = models.ForeignKey(
        "catalog.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    solution = models.ForeignKey(
        "catalog.Solution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
        db_index=True,
    )
    current_round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    award = models.ForeignKey(
        "catalog.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: demo submissions with synthetic content
    illustrative = models.BooleanField(default=False)

    class Meta:
        ordering = ["programme", "track", "title", "id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:submission_detail", args=[self.pk])

    @property
    def linked_record(self):
        return self.case or self.solution


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"programmes/{instance.submission.programme.slug}/{instance.submission_id}/{filename}"


class Attachment(TimestampedModel):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))

    def __str__(self) -> str:
        return self.name


class Reviewer(TimestampedModel):
    """A person in a programme's reviewer pool, with what they know and how much they can do."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_reviewers"
    )
    person = models.ForeignKey(
        "catalog.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Their catalogue entry, whose affiliations count as conflicts."),
    )
    expertise = models.TextField(_("expertise"), blank=True)
    sectors = models.ManyToManyField("catalog.Sector", blank=True, related_name="+")
    max_load = models.PositiveSmallIntegerField(
        _("maximum reviews"), null=True, blank=True, help_text=_("Empty: the round's limit.")
    )
    declared_organisations = models.ManyToManyField(
        "catalog.Organisation", blank=True, related_name="+", verbose_name=_("declared conflicts")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="one_reviewer_per_user")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ConflictKind(models.TextChoices):
    DECLARED = "declared", _("Declared by the reviewer")
    OVERRIDE = "override", _("Detected conflict overridden by a manager")


class ConflictNote(TimestampedModel):
    """A reviewer's declaration about one submission, or a manager's override of a detected
    conflict; both with the reason, both audited."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="conflict_notes")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ConflictKind.choices)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "submission", "kind"], name="one_conflict_note_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} / {self.submission}: {self.kind}"


class Bid(TimestampedModel):
    """How much a reviewer wants to review a submission (−1 rather not … 2 eager)."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="bids")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="bids")
    preference = models.SmallIntegerField(validators=[MinValueValidator(-1), MaxValueValidator(2)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "submission"], name="one_bid_per_pair")
        ]


class Assignment(TimestampedModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="assignments")
    affinity = models.FloatField(default=0.0)
    #: why this reviewer: [{"name", "value", "reason"}]
    explanation = models.JSONField(default=list, blank=True)
    manual = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "submission", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "submission", "reviewer"], name="one_assignment_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.submission} ({self.round})"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Recommendation(models.TextChoices):
    NONE = "", _("No recommendation")
    ADVANCE = "advance", _("Advance")
    REJECT = "reject", pgettext_lazy("decision", "Reject")
    AWARD = "award", pgettext_lazy("decision", "Award")


class Review(TimestampedModel):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comment_to_applicant = models.TextField(_("comment to the applicant"), blank=True)
    comment_to_committee = models.TextField(_("comment to the committee"), blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    total = models.FloatField(_("weighted total"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    illustrative = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"review of {self.assignment}"


class Outcome(models.TextChoices):
    ADVANCE = "advance", _("Advance to the next round")
    REJECT = "reject", pgettext_lazy("decision", "Reject")
    AWARD = "award", pgettext_lazy("decision", "Award")


class Decision(TimestampedModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="decisions")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "submission"]
        constraints = [
            models.UniqueConstraint(fields=["round", "submission"], name="one_decision_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.outcome} ({self.round})"


class AssignmentJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_JOB_STATUSES = (AssignmentJobStatus.QUEUED, AssignmentJobStatus.RUNNING)


class AssignmentJob(TimestampedModel):
    """One request to run a round's assignment: queued for the worker (or run at once), then
    its outcome, which the round's assignment page shows. At most one waits or runs per round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignment_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=AssignmentJobStatus.choices, default=AssignmentJobStatus.QUEUED
    )
    #: the django_tasks result id when a worker runs it (its progress is kept under this id)
    task_id = models.CharField(max_length=64, blank=True)
    #: created, kept, removed, shortfall {submission id: missing}, total_affinity, method
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_waiting_or_running_assignment_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"assignment of {self.round} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES


class DiscussionPost(TimestampedModel):
    """One message in the reviewers' discussion of a submission: read by its unconflicted
    reviewers who have submitted a review and by the programme's managers, never by the
    applicant (``services/discussion.py``)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="discussion_posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: the submission's round when it was written
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"discussion of {self.submission_id} #{self.pk}"


class ResponseWindow(TimestampedModel):
    """When the applicants of a round may answer their reviews (a rebuttal): one per round."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="response_window")
    opens_at = models.DateTimeField(_("responses open"))
    closes_at = models.DateTimeField(_("responses close"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"response window of {self.round}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_opened(self, now=None) -> bool:
        return self.opens_at <= (now or timezone.now())


class ApplicantResponse(TimestampedModel):
    """The applicant's one answer to the reviews of a submission in a round, editable while
    the round's response window is open; its reviewers read it before they revise."""

    window = models.ForeignKey(ResponseWindow, on_delete=models.CASCADE, related_name="responses")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="applicant_responses"
    )
    text = models.TextField(_("response"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["window", "submission"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "submission"], name="one_response_per_submission_and_window"
            )
        ]

    def __str__(self) -> str:
        return f"response of {self.submission_id} ({self.window.round})"
