"""The "Is this your organisation?" panel of an organisation's page."""

from django import template

from ..claims import has_administrator, open_claim

register = template.Library()


@register.inclusion_tag("accounts/partials/_claim_panel.html", takes_context=True)
def claim_panel(context, organisation):
    request = context.get("request")
    user = getattr(request, "user", None)
    show = organisation.is_public and not has_administrator(organisation)
    return {
        "show": show,
        "organisation": organisation,
        "user": user,
        "request": request,
        "open_claim": open_claim(user, organisation) if show else None,
    }


@register.simple_tag
def administered(organisation) -> bool:
    """Whether someone administers ``organisation`` (else staff decide its join requests)."""
    return has_administrator(organisation)
