"""Shared base models and choices for every bounded context."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .bilingual import without_copy


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


def active_language_is_chinese() -> bool:
    return (translation.get_language() or "en").lower().startswith("zh")


class Bilingual:
    """Read ``<base>_en`` or ``<base>_zh`` by the active language, falling back to the other.

    Declared on a model as ``title = Bilingual("title")``; content is stored in
    per-language columns (see docs/architecture.md).
    """

    def __init__(self, base: str, *, english_field: str | None = None):
        self.english_field = english_field or f"{base}_en"
        self.chinese_field = f"{base}_zh"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return self.pick(instance)[0]

    def pick(self, instance) -> tuple[str, str]:
        """(text, ``en`` or ``zh``: the language of the field it came from; "" if none).

        A Chinese field that only repeats the English text counts as empty (``bilingual``),
        so a Chinese reader sees the English text as English, not as a translation."""
        english = getattr(instance, self.english_field, "") or ""
        chinese = without_copy(getattr(instance, self.chinese_field, "") or "", english)
        order = [(chinese, "zh"), (english, "en")]
        if not active_language_is_chinese():
            order.reverse()
        return next(((text, language) for text, language in order if text), ("", ""))


class TaskProgress(models.Model):
    """How far a background task has come, written by the task as it runs."""

    result_id = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")

    def __str__(self) -> str:
        return f"{self.label}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class WorkerLease(models.Model):
    """A task worker's sign of life (``ecotone worker``), renewed every few seconds: a
    worker whose lease has run out died, and the tasks it left running are recovered."""

    worker_id = models.CharField(max_length=64, unique=True)
    pid = models.PositiveIntegerField()
    host = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    renewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker lease")
        verbose_name_plural = _("worker leases")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
