"""Manager pages: dashboard, reviewer pool, assignment, ranking and decisions, publishing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ecotone.accounts.audit import history_of
from ecotone.core.bounds import parse_id
from ecotone.core.models import TaskProgress
from ecotone.core.refusals import Refused, show_refusal

from . import queries, services, tasks
from .conflicts import ConflictIndex, reviewer_ties
from .forms import CallWindowForm, ReviewerForm
from .models import Assignment, AssignmentJobStatus, Programme, Reviewer, Round, Submission
from .permissions import is_manager
from .services import assigning, decisions, pool, reminders, reviews


def managed(request, slug: str) -> Programme:
    programme = get_object_or_404(Programme, slug=slug)
    if not is_manager(request.user, programme):
        raise PermissionDenied(_("Only the programme's managers see this page."))
    return programme


def _round(programme: Programme, position: int) -> Round:
    return get_object_or_404(Round, programme=programme, position=position)


@login_required
def dashboard(
    request,
    slug: str,
    call_form: CallWindowForm | None = None,
    reviewer_form: ReviewerForm | None = None,
    status: int = 200,
):
    programme = managed(request, slug)
    context = {
        "programme": programme,
        "figures": queries.dashboard(programme),
        "reviewers": _pool_with_ties(programme),
        "reviewer_form": reviewer_form or ReviewerForm(),
        "call_form": call_form or CallWindowForm.for_programme(programme),
        "history": history_of(programme)[:10],
    }
    return render(request, "programs/manage/dashboard.html", context, status=status)


def _pool_with_ties(programme: Programme) -> list[tuple]:
    """(reviewer, detected ties, declared ties) — a fixed number of queries for the pool.
    Their e-mail domain is left out here: it ties them to no organisation by itself (the
    assignment page shows it against the submissions it concerns)."""
    reviewers = list(programme.reviewers.select_related("user").prefetch_related("sectors"))
    ties = reviewer_ties(reviewers)
    return [
        (
            r,
            [t for t in ties[r.pk] if t.detected and t.code != "domain"],
            [t for t in ties[r.pk] if not t.detected],
        )
        for r in reviewers
    ]


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
        except Refused as refused:
            show_refusal(request, refused, form)
    return dashboard(request, slug, call_form=form, status=422)


@login_required
@require_POST
def add_reviewer(request, slug: str):
    """The same write as the API's and the CLI's (``pool.add_to_pool``), with its checks: an
    unknown account or sector and someone already in the pool are refused on the form."""
    programme = managed(request, slug)
    form = ReviewerForm(request.POST)
    if form.is_valid():
        try:
            reviewer = pool.add_to_pool(
                user=request.user, programme=programme, **form.service_data()
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(
                request,
                _("%(name)s is in the reviewer pool.") % {"name": reviewer.user.get_username()},
            )
            return redirect("programs:dashboard", slug=slug)
    return dashboard(request, slug, reviewer_form=form, status=422)


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
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("programs:dashboard", slug=slug)


@login_required
@require_POST
def remind_reviewers(request, slug: str, position: int):
    programme = managed(request, slug)
    try:
        reviewers, reviews = reminders.remind_reviewers(
            user=request.user, round=_round(programme, position)
        )
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(n)s reviewer about %(reviews)s pending reviews.",
                "Reminders sent to %(n)s reviewers about %(reviews)s pending reviews.",
                reviewers,
            )
            % {"n": reviewers, "reviews": reviews},
        )
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("programs:dashboard", slug=slug)


@login_required
@require_POST
def close_call(request, slug: str):
    programme = managed(request, slug)
    try:
        services.close_call(user=request.user, programme=programme)
        messages.success(request, _("The call is closed."))
    except Refused as refused:
        show_refusal(request, refused)
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
    by_submission: dict[int, list[Assignment]] = {s.pk: [] for s in submissions}
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
    context = {
        "programme": programme,
        "round": round,
        "rows": rows,
        "reviewers": reviewers,
        **_job_context(round, {s.pk: s for s in submissions}),
    }
    return render(request, "programs/manage/assignments.html", context)


def _job_context(round: Round, submissions: dict) -> dict:
    """The background run of the assignment: waiting or running (with its progress), or the
    outcome of the last one, shortfall named by submission."""
    active = tasks.active_job(round)
    job = active or tasks.latest_job(round)
    progress = None
    if active is not None and active.task_id:
        progress = TaskProgress.objects.filter(result_id=active.task_id).first()
    shortfall = []
    if job is not None and not job.active:
        for pk, missing in (job.result.get("shortfall") or {}).items():
            submission = submissions.get(int(pk))
            shortfall.append((submission.title if submission else f"#{pk}", missing))
    return {"job": job, "busy": active is not None, "progress": progress, "shortfall": shortfall}


def _run_message(request, job) -> None:
    if job.active:
        messages.info(
            request,
            _("The assignment is queued; this page shows its result when the worker is done."),
        )
        return
    if job.status == AssignmentJobStatus.FAILED:
        messages.error(request, job.error)
        return
    result = job.result
    text = _("Assignment done: %(created)s new, %(kept)s kept, %(removed)s removed.") % {
        "created": result["created"],
        "kept": result["kept"],
        "removed": result["removed"],
    }
    if result["shortfall"]:
        missing = len(result["shortfall"])
        text += " " + ngettext(
            "%(n)s submission lacks reviewers.",
            "%(n)s submissions lack reviewers.",
            missing,
        ) % {"n": missing}
    messages.success(request, text)


def _posted(request, model, name: str, **within):
    """The record whose id the form posted as ``name``, among ``within``: a 404 for an id
    of another programme or round, or for something that is not an id."""
    pk = parse_id(request.POST.get(name))
    if pk is None:
        raise Http404
    return get_object_or_404(model, pk=pk, **within)


def _assignment_post(request, round: Round):
    action = request.POST.get("action", "")
    programme = round.programme
    try:
        if action == "run":
            _run_message(request, tasks.request_assignment(user=request.user, round=round))
        elif action == "add":
            assigning.add_assignment(
                user=request.user,
                round=round,
                submission=_posted(request, Submission, "submission", programme=programme),
                reviewer=_posted(request, Reviewer, "reviewer", programme=programme),
            )
            messages.success(request, _("Reviewer added."))
        elif action == "remove":
            assignment = _posted(request, Assignment, "assignment", round=round)
            assigning.remove_assignment(
                user=request.user, assignment=assignment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Reviewer removed."))
        elif action == "reopen":
            assignment = _posted(request, Assignment, "assignment", round=round)
            reviews.reopen_assigned_review(
                user=request.user, assignment=assignment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Review reopened; the reviewer is told by e-mail."))
        elif action == "override":
            services.override_conflict(
                user=request.user,
                reviewer=_posted(request, Reviewer, "reviewer", programme=programme),
                submission=_posted(request, Submission, "submission", programme=programme),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Conflict overridden; the reason is in the audit log."))
    except Refused as refused:
        show_refusal(request, refused)
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
    items = [
        (pk, request.POST.get(f"outcome_{pk}", ""), request.POST.get(f"reason_{pk}") or reason)
        for pk in chosen
    ]
    try:
        rows = decisions.decision_rows(round, items)
        decided = decisions.decide(user=request.user, round=round, decisions=rows)
        messages.success(
            request,
            _("%(n)s decisions recorded; the applicants are told by e-mail.") % {"n": len(decided)},
        )
    except Refused as refused:
        show_refusal(request, refused)
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
    except Refused as refused:
        show_refusal(request, refused)
        return redirect("programs:dashboard", slug=slug)
    return redirect("programs:programme_results", slug=slug)
