"""``/api/v1/<kind>``: list, read, create, update, delete and review, for every kind."""

from typing import TYPE_CHECKING, Literal, TypeAlias

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from ecotone.accounts.api_auth import TokenAuth, reading_user
from ecotone.accounts.permissions import can_view, visible_records
from ecotone.core.bounds import Id, PageLimit
from ecotone.core.pagination import cursor_page
from ecotone.core.refusals import Refused

from . import queries, services
from .kinds import BROWSABLE_KINDS, KINDS, Kind
from .models import Organisation
from .schemas import (
    ErrorOut,
    SectorOut,
    TransitionIn,
    filter_schema,
    record_in_schema,
    record_out_schema,
    record_page_schema,
)
from .serializers import record_to_row
from .services import TRANSITIONS

router = Router()
# The schemas of this module are built at run time, Action from TRANSITIONS here and the
# record schemas per kind in add_kind_routes, so that each kind's fields and the OpenAPI
# description follow its form. mypy cannot read types built by a call: it sees the general
# type each one narrows (a name; a Schema), which is all the handlers rely on; pydantic
# checks the payloads against the built types.
if TYPE_CHECKING:
    Action = str
else:
    Action = Literal[tuple(TRANSITIONS)]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _out(kind: Kind, record) -> dict:
    out = {**record_to_row(kind, record), "id": record.pk, "page_url": record.get_absolute_url()}
    if kind.name == "organisation":
        out["investor_profile"] = _investor_profile(record)
    return out


def _investor_profile(organisation) -> dict | None:
    """An investor's thesis travels with the organisation (read by matchmaking clients)."""
    profile = getattr(organisation, "investor_profile", None)
    if profile is None:
        return None
    row = record_to_row(KINDS["investor_profile"], profile)
    row.pop("organisation", None)
    return row


def _owner_from(payload: dict) -> Organisation | None:
    external_id = payload.pop("owner", None)
    if not external_id:
        return None
    owner = Organisation.objects.filter(external_id=external_id).first()
    if owner is None:
        raise Refused(
            _("No organisation has the external id %(id)s.") % {"id": external_id}, field="owner"
        )
    return owner


def add_kind_routes(kind: Kind) -> None:
    Out = record_out_schema(kind)
    Page = record_page_schema(kind, Out)
    if TYPE_CHECKING:  # see Action above
        In: TypeAlias = Schema
        PatchIn: TypeAlias = Schema
        Filters: TypeAlias = Schema
    else:
        In = record_in_schema(kind)
        PatchIn = record_in_schema(kind, patch=True)
        Filters = filter_schema(kind)
    tags = [kind.plural]

    @router.get(
        f"/{kind.plural}",
        response={200: Page, **ERRORS},
        tags=tags,
        operation_id=f"list_{kind.plural}",
        summary=f"List {kind.plural}",
    )
    def list_records(
        request, filters: Query[Filters], cursor: str | None = None, limit: PageLimit = 20
    ):
        user = reading_user(request)
        params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
        queryset = queries.filtered_records(kind, user, params)
        items, next_cursor = cursor_page(queryset, cursor=cursor, limit=limit)
        return Status(200, {"results": [_out(kind, item) for item in items], "next": next_cursor})

    @router.get(
        f"/{kind.plural}/{{record_id}}",
        response={200: Out, **ERRORS},
        tags=tags,
        operation_id=f"get_{kind.name}",
        summary=f"Read one {kind.name}",
    )
    def get_record(request, record_id: Id):
        user = reading_user(request)
        record = get_object_or_404(visible_records(user, kind.queryset()), pk=record_id)
        return Status(200, _out(kind, record))

    @router.post(
        f"/{kind.plural}",
        response={201: Out, **ERRORS},
        auth=TokenAuth(),
        tags=tags,
        operation_id=f"create_{kind.name}",
        summary=f"Create a {kind.name}",
    )
    def create(request, payload: In):
        data = payload.dict(exclude_unset=True)
        owner = _owner_from(data)
        record = services.create_record(kind=kind, data=data, user=request.auth, owner=owner)
        return Status(201, _out(kind, kind.queryset().get(pk=record.pk)))

    @router.patch(
        f"/{kind.plural}/{{record_id}}",
        response={200: Out, **ERRORS},
        auth=TokenAuth(),
        tags=tags,
        operation_id=f"update_{kind.name}",
        summary=f"Change a {kind.name}",
    )
    def update(request, record_id: Id, payload: PatchIn):
        record = _editable(kind, request.auth, record_id)
        data = payload.dict(exclude_unset=True)
        services.update_record(record=record, data=data, user=request.auth)
        return Status(200, _out(kind, kind.queryset().get(pk=record.pk)))

    @router.delete(
        f"/{kind.plural}/{{record_id}}",
        response={200: Out, 204: None, **ERRORS},
        auth=TokenAuth(),
        tags=tags,
        operation_id=f"delete_{kind.name}",
        summary=f"Delete a {kind.name}",
        description="204 when deleted; 200 with the record when a member's published record "
        "was archived instead (only staff remove published records for good).",
    )
    def delete(request, record_id: Id):
        record = _editable(kind, request.auth, record_id)
        if services.delete_record(record=record, user=request.auth):
            return Status(204, None)
        return Status(200, _out(kind, kind.queryset().get(pk=record.pk)))

    @router.post(
        f"/{kind.plural}/{{record_id}}/{{action}}",
        response={200: Out, 409: ErrorOut, **ERRORS},
        auth=TokenAuth(),
        tags=tags,
        operation_id=f"review_{kind.name}",
        summary=f"Submit, publish, reject, archive or restore a {kind.name}",
    )
    def transition(request, record_id: Id, action: Action):
        record = _editable(kind, request.auth, record_id)
        services.transition_record(
            record=record, action=action, user=request.auth, reason=_reason_from(request)
        )
        return Status(200, _out(kind, kind.queryset().get(pk=record.pk)))


REASON_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": TransitionIn.model_json_schema()}},
    }
}


def _reason_from(request) -> str:
    """The optional JSON body ``{"reason": "..."}``; rejecting needs one, the rest don't."""
    if request.content_type != "application/json":
        return request.POST.get("reason", "")
    if not request.body.strip():
        return ""
    try:
        payload = TransitionIn.model_validate_json(request.body)
    except PydanticValidationError:
        raise Refused(_('Send {"reason": "..."} as JSON, or no body.'), field="reason") from None
    return payload.reason


def _editable(kind: Kind, user, record_id: int):
    """404 for what the user cannot see; 403 (from the service) for what they cannot change."""
    record = get_object_or_404(kind.model, pk=record_id)
    if not can_view(user, record):
        raise Http404
    return record


@router.get("/sectors", response=list[SectorOut], tags=["sectors"], operation_id="list_sectors")
def list_sectors(request):
    return [
        {
            "slug": s.slug,
            "name_en": s.name_en,
            "name_zh": s.name_zh,
            "parent": s.parent.slug if s.parent else None,
        }
        for s in queries.all_sectors()
    ]


for _kind in BROWSABLE_KINDS:
    add_kind_routes(_kind)
