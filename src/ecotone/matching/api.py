"""``/api/v1/needs/{id}/matches``, ``…/{organisations,solutions}/{id}/counterparts`` and
``/api/v1/introductions``."""

import json
from typing import TYPE_CHECKING, Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.errors import AuthenticationError
from ninja.responses import Status
from pydantic import Field

from ecotone.accounts.api_auth import TokenAuth, reading_user
from ecotone.accounts.permissions import can_view, member_organisation_ids
from ecotone.catalog.models import Need, Organisation, Sector, Solution
from ecotone.core.bounds import Id, PageLimit
from ecotone.core.pagination import cursor_page
from ecotone.programs.permissions import visible_programmes

from . import activity, alerts, brokers, match_lists, queries, services
from .models import Introduction, IntroductionStatus, MatchAlert, MatchSurface
from .permissions import can_respond, can_view_introduction
from .ranking import cached_need_matches, counterparts_for_venture, is_venture
from .schemas import (
    AlertIn,
    AlertOut,
    BrokerQueueItemOut,
    BrokerStepIn,
    ErrorOut,
    FeedEntryOut,
    FollowIn,
    FollowOut,
    IntroductionIn,
    IntroductionOut,
    IntroductionPageOut,
    MatchListAlertIn,
    MatchListAlertOut,
    NeedMatchesOut,
    ResponseIn,
    VentureCounterpartsOut,
)

