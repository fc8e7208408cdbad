"""The reviewers' discussion of a submission, the applicant's response to the reviews and
a round's response window: the services of ``services.discussion`` and
``services.responses``, as the pages use them.

Static paths under ``/programmes/submissions/{id}/…``; the window under a round's path.
A submission the caller may not see is a 404; one they see but may not discuss (the
applicant) or respond to (a reviewer) is a 403, as on the pages.
"""

from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth, reading_user
from ecotone.core.bounds import Id

from ..schemas import (
    ApplicantResponseIn,
    ApplicantResponseOut,
    DiscussionPostIn,
    DiscussionPostOut,
    ResponseWindowIn,
    ResponseWindowOut,
)
from ..services import discussion, responses
from .common import ERRORS, RoundPosition, managed_round, submission_for

router = Router(tags=["programmes"])


def _posts(user, submission) -> list[dict]:
    return [post.__dict__ for post in discussion.thread(user, submission)]


@router.get(
    "/programmes/submissions/{submission_id}/discussion",
    response={200: list[DiscussionPostOut], **ERRORS},
    operation_id="programme_discussion",
    summary="The reviewers' discussion of a submission",
)
def get_discussion(request, submission_id: Id):
    user = reading_user(request)
    return Status(200, _posts(user, submission_for(user, submission_id)))


@router.post(
    "/programmes/submissions/{submission_id}/discussion",
    response={201: DiscussionPostOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_post_discussion",
    summary="Post in the reviewers' discussion",
)
def post_discussion(request, submission_id: Id, payload: DiscussionPostIn):
    submission = submission_for(request.user, submission_id)
    post = discussion.post_message(user=request.user, submission=submission, body=payload.body)
    mine = next(p for p in _posts(request.user, submission) if p["id"] == post.pk)
    return Status(201, mine)


def _response_out(response) -> dict:
    return {
        "round": response.window.round.position,
        "text": response.text,
        "updated_at": response.updated_at,
    }


@router.get(
    "/programmes/submissions/{submission_id}/responses",
    response={200: list[ApplicantResponseOut], **ERRORS},
    operation_id="programme_responses",
    summary="The applicant's responses to the reviews, every round",
)
def get_responses(request, submission_id: Id):
    user = reading_user(request)
    submission = submission_for(user, submission_id)
    return Status(200, [_response_out(r) for r in responses.responses_of(user, submission)])


@router.put(
    "/programmes/submissions/{submission_id}/responses",
    response={200: ApplicantResponseOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_save_response",
    summary="Write or change your response to the reviews while responses are open",
)
def put_response(request, submission_id: Id, payload: ApplicantResponseIn):
    submission = submission_for(request.user, submission_id)
    response = responses.save_response(user=request.user, submission=submission, text=payload.text)
    return Status(200, _response_out(response))


def _window_out(window) -> dict:
    return {
        "round": window.round.position,
        "opens_at": window.opens_at,
        "closes_at": window.closes_at,
        "open": window.is_open(),
    }


@router.put(
    "/programmes/{slug}/rounds/{position}/response-window",
    response={200: ResponseWindowOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_set_response_window",
    summary="Open or move a round's applicant response window",
)
def put_response_window(request, slug: str, position: RoundPosition, payload: ResponseWindowIn):
    """Times without an offset are read in the programme's time zone."""
    round = managed_round(request.user, slug, position)
    window = responses.set_response_window(
        user=request.user, round=round, opens_at=payload.opens_at, closes_at=payload.closes_at
    )
    return Status(200, _window_out(window))
