"""Applications: a programme's submissions the caller may see, applying, drafts."""

from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth, reading_user
from ecotone.core.bounds import Id

from .. import services
from ..permissions import visible_submissions
from ..schemas import ReasonIn, SubmissionIn, SubmissionOut
from .common import ERRORS, programme_for, submission_for, submission_out

router = Router(tags=["programmes"])


@router.get(
    "/programmes/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    operation_id="programme_submission",
    summary="One submission you may see",
)
def get_submission(request, submission_id: Id):
    user = reading_user(request)
    return Status(200, submission_out(user, submission_for(user, submission_id)))


@router.patch(
    "/programmes/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_update_submission",
    summary="Edit a draft",
)
def patch_submission(request, submission_id: Id, payload: SubmissionIn):
    submission = submission_for(request.user, submission_id)
    submission = _save(request.user, submission.programme, payload, submission)
    return Status(200, submission_out(request.user, submission))


@router.post(
    "/programmes/submissions/{submission_id}/submit",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_submit_submission",
    summary="Submit a draft",
)
def post_submit(request, submission_id: Id):
    submission = services.submit_submission(
        user=request.user, submission=submission_for(request.user, submission_id)
    )
    return Status(200, submission_out(request.user, submission))


@router.post(
    "/programmes/submissions/{submission_id}/withdraw",
    response={200: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_withdraw_submission",
    summary="Withdraw",
)
def post_withdraw(request, submission_id: Id, payload: ReasonIn):
    submission = services.withdraw_submission(
        user=request.user,
        submission=submission_for(request.user, submission_id),
        reason=payload.reason,
    )
    return Status(200, submission_out(request.user, submission))


@router.get(
    "/programmes/{slug}/submissions",
    response={200: list[SubmissionOut], **ERRORS},
    operation_id="programme_submissions",
    summary="Submissions you may see",
)
def list_submissions(request, slug: str):
    user = reading_user(request)
    programme = programme_for(user, slug)
    return Status(200, [submission_out(user, s) for s in visible_submissions(user, programme)])


@router.post(
    "/programmes/{slug}/submissions",
    response={201: SubmissionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_apply",
    summary="Apply (a draft, or submitted at once)",
)
def post_submission(request, slug: str, payload: SubmissionIn):
    submission = _save(request.user, programme_for(request.user, slug), payload)
    return Status(201, submission_out(request.user, submission))


def _save(user, programme, payload: SubmissionIn, submission=None):
    data = payload.dict()
    submit = data.pop("submit")
    return services.save_application(
        user=user, programme=programme, data=data, submission=submission, submit=submit
    )
