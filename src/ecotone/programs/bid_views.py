"""The reviewer's bidding pages: the programmes they review for, and per programme the
submissions they may bid on with a small form per row (rules in ``bidding.py``).

Someone outside the pool gets a 404; a conflicted submission is never listed, and a bid
posted on one is refused as if it did not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecotone.core.refusals import Refused, show_refusal

from .services import bidding
from .views import visible_programme

PREFERENCE_CHOICES = [
    ("", _("No bid")),
    ("-1", _("−1 rather not")),
    ("0", _("0 neutral")),
    ("1", _("1 interested")),
    ("2", _("2 eager")),
]


@login_required
def my_bidding(request):
    programmes = bidding.bidding_programmes(request.user)
    return render(request, "programs/bids.html", {"programmes": programmes, "rows": None})


def _bidder(request, slug: str):
    programme = visible_programme(request, slug)
    try:
        return programme, bidding.bidder(request.user, programme)
    except PermissionDenied:
        raise Http404 from None


@login_required
def bids(request, slug: str):
    programme, reviewer = _bidder(request, slug)
    context = {
        "programme": programme,
        "rows": bidding.bid_rows(reviewer),
        "choices": PREFERENCE_CHOICES,
    }
    return render(request, "programs/bids.html", context)


@login_required
@require_POST
def place_bid(request, slug: str, submission_id: int):
    programme, _reviewer = _bidder(request, slug)
    try:
        bidding.place_bid(
            user=request.user,
            programme=programme,
            submission_id=submission_id,
            preference=request.POST.get("preference", ""),
        )
    except Refused as refused:
        if refused.status == 404:
            raise Http404 from None
        show_refusal(request, refused)
    else:
        messages.success(request, _("Bid saved."))
    return redirect("programs:bids", slug=programme.slug)
