"""``{% load investments %}{% investments_panel record %}``: an organisation's portfolio and
its investors, each counterpart shown only if the reader may see it."""

from django import template

from ecotone.accounts.permissions import visible_records

from ..models import Investment, Organisation

register = template.Library()


@register.inclusion_tag("catalog/partials/_investments.html", takes_context=True)
def investments_panel(context, organisation: Organisation) -> dict:
    user = context.get("user")
    visible = visible_records(user, Organisation.objects.all())
    portfolio = Investment.objects.filter(
        investor=organisation, investee__in=visible
    ).select_related("investee")
    investors = Investment.objects.filter(
        investee=organisation, investor__in=visible
    ).select_related("investor")
    return {"portfolio": list(portfolio), "investors": list(investors)}
