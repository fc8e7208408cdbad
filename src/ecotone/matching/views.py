"""Pages: the introduction form and list, feedback and criteria posts, staff figures.

The matches themselves are shown inside the catalogue's need, organisation and solution
pages (``templatetags/matching.py``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.accounts.permissions import can_view
from ecotone.catalog.models import Need, Organisation, Sector, Solution
from ecotone.core.refusals import Refused, show_refusal
from ecotone.programs.permissions import visible_programmes

from . import activity, alerts, brokers, match_lists, queries, saved_searches, services
from .forms import IntroductionForm
from .models import AlertFrequency, BrokerOutcome, Introduction, MatchAlert, SavedSearch
from .permissions import can_respond, can_see_figures, can_view_introduction, can_withdraw

LIST_LIMIT = 200


#: form fields for the service's field names
def _rows(user, introductions) -> list[dict]:
    return [
        {
            "introduction": introduction,
            "answer_due": brokers.answer_due(introduction),
            "contacts": queries.contacts(user, introduction),
            "can_respond": introduction.is_open and can_respond(user, introduction),
            "can_withdraw": introduction.is_open and can_withdraw(user, introduction),
        }
        for introduction in introductions
    ]


@login_required
def introduction_list(request):
    user = request.user
    context = {
        "received": _rows(user, queries.introductions_received(user)[:LIST_LIMIT]),
        "sent": _rows(user, queries.introductions_sent(user)[:LIST_LIMIT]),
        "others": _rows(user, queries.introductions_of_others(user)[:LIST_LIMIT]),
        "is_broker": brokers.is_broker(user),
    }
    return render(request, "matching/introduction_list.html", context)


@login_required
def introduction_new(request, target_pk: int):
    target = get_object_or_404(
        Organisation.objects.filter(Organisation.public_condition()), pk=target_pk
    )
    form = IntroductionForm(
        request.POST or None,
        user=request.user,
        target=target,
        initial={"about": request.GET.get("about", "")},
    )
    if request.method == "POST" and form.is_valid():
        introduction = _request_from_form(request, form, target)
        if introduction is not None and introduction.with_brokers:
            messages.success(
                request,
                _(
                    "Request sent to the platform's brokers: %(org)s has no member here yet. "
                    "You will see each step they take here."
                )
                % {"org": target},
            )
            return redirect("matching:introductions")
        if introduction is not None:
            messages.success(
                request,
                _("Request sent to %(org)s. You will see their answer here.") % {"org": target},
            )
            return redirect("matching:introductions")
    return render(
        request,
        "matching/introduction_form.html",
        {"form": form, "target": target, "has_members": brokers.has_active_members(target)},
        status=422 if form.errors else 200,
    )


def _request_from_form(request, form: IntroductionForm, target: Organisation):
    """Ask the service; its refusals become errors on the form field they name."""
    try:
        kind, pk = form.about_parts()
        about = services.resolve_about(kind, pk)
        requesting = services.resolve_organisation(
            form.cleaned_data["requesting_organisation"], field="requesting_organisation"
        )
        return services.request_introduction(
            user=request.user,
            requesting_organisation=requesting,
            target_organisation=target,
            about=about,
            message=form.cleaned_data["message"],
        )
    except Refused as refused:
        show_refusal(request, refused, form)
        return None


def _visible_introduction(request, pk: int) -> Introduction:
    introduction = get_object_or_404(Introduction, pk=pk)
    if not can_view_introduction(request.user, introduction):
        raise Http404
    return introduction


@login_required
@require_POST
def introduction_answer(request, pk: int):
    introduction = _visible_introduction(request, pk)
    decision = request.POST.get("decision", "")
    try:
        if decision not in {"accept", "decline"}:
            raise services.MatchingRefused(_("Choose accept or decline."), field="decision")
        services.respond_to_introduction(
            user=request.user,
            introduction=introduction,
            accept=decision == "accept",
            note=request.POST.get("note", ""),
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        if decision == "accept":
            messages.success(request, _("Accepted. You can now see each other's contact details."))
        else:
            messages.success(request, _("Declined."))
    return redirect("matching:introductions")


@login_required
@require_POST
def introduction_withdraw(request, pk: int):
    introduction = _visible_introduction(request, pk)
    try:
        services.withdraw_introduction(user=request.user, introduction=introduction)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("matching:introductions")


@login_required
def broker_queue(request):
    if not brokers.is_broker(request.user):
        raise PermissionDenied(_("Only the platform's brokers see this queue."))
    show_closed = request.GET.get("closed") == "1"
    rows = [
        {
            "introduction": introduction,
            "routes": brokers.contact_routes(introduction.target_organisation),
            "actions": list(introduction.broker_actions.select_related("broker")),
        }
        for introduction in brokers.broker_queue(request.user, include_closed=show_closed)
    ]
    context = {"rows": rows, "show_closed": show_closed, "outcomes": BrokerOutcome.choices}
    return render(request, "matching/broker_queue.html", context)


@login_required
@require_POST
def broker_step(request, pk: int):
    introduction = get_object_or_404(Introduction, pk=pk)
    if not brokers.can_broker(request.user, introduction):
        raise Http404
    try:
        action = brokers.record_broker_action(
            user=request.user,
            introduction=introduction,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(
            request,
            _("Recorded: %(step)s. The requester is told.")
            % {"step": action.get_outcome_display()},
        )
    return redirect("matching:broker_queue")


def _visible_need(request, pk: int) -> Need:
    need = get_object_or_404(Need, pk=pk)
    if not can_view(request.user, need):
        raise Http404
    return need


@login_required
@require_POST
def need_feedback(request, pk: int):
    need = _visible_need(request, pk)
    try:
        candidate = services.resolve_candidate(request.POST.get("kind", ""), request.POST.get("id"))
        verdict = request.POST.get("verdict", "")
        if verdict not in {"relevant", "not_relevant"}:
            raise services.MatchingRefused(_("Choose relevant or not relevant."), field="verdict")
        services.record_feedback(
            user=request.user, need=need, candidate=candidate, relevant=verdict == "relevant"
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Thank you. Your feedback now counts in this ranking."))
    return redirect(f"{need.get_absolute_url()}#matches")


@login_required
@require_POST
def need_criteria(request, pk: int):
    need = _visible_need(request, pk)
    try:
        services.set_need_criteria(
            user=request.user,
            need=need,
            min_trl=request.POST.get("min_trl", ""),
            regions=request.POST.getlist("regions"),
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Matching criteria saved."))
    return redirect(f"{need.get_absolute_url()}#matches")


@login_required
def figures(request):
    if not can_see_figures(request.user):
        raise PermissionDenied(_("Only staff see the matchmaking figures."))
    context = {"figures": queries.funnel_figures(), "impression_days": queries.IMPRESSION_DAYS}
    return render(request, "matching/figures.html", context)


# --- alerts, follows and the feed ----------------------------------------------------------


@login_required
def alert_settings(request):
    searches = request.user.saved_searches.all()
    context = {
        "alerts": alerts.ensure_alerts(request.user),
        "match_lists": match_lists.user_alerts(request.user),
        "frequencies": AlertFrequency.choices,
        "searches": [
            (s, saved_searches.search_url(s), saved_searches.atom_url(s)) for s in searches
        ],
    }
    return render(request, "matching/alerts.html", context)


@login_required
@require_POST
def alert_set(request, pk: int):
    return _set_frequency(request, get_object_or_404(MatchAlert, pk=pk, user=request.user))


def _set_frequency(request, subscription):
    """How often an alert or a saved search e-mails, from the alerts page."""
    try:
        alerts.set_frequency(
            user=request.user, alert=subscription, frequency=request.POST.get("frequency", "")
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Alert saved."))
    return redirect("matching:alerts")


def _unsubscribe_page(request, alert, kind: str):
    """From the e-mail, without logging in: a page with one button (a mail scanner that
    opens the link unsubscribes nobody)."""
    template = "matching/alert_unsubscribe.html"
    if alert is None:
        return render(request, template, {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        alerts.unsubscribe(alert)
    return render(request, template, {kind: alert, "done": done})


def alert_link(request, token: str):
    """A record's link in an alert e-mail: counted once, then the record's page."""
    target = alerts.open_item(token)
    if target is None:
        raise Http404(_("This link is not valid, or the record is no longer published."))
    return redirect(target)


def alert_unsubscribe(request, token: str):
    return _unsubscribe_page(request, alerts.alert_from_token(token), "alert")


@login_required
def follow_feed(request):
    context = {
        "entries": activity.feed(request.user),
        "follows": request.user.follows.select_related("organisation", "sector", "programme"),
        "days": activity.FEED_DAYS,
    }
    return render(request, "matching/feed.html", context)


@login_required
@require_POST
def follow_organisation(request, pk: int):
    organisation = get_object_or_404(
        Organisation.objects.filter(Organisation.public_condition()), pk=pk
    )
    following = alerts.toggle_follow(user=request.user, organisation=organisation)
    messages.success(
        request,
        (_("You follow %(name)s.") if following else _("You no longer follow %(name)s."))
        % {"name": organisation.label},
    )
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def follow_sector(request, slug: str):
    sector = get_object_or_404(Sector, slug=slug)
    following = alerts.toggle_follow(user=request.user, sector=sector)
    messages.success(
        request,
        (_("You follow %(name)s.") if following else _("You no longer follow %(name)s."))
        % {"name": sector.name},
    )
    return redirect(sector.get_absolute_url())


@login_required
@require_POST
def follow_programme(request, slug: str):
    programme = get_object_or_404(visible_programmes(request.user), slug=slug)
    following = alerts.toggle_follow(user=request.user, programme=programme)
    messages.success(
        request,
        (_("You follow %(name)s.") if following else _("You no longer follow %(name)s."))
        % {"name": programme.label},
    )
    return redirect(programme.get_absolute_url())


@login_required
@require_POST
def saved_search_save(request):
    filters = {name: request.POST.get(name, "") for name in saved_searches.FILTERS}
    try:
        saved_searches.save_search(
            user=request.user,
            query=request.POST.get("q", ""),
            filters=filters,
            frequency=request.POST.get("frequency", AlertFrequency.WEEKLY),
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Search saved. New results will come by e-mail weekly."))
    return redirect("matching:alerts")


@login_required
@require_POST
def saved_search_set(request, pk: int):
    return _set_frequency(request, get_object_or_404(SavedSearch, pk=pk, user=request.user))


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved_searches.delete_search(user=request.user, saved=saved)
    messages.success(request, _("Search deleted."))
    return redirect("matching:alerts")


def saved_search_unsubscribe(request, token: str):
    return _unsubscribe_page(request, saved_searches.saved_from_token(token), "saved")


def match_list_unsubscribe(request, token: str):
    return _unsubscribe_page(request, match_lists.alert_from_token(token), "match_list")


_MATCH_LIST_RECORDS: dict[str, type[Need] | type[Solution]] = {"need": Need, "solution": Solution}


@login_required
@require_POST
def match_list_set(request, kind: str, pk: int):
    """The need's or solution's "alert me when new matches appear" form."""
    model = _MATCH_LIST_RECORDS.get(kind)
    if model is None:
        raise Http404
    record = model._default_manager.filter(pk=pk).first()
    if record is None or not can_view(request.user, record):
        raise Http404
    try:
        alert = match_lists.subscribe(
            user=request.user, record=record, frequency=request.POST.get("frequency", "")
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        if alert.frequency == AlertFrequency.NONE:
            messages.success(request, _("No e-mail of new matches for this one."))
        else:
            messages.success(
                request,
                _("Alert saved: new matches will come by e-mail (%(how)s).")
                % {"how": alert.get_frequency_display().lower()},
            )
    if request.POST.get("back") == "alerts":
        return redirect("matching:alerts")
    return redirect(f"{record.get_absolute_url()}#match-list-alert")
