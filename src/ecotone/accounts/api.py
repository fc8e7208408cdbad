"""Claims in the API: start a claim on an organisation, confirm it with the e-mailed
token, and (staff) list and decide the claims in review. The same functions as the pages
(``claims``); their refusals name the field at fault."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from ecotone.catalog.models import Organisation
from ecotone.core.bounds import Id
from ecotone.core.refusals import Refused
from ecotone.core.schemas import ErrorOut

from . import claims
from .api_auth import TokenAuth
from .models import OrganisationClaim
from .permissions import is_staff
from .schemas import ClaimConfirmIn, ClaimDecisionIn, ClaimIn, ClaimOut

router = Router(tags=["accounts"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@contextmanager
def refusals():
    """Two requests that raced on one claim: a 409 (the services' own refusals pass as
    they are)."""
    try:
        yield
    except IntegrityError:
        raise Refused(
            _("Another request changed this claim at the same moment; try again."),
            code="conflict",
            status=409,
        ) from None


def claim_out(claim: OrganisationClaim) -> dict:
    organisation = claim.organisation
    return {
        "id": claim.pk,
        "organisation": {
            "id": organisation.pk,
            "name": organisation.label or organisation.external_id,
            "page_url": organisation.get_absolute_url(),
        },
        "claimant": claim.user.get_username(),
        "method": claim.method,
        "email": claim.email,
        "evidence": claim.evidence,
        "status": claim.status,
        "review_reason": claim.review_reason,
        "decision_note": claim.decision_note,
        "created_at": claim.created_at,
        "decided_at": claim.decided_at,
    }


@router.post(
    "/organisations/{organisation_id}/claims",
    response={201: ClaimOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="start_claim",
    summary="Claim an organisation: an e-mail at its website's domain, or evidence for staff",
)
def start_claim(request, organisation_id: Id, payload: ClaimIn):
    organisation = Organisation.objects.filter(
        Organisation.public_condition(), pk=organisation_id
    ).first()
    if organisation is None:
        raise Http404
    email, evidence = payload.email, payload.evidence
    with refusals():
        if email is not None and evidence is None:
            claim = claims.start_email_claim(
                user=request.auth, organisation=organisation, email=email
            )
        elif evidence is not None and email is None:
            claim = claims.submit_evidence_claim(
                user=request.auth, organisation=organisation, evidence=evidence
            )
        else:
            raise Refused(_("Give either an e-mail address or evidence."), field="email")
    return Status(201, claim_out(claim))


@router.get(
    "/claims",
    response={200: list[ClaimOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="list_my_claims",
    summary="Your claims, newest first",
)
def list_my_claims(request):
    mine = OrganisationClaim.objects.filter(user=request.auth).select_related(
        "user", "organisation"
    )
    return Status(200, [claim_out(c) for c in mine.order_by("-created_at", "-pk")])


@router.post(
    "/claims/confirm",
    response={200: ClaimOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="confirm_claim",
    summary="Confirm your e-mail claim with the token of the link mailed to you",
)
def confirm_claim(request, payload: ClaimConfirmIn):
    with refusals():
        claim = claims.confirm_email_claim(user=request.auth, token=payload.token.strip())
    return Status(200, claim_out(claim))


@router.get(
    "/claims/review",
    response={200: list[ClaimOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="claims_to_review",
    summary="(staff) Claims waiting for a decision, oldest first",
)
def claims_to_review(request):
    if not is_staff(request.auth):
        raise PermissionDenied(_("Only staff decide claims."))
    waiting = claims.claims_to_review().order_by("created_at", "pk")
    return Status(200, [claim_out(c) for c in waiting])


@router.post(
    "/claims/{claim_id}/decision",
    response={200: ClaimOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="decide_claim",
    summary="(staff) Approve a claim (the claimant becomes an administrator) or reject it",
)
def decide_claim(request, claim_id: Id, payload: ClaimDecisionIn):
    if not is_staff(request.auth):
        raise PermissionDenied(_("Only staff decide claims."))
    claim = OrganisationClaim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    with refusals():
        claim = claims.decide_claim(
            actor=request.auth,
            claim=claim,
            approve=payload.decision == "approve",
            note=payload.note,
        )
    return Status(200, claim_out(claim))
