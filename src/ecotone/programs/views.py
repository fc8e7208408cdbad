"""Pages for visitors, applicants and reviewers. Manager pages are in ``manage_views.py``.

Every page that shows a submission asks ``permissions`` first; a submission the user may not
see is a 404, so its existence does not leak either.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.accounts.audit import history_of
from ecotone.accounts.permissions import member_organisation_ids
from ecotone.core.refusals import Refused, show_refusal
from ecotone.core.uploads import serve_stored_file

from . import queries, services
from .forms import ApplicationForm, ReviewForm, initial_for
from .models import Assignment, Attachment, Programme, Reviewer, ReviewMode, Submission
from .permissions import (
    can_review,
    can_view_programme,
    can_view_submission,
    is_applicant,
    is_manager,
    reviewer_of,
    visible_programmes,
)
from .permissions import (
    review_queue as queue_of,
)
from .services import attachments, discussion, responses


def visible_programme(request, slug: str) -> Programme:
    programme = get_object_or_404(Programme, slug=slug)
    if not can_view_programme(request.user, programme):
        raise Http404
    return programme


def programme_list(request):
    programmes = visible_programmes(request.user).select_related("organiser")
    return render(
        request, "programs/programme_list.html", {"programmes": programmes, "now": timezone.now()}
    )


def programme_detail(request, slug: str):
    programme = visible_programme(request, slug)
    context = {
        "programme": programme,
        "tracks": programme.tracks.prefetch_related("sectors"),
        "rounds": programme.rounds_in_order().prefetch_related("criteria"),
        "is_open": programme.is_open(),
        "is_manager": is_manager(request.user, programme),
        "winners": queries.winners(programme) if programme.results_published else [],
        "can_apply": bool(member_organisation_ids(request.user)),
        "in_pool": reviewer_of(request.user, programme) is not None,
    }
    return render(request, "programs/programme_detail.html", context)


def programme_results(request, slug: str):
    programme = visible_programme(request, slug)
    if not programme.results_published:
        raise Http404
    return render(
        request,
        "programs/programme_results.html",
        {"programme": programme, "winners": queries.winners(programme)},
    )


def _save_application(request, programme, form, submission=None):
    try:
        submit = request.POST.get("action") == "submit"
        submission = services.save_application(
            user=request.user,
            programme=programme,
            data=form.service_data(),
            submission=submission,
            submit=submit,
        )
        if submit:
            messages.success(request, _("Application submitted. We sent you a confirmation."))
        else:
            messages.success(
                request, _("Draft saved. You can come back and submit it before the deadline.")
            )
        return submission
    except Refused as refused:
        show_refusal(request, refused, form)
    return None


@login_required
def apply(request, slug: str):
    programme = visible_programme(request, slug)
    form = ApplicationForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        submission = _save_application(request, programme, form)
        if submission is not None:
            return redirect(submission.get_absolute_url())
    return render(
        request,
        "programs/application_form.html",
        {"form": form, "programme": programme, "is_open": programme.is_open()},
        status=422 if form.errors else 200,
    )


def _visible_submission(request, pk: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("programme", "track", "applicant", "case", "solution"),
        pk=pk,
    )
    if not can_view_submission(request.user, submission):
        raise Http404
    return submission


@login_required
def submission_edit(request, pk: int):
    submission = _visible_submission(request, pk)
    if not is_applicant(request.user, submission):
        raise PermissionDenied(_("Only the applicant edits an application."))
    programme = submission.programme
    form = ApplicationForm(
        request.POST or None,
        user=request.user,
        programme=programme,
        initial=initial_for(submission),
    )
    saved = request.method == "POST" and form.is_valid()
    if saved and _save_application(request, programme, form, submission) is not None:
        return redirect(submission.get_absolute_url())
    return render(
        request,
        "programs/application_form.html",
        {
            "form": form,
            "programme": programme,
            "submission": submission,
            "is_open": programme.is_open(),
        },
        status=422 if form.errors else 200,
    )


@login_required
def submission_detail(request, pk: int):
    submission = _visible_submission(request, pk)
    user = request.user
    manager = is_manager(user, submission.programme)
    applicant = is_applicant(user, submission)
    context = {
        "submission": submission,
        "programme": submission.programme,
        "is_manager": manager,
        "is_applicant": applicant,
        "show_applicant": manager
        or applicant
        or submission.programme.review_mode == ReviewMode.OPEN,
        "comments": queries.comments_for_applicant(submission) if applicant or manager else [],
        "decisions": submission.decisions.select_related("round") if applicant or manager else [],
        "my_assignments": [
            a for a in queue_of(user, submission.programme) if a.submission_id == submission.pk
        ],
        "reviews": queries.reviews_of(submission) if manager else [],
        "attachments": submission.attachments.order_by("created_at", "pk"),
        "attachment_types": ", ".join(attachments.ACCEPTED),
        "history": history_of(submission)[:20] if manager or applicant else [],
        "can_discuss": discussion.can_discuss(user, submission),
        "responses": responses.responses_of(user, submission) if not applicant else [],
        "response_window": responses.window_for(submission) if applicant else None,
    }
    return render(request, "programs/submission_detail.html", context)


@login_required
@require_POST
def submission_withdraw(request, pk: int):
    submission = _visible_submission(request, pk)
    try:
        services.withdraw_submission(
            user=request.user, submission=submission, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Application withdrawn."))
    except Refused as refused:
        show_refusal(request, refused)
    return redirect(submission.get_absolute_url())


@login_required
def my_applications(request):
    submissions = queries.submissions_of_applicant(request.user)
    return render(
        request,
        "programs/my_applications.html",
        {
            "submissions": submissions,
            "responding": responses.submissions_taking_responses(submissions),
        },
    )


@login_required
def review_queue(request):
    assignments = queue_of(request.user)
    pools = Reviewer.objects.filter(user=request.user, active=True).select_related("programme")
    return render(
        request,
        "programs/review_queue.html",
        {"assignments": assignments, "now": timezone.now(), "pools": pools},
    )


def _own_assignment(request, pk: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("round__programme", "submission", "reviewer__user"), pk=pk
    )
    if assignment.reviewer.user_id != request.user.pk or not can_review(
        request.user, assignment.submission
    ):
        raise Http404
    return assignment


@login_required
def review_form(request, pk: int):
    assignment = _own_assignment(request, pk)
    review = getattr(assignment, "review", None)
    criteria = assignment.round.criteria.all()
    initial = {}
    if review is not None:
        initial = {f"score_{k}": str(v) for k, v in review.scores.items()}
        initial.update(
            comment_to_applicant=review.comment_to_applicant,
            comment_to_committee=review.comment_to_committee,
            confidence=str(review.confidence or ""),
            recommendation=review.recommendation,
        )
    form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        revised = review is not None and review.status == "submitted"
        try:
            services.save_review(
                user=request.user, assignment=assignment, data=form.service_data(), submit=submit
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            if revised:
                messages.success(request, _("Review revised."))
                return redirect(request.path)
            messages.success(
                request, _("Review submitted. Thank you.") if submit else _("Draft saved.")
            )
            return redirect("programs:review_queue") if submit else redirect(request.path)
    submission = assignment.submission
    submitted = review is not None and review.status == "submitted"
    revising = submitted and responses.revision_open(assignment.round)
    context = {
        "form": form,
        "assignment": assignment,
        "submission": submission,
        "review": review,
        "show_applicant": submission.programme.review_mode == ReviewMode.OPEN,
        "locked": submitted and not revising,
        "revising": revising,
        "responses": responses.responses_of(request.user, submission),
        "can_discuss": discussion.can_discuss(request.user, submission),
    }
    return render(request, "programs/review_form.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def declare_conflict(request, pk: int):
    assignment = _own_assignment(request, pk)
    try:
        services.declare_submission_conflict(
            user=request.user,
            reviewer=assignment.reviewer,
            submission=assignment.submission,
            reason=request.POST.get("reason", ""),
        )
    except Refused as refused:
        show_refusal(request, refused)
        return redirect("programs:review_form", pk=pk)
    messages.success(request, _("Conflict declared. The submission was removed from your queue."))
    return redirect("programs:review_queue")


# --- attachments -------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk: int):
    submission = _visible_submission(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect(submission.get_absolute_url())
    try:
        attachments.add_attachment(user=request.user, submission=submission, upload=upload)
        messages.success(request, _("%(name)s is attached.") % {"name": upload.name})
    except Refused as refused:
        show_refusal(request, refused)
    return redirect(submission.get_absolute_url())


@login_required
def attachment_file(request, pk: int):
    """Served through the submission's permission check: a conflicted reviewer gets a 404."""
    attachment = get_object_or_404(Attachment.objects.select_related("submission"), pk=pk)
    _visible_submission(request, attachment.submission_id)
    return serve_stored_file(attachment.file, attachment.name)


@login_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("submission"), pk=pk)
    submission = _visible_submission(request, attachment.submission_id)
    try:
        attachments.remove_attachment(user=request.user, attachment=attachment)
        messages.success(request, _("%(name)s is removed.") % {"name": attachment.name})
    except Refused as refused:
        show_refusal(request, refused)
    return redirect(submission.get_absolute_url())
