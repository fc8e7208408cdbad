"""An organisation's investor profile (its thesis: stages, ticket size, sectors, regions),
edited on a page of its own by the organisation's members and staff.

Matching reads the profile as it is saved (``matching.ranking.investors``). Like every
catalogue write, a save is checked (``can_edit`` on the organisation), validated by
``InvestorProfileForm`` (errors named by field, nothing written when one is wrong) and
audited on the profile (``services.save_investor_profile``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ecotone.accounts.audit import history_of
from ecotone.accounts.permissions import can_edit, can_view

from . import services
from .choices import InvestmentStage
from .fields import split_list
from .models import InvestorProfile, Organisation

#: what the page shows of the form, in order (the organisation is the page's own)
PAGE_FIELDS = (
    "ticket_min_usd",
    "ticket_max_usd",
    "sectors",
    "regions",
    "thesis_en",
    "thesis_zh",
)


def editable_organisation(user, pk: int) -> Organisation:
    """404 for an organisation the user may not see, 403 for one they may not edit."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_view(user, organisation):
        raise Http404
    if not can_edit(user, organisation):
        raise PermissionDenied(_("Only the organisation's members may edit its investor profile."))
    return organisation


@login_required
def investor_profile_edit(request, pk: int):
    organisation = editable_organisation(request.user, pk)
    profile = InvestorProfile.objects.filter(organisation=organisation).first()
    form = services.investor_profile_form(organisation, profile)
    if request.method == "POST":
        saved, form = services.save_investor_profile(
            user=request.user, organisation=organisation, data=request.POST
        )
        if saved is not None:
            messages.success(request, _("Investor profile saved."))
            return redirect(organisation.get_absolute_url())
    errors = services.form_errors(form)
    context = {
        "organisation": organisation,
        "profile": profile,
        "form": form,
        "page_fields": [form[name] for name in PAGE_FIELDS],
        "stages": InvestmentStage.choices,
        "selected_stages": set(split_list(form["stages"].value())),
        "errors": errors,
        "history": history_of(profile)[:20] if profile else [],
    }
    status = 422 if errors else 200
    return render(request, "catalog/investor_profile_form.html", context, status=status)
