"""Programmes: list and set up (``POST``), read and change (``PATCH``), publish the results.

Set-up bodies are read by ``spec.parse_spec`` (the same as ``ecotone programmes create
--file``), so a refusal names the path in the body: ``rounds[1].criteria[0].weight``.
"""

import json

from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth, reading_user

from .. import services
from ..permissions import visible_programmes
from ..schemas import ProgrammeOut, ProgrammeSummaryOut
from ..services import ProgrammeRefused, decisions, setup
from .common import ERRORS, managed_programme, programme_for, programme_out

router = Router(tags=["programmes"])

SPEC_HELP = (
    "The programme spec: slug, title_en/title_zh, description_en/zh, eligibility_en/zh, "
    "organiser (organisation id), year, opens_at, closes_at, time_zone, award_count, "
    "visibility, review_mode, max_attachment_mb, questions, tracks (key, name_en/zh, "
    "sectors), rounds (kind, name_en/zh, reviewers_per_submission, max_load, min_affinity, "
    "decision_rule, decision_value, disagreement_threshold, reviews_due, criteria: key, "
    "name_en/zh, weight, scale_min, scale_max, levels [{en, zh}]). See docs/programmes.md."
)
#: the body is read by ``spec.parse_spec`` (not by a schema), so errors name bracketed paths
SPEC_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _spec(request) -> setup.ProgrammeSpec:
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ProgrammeRefused(_("Send the programme spec as a JSON object."))
    return setup.parse_spec(data)


@router.get(
    "/programmes",
    response={200: list[ProgrammeSummaryOut]},
    operation_id="programme_list",
    summary="Programmes",
)
def list_programmes(request):
    user = reading_user(request)
    return Status(
        200,
        [
            {
                "slug": p.slug,
                "title": p.title,
                "year": p.year,
                "is_open": p.is_open(),
                "illustrative": p.illustrative,
                "results_published_at": p.results_published_at,
                "page_url": p.get_absolute_url(),
            }
            for p in visible_programmes(user)
        ],
    )


@router.post(
    "/programmes",
    response={201: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_create",
    summary="Set a programme up",
    description=SPEC_HELP + " Staff, or an active member of the organiser.",
    openapi_extra=SPEC_BODY,
)
def post_programme(request):
    programme = setup.create_programme(user=request.user, spec=_spec(request))
    return Status(201, programme_out(programme))


@router.get(
    "/programmes/{slug}",
    response={200: ProgrammeOut, **ERRORS},
    operation_id="programme_detail",
    summary="A programme: call, tracks, rubric, dates, results",
)
def get_programme(request, slug: str):
    return Status(200, programme_out(programme_for(reading_user(request), slug)))


@router.patch(
    "/programmes/{slug}",
    response={200: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_update",
    summary="Change a programme's set-up",
    description=SPEC_HELP + " Absent fields stay; a list given replaces the whole list.",
    openapi_extra=SPEC_BODY,
)
def patch_programme(request, slug: str):
    programme = managed_programme(request.user, slug)
    programme = setup.update_programme(user=request.user, programme=programme, spec=_spec(request))
    return Status(200, programme_out(programme))


@router.post(
    "/programmes/{slug}/publish",
    response={200: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_publish",
    summary="Publish the results as catalogue awards",
)
def post_publish(request, slug: str):
    programme = managed_programme(request.user, slug)
    decisions.publish_results(user=request.user, programme=programme)
    programme.refresh_from_db()
    return Status(200, programme_out(programme))


@router.post(
    "/programmes/{slug}/call/publish",
    response={200: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_publish_call",
    summary="Publish the call: everyone sees it",
    description="It needs its opening and closing times, a track and a rubric.",
)
def post_publish_call(request, slug: str):
    programme = setup.publish_call(
        user=request.user, programme=managed_programme(request.user, slug)
    )
    return Status(200, programme_out(programme))


@router.post(
    "/programmes/{slug}/call/close",
    response={200: ProgrammeOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_close_call",
    summary="Close the call now",
    description="Its closing time becomes now; 409 `not_open` when the call is not open.",
)
def post_close_call(request, slug: str):
    programme = services.close_call(
        user=request.user, programme=managed_programme(request.user, slug)
    )
    return Status(200, programme_out(programme))
