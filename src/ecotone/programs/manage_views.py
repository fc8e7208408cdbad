"""Manager pages: dashboard, reviewer pool, assignment, ranking and decisions, publishing."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ecotone.accounts.audit import history_of

from . import assigning, decisions, queries, services
from .conflicts import ConflictIndex
from .forms import CallWindowForm, ReviewerForm
from .models import Assignment, Programme, Reviewer, Round, Submission
from .permissions import is_manager
from .states import TransitionRefused


def managed(request, slug: str) -> Programme:
    programme = get_object_or_404(Programme, slug=slug)
    if not is_manager(request.user, programme):
        raise PermissionDenied(_("Only the programme's managers see this page."))
    return programme


def _round(programme: Programme, position: int) -> Round:
    return get_object_or_404(Round, programme=programme, position=position)


@login_required
def dashboard(request, slug: str, call_form: CallWindowForm | None = None, status: int = 200):
    programme = managed(request, slug)
    context = {
        "programme": programme,
        "figures": queries.dashboard(programme),
        "reviewers": programme.reviewers.select_related("user").prefetch_related("sectors"),
        "reviewer_form": ReviewerForm(),
        "call_form": call_form or CallWindowForm.for_programme(programme),
        "history": history_of(programme)[:10],
    }
    return render(request, "programs/manage/dashboard.html", context, status=status)


@login_required
@require_POST
def call_window(request, slug: str):
    """Open the call, or move its dates (times in the programme's time zone)."""
    programme = managed(request, slug)
    form = CallWindowForm.for_programme(programme, request.POST)
    if form.is_valid():
        try:
            services.set_call_window(user=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("The call dates are saved."))
            return redirect("programs:dashboard", slug=slug)
        except services.ProgrammeRefused as refused:
            form.add_refusal(refused)
    return dashboard(request, slug, call_form=form, status=422)


def _refusal_message(request, error) -> None:
    messages.error(request, getattr(error, "message", str(error)))


@login_required
@require_POST
def add_reviewer(request, slug: str):
    programme = managed(request, slug)
    form = ReviewerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the reviewer's details."))
        return redirect("programs:dashboard", slug=slug)
    user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, _("There is no user with this name."))
        return redirect("programs:dashboard", slug=slug)
    sectors = [s.strip() for s in form.cleaned_data["sectors"].split(";") if s.strip()]
    services.add_reviewer(
        user=request.user,
        programme=programme,
        reviewer_user=user,
        expertise=form.cleaned_data["expertise"],
        sectors=sectors,
        max_load=form.cleaned_data["max_load"],
    )
    messages.success(
        request, _("%(name)s is in the reviewer pool.") % {"name": user.get_username()}
    )
    return redirect("programs:dashboard", slug=slug)


@login_required
@require_POST
def start_round(request, slug: str, position: int):
    programme = managed(request, slug)
    try:
        count = services.start_round(user=request.user, round=_round(programme, position))
        messages.success(
            request,
            ngettext(
                "Round started with %(n)s new submission.",
                "Round started with %(n)s new submissions.",
                count,
            )
            % {"n": count},
        )
    except (services.ProgrammeRefused, TransitionRefused) as refused:
        _refusal_message(request, refused)
    return redirect("programs:dashboard", slug=slug)


@login_required
@require_POST
def close_call(request, slug: str):
    programme = managed(request, slug)
    try:
        services.close_call(user=request.user, programme=programme)
        messages.success(request, _("The call is closed."))
    except services.ProgrammeRefused as refused:
        _refusal_message(request, refused)
    return redirect("programs:dashboard", slug=slug)


