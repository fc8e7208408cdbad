"""Panels the catalogue's detail pages include: a need's matches, a venture's counterparts
and the "ask for an introduction" box. Kept here so that catalogue views stay unaware of
matchmaking; a detail template only loads this library and places the panel."""

from django import template
from django_countries import countries
from django_countries.fields import Country

from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Need, Organisation, Solution
from ecotone.core.page_cache import repeat_on_cached_answers

from .. import scoring
from ..models import MatchFeedback, MatchSurface, NeedCriteria
from ..permissions import can_give_feedback, can_set_criteria, may_request_introductions
from ..ranking import (
    NEED_PAGE_MATCHES,
    cached_need_matches,
    counterparts_for_venture,
    is_venture,
    limits_of,
)
from ..services import record_impression, record_impression_of

register = template.Library()

COUNTERPART_LIMIT = 5


def _base_context(context) -> dict:
    request = context.get("request")
    return {
        "request": request,
        "user": getattr(request, "user", None),
        "csrf_token": context.get("csrf_token"),
    }


def _published(organisation) -> bool:
    return organisation is not None and organisation.is_public


def _candidate_organisations(match, exclude_id: int | None) -> list[Organisation]:
    """Whom to ask for an introduction about a match: a solution's provider, a case's
    organisations, a need's poster, the investor itself."""
    record = match.record
    if match.kind == "solution":
        organisations = [record.provider]
    elif match.kind == "case":
        organisations = list(record.organisations.all())
    elif match.kind == "need":
        organisations = [record.organisation]
    elif match.kind == "programme":
        organisations = []  # one applies to a programme, on its page
    else:
        organisations = [record]
    return [o for o in organisations if _published(o) and o.pk != exclude_id]


def _my_votes(user, need: Need) -> dict[tuple[str, int], int]:
    if not (user and user.is_authenticated):
        return {}
    votes = {}
    for row in MatchFeedback.objects.filter(need=need, user=user):
        key = ("solution", row.solution_id) if row.solution_id else ("case", row.case_id)
        votes[key] = row.vote
    return votes


@register.inclusion_tag("matching/partials/_need_matches.html", takes_context=True)
def need_matches_panel(context, need: Need):
    base = _base_context(context)
    user = base["user"]
    report = cached_need_matches(need, NEED_PAGE_MATCHES)
    record_impression(need, MatchSurface.PAGE, len(report.matches))
    # a page served from the cache counts its showing too
    repeat_on_cached_answers(
        base["request"], record_impression_of, need.pk, str(MatchSurface.PAGE), len(report.matches)
    )
    asks = (
        need.is_public
        and user is not None
        and need.organisation_id in member_organisation_ids(user)
        and _published(need.organisation)
    )
    votes = _my_votes(user, need)
    # "no price recorded" is the same for every such candidate: the panel states it once
    unpriced = scoring.budget_constraint(need)
    rows = [
        {
            "match": match,
            "targets": _candidate_organisations(match, need.organisation_id) if asks else [],
            "my_vote": votes.get((match.kind, match.record.pk)),
            "unchecked": [c for c in match.unchecked_constraints if c != unpriced],
        }
        for match in report.matches
    ]
    limits = limits_of(NeedCriteria.objects.filter(need=need).first())
    may_set = can_set_criteria(user, need)
    return {
        **base,
        "need": need,
        "report": report,
        "rows": rows,
        "about": f"need:{need.pk}",
        "budget": f"{need.budget_max:,.0f}" if need.budget_max is not None else "",
        "can_give_feedback": can_give_feedback(user, need),
        "can_set_criteria": may_set,
        "min_trl": limits.min_trl,
        "regions": [Country(code) for code in sorted(limits.regions)],
        "countries": list(countries) if may_set else [],
        "trl_levels": range(1, 10),
        "weights": scoring.NEED_WEIGHTS,
    }


@register.inclusion_tag("matching/partials/_venture_counterparts.html", takes_context=True)
def venture_counterparts_panel(context, record: Organisation | Solution):
    base = _base_context(context)
    user = base["user"]
    organisation = record if isinstance(record, Organisation) else record.provider
    asks = (
        record.is_public
        and organisation is not None
        and organisation.pk in member_organisation_ids(user)
        and _published(organisation)
    )
    own_id = organisation.pk if organisation else None
    groups = []
    found = counterparts_for_venture(record, COUNTERPART_LIMIT) if is_venture(record) else []
    for group in found:
        rows = []
        for match in group.matches:
            about = _about_for_venture_match(match, record)
            targets = _candidate_organisations(match, own_id) if asks else []
            rows.append(
                {
                    "match": match,
                    "targets": targets,
                    "about": about,
                    "unchecked": match.unchecked_constraints,
                }
            )
        groups.append({"group": group, "rows": rows})
    return {**base, "record": record, "groups": groups}


def _about_for_venture_match(match, record) -> str:
    """A pilot site is asked about its need; an investor about the solution, if there is one."""
    if match.kind == "need":
        return f"need:{match.record.pk}"
    if isinstance(record, Solution):
        return f"solution:{record.pk}"
    return ""


@register.inclusion_tag("matching/partials/_introduction_panel.html", takes_context=True)
def introduction_panel(context, record):
    """The side panel offering an introduction to the organisation behind ``record``."""
    base = _base_context(context)
    user = base["user"]
    if isinstance(record, Organisation):
        target, about = record, ""
    elif isinstance(record, Need):
        target, about = record.organisation, f"need:{record.pk}"
    else:
        target, about = record.provider, f"solution:{record.pk}"
    mine = member_organisation_ids(user)
    show = bool(
        record.is_public
        and _published(target)
        and user is not None
        and user.is_authenticated
        and target.pk not in mine
    )
    return {
        **base,
        "show": show,
        "target": target,
        "about": about,
        "has_organisation": may_request_introductions(user),
    }


@register.filter
def percent(value) -> str:
    return f"{round(float(value) * 100)}"


@register.filter
def signed(value) -> str:
    """A component's value as "+0.20" / "−0.05", so a reader sees it add or take away."""
    number = float(value)
    return f"+{number:.2f}" if number >= 0 else f"−{abs(number):.2f}"


@register.inclusion_tag("matching/partials/_follow.html", takes_context=True)
def follow_button(context, record):
    """Follow an organisation, a sector or a programme (a form for people logged in,
    nothing for visitors)."""
    from ecotone.programs.models import Programme

    from ..models import Follow

    base = _base_context(context)
    user = base["user"]
    if isinstance(record, Organisation):
        field = "organisation"
    elif isinstance(record, Programme):
        field = "programme"
    else:
        field = "sector"
    if not (user and user.is_authenticated):
        return {"show": False, "record": record, "field": field}
    following = Follow.objects.filter(user=user, **{field: record}).exists()
    return {**base, "show": True, "record": record, "field": field, "following": following}


@register.inclusion_tag("matching/partials/_match_list_alert.html", takes_context=True)
def match_list_alert(context, record: Need | Solution):
    """ "Alert me when new matches appear" for a need or a solution (logged-in people)."""
    from ..match_lists import alert_for
    from ..models import AlertFrequency

    base = _base_context(context)
    user = base["user"]
    if not (user and user.is_authenticated):
        return {"show": False}
    alert = alert_for(user, record)
    return {
        **base,
        "show": True,
        "record": record,
        "kind": "need" if isinstance(record, Need) else "solution",
        "current": alert.frequency if alert else AlertFrequency.NONE,
        "frequencies": AlertFrequency.choices,
    }
