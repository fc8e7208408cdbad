"""Bids: the caller's biddable submissions with their bid, and placing one (``bidding.py``).
Someone outside the pool gets 404, like any private route of a programme."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router
from ninja.responses import Status

from ecotone.accounts.api_auth import TokenAuth
from ecotone.core.bounds import Id

from ..schemas import BidIn, BidOut
from ..services import bidding
from .common import ERRORS, programme_for

router = Router(tags=["programmes"])


def bid_out(row: bidding.BidRow) -> dict:
    return {
        "submission": row.submission.pk,
        "title": row.submission.title,
        "summary": row.submission.summary,
        "track": row.submission.track.key,
        "applicant": row.applicant,
        "preference": row.preference,
    }


def _bidder(user, slug: str):
    programme = programme_for(user, slug)
    try:
        return programme, bidding.bidder(user, programme)
    except PermissionDenied:
        raise Http404 from None


@router.get(
    "/programmes/{slug}/bids",
    response={200: list[BidOut], **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_bids",
    summary="Submissions you may bid on, with your bids",
)
def list_bids(request, slug: str):
    _programme, reviewer = _bidder(request.user, slug)
    return Status(200, [bid_out(row) for row in bidding.bid_rows(reviewer)])


@router.put(
    "/programmes/{slug}/bids/{submission_id}",
    response={200: BidOut, **ERRORS},
    auth=TokenAuth(),
    operation_id="programme_place_bid",
    summary="Bid on a submission (null clears the bid)",
)
def put_bid(request, slug: str, submission_id: Id, payload: BidIn):
    programme, _reviewer = _bidder(request.user, slug)
    row = bidding.place_bid(
        user=request.user,
        programme=programme,
        submission_id=submission_id,
        preference=payload.preference,
    )
    return Status(200, bid_out(row))
