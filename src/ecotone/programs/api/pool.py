"""The reviewer pool: managers list, add, change and remove reviewers; a reviewer reads and
changes their own profile (``/reviewers/me``). Services in ``pool.py``."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth
from ecotone.core.bounds import Id

from ..models import Reviewer, Submission
from ..permissions import reviewer_of
from ..schemas import (
    OverrideIn,
    OverrideOut,
    RemovedOut,
    ReviewerIn,
    ReviewerOut,
    ReviewerPatchIn,
    ReviewerSelfIn,
)
from ..services import conflicts, pool
from .common import ERRORS, managed_programme, programme_for

router = Router(tags=["programmes"])


def reviewer_out(reviewer: Reviewer) -> dict:
    # annotated by ``pool_queryset``; a reviewer read on its own is counted
    assignments = getattr(reviewer, "assignment_count", None)
    return {
        "id": reviewer.pk,
        "username": reviewer.user.get_username(),
        "name": reviewer.display_name,
        "email": reviewer.user.email,
        "expertise": reviewer.expertise,
        "sectors": sorted(s.slug for s in reviewer.sectors.all()),
        "max_load": reviewer.max_load,
        "active": reviewer.active,
        "declared_organisations": sorted(o.pk for o in reviewer.declared_organisations.all()),
        "assignments": reviewer.assignments.count() if assignments is None else assignments,
    }


def pool_queryset(programme):
    """The pool with what ``reviewer_out`` reads, in a fixed number of queries."""
    return (
        programme.reviewers.select_related("user")
        .prefetch_related("sectors", "declared_organisations")
        .annotate(assignment_count=Count("assignments"))
    )


@router.get(
    "/programmes/{slug}/reviewers",
    response={200: list[ReviewerOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_reviewers",
    summary="The reviewer pool",
)
def list_reviewers(request, slug: str):
    programme = managed_programme(request.user, slug)
    return Status(200, [reviewer_out(r) for r in pool_queryset(programme)])


@router.post(
    "/programmes/{slug}/reviewers",
    response={201: ReviewerOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_add_reviewer",
    summary="Add a reviewer by username or e-mail",
)
def post_reviewer(request, slug: str, payload: ReviewerIn):
    reviewer = pool.add_to_pool(
        user=request.user,
        programme=managed_programme(request.user, slug),
        identifier=payload.user,
        expertise=payload.expertise,
        sector_slugs=payload.sectors,
        max_load=payload.max_load,
    )
    return Status(201, reviewer_out(reviewer))


@router.post(
    "/programmes/{slug}/reviewers/import",
    response={201: list[ReviewerOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_import_reviewers",
    summary="Add and invite the reviewers of a CSV list",
    description=(
        "The body is the CSV text (UTF-8): a header naming the columns user, expertise, "
        "sectors (separated by ;) and max_load. All lines are added, or none; a refusal "
        "names the line."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
def post_reviewer_list(request, slug: str):
    programme = managed_programme(request.user, slug)
    added = pool.import_reviewers(user=request.user, programme=programme, text=request.body)
    return Status(
        201,
        [reviewer_out(r) for r in pool_queryset(programme).filter(pk__in=[r.pk for r in added])],
    )


def _own_reviewer(user, slug: str) -> Reviewer:
    reviewer = reviewer_of(user, programme_for(user, slug))
    if reviewer is None:
        raise Http404
    return reviewer


@router.get(
    "/programmes/{slug}/reviewers/me",
    response={200: ReviewerOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_my_reviewer_profile",
    summary="Your reviewer profile",
)
def get_my_profile(request, slug: str):
    return Status(200, reviewer_out(_own_reviewer(request.user, slug)))


@router.patch(
    "/programmes/{slug}/reviewers/me",
    response={200: ReviewerOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_update_my_reviewer_profile",
    summary="Change your expertise, sectors and declared conflicts",
)
def patch_my_profile(request, slug: str, payload: ReviewerSelfIn):
    reviewer = pool.update_reviewer_profile(
        user=request.user,
        reviewer=_own_reviewer(request.user, slug),
        expertise=payload.expertise,
        sector_slugs=payload.sectors,
        organisation_ids=payload.organisations,
    )
    return Status(200, reviewer_out(reviewer))


def _managed_reviewer(user, slug: str, pk: int) -> Reviewer:
    return get_object_or_404(pool_queryset(managed_programme(user, slug)), pk=pk)


@router.patch(
    "/programmes/{slug}/reviewers/{reviewer_id}",
    response={200: ReviewerOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_update_reviewer",
    summary="Change a reviewer's load, expertise or sectors; deactivate or reactivate",
)
def patch_reviewer(request, slug: str, reviewer_id: Id, payload: ReviewerPatchIn):
    reviewer = pool.change_reviewer(
        user=request.user,
        reviewer=_managed_reviewer(request.user, slug, reviewer_id),
        active=payload.active,
        reason=payload.reason,
        expertise=payload.expertise,
        sector_slugs=payload.sectors,
        max_load=payload.max_load,
    )
    return Status(200, reviewer_out(reviewer))


@router.delete(
    "/programmes/{slug}/reviewers/{reviewer_id}",
    response={200: RemovedOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_remove_reviewer",
    summary="Remove a reviewer (deactivated when they had assignments)",
)
def delete_reviewer(request, slug: str, reviewer_id: Id, reason: str = ""):
    reviewer = _managed_reviewer(request.user, slug, reviewer_id)
    result = pool.remove_reviewer(user=request.user, reviewer=reviewer, reason=reason)
    return Status(200, {"result": result})


@router.post(
    "/programmes/{slug}/reviewers/{reviewer_id}/overrides",
    response={201: OverrideOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_override_conflict",
    summary="Set aside a detected conflict of a reviewer with one submission",
    description=(
        "`{submission, reason}`: the reason is kept in the audit log. A declared conflict "
        "always stands (409 `no_conflict` when nothing detected is left to override)."
    ),
)
def post_override(request, slug: str, reviewer_id: Id, payload: OverrideIn):
    reviewer = _managed_reviewer(request.user, slug, reviewer_id)
    submission = get_object_or_404(Submission, pk=payload.submission, programme=reviewer.programme)
    note = conflicts.override_conflict(
        user=request.user, reviewer=reviewer, submission=submission, reason=payload.reason
    )
    body = {"reviewer": reviewer.pk, "submission": submission.pk, "reason": note.reason}
    return Status(201, body)
