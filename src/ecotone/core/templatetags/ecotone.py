import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int) -> str:
    """A link to another page of a filtered list that keeps the filters (the request's
    query string, its ``page`` replaced)."""
    params = context["request"].GET.copy()
    params["page"] = page_number
    return f"?{params.urlencode()}"


@register.filter
def field_value(record, name: str):
    return getattr(record, name, "")


@register.filter
def model_verbose_plural(model) -> str:
    return model._meta.verbose_name_plural


@register.filter
def model_verbose_name(model) -> str:
    return model._meta.verbose_name


@register.simple_tag
def reference_widget(bound_field):
    """Render list-of-references fields as multi-selects with readable labels."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from ecotone.catalog.fields import ReferenceField, ReferenceListField
    from ecotone.catalog.models import Sector

    field = bound_field.field
    if not isinstance(field, ReferenceField | ReferenceListField):
        return bound_field.as_widget()
    current = bound_field.value()
    if isinstance(field, ReferenceListField):
        from ecotone.catalog.fields import split_list

        selected = set(split_list(current))
    else:
        selected = {current} if current else set()
    model = field.model
    if model is Sector:
        options = [
            (s.slug, s.name if s.parent_id is None else f"— {s.name}")
            for s in Sector.objects.order_by("position")
        ]
    else:
        options = [
            (record.external_id, record.label)
            for record in model.objects.filter(status="published").order_by("pk")[:5000]
        ]
    multiple = isinstance(field, ReferenceListField)
    rendered = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, " selected" if key in selected else "", label) for key, label in options),
    )
    return format_html(
        '<select name="{}" id="{}"{}>{}{}</select>',
        bound_field.html_name,
        bound_field.id_for_label,
        mark_safe(' multiple size="8"') if multiple else "",
        mark_safe('<option value="">—</option>') if not multiple else "",
        rendered,
    )


@register.filter
def card_text(record) -> str:
    """The record's main text in the active language, whatever the kind calls it."""
    for name in ("description", "problem", "summary", "bio"):
        text = getattr(record, name, "")
        if text:
            return text
    return ""


@register.filter
def get_item(mapping, key):
    """``counts|get_item:kind.plural``: a dictionary lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def status_label(code: str) -> str:
    """The readable, translated name of a publication status code (``pending`` → Pending review)."""
    from ecotone.core.models import PublicationStatus

    if not code:
        return ""
    try:
        return PublicationStatus(code).label
    except ValueError:
        return code


def _audit_action_labels() -> dict:
    from django.utils.translation import pgettext_lazy

    return {
        "create": pgettext_lazy("audit action", "created"),
        "update": pgettext_lazy("audit action", "edited"),
        "delete": pgettext_lazy("audit action", "deleted"),
        "submit": pgettext_lazy("audit action", "submitted for review"),
        "publish": pgettext_lazy("audit action", "published"),
        "reject": pgettext_lazy("audit action", "rejected"),
        "archive": pgettext_lazy("audit action", "archived"),
        "restore": pgettext_lazy("audit action", "restored"),
        "import": pgettext_lazy("audit action", "imported"),
        "bid_place": pgettext_lazy("audit action", "bid placed"),
        "bid_change": pgettext_lazy("audit action", "bid changed"),
        "bid_withdraw": pgettext_lazy("audit action", "bid withdrawn"),
    }


@register.filter
def audit_action_label(action: str) -> str:
    """The readable, translated name of an audit entry's action."""
    return _audit_action_labels().get(action, action)


@register.filter
def field_label(record, name: str) -> str:
    """The verbose name of one of the record's model fields (for the "changed" column)."""
    try:
        return str(record._meta.get_field(name).verbose_name)
    except Exception:
        return name


@register.filter
def html_lang(code: str) -> str:
    """A content language code (``en`` / ``zh``) as an HTML ``lang`` value."""
    return "zh-Hans" if (code or "").lower().startswith("zh") else "en"


@register.filter
def heading(record) -> str:
    """The record's name for a page heading; awards use their own title, not the long label."""
    title = getattr(record, "title", "") if record.__class__.__name__ == "Award" else ""
    return title or getattr(record, "label", "") or getattr(record, "external_id", "")


def heading_language(record) -> str:
    """The language of the text ``heading`` shows: ``en``, ``zh``, or "" when the record
    has no bilingual name (a name first: a person's ``title`` is the job)."""
    from ecotone.core.models import Bilingual

    for attribute in ("name", "title", "programme"):
        descriptor = getattr(type(record), attribute, None)
        if isinstance(descriptor, Bilingual):
            text, language = descriptor.pick(record)
            if text:
                return language
    return ""


@register.filter
def marked_heading(record) -> str:
    """``heading``, marked when it is not in the page's language: on a Chinese page, a
    record with no Chinese name shows its English one in ``lang="en"`` with a small
    "英文" after it (and the reverse on an English page), never passed off as a translation."""
    from django.utils.html import format_html
    from django.utils.translation import gettext

    from ecotone.core.models import active_language_is_chinese

    text, language = heading(record), heading_language(record)
    if not language or language == ("zh" if active_language_is_chinese() else "en"):
        return text
    return format_html(
        '<span lang="{}">{}</span> <small class="language-note">{}</small>',
        html_lang(language),
        text,
        gettext("English") if language == "en" else gettext("Chinese"),
    )


@register.filter
def basename(path) -> str:
    """The last part of a stored file's name (``resources/x/report.pdf`` → ``report.pdf``)."""
    return str(getattr(path, "name", path) or "").rsplit("/", 1)[-1]


@register.filter
def model_name(record) -> str:
    """``organisation``, ``case`` …: which kind a record is, for templates shared by kinds."""
    meta = getattr(record, "_meta", None)
    return meta.model_name if meta else ""


@register.filter
def total_items(groups) -> int:
    """How many items a list of ``(key, items)`` pairs holds in all (the review queue's total)."""
    return sum(len(items) for _key, items in groups or [])


@register.filter
def startswith(value, prefix) -> bool:
    """``request.path|startswith:url``: whether a navigation link points at the current section."""
    return str(value or "").startswith(str(prefix or "\0"))


@register.filter
def has_field(form, name: str) -> bool:
    """Whether a form has a field of that name (to list errors no field shows)."""
    return name in getattr(form, "fields", {})


@register.simple_tag
def record_dates(record) -> str:
    """A record's start and end as a sentence part: "started 2017; ended June 15, 2021",
    "planned to start 2030" (a date still ahead is a plan, not a start)."""
    today = timezone.localdate()
    parts = []
    if record.start_date:
        started = record.start_date <= today
        wording = _("started %(date)s") if started else _("planned to start %(date)s")
        parts.append(wording % {"date": _stated_date(record.start_date)})
    if record.end_date:
        ended = record.end_date < today
        wording = _("ended %(date)s") if ended else _("planned to end %(date)s")
        parts.append(wording % {"date": _stated_date(record.end_date)})
    return pgettext("between clauses", "; ").join(parts)


def _stated_date(day: datetime.date) -> str:
    """1 January stands for a year its source gives without month or day (the CCUS
    facilities: "Dates have year precision only"), so it is shown as the year alone."""
    if (day.month, day.day) == (1, 1):
        return pgettext("a year standing alone", "%(year)s") % {"year": day.year}
    return date_format(day)
