from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.catalog.models import Organisation

from . import services
from .forms import SignUpForm
from .models import Membership, MembershipRole, MembershipStatus


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Ecotone. Join your organisation to add records."))
        return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    admin_of = [
        m.organisation_id
        for m in memberships
        if m.status == MembershipStatus.ACTIVE and m.role == MembershipRole.ADMIN
    ]
    requests_to_decide = Membership.objects.filter(
        organisation_id__in=admin_of, status=MembershipStatus.REQUESTED
    ).select_related("user", "organisation")
    if request.user.is_staff:
        requests_to_decide = Membership.objects.filter(
            status=MembershipStatus.REQUESTED
        ).select_related("user", "organisation")
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "requests_to_decide": requests_to_decide,
            "tokens": request.user.api_tokens.order_by("-created_at"),
            "new_token": request.session.pop("new_token", None),
        },
    )


@login_required
@require_POST
def join_organisation(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk, status="published")
    try:
        membership = services.request_membership(
            user=request.user, organisation=organisation, message=request.POST.get("message", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if membership.status == MembershipStatus.ACTIVE:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": organisation})
        else:
            messages.success(
                request,
                _("Request sent. An administrator of %(org)s will decide.") % {"org": organisation},
            )
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def invite_member(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        services.invite_member(
            inviter=request.user,
            organisation=organisation,
            username_or_email=request.POST.get("who", "").strip(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation sent."))
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def decide_membership(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk)
    try:
        services.decide_membership(
            actor=request.user, membership=membership, approve=request.POST.get("approve") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:profile")


@login_required
@require_POST
def accept_invitation(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    services.accept_invitation(user=request.user, membership=membership)
    messages.success(request, _("You joined %(org)s.") % {"org": membership.organisation})
    return redirect("accounts:profile")


@login_required
@require_POST
def create_token(request):
    try:
        token, raw = services.issue_token(user=request.user, name=request.POST.get("name", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session["new_token"] = {"name": token.name, "value": raw}
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request, pk: int):
    services.revoke_token(user=request.user, token_id=pk)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
