"""Files an applicant attaches to a draft application: checked by type and size, stored
outside the public media URL, served only through the submission's permission check."""

from pathlib import Path

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.core.uploads import FileRejected, check_content

from ..models import Attachment, Submission, SubmissionStatus
from .checks import ProgrammeRefused

#: what an applicant may attach (the content is checked, not only the name)
ACCEPTED = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".pptx")
MAX_ATTACHMENTS = 5


def _require_draft_of_applicant(user, submission: Submission) -> None:
    if submission.applicant_id not in member_organisation_ids(user):
        raise PermissionDenied(_("Only members of the applicant may change its attachments."))
    if submission.status != SubmissionStatus.DRAFT:
        raise ProgrammeRefused(
            _("Attachments can only change while the application is a draft."),
            field="file",
            code="not_draft",
            status=409,
        )


def check_upload(submission: Submission, upload) -> None:
    """Refuse a file of a type we do not take, one that is not what its name says, or one
    over the programme's limit; the message names the file."""
    name = upload.name
    limit = submission.programme.max_attachment_mb * 2**20
    if upload.size > limit:
        raise ProgrammeRefused(
            _("%(name)s is larger than %(mb)s MB, the programme's limit.")
            % {"name": name, "mb": submission.programme.max_attachment_mb},
            field="file",
        )
    content = upload.read()
    upload.seek(0)
    try:
        check_content(name, content, ACCEPTED)
    except FileRejected as rejected:
        raise ProgrammeRefused(rejected.message, field="file") from None


@transaction.atomic
def add_attachment(*, user: User | AnonymousUser, submission: Submission, upload) -> Attachment:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _require_draft_of_applicant(user, submission)
    if submission.attachments.count() >= MAX_ATTACHMENTS:
        raise ProgrammeRefused(
            _("An application has at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS},
            field="file",
        )
    check_upload(submission, upload)
    attachment = Attachment(submission=submission, name=Path(upload.name).name, size=upload.size)
    attachment.file.save(Path(upload.name).name, upload, save=False)
    attachment.save()
    record_audit(
        actor=user, action="attachment_added", record=submission, changes={"file": attachment.name}
    )
    return attachment


@transaction.atomic
def remove_attachment(*, user: User | AnonymousUser, attachment: Attachment) -> None:
    submission = attachment.submission
    _require_draft_of_applicant(user, submission)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    record_audit(actor=user, action="attachment_removed", record=submission, changes={"file": name})
