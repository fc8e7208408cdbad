"""The "impact" panel for the catalogue's case and solution pages: stored calculations
(achieved for a case, potential for a solution) with a link to how each was computed.

    {% load impact %}{% impact_panel record %}
"""

from django import template

from ecotone.accounts.permissions import can_edit

from ..claims import claim_checks
from ..queries import current_calculations_for

register = template.Library()


@register.inclusion_tag("impact/partials/_impact_panel.html", takes_context=True)
def impact_panel(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = record._meta.model_name if record is not None else ""
    calculations = current_calculations_for(record, user)
    checks = {check.calculation.pk: check for check in claim_checks(calculations)}
    for calculation in calculations:
        calculation.claim_check = checks.get(calculation.pk)
    return {
        "record": record,
        "kind": kind,
        "calculations": calculations,
        "may_add": record is not None and user is not None and can_edit(user, record),
    }


@register.filter
def number(value):
    from ..units import format_number

    try:
        return format_number(float(value))
    except (TypeError, ValueError):
        return value


@register.filter
def claim_ratio(calculation):
    """The publisher's claim ÷ the calculation, or None (see ``claims.claim_ratio``)."""
    from ..claims import claim_ratio as ratio

    return ratio(calculation)


@register.filter
def reported(tonnes):
    """A total of t CO2e in the unit a city reports, in the active language (万吨CO2e, Mt)."""
    from django.utils.translation import get_language

    from ..units import format_reported

    try:
        return format_reported(float(tonnes), get_language() or "en")
    except (TypeError, ValueError):
        return tonnes


@register.filter
def get_item(data, name: str) -> str:
    """The rows textarea of a series or lines input, as posted."""
    return data.get(f"{name}__rows", "") if data else ""


@register.filter
def field_value(data, name: str) -> str:
    return data.get(f"{name}__value", "") if data else ""


@register.filter
def field_unit(data, spec) -> str:
    return (data.get(f"{spec.name}__unit") if data else "") or spec.unit


@register.filter
def field_part(data, name: str) -> str:
    """Any other posted part of an input (``electricity__low``, ``grid_factor__factor``…),
    so a result shown after "Calculate" can be saved without typing the inputs again."""
    return data.get(name, "") if data else ""
