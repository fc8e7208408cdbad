"""Template helpers of the programme pages, and the panel catalogue pages include:
``{% load programs %}{% programme_awards_panel record %}`` lists the published programmes a
case or organisation won, without the catalogue knowing about programmes."""

from django import template

from ecotone.catalog.models import Case, Organisation
from ecotone.core.models import active_language_is_chinese

from ..models import Submission, SubmissionStatus, Visibility

register = template.Library()


@register.filter
def level_text(level: dict) -> str:
    if not isinstance(level, dict):
        return str(level)
    if active_language_is_chinese():
        return level.get("zh") or level.get("en") or ""
    return level.get("en") or level.get("zh") or ""


@register.filter
def get_count(counts, key):
    return counts.get(key, 0) if counts else 0


@register.inclusion_tag("programs/partials/_programme_awards.html")
def programme_awards_panel(record):
    entries = Submission.objects.filter(
        status=SubmissionStatus.AWARDED,
        programme__results_published_at__isnull=False,
        programme__visibility=Visibility.PUBLIC,
    ).select_related("programme")
    if isinstance(record, Case):
        entries = entries.filter(case=record)
    elif isinstance(record, Organisation):
        entries = entries.filter(applicant=record)
    else:
        entries = entries.none()
    return {"entries": list(entries)}