router = Router(tags=["matching"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_MATCHES = 50
MatchLimit = Annotated[int, Field(ge=1, le=MAX_MATCHES, description="matches per group, 1–50")]
if TYPE_CHECKING:
    # A Literal of the statuses, built from IntroductionStatus at run time so the two cannot
    # drift; mypy cannot read a Literal built by a call and sees the text it narrows.
    IntroductionState = str
else:
    IntroductionState = Literal[tuple(IntroductionStatus.values)]


def match_out(match) -> dict:
    record = match.record
    return {
        "kind": match.kind,
        "id": record.pk,
        # a programme has a short name (slug) instead of an external id
        "external_id": getattr(record, "external_id", None) or getattr(record, "slug", ""),
        "title": match.title,
        "score": match.score,
        "components": [
            {"name": c.name, "value": c.value, "weight": c.weight, "reason": str(c.reason)}
            for c in match.components
        ],
        "constraints": [_constraint_out(c) for c in match.constraints],
        "failed_constraints": [_constraint_out(c) for c in match.failed_constraints],
        "page_url": record.get_absolute_url(),
    }


def _constraint_out(constraint) -> dict:
    return {"name": constraint.name, "status": constraint.status, "reason": str(constraint.reason)}


@router.get(
    "/needs/{need_id}/matches",
    response={200: NeedMatchesOut, **ERRORS},
    operation_id="need_matches",
    summary="Solutions and cases that fit a need, with the reasons",
)
def get_need_matches(request, need_id: Id, limit: MatchLimit = 10):
    """Published solutions and cases ranked for the need. Each match lists its score
    components (``value`` adds up to ``score``) and the hard constraints it was checked
    against; ``excluded`` lists candidates that failed one. ``limit`` is 1–50."""
    user = reading_user(request)
    need = Need.objects.filter(pk=need_id).first()
    if need is None or not can_view(user, need):
        raise Http404
    report = cached_need_matches(need, limit)
    services.record_impression(need, MatchSurface.API, len(report.matches))
    return Status(
        200,
        {
            "need": need.pk,
            "matches": [match_out(m) for m in report.matches],
            "excluded": [match_out(m) for m in report.excluded],
            "message": report.closed_reason,
        },
    )


VENTURE_MODELS: dict[str, tuple[str, type[Organisation] | type[Solution]]] = {
    "organisations": ("organisation", Organisation),
    "solutions": ("solution", Solution),
}


def _venture_counterparts(request, plural: str, record_id: int, limit: int):
    kind, model = VENTURE_MODELS[plural]
    user = reading_user(request)
    record = model._default_manager.filter(pk=record_id).first()
    if record is None or not can_view(user, record):
        raise Http404
    body = {"kind": kind, "id": record.pk, "groups": [], "message": ""}
    if not is_venture(record):
        body["message"] = str(NOT_A_VENTURE)
        return Status(200, body)
    body["groups"] = [
        {
            "name": group.name,
            "label": group.label,
            "matches": [match_out(m) for m in group.matches],
            "excluded": [match_out(m) for m in group.excluded],
        }
        for group in counterparts_for_venture(record, limit)
    ]
    return Status(200, body)


NOT_A_VENTURE = _(
    "Investors and public bodies are counterparts, not ventures: they are offered to "
    "startups, companies, research institutes and NGOs and their solutions."
)
COUNTERPARTS_DOC = """Counterparts for a venture, ranked with the reasons: open needs that
    could pilot it (``pilot_sites``), investors whose thesis fits (``investors``) and any group
    another app adds (open programmes). Each match lists its score components and the hard
    constraints it was checked against; ``excluded`` lists those that failed one. ``limit``
    (1–50) applies to each group."""


@router.get(
    "/organisations/{record_id}/counterparts",
    response={200: VentureCounterpartsOut, **ERRORS},
    operation_id="organisation_counterparts",
    summary="Pilot sites, investors and programmes for an organisation",
    description=COUNTERPARTS_DOC,
)
def get_organisation_counterparts(request, record_id: Id, limit: MatchLimit = 5):
    return _venture_counterparts(request, "organisations", record_id, limit)


@router.get(
    "/solutions/{record_id}/counterparts",
    response={200: VentureCounterpartsOut, **ERRORS},
    operation_id="solution_counterparts",
    summary="Pilot sites, investors and programmes for a solution",
    description=COUNTERPARTS_DOC,
)
def get_solution_counterparts(request, record_id: Id, limit: MatchLimit = 5):
    return _venture_counterparts(request, "solutions", record_id, limit)


def _organisation_ref(organisation) -> dict:
    return {
        "id": organisation.pk,
        "external_id": organisation.external_id,
        "name": organisation.label or organisation.external_id,
        "page_url": organisation.get_absolute_url(),
    }


def _side(user, introduction: Introduction) -> str:
    side = queries.side_of(user, introduction)
    if side == "staff" and not user.is_staff:
        return "broker"
    return side


def introduction_out(user, introduction: Introduction) -> dict:
    about = introduction.about
    return {
        "id": introduction.pk,
        "status": introduction.status,
        "side": _side(user, introduction),
        "requesting_organisation": _organisation_ref(introduction.requesting_organisation),
        "target_organisation": _organisation_ref(introduction.target_organisation),
        "about": {
            "kind": introduction.about_kind,
            "id": about.pk,
            "external_id": about.external_id,
            "title": about.label or about.external_id,
            "page_url": about.get_absolute_url(),
        },
        "message": introduction.message,
        "response_note": introduction.response_note,
        "created_at": introduction.created_at,
        "responded_at": introduction.responded_at,
        "withdrawn_at": introduction.withdrawn_at,
        "contacts": queries.contacts(user, introduction),
        "route": introduction.route,
        "broker_outcome": introduction.broker_outcome,
        "broker_outcome_at": introduction.broker_outcome_at,
        "answer_due": brokers.answer_due(introduction),
    }


def _requesting_organisation(user, requested_id: int | None):
    """The caller's organisation: the one named, or their only one."""
    if requested_id is not None:
        return services.resolve_organisation(requested_id, field="requesting_organisation")
    mine = member_organisation_ids(user)
    if not mine:
        raise PermissionDenied(
            "join an organisation first: introductions are between organisations"
        )
    if len(mine) > 1:
        raise services.MatchingRefused(
            "you belong to several organisations; say which one asks",
            field="requesting_organisation",
        )
    return services.resolve_organisation(next(iter(mine)), field="requesting_organisation")


@router.post(
    "/introductions",
    response={201: IntroductionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="request_introduction",
    summary="Ask to be introduced to an organisation",
)
def create_introduction(request, payload: IntroductionIn):
    """The need or solution must belong to one of the two organisations. 409 when the same
    request is already open."""
    user = request.auth
    requesting = _requesting_organisation(user, payload.requesting_organisation)
    target = services.resolve_organisation(payload.target_organisation, field="target_organisation")
    about = services.resolve_about(payload.about_kind, payload.about_id)
    introduction = services.request_introduction(
        user=user,
        requesting_organisation=requesting,
        target_organisation=target,
        about=about,
        message=payload.message,
    )
    return Status(201, introduction_out(user, introduction))


@router.get(
    "/introductions",
    response={200: IntroductionPageOut, **ERRORS},
    operation_id="list_introductions",
    summary="Introductions sent or received by your organisations",
)
def list_introductions(
    request,
    status: IntroductionState | None = None,
    cursor: str | None = None,
    limit: PageLimit = 20,
):
    """Oldest first, with cursor pagination; ``status`` is requested, accepted, declined or
    withdrawn. Staff see every introduction."""
    user = reading_user(request)
    if not user.is_authenticated:
        raise AuthenticationError()
    queryset = queries.introductions_visible_to(user)
    if status:
        queryset = queryset.filter(status=status)
    items, next_cursor = cursor_page(queryset, cursor=cursor, limit=limit)
    return Status(200, {"results": [introduction_out(user, i) for i in items], "next": next_cursor})


NOTE_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": ResponseIn.model_json_schema()}},
    }
}


def _note_from(request) -> str:
    """The optional JSON body ``{"note": "..."}`` (or a form field); no body, no note."""
    if request.content_type != "application/json":
        return request.POST.get("note", "")
    if not request.body.strip():
        return ""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    note = body.get("note", "") if isinstance(body, dict) else None
    if not isinstance(note, str):
        raise services.MatchingRefused('send {"note": "..."} as JSON, or no body', field="note")
    return note


def _visible_introduction(user, introduction_id: int) -> Introduction:
    """404 for what the caller cannot see; 403 (from the service) for what they cannot do."""
    introduction = queries.introductions_visible_to(user).filter(pk=introduction_id).first()
    if introduction is None or not can_view_introduction(user, introduction):
        raise Http404
    return introduction


@router.post(
    "/introductions/{introduction_id}/accept",
    response={200: IntroductionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="accept_introduction",
    summary="Accept an introduction request (shares contact details)",
    openapi_extra=NOTE_BODY,
)
def accept_introduction(request, introduction_id: Id):
    return _respond(request, introduction_id, accept=True)


@router.post(
    "/introductions/{introduction_id}/decline",
    response={200: IntroductionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="decline_introduction",
    summary="Decline an introduction request",
    openapi_extra=NOTE_BODY,
)
def decline_introduction(request, introduction_id: Id):
    return _respond(request, introduction_id, accept=False)


def _respond(request, introduction_id: int, *, accept: bool):
    user = request.auth
    introduction = _visible_introduction(user, introduction_id)
    if not can_respond(user, introduction):  # before reading the body: 403 beats 422
        raise PermissionDenied("only members of the organisation asked can answer")
    note = _note_from(request)
    introduction = services.respond_to_introduction(
        user=user, introduction=introduction, accept=accept, note=note
    )
    return Status(200, introduction_out(user, _visible_introduction(user, introduction.pk)))


@router.post(
    "/introductions/{introduction_id}/withdraw",
    response={200: IntroductionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="withdraw_introduction",
    summary="Withdraw an introduction request your organisation sent",
)
def withdraw_introduction(request, introduction_id: Id):
    user = request.auth
    introduction = _visible_introduction(user, introduction_id)
    services.withdraw_introduction(user=user, introduction=introduction)
    return Status(200, introduction_out(user, _visible_introduction(user, introduction_id)))


@router.get(
    "/introductions/broker-queue",
    response={200: list[BrokerQueueItemOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="broker_queue",
    summary="Introductions you broker, with the target's public contact routes",
)
def get_broker_queue(request, closed: bool = False):
    """Open requests to organisations with no member (or whose members let the deadline
    pass), oldest first; ``closed=true`` adds the answered ones. Brokers and staff only."""
    user = request.auth
    if not brokers.is_broker(user):
        raise PermissionDenied("only the platform's brokers see this queue")
    return Status(
        200,
        [
            {
                "introduction": introduction_out(user, introduction),
                "contact_routes": [
                    {"label": route.label, "url": route.url}
                    for route in brokers.contact_routes(introduction.target_organisation)
                ],
            }
            for introduction in brokers.broker_queue(user, include_closed=closed)
        ],
    )


@router.post(
    "/introductions/{introduction_id}/broker-steps",
    response={201: IntroductionOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="record_broker_step",
    summary="Record what you did as the broker of an introduction",
)
def record_broker_step(request, introduction_id: Id, payload: BrokerStepIn):
    """declined and connected close the request and their note is the requester's answer."""
    user = request.auth
    introduction = Introduction.objects.filter(pk=introduction_id).first()
    if introduction is None or not can_view_introduction(user, introduction):
        raise Http404
    brokers.record_broker_action(
        user=user, introduction=introduction, outcome=payload.outcome, note=payload.note
    )
    introduction.refresh_from_db()
    return Status(201, introduction_out(user, introduction))


# --- alerts, follows and the feed ----------------------------------------------------------


# (before /alerts/{alert_id}, which would take "match-lists" for an id)
def _match_list_out(alert) -> dict:
    return {
        "id": alert.pk,
        "record_kind": alert.record_kind,
        "record_id": alert.record.pk,
        "title": alert.record.label,
        "frequency": alert.frequency,
        "last_sent_at": alert.last_sent_at,
    }


@router.get(
    "/alerts/match-lists",
    response={200: list[MatchListAlertOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="list_match_list_alerts",
    summary="Your alerts of new matches for single needs and solutions",
)
def list_match_list_alerts(request):
    return Status(200, [_match_list_out(a) for a in match_lists.user_alerts(request.auth)])


@router.post(
    "/alerts/match-lists",
    response={200: MatchListAlertOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="set_match_list_alert",
    summary="Get new matches of a need or a solution by e-mail, and how often (none stops it)",
)
def set_match_list_alert(request, payload: MatchListAlertIn):
    record: Need | Solution | None
    if payload.need is not None and payload.solution is None:
        record = Need.objects.filter(pk=payload.need).first()
    elif payload.solution is not None and payload.need is None:
        record = Solution.objects.filter(pk=payload.solution).first()
    else:
        raise services.MatchingRefused(
            _("Give either a need or a solution."), field="need", code="invalid"
        )
    if record is None or not can_view(request.auth, record):
        raise Http404
    alert = match_lists.subscribe(user=request.auth, record=record, frequency=payload.frequency)
    return Status(200, _match_list_out(alert))


def _alert_out(alert) -> dict:
    return {
        "id": alert.pk,
        "organisation": _organisation_ref(alert.organisation),
        "kind": alert.kind,
        "frequency": alert.frequency,
        "last_sent_at": alert.last_sent_at,
    }


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="list_alerts",
    summary="Your match alerts, one of each kind per organisation you belong to",
)
def list_alerts(request):
    return Status(200, [_alert_out(alert) for alert in alerts.ensure_alerts(request.auth)])


@router.post(
    "/alerts/{alert_id}",
    response={200: AlertOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="set_alert",
    summary="Set how often an alert of yours is sent (none stops it)",
)
def set_alert(request, alert_id: Id, payload: AlertIn):
    alert = MatchAlert.objects.filter(pk=alert_id, user=request.auth).first()
    if alert is None:
        raise Http404
    alerts.set_frequency(user=request.auth, alert=alert, frequency=payload.frequency)
    return Status(200, _alert_out(alert))


@router.post(
    "/follows",
    response={200: FollowOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="toggle_follow",
    summary="Follow an organisation or a sector, or stop following it",
)
def toggle_follow(request, payload: FollowIn):
    given = [payload.organisation, payload.sector, payload.programme]
    if sum(value is not None for value in given) != 1:
        raise services.MatchingRefused(
            "give an organisation id, a sector slug or a programme slug", field="organisation"
        )
    organisation = sector = programme = None
    if payload.organisation is not None:
        organisation = services.resolve_organisation(payload.organisation, field="organisation")
    elif payload.sector is not None:
        sector = Sector.objects.filter(slug=payload.sector).first()
        if sector is None:
            raise services.MatchingRefused("no sector with this slug", field="sector")
    else:
        programme = visible_programmes(request.auth).filter(slug=payload.programme).first()
        if programme is None:
            raise services.MatchingRefused("no programme with this slug", field="programme")
    following = alerts.toggle_follow(
        user=request.auth, organisation=organisation, sector=sector, programme=programme
    )
    return Status(
        200,
        {
            "organisation": _organisation_ref(organisation) if organisation else None,
            "sector": sector.slug if sector else None,
            "programme": programme.slug if programme else None,
            "following": following,
        },
    )


@router.get(
    "/feed",
    response={200: list[FeedEntryOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="follow_feed",
    summary="What changed around the organisations, sectors and programmes you follow",
)
def follow_feed(request):
    return Status(
        200,
        [
            {
                "kind": entry.kind,
                "id": entry.record.pk,
                "title": entry.title,
                "page_url": entry.url,
                "changed_at": entry.when,
                "because": entry.because,
            }
            for entry in activity.feed(request.auth)
        ],
    )