@login_required
def assignments(request, slug: str, position: int):
    programme = managed(request, slug)
    round = _round(programme, position)
    if request.method == "POST":
        return _assignment_post(request, round)
    submissions = assigning.round_submissions(round)
    reviewers = assigning.pool(round)
    index = ConflictIndex(reviewers, submissions)
    by_submission = {s.pk: [] for s in submissions}
    for a in round.assignments.select_related("reviewer__user", "review").order_by("-affinity"):
        by_submission.setdefault(a.submission_id, []).append(a)
    rows = [
        {
            "submission": s,
            "assignments": by_submission.get(s.pk, []),
            "conflicts": [
                (r, index.reasons(r, s), index.override_reason(r, s))
                for r in reviewers
                if index.detected(r, s) or index.declared_reasons(r, s)
            ],
        }
        for s in submissions
    ]
    context = {"programme": programme, "round": round, "rows": rows, "reviewers": reviewers}
    return render(request, "programs/manage/assignments.html", context)


def _assignment_post(request, round: Round):
    action = request.POST.get("action", "")
    try:
        if action == "run":
            run = assigning.run_assignment(user=request.user, round=round)
            text = _("Assignment done: %(created)s new, %(kept)s kept, %(removed)s removed.") % {
                "created": run.created,
                "kept": run.kept,
                "removed": run.removed,
            }
            if run.shortfall:
                missing = len(run.shortfall)
                text += " " + ngettext(
                    "%(n)s submission lacks reviewers.",
                    "%(n)s submissions lack reviewers.",
                    missing,
                ) % {"n": missing}
            messages.success(request, text)
        elif action == "add":
            assigning.add_assignment(
                user=request.user,
                round=round,
                submission=get_object_or_404(Submission, pk=request.POST.get("submission")),
                reviewer=get_object_or_404(Reviewer, pk=request.POST.get("reviewer")),
            )
            messages.success(request, _("Reviewer added."))
        elif action == "remove":
            assignment = get_object_or_404(
                Assignment, pk=request.POST.get("assignment"), round=round
            )
            assigning.remove_assignment(
                user=request.user, assignment=assignment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Reviewer removed."))
        elif action == "override":
            services.override_conflict(
                user=request.user,
                reviewer=get_object_or_404(
                    Reviewer, pk=request.POST.get("reviewer"), programme=round.programme
                ),
                submission=get_object_or_404(
                    Submission, pk=request.POST.get("submission"), programme=round.programme
                ),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Conflict overridden; the reason is in the audit log."))
    except (services.ProgrammeRefused, TransitionRefused) as refused:
        _refusal_message(request, refused)
    return redirect("programs:assignments", slug=round.programme.slug, position=round.position)


@login_required
def ranking(request, slug: str, position: int):
    programme = managed(request, slug)
    round = _round(programme, position)
    if request.method == "POST":
        return _decide(request, round)
    context = {
        "programme": programme,
        "round": round,
        "ranking": decisions.round_ranking(round),
        "has_next": round.next_round() is not None,
    }
    return render(request, "programs/manage/ranking.html", context)


def _decide(request, round: Round):
    chosen = request.POST.getlist("submission")
    reason = request.POST.get("reason", "")
    rows = []
    for pk in chosen:
        submission = get_object_or_404(Submission, pk=pk, programme=round.programme)
        rows.append(
            (
                submission,
                request.POST.get(f"outcome_{pk}", ""),
                request.POST.get(f"reason_{pk}") or reason,
            )
        )
    try:
        decided = decisions.decide(user=request.user, round=round, decisions=rows)
        messages.success(
            request,
            _("%(n)s decisions recorded; the applicants are told by e-mail.") % {"n": len(decided)},
        )
    except (services.ProgrammeRefused, TransitionRefused) as refused:
        _refusal_message(request, refused)
    return redirect("programs:ranking", slug=round.programme.slug, position=round.position)


@login_required
@require_POST
def publish(request, slug: str):
    programme = managed(request, slug)
    try:
        awards = decisions.publish_results(user=request.user, programme=programme)
        messages.success(
            request, _("Results published: %(n)s awards are in the catalogue.") % {"n": len(awards)}
        )
    except services.ProgrammeRefused as refused:
        _refusal_message(request, refused)
        return redirect("programs:dashboard", slug=slug)
    return redirect("programs:programme_results", slug=slug)
