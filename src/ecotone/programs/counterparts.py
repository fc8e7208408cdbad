"""Open programmes as counterparts of a venture, for matching's venture panel and API.

Registered with ``matching.ranking.register_counterpart_finder``: matching knows nothing of
programmes, programmes reuse its scoring vocabulary (components with reasons, constraints).
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecotone.matching.ranking import CounterpartGroup, Venture
from ecotone.matching.scoring import (
    PASSED,
    Component,
    Constraint,
    make_match,
    rank,
    sectors_component,
)

from .models import Programme, Visibility

GROUP_LABEL = _("Open programmes: calls you could apply to")
WEIGHTS = {"sectors": 0.7, "time": 0.3}
#: a call closing this many days from now or later gives full marks for time
COMFORTABLE_DAYS = 30


def open_programmes(now=None) -> list[Programme]:
    now = now or timezone.now()
    return list(
        Programme.objects.filter(visibility=Visibility.PUBLIC, opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("organiser")
        .prefetch_related("tracks__sectors")
    )


def time_component(weight: float, programme: Programme, now) -> Component:
    if programme.closes_at is None:
        return Component("time", weight, 1.0, _("the call has no closing date"))
    days = (programme.closes_at - now).days
    reason = ngettext(
        "the call closes in %(days)s day", "the call closes in %(days)s days", days
    ) % {"days": days}
    return Component("time", weight, round(min(1.0, days / COMFORTABLE_DAYS), 4), reason)


def score_programme(venture: Venture, programme: Programme, now):
    tracks = list(programme.tracks.all())
    offered = {s.pk: s for track in tracks for s in track.sectors.all()}
    components = [
        sectors_component(
            WEIGHTS["sectors"], venture.sectors, list(offered.values()), side="venture"
        ),
        time_component(WEIGHTS["time"], programme, now),
    ]
    closes = (
        timezone.localtime(programme.closes_at, programme.zone) if programme.closes_at else None
    )
    deadline = Constraint(
        "deadline",
        PASSED,
        _("open until %(date)s") % {"date": closes.strftime("%Y-%m-%d %H:%M %Z")}
        if closes
        else _("open, no closing date"),
    )
    return make_match("programme", programme, components, [deadline])


def programmes_for_venture(venture: Venture, limit: int) -> CounterpartGroup:
    """Public programmes whose call is open, by the venture's sectors and the time left;
    a programme the venture's own organisation runs is left out."""
    now = timezone.now()
    own = venture.organisation.pk if venture.organisation else None
    candidates = [
        p for p in open_programmes(now) if p.organiser_id is None or p.organiser_id != own
    ]
    group = CounterpartGroup("programmes", str(GROUP_LABEL))
    group.matches, group.excluded = rank(
        (score_programme(venture, p, now) for p in candidates), limit
    )
    return group
