"""Pages of the reviewers' discussion and the applicant's response to the reviews.

- the discussion of a submission (its reviewers once their review is in, and the managers);
- the applicant's response page (the reviewers' comments to them, and their one response);
- a round's response window, for the managers.

Every write goes through ``services.discussion`` and ``services.responses``, which check
permission and input; a submission the user may not see is a 404, as elsewhere.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecotone.core.refusals import Refused, show_refusal

from . import queries
from .manage_views import managed
from .models import Round
from .permissions import is_applicant, is_manager, review_queue
from .services import discussion, responses
from .views import _visible_submission


class DiscussionForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,  # the service refuses an empty or long message, as for the API
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResponseForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your response to the reviews"),
        required=False,  # the service refuses an empty or long response, as for the API
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("You may change it until responses close."),
    )


class ResponseWindowForm(forms.Form):
    """The window's times as the manager reads them: in the programme's time zone."""

    opens_at = forms.DateTimeField(
        label=gettext_lazy("Responses open"),
        required=False,  # the service names a missing time, as for the API
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Responses close"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    @classmethod
    def for_round(cls, round: Round, data=None) -> "ResponseWindowForm":
        window = responses.window_of(round)
        zone = round.programme.zone
        initial = {}
        if window is not None:
            initial = {
                name: timezone.localtime(getattr(window, name), zone).strftime("%Y-%m-%dT%H:%M")
                for name in ("opens_at", "closes_at")
            }
        return cls(data, initial=initial)

    def clean(self):
        # the service reads the wall-clock time typed in the programme's zone
        cleaned = super().clean() or {}
        for name in ("opens_at", "closes_at"):
            value = cleaned.get(name)
            if value is not None and timezone.is_aware(value):
                cleaned[name] = timezone.make_naive(value)
        return cleaned


@login_required
def submission_discussion(request, pk: int):
    submission = _visible_submission(request, pk)
    posts = discussion.thread(request.user, submission)  # PermissionDenied for others
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion.post_message(
                user=request.user, submission=submission, body=form.cleaned_data["body"]
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect("programs:discussion", pk=pk)
    own = [a for a in review_queue(request.user, submission.programme) if a.submission_id == pk]
    context = {
        "submission": submission,
        "programme": submission.programme,
        "posts": posts,
        "form": form,
        "responses": responses.responses_of(request.user, submission),
        "is_manager": is_manager(request.user, submission.programme),
        "my_assignments": own,
    }
    return render(
        request,
        "programs/discussion/thread.html",
        context,
        status=422 if form.errors else 200,
    )


@login_required
def applicant_response(request, pk: int):
    submission = _visible_submission(request, pk)
    if not is_applicant(request.user, submission):
        raise PermissionDenied(_("Only the applicant responds to the reviews."))
    window = responses.window_for(submission)
    current = None
    if window is not None:
        current = window.responses.filter(submission=submission).first()
    form = ResponseForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            responses.save_response(
                user=request.user, submission=submission, text=form.cleaned_data["text"]
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(request, _("Your response is saved. The reviewers can read it."))
            return redirect("programs:response", pk=pk)
    context = {
        "submission": submission,
        "programme": submission.programme,
        "window": window,
        "is_open": window is not None and window.is_open(),
        "current": current,
        "earlier": [r for r in responses.responses_of(request.user, submission) if r != current],
        "comments": queries.comments_for_applicant(submission),
        "form": form,
    }
    return render(
        request,
        "programs/discussion/response.html",
        context,
        status=422 if form.errors else 200,
    )


@login_required
def response_window(request, slug: str, position: int):
    programme = managed(request, slug)
    round = get_object_or_404(Round, programme=programme, position=position)
    form = ResponseWindowForm.for_round(round, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            responses.set_response_window(user=request.user, round=round, **form.cleaned_data)
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(request, _("The response window is saved; the applicants were told."))
            return redirect("programs:response_window", slug=slug, position=position)
    window = responses.window_of(round)
    context = {
        "programme": programme,
        "round": round,
        "window": window,
        "form": form,
        "responses": (
            window.responses.select_related("submission").order_by("submission__title")
            if window
            else []
        ),
    }
    return render(
        request,
        "programs/discussion/response_window.html",
        context,
        status=422 if form.errors else 200,
    )
