"""The reviewer's own profile in a programme's pool: expertise, sectors, the organisations
they declare a conflict with, and — read-only — the ties the platform detects for them.

Writes go through ``pool.update_reviewer_profile`` (validated, audited). A declared
organisation takes effect at once: its submissions leave the reviewer's queue on the next
page they open, because every view asks ``permissions`` (which reads the declarations).
Nothing here names a submission or an applicant: a reviewer learns their ties, not who applied.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecotone.accounts.permissions import visible_records
from ecotone.catalog.models import Organisation, Sector
from ecotone.core.bounds import parse_id
from ecotone.core.refusals import Refused, show_refusal

from .conflicts import reviewer_ties
from .forms import ServiceMultipleChoiceField, choice_field
from .models import Programme, Reviewer
from .permissions import reviewer_of
from .services import pool

SEARCH_LIMIT = 20


def sector_choices() -> list:
    """Top-level sectors as groups, each group offering itself and its children."""
    sectors = list(Sector.objects.select_related("parent").order_by("position", "slug"))
    groups = []
    for top in (s for s in sectors if s.parent_id is None):
        children = [(s.slug, s.name) for s in sectors if s.parent_id == top.pk]
        groups.append((top.name, [(top.slug, top.name), *children]))
    return groups


class ReviewerProfileForm(forms.Form):
    expertise = forms.CharField(
        label=gettext_lazy("Your expertise"),
        required=False,
        # at most pool.MAX_EXPERTISE characters: checked by the service, as for the API
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": pool.MAX_EXPERTISE}),
        help_text=gettext_lazy(
            "What you know, in your words (either language): it is compared with each "
            "submission's text to propose what you review."
        ),
    )
    sectors = ServiceMultipleChoiceField(
        label=gettext_lazy("Sectors you know"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "sectors").choices = sector_choices()


def own_reviewer(request, slug: str) -> Reviewer:
    programme = get_object_or_404(Programme, slug=slug)
    reviewer = reviewer_of(request.user, programme)
    if reviewer is None:
        raise Http404  # only people in the pool have a reviewer profile
    return reviewer


def find_organisations(user, query: str, exclude: set[int]) -> list[Organisation]:
    query = query.strip()
    if len(query) < 2:
        return []
    matches = visible_records(user, Organisation.objects.all()).filter(
        Q(name_en__icontains=query) | Q(name_zh__icontains=query)
    )
    return list(matches.exclude(pk__in=exclude).order_by("name_en", "name_zh")[:SEARCH_LIMIT])


@login_required
def reviewer_profile(request, slug: str):
    reviewer = own_reviewer(request, slug)
    if request.method == "POST":
        form = ReviewerProfileForm(request.POST)
        if form.is_valid() and _save(request, reviewer, form):
            messages.success(
                request, _("Your profile is saved; declared conflicts apply from now on.")
            )
            return redirect("programs:reviewer_profile", slug=slug)
        declared_ids = request.POST.getlist("organisations")
    else:
        form = ReviewerProfileForm(
            initial={
                "expertise": reviewer.expertise,
                "sectors": [s.slug for s in reviewer.sectors.all()],
            }
        )
        declared_ids = None
    return _render(request, reviewer, form, declared_ids)


def _save(request, reviewer: Reviewer, form: ReviewerProfileForm) -> bool:
    try:
        pool.update_reviewer_profile(
            user=request.user,
            reviewer=reviewer,
            expertise=form.cleaned_data["expertise"],
            sector_slugs=form.cleaned_data["sectors"],
            organisation_ids=request.POST.getlist("organisations"),
        )
    except Refused as refused:
        show_refusal(request, refused, form)
        return False
    return True


def _render(request, reviewer: Reviewer, form, declared_ids):
    ties = reviewer_ties([reviewer])[reviewer.pk]
    declared = [t.organisation for t in ties if not t.detected and t.organisation is not None]
    if declared_ids is not None:  # a refused form keeps what was ticked
        chosen = {pk for pk in map(parse_id, declared_ids) if pk is not None}
        declared = list(Organisation.objects.filter(pk__in=chosen).order_by("name_en"))
    query = request.GET.get("q", "")
    context = {
        "reviewer": reviewer,
        "programme": reviewer.programme,
        "form": form,
        "declared": declared,
        "found": find_organisations(request.user, query, {o.pk for o in declared}),
        "query": query,
        "detected": [t for t in ties if t.detected],
    }
    return render(
        request,
        "programs/reviewer_profile.html",
        context,
        status=422 if form.errors else 200,
    )
