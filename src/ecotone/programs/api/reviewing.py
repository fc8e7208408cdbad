"""The reviewer's own routes: their queue, saving a review, declaring a conflict; and a
manager taking a reviewer off a submission. Static paths: registered before ``{slug}``."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth
from ecotone.core.bounds import Id

from .. import services
from ..models import Assignment
from ..permissions import is_manager, review_queue
from ..schemas import AssignmentOut, ReasonIn, ReviewIn
from ..services import assigning, reviews
from .common import ERRORS, assignment_out

router = Router(tags=["programmes"])


@router.get(
    "/programmes/reviews",
    response={200: list[AssignmentOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_review_queue",
    summary="Your review queue",
)
def get_review_queue(request):
    """The caller's assignments across programmes; conflicted ones are left out."""
    return Status(200, [assignment_out(a) for a in review_queue(request.user)])


def _own_assignment(user, pk: int) -> Assignment:
    assignment = Assignment.objects.filter(pk=pk, reviewer__user=user).first()
    if assignment is None or assignment.pk not in {a.pk for a in review_queue(user)}:
        raise Http404
    return assignment


@router.put(
    "/programmes/reviews/{assignment_id}",
    response={200: AssignmentOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_save_review",
    summary="Save or submit a review",
)
def put_review(request, assignment_id: Id, payload: ReviewIn):
    """Scores per criterion key; ``submit: true`` submits (every criterion scored)."""
    assignment = _own_assignment(request.user, assignment_id)
    data = payload.dict()
    submit = data.pop("submit")
    services.save_review(user=request.user, assignment=assignment, data=data, submit=submit)
    return Status(200, assignment_out(Assignment.objects.get(pk=assignment.pk)))


@router.post(
    "/programmes/reviews/{assignment_id}/conflict",
    response={204: None, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_declare_conflict",
    summary="Declare a conflict",
)
def post_conflict(request, assignment_id: Id, payload: ReasonIn):
    assignment = _own_assignment(request.user, assignment_id)
    services.declare_submission_conflict(
        user=request.user,
        reviewer=assignment.reviewer,
        submission=assignment.submission,
        reason=payload.reason,
    )
    return Status(204, None)


@router.delete(
    "/programmes/assignments/{assignment_id}",
    response={204: None, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_remove_assignment",
    summary="Remove a reviewer",
)
def delete_assignment(request, assignment_id: Id, reason: str = ""):
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__programme"), pk=assignment_id
    )
    if not is_manager(request.user, assignment.round.programme):
        raise Http404
    assigning.remove_assignment(user=request.user, assignment=assignment, reason=reason)
    return Status(204, None)


@router.post(
    "/programmes/assignments/{assignment_id}/reopen",
    response={200: AssignmentOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_reopen_review",
    summary="Reopen a submitted review (the reviewer is told the reason)",
)
def post_reopen(request, assignment_id: Id, payload: ReasonIn):
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__programme"), pk=assignment_id
    )
    if not is_manager(request.user, assignment.round.programme):
        raise Http404
    reviews.reopen_assigned_review(user=request.user, assignment=assignment, reason=payload.reason)
    return Status(200, assignment_out(Assignment.objects.get(pk=assignment.pk)))
