from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.catalog.models import Organisation
from ecotone.core.refusals import Refused, show_refusal

from . import claims, services
from .forms import SignUpForm
from .models import Membership, MembershipRole, MembershipStatus, OrganisationClaim


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
    except Refused as refused:
        show_refusal(request, refused)
    else:
        if membership.status == MembershipStatus.ACTIVE:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": organisation})
        elif not claims.has_administrator(organisation):
            messages.success(
                request,
                _("Request sent. %(org)s has no administrator yet, so Ecotone's staff will decide.")
                % {"org": organisation},
            )
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
    except Refused as refused:
        show_refusal(request, refused)
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
    except Refused as refused:
        show_refusal(request, refused)
    if request.POST.get("next") == "review" and request.user.is_staff:
        return redirect("accounts:review")
    return redirect("accounts:profile")


# --- claiming an organisation ---------------------------------------------------------------


@login_required
def claim_organisation(request, pk: int):
    """ "Is this your organisation?": prove it by an address at its domain, or by evidence."""
    organisation = get_object_or_404(Organisation.objects.filter(status="published"), pk=pk)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("method") == "evidence":
                claims.submit_evidence_claim(
                    user=request.user,
                    organisation=organisation,
                    evidence=request.POST.get("evidence", ""),
                )
                messages.success(request, _("Thank you. Staff will review your evidence."))
            else:
                claim = claims.start_email_claim(
                    user=request.user,
                    organisation=organisation,
                    email=request.POST.get("email", ""),
                )
                messages.success(
                    request,
                    _("We sent a confirmation link to %(email)s. Open it to finish.")
                    % {"email": claim.email},
                )
            return redirect(organisation.get_absolute_url())
        except Refused as refused:
            errors = {field: [message] for field, message in refused.each_error()}
    context = {
        "organisation": organisation,
        "domain": claims.website_domain(organisation),
        "has_administrator": claims.has_administrator(organisation),
        "open_claim": claims.open_claim(request.user, organisation),
        "errors": errors,
        "values": request.POST,
    }
    return render(request, "accounts/claim.html", context, status=422 if errors else 200)


@login_required
def confirm_claim(request, token: str):
    """The e-mailed link: a page with one button, so that a mail scanner opening the link
    changes nothing."""
    try:
        claim = claims.claim_from_token(token)
    except Refused as refused:
        return render(
            request, "accounts/claim_confirm.html", {"error": refused.message}, status=400
        )
    if request.method == "POST":
        try:
            claim = claims.confirm_email_claim(user=request.user, token=token)
        except Refused as refused:
            show_refusal(request, refused)
        else:
            if claim.status == "confirmed":
                messages.success(
                    request,
                    _("You are now an administrator of %(org)s.") % {"org": claim.organisation},
                )
            else:
                messages.info(
                    request,
                    _("%(org)s already has an administrator: staff will review your claim.")
                    % {"org": claim.organisation},
                )
        return redirect(claim.organisation.get_absolute_url())
    if claim.user_id != request.user.pk:
        raise PermissionDenied(_("Open the link logged in as the person who asked."))
    return render(request, "accounts/claim_confirm.html", {"claim": claim})


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff see the review queue."))


@login_required
def staff_review(request):
    _staff_only(request)
    context = {
        "claims": claims.claims_to_review(),
        "join_requests": claims.join_requests_without_administrator(),
    }
    return render(request, "accounts/review.html", context)


@login_required
@require_POST
def decide_claim(request, pk: int):
    _staff_only(request)
    claim = get_object_or_404(OrganisationClaim, pk=pk)
    approve = request.POST.get("approve") == "1"
    try:
        claims.decide_claim(
            actor=request.user, claim=claim, approve=approve, note=request.POST.get("note", "")
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Claim approved.") if approve else _("Claim rejected."))
    return redirect("accounts:review")


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
    except Refused as refused:
        show_refusal(request, refused)
    else:
        request.session["new_token"] = {"name": token.name, "value": raw}
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request, pk: int):
    services.revoke_token(user=request.user, token_id=pk)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
