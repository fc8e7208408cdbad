"""An organisation's investor profile (its thesis: stages, ticket size, sectors, regions),
edited on a page of its own by the organisation's members and staff.

Matching reads the profile as it is saved (``matching.ranking.investors``). Like every
catalogue write, a save is checked (``can_edit`` on the organisation), validated by
``InvestorProfileForm`` (errors named by field, nothing written when one is wrong) and
audited on the profile.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ecotone.accounts.audit import history_of, record_audit
from ecotone.accounts.permissions import can_edit, can_view

from . import services
from .choices import InvestmentStage
from .fields import split_list
from .forms import InvestorProfileForm
from .kinds import KINDS
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


def profile_form(organisation: Organisation, profile, data: QueryDict | None = None):
    """``InvestorProfileForm`` bound to ``organisation``: the page never lets it be changed."""
    if data is None:
        form = InvestorProfileForm(instance=profile)
    else:
        fields = data.dict()
        for name in ("stages", "sectors"):
            fields[name] = data.getlist(name)
        fields["organisation"] = organisation.external_id or ""
        fields["external_id"] = profile.external_id if profile else ""
        form = InvestorProfileForm(data=fields, instance=profile)
    # an organisation without an external id is still this page's organisation
    form.fields["organisation"].required = False
    return form


@transaction.atomic
def save_investor_profile(*, user, organisation: Organisation, data: QueryDict):
    """Create or change ``organisation``'s profile from the page's fields. Answers the
    saved profile, or the form with its errors (nothing written)."""
    # one writer per organisation: two first saves must not both create a profile
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_edit(user, organisation):
        raise PermissionDenied(_("Only the organisation's members may edit its investor profile."))
    profile = InvestorProfile.objects.filter(organisation=organisation).first()
    form = profile_form(organisation, profile, data)
    if not form.is_valid():
        return None, form
    saved = form.save(commit=False)
    saved.organisation = organisation
    if not saved.external_id:
        saved.external_id = services.new_external_id(KINDS["investor_profile"])
    saved.save()
    form.save_m2m()
    changes = {name: str(form.cleaned_data.get(name))[:200] for name in form.changed_data}
    if profile is None or changes:
        action = "create" if profile is None else "update"
        record_audit(actor=user, action=action, record=saved, changes=changes)
    return saved, form


@login_required
def investor_profile_edit(request, pk: int):
    organisation = editable_organisation(request.user, pk)
    profile = InvestorProfile.objects.filter(organisation=organisation).first()
    form = profile_form(organisation, profile)
    if request.method == "POST":
        saved, form = save_investor_profile(
            user=request.user, organisation=organisation, data=request.POST
        )
        if saved is not None:
            messages.success(request, _("Investor profile saved."))
            return redirect(organisation.get_absolute_url())
    errors = {
        ("record" if name == "__all__" else name): [str(message) for message in listed]
        for name, listed in form.errors.items()
    }
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
