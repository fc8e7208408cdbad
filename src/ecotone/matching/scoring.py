"""The parts of a match score, each with its weight and a reason in plain words.

A score is the sum of weighted components, each a number between 0 and 1 (feedback
between -1 and 1) times its weight, so that a person can read where every point came
from. Hard constraints (region, minimum readiness, budget, thesis limits) are kept apart
from the score: a candidate that fails one is not ranked but listed as excluded, with the
reason. A constraint that cannot be checked because a value is missing is "unknown",
never "failed".

The functions here read records that the caller has already fetched (with their
sectors, provider, counts); they run no queries of their own.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from ecotone.catalog.choices import InvestmentStage

from .relevance import TextView, sector_relation, text_relevance

#: need → solutions and cases. Text carries most because it is the only signal that
#: reads the problem itself; sectors next, as the evidence on the subject that search does
#: not use. Evidence, place and readiness order fits among themselves: a candidate first
#: passes the relevance gate (``relevance``), so they never lift an off-topic record.
#: Tuned on the dev half of the judged needs (docs/matching.md).
NEED_WEIGHTS = {
    "text": 0.58,
    "sectors": 0.20,
    "evidence": 0.05,
    "place": 0.03,
    "readiness": 0.02,
    "feedback": 0.12,
    # on top of the parts above, for the leading matches only (``coverage``): they reorder
    # them by how much of the need each addresses and how much of each is about the need,
    # read sentence by sentence. Focus carries more: on the dev half of the judged needs
    # (docs/matching.md, Quality) a record mostly about the need was the better match more
    # often than one that touches every part of it among other things.
    "coverage": 0.05,
    "focus": 0.20,
}
#: venture → open needs (pilot sites). The venture's own evidence is the same for every
#: need, so it cannot change the order and is left out.
PILOT_SITE_WEIGHTS = {
    "text": 0.45,
    "sectors": 0.30,
    "place": 0.10,
    "readiness": 0.05,
    "feedback": 0.10,
}
#: venture → investors: an investor's stated thesis (sectors, regions, stages) decides.
INVESTOR_WEIGHTS = {"sectors": 0.40, "region": 0.20, "stage": 0.20, "text": 0.20}

COMPONENT_LABELS = {
    "text": gettext_lazy("Text relevance"),
    "coverage": gettext_lazy("Coverage of the need"),
    "focus": gettext_lazy("Focus on the need"),
    "sectors": gettext_lazy("Sectors"),
    "time": gettext_lazy("Time left"),
    "evidence": gettext_lazy("Evidence"),
    "place": gettext_lazy("Place"),
    "readiness": gettext_lazy("Readiness"),
    "feedback": gettext_lazy("Feedback"),
    "region": gettext_lazy("Region"),
    "stage": gettext_lazy("Stage"),
}
KIND_LABELS = {
    "solution": gettext_lazy("Solution"),
    "case": gettext_lazy("Case"),
    "need": gettext_lazy("Need"),
    "investor": gettext_lazy("Investor"),
    "programme": gettext_lazy("Programme"),
}
CONSTRAINT_LABELS = {
    "region": gettext_lazy("Region"),
    "min_trl": gettext_lazy("Minimum readiness"),
    "budget": gettext_lazy("Budget"),
    "sectors": gettext_lazy("Sectors"),
    "ticket": gettext_lazy("Ticket size"),
    "deadline": gettext_lazy("Deadline"),
}

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
#: cases beyond this many add nothing more to a solution's evidence
EVIDENCE_CASES_FOR_FULL_MARKS = 3
#: readiness when no TRL is given: the middle, so that a missing value neither helps nor
#: sinks a candidate (most open-source projects state none)
UNKNOWN_TRL_CREDIT = 0.5
#: the search hit at this place counts half as much text relevance as the first one
TEXT_HALF_PLACE = 11


@dataclass(frozen=True)
class Component:
    """One named part of a score: ``value`` (= weight × raw) is what it adds."""

    name: str
    weight: float
    raw: float
    reason: str

    @property
    def value(self) -> float:
        return round(self.weight * self.raw, 4)

    @property
    def label(self) -> str:
        return str(COMPONENT_LABELS.get(self.name, self.name))


@dataclass(frozen=True)
class Constraint:
    name: str
    status: str  #: passed, failed or unknown
    reason: str

    @property
    def label(self) -> str:
        return str(CONSTRAINT_LABELS.get(self.name, self.name))


@dataclass
class Match:
    """A candidate for a need or a venture: what it is, how well it fits and why."""

    kind: str  #: solution, case, need or investor
    record: Any
    score: float
    components: list[Component]
    constraints: list[Constraint] = field(default_factory=list)
    failed_constraints: list[Constraint] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return bool(self.failed_constraints)

    @property
    def title(self) -> str:
        record = self.record
        return record.label or getattr(record, "external_id", "") or str(record)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def unchecked_constraints(self) -> list[Constraint]:
        return [c for c in self.constraints if c.status == UNKNOWN]

    @property
    def passed_constraints(self) -> list[Constraint]:
        return [c for c in self.constraints if c.status == PASSED]


def make_match(kind: str, record, components: list[Component], constraints) -> Match:
    constraints = [c for c in constraints if c is not None]
    return Match(
        kind=kind,
        record=record,
        score=round(sum(c.value for c in components), 4),
        components=components,
        constraints=constraints,
        failed_constraints=[c for c in constraints if c.status == FAILED],
    )


def rank(matches: Iterable[Match], limit: int) -> tuple[list[Match], list[Match]]:
    """Best first, ties broken by kind and id so that pages and the API agree."""
    ordered = sorted(matches, key=lambda m: (-m.score, m.kind, m.record.pk))
    kept = [m for m in ordered if not m.excluded]
    excluded = [m for m in ordered if m.excluded]
    return kept[:limit], excluded[:limit]


# --- wording -------------------------------------------------------------------------------


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def listed(items: Iterable) -> str:
    """Items of a reason as the reader's language lists them: "a, b" or "甲、乙"; "甲，乙、丙"
    when an item holds a 、 itself (碳捕集、利用与封存), which 、 between items would split."""
    texts = [str(item) for item in items]
    if not _chinese():
        return ", ".join(texts)
    return ("，" if any("、" in text for text in texts) else "、").join(texts)


def clauses(parts: Iterable) -> str:
    """Clauses of a reason as the reader's language separates them: "a; b" or "甲；乙"."""
    return ("；" if _chinese() else "; ").join(str(part) for part in parts)


# --- sectors ------------------------------------------------------------------------------


def _names(sectors: Iterable) -> str:
    return listed(s.name for s in sectors)


def sector_overlap(wanted: list, offered: list) -> tuple[float, list, list]:
    """How much of ``wanted`` the ``offered`` sectors cover: exact ones fully, a parent
    or child of a wanted sector by half (a need in "Energy" is served in part by a
    "Solar power" solution), another sector of the same family a little. Returns the share
    and the exact and related (parent or child) sectors."""
    relation = sector_relation(wanted, offered)
    return relation.share, list(relation.exact), list(relation.related)


def sectors_component(weight: float, wanted: list, offered: list, *, side: str) -> Component:
    """``side`` ("need" or "venture") is whose sectors are wanted, for the reason's wording."""
    relation = sector_relation(wanted, offered)
    exact, related, family = relation.exact, relation.related, relation.family
    if not wanted:
        reason = (
            _("the need names no sector") if side == "need" else _("the venture names no sector")
        )
    elif exact:
        reason = ngettext("shares sector %(names)s", "shares sectors %(names)s", len(exact)) % {
            "names": _names(exact)
        }
        if related:
            reason = clauses([reason, _("close to %(names)s") % {"names": _names(related)}])
    elif related:
        reason = _("close sectors: %(names)s") % {"names": _names(related)}
    elif family:
        reason = _("sectors in the same field: %(names)s") % {"names": _names(family)}
    else:
        reason = _("no sector in common")
    return Component("sectors", weight, round(relation.share, 4), reason)


# --- text ---------------------------------------------------------------------------------


def rank_relevance(place: int | None) -> float:
    """1 for the search's first hit, half at ``TEXT_HALF_PLACE`` places down, 0 if not hit."""
    if place is None or place < 1:
        return 0.0
    return 1 / (1 + (place - 1) / (TEXT_HALF_PLACE - 1))


def text_component(weight: float, place: int | None) -> Component:
    """``place`` is the candidate's place among the search hits for the other side's words
    (1 = best), or None when only its sectors brought it in."""
    if place is None:
        reason = _("not among the search hits for the text; found through its sectors")
    elif place == 1:
        reason = _("the best text match")
    else:
        reason = _("text match, ranked %(place)s by the search") % {"place": place}
    return Component("text", weight, round(rank_relevance(place), 4), reason)


def coverage_component(weight: float, raw: float, place: int, count: int) -> Component:
    """How much of the need a leading match addresses (``coverage``): ``raw`` from 0 (the
    least of the ``count`` leading matches) to 1 (the most), ``place`` its place among them."""
    reason = _(
        "ranked %(place)s of the %(count)s leading matches by how much of the need it addresses"
    ) % {"place": place, "count": count}
    return Component("coverage", weight, raw, reason)


def focus_component(weight: float, raw: float, place: int, count: int) -> Component:
    """How much of a leading match's text is about the need (``coverage.focus``): ``raw``
    from 0 (the least of the ``count`` leading matches) to 1 (the most)."""
    reason = _(
        "ranked %(place)s of the %(count)s leading matches"
        " by how much of its text is about the need"
    ) % {"place": place, "count": count}
    return Component("focus", weight, raw, reason)


def not_read_component(name: str, weight: float, count: int) -> Component:
    """A ``coverage`` or ``focus`` part of a match beyond the ``count`` leading ones: 0."""
    reason = _("not among the %(count)s leading matches read sentence by sentence") % {
        "count": count
    }
    return Component(name, weight, 0.0, reason)


def text_fit_component(
    weight: float, places: Mapping[str, int | None], views: Sequence[TextView], *, side: str
) -> Component:
    """Text relevance from several searches of the other side's words (``relevance``).
    ``side`` ("need" or "venture") is whose words were searched, for the reason's wording."""
    found = [(view, places.get(view.name)) for view in views if places.get(view.name)]
    raw = text_relevance(places, views)
    if not found:
        reason = _("not among the search hits for the text; found through its sectors")
    elif len(views) == 1:
        place = found[0][1]
        reason = (
            _("the best text match")
            if place == 1
            else _("text match, ranked %(place)s by the search") % {"place": place}
        )
    else:
        labels = {
            "words": _("the need's words") if side == "need" else _("the venture's words"),
            "title": _("its title"),
            "lexical": _("its exact words"),
            "full": _("the need's full text"),
            "similar": _("records like the best matches"),
        }
        parts = [
            _("%(place)s for %(what)s") % {"place": place, "what": labels[view.name]}
            for view, place in found
        ]
        reason = _("ranked %(places)s") % {"places": listed(parts)}
    return Component("text", weight, raw, reason)


# --- place --------------------------------------------------------------------------------


def same_city(one_en: str, one_zh: str, other_en: str, other_zh: str) -> bool:
    """Cities are free text in either language; any pair that matches counts."""
    pairs = [(one_en, other_en), (one_zh, other_zh)]
    return any(a and b and a.strip().casefold() == b.strip().casefold() for a, b in pairs)


def stated_regions(solution) -> set[str]:
    return {str(c.code) for c in solution.regions or []}


def home_country(organisation) -> str:
    return (
        str(organisation.country.code) if organisation is not None and organisation.country else ""
    )


def solution_place_component(weight: float, need, solution) -> Component:
    provider = solution.provider
    regions = {str(c.code) for c in solution.regions or []}
    if not need.country and not need.city:
        return Component("place", weight, 0.0, _("the need gives no place"))
    if provider is not None and same_city(need.city, need.city_zh, provider.city, provider.city_zh):
        reason = _("provider is based in %(city)s") % {"city": need.city_label}
        return Component("place", weight, 1.0, reason)
    if need.country and str(need.country.code) in regions:
        reason = _("deployed in %(country)s") % {"country": need.country.name}
        return Component("place", weight, 0.7, reason)
    if need.country and provider is not None and provider.country == need.country:
        reason = _("provider is based in %(country)s") % {"country": need.country.name}
        return Component("place", weight, 0.5, reason)
    return Component("place", weight, 0.0, _("not known to work in the need's place"))


def case_place_component(weight: float, need, case) -> Component:
    if not need.country and not need.city:
        return Component("place", weight, 0.0, _("the need gives no place"))
    if same_city(need.city, need.city_zh, case.city, case.city_zh):
        return Component(
            "place", weight, 1.0, _("carried out in %(city)s") % {"city": need.city_label}
        )
    if need.country and case.country == need.country:
        reason = _("carried out in %(country)s") % {"country": need.country.name}
        return Component("place", weight, 0.6, reason)
    return Component("place", weight, 0.0, _("carried out elsewhere"))


def region_constraint(wanted: set[str], regions: set[str], home: str) -> Constraint | None:
    """The regions a need's maintainers stated (``wanted``, country codes) against where a
    solution or venture works: the regions it says it is deployed in, and its home country.
    No stated region, no constraint: where a need is located is a preference (the place
    component), not a limit. Only stated deployment regions can exclude; a home abroad
    says nothing about where it can work, so with no regions stated the answer is unknown."""
    if not wanted:
        return None
    names = {"wanted": _country_names(wanted)}
    if regions & wanted:
        return Constraint(
            "region",
            PASSED,
            _("deployed in %(countries)s") % {"countries": _country_names(regions & wanted)},
        )
    if home in wanted:
        return Constraint(
            "region", PASSED, _("based in %(countries)s") % {"countries": _country_names({home})}
        )
    if not regions:
        return Constraint("region", UNKNOWN, _("no deployment region given"))
    return Constraint(
        "region",
        FAILED,
        _("deployed only in %(countries)s; the need asks for %(wanted)s")
        % {"countries": _country_names(regions), **names},
    )


def region_constraint_for_solution(wanted: set[str], solution) -> Constraint | None:
    return region_constraint(wanted, stated_regions(solution), home_country(solution.provider))


def region_constraint_for_case(wanted: set[str], case) -> Constraint | None:
    if not wanted:
        return None
    if not case.country:
        return Constraint("region", UNKNOWN, _("the case gives no country"))
    where = {"where": case.country.name, "wanted": _country_names(wanted)}
    if str(case.country.code) in wanted:
        return Constraint("region", PASSED, _("carried out in %(where)s") % where)
    return Constraint(
        "region", FAILED, _("carried out in %(where)s; the need asks for %(wanted)s") % where
    )


def _country_names(codes: Iterable[str]) -> str:
    from django_countries import countries

    return listed(sorted(str(countries.name(code)) or code for code in codes))


# --- evidence and readiness ---------------------------------------------------------------


def solution_evidence_component(weight: float, published_cases: int) -> Component:
    if published_cases:
        reason = ngettext(
            "deployed in %(count)s published case",
            "deployed in %(count)s published cases",
            published_cases,
        ) % {"count": published_cases}
    else:
        reason = _("no published case yet")
    raw = min(published_cases, EVIDENCE_CASES_FOR_FULL_MARKS) / EVIDENCE_CASES_FOR_FULL_MARKS
    return Component("evidence", weight, raw, reason)


def in_operation(case, today) -> bool:
    """Started (the start date has passed) and not ended: a deployment, not a plan."""
    return bool(case.start_date and case.start_date <= today) and not (
        case.end_date and case.end_date < today
    )


def case_evidence_component(
    weight: float, case, *, solutions: int, awards: int, today
) -> Component:
    """A case is evidence to the extent that it runs and says what happened: in operation
    weighs most (the platform is about proven fits), then reported outcomes."""
    parts, raw = [], 0.0
    if in_operation(case, today):
        parts.append(_("in operation since %(year)s") % {"year": case.start_date.year})
        raw += 0.5
    elif case.start_date and case.start_date > today:
        parts.append(_("planned to start in %(year)s") % {"year": case.start_date.year})
    if (case.outcomes_en or case.outcomes_zh).strip():
        parts.append(_("reports outcomes"))
        raw += 0.3
    if solutions:
        parts.append(_("names the solution it used"))
        raw += 0.1
    if awards:
        parts.append(_("recognised by an award"))
        raw += 0.1
    reason = clauses(parts) if parts else _("no outcomes reported")
    return Component("evidence", weight, round(raw, 4), reason)


def trl_band(trl: int) -> str:
    """The same four bands as the solution page's readiness meter (catalog/partials/_trl)."""
    if trl <= 3:
        return _("research and proof of concept")
    if trl <= 6:
        return _("prototype and demonstration")
    if trl <= 8:
        return _("system complete and qualified")
    return _("proven in operation")


def trl_component(weight: float, trl: int | None) -> Component:
    if trl is None:
        return Component("readiness", weight, UNKNOWN_TRL_CREDIT, _("readiness level not given"))
    reason = _("TRL %(trl)s of 9: %(band)s") % {"trl": trl, "band": trl_band(trl)}
    return Component("readiness", weight, trl / 9, reason)


def case_readiness_component(weight: float, solution_trls: list[int]) -> Component:
    """A case's readiness is that of the solutions it names. A case naming none states no
    level: whether it runs (it may be a plan) counts as evidence, not again here, so cases
    and solutions with unknown levels stand level."""
    if not solution_trls:
        return Component(
            "readiness",
            weight,
            UNKNOWN_TRL_CREDIT,
            _("no readiness level stated: the case names no solution"),
        )
    trl = max(solution_trls)
    reason = _("deploys a solution at TRL %(trl)s of 9") % {"trl": trl}
    return Component("readiness", weight, trl / 9, reason)


def min_trl_constraint(min_trl: int | None, trl: int | None) -> Constraint | None:
    if min_trl is None:
        return None
    if trl is None:
        return Constraint("min_trl", UNKNOWN, _("readiness level not given"))
    values = {"trl": trl, "min": min_trl}
    if trl >= min_trl:
        return Constraint("min_trl", PASSED, _("TRL %(trl)s meets the minimum of %(min)s") % values)
    return Constraint("min_trl", FAILED, _("TRL %(trl)s is below the minimum of %(min)s") % values)


def min_trl_constraint_for_case(min_trl: int | None, solution_trls: list[int]) -> Constraint | None:
    """A case is a deployment; it fails only if every solution it names is below the bar."""
    if min_trl is None:
        return None
    if solution_trls and max(solution_trls) < min_trl:
        values = {"trl": max(solution_trls), "min": min_trl}
        return Constraint(
            "min_trl",
            FAILED,
            _("uses a solution at TRL %(trl)s, below the minimum of %(min)s") % values,
        )
    return Constraint("min_trl", PASSED, _("a deployed project"))


def budget_constraint(need) -> Constraint | None:
    """For a case, which records no price: the budget cannot be checked (unknown)."""
    if need.budget_max is None:
        return None
    return Constraint(
        "budget",
        UNKNOWN,
        _("no price is recorded, so the budget of up to %(amount)s %(currency)s was not checked")
        % {"amount": _money(need.budget_max), "currency": need.currency},
    )


def budget_constraint_for_solution(need, solution) -> Constraint | None:
    """The solution's stated lowest price against the need's highest budget, in the same
    currency only: there are no exchange rates here, and a guess would exclude wrongly."""
    if need.budget_max is None:
        return None
    if solution.price_from is None:
        return budget_constraint(need)
    words = {
        "price": _money(solution.price_from),
        "price_currency": solution.price_currency,
        "basis": solution.price_basis or _("as stated"),
        "budget": _money(need.budget_max),
        "currency": need.currency,
    }
    if solution.price_currency != need.currency:
        reason = _(
            "priced in %(price_currency)s, the budget is in %(currency)s: not compared "
            "(no exchange rates)"
        )
        return Constraint("budget", UNKNOWN, reason % words)
    if solution.price_from <= need.budget_max:
        reason = _(
            "from %(price)s %(price_currency)s (%(basis)s), within the budget of up to "
            "%(budget)s %(currency)s"
        )
        return Constraint("budget", PASSED, reason % words)
    reason = _(
        "priced from %(price)s %(price_currency)s (%(basis)s), above the budget of up to "
        "%(budget)s %(currency)s"
    )
    return Constraint("budget", FAILED, reason % words)


def _money(amount) -> str:
    return f"{amount:,.0f}"


# --- feedback -----------------------------------------------------------------------------


def feedback_component(weight: float, relevant: int, not_relevant: int) -> Component:
    """Net votes over votes plus one: one vote moves it by half, never past ±1, so a few
    people cannot bury or crown a candidate on their own."""
    votes = relevant + not_relevant
    if not votes:
        return Component("feedback", weight, 0.0, _("no feedback yet"))
    raw = (relevant - not_relevant) / (votes + 1)
    reason = _("%(relevant)s marked it relevant, %(not_relevant)s not relevant") % {
        "relevant": relevant,
        "not_relevant": not_relevant,
    }
    return Component("feedback", weight, round(raw, 4), reason)


# --- investors ----------------------------------------------------------------------------

#: which investment stages usually fit a venture at a given readiness level. Ventures
#: record no stage of their own, so this is an inference and is labelled as one.
STAGES_BY_TRL = {
    range(1, 4): {InvestmentStage.GRANT, InvestmentStage.PRE_SEED, InvestmentStage.SEED},
    range(4, 7): {InvestmentStage.GRANT, InvestmentStage.SEED, InvestmentStage.SERIES_A},
    range(7, 10): {
        InvestmentStage.SERIES_A,
        InvestmentStage.SERIES_B,
        InvestmentStage.GROWTH,
        InvestmentStage.INFRASTRUCTURE,
        InvestmentStage.GRANT,
    },
}


def stages_for_trl(trl: int) -> set[str]:
    return next((set(stages) for span, stages in STAGES_BY_TRL.items() if trl in span), set())


def stage_component(weight: float, profile_stages: list[str], trl: int | None) -> Component:
    labels = dict(InvestmentStage.choices)
    if not profile_stages:
        return Component("stage", weight, 0.5, _("no stage given by the investor"))
    if trl is None:
        return Component("stage", weight, 0.3, _("the venture's readiness level is not given"))
    fitting = [s for s in profile_stages if s in stages_for_trl(trl)]
    if fitting:
        reason = _("invests at %(stages)s, which usually fits TRL %(trl)s") % {
            "stages": listed(labels.get(s, s) for s in fitting),
            "trl": trl,
        }
        return Component("stage", weight, 1.0, reason)
    reason = _("invests at %(stages)s, which rarely fits TRL %(trl)s") % {
        "stages": listed(labels.get(s, s) for s in profile_stages),
        "trl": trl,
    }
    return Component("stage", weight, 0.0, reason)


def investor_region_component(weight: float, regions: set[str], countries: set[str]) -> Component:
    if not regions:
        return Component("region", weight, 0.5, _("no regional limit given"))
    shared = regions & countries
    if shared:
        reason = _("invests in %(countries)s") % {"countries": _country_names(shared)}
        return Component("region", weight, 1.0, reason)
    return Component("region", weight, 0.0, _("no region in common"))


def investor_region_constraint(regions: set[str], countries: set[str]) -> Constraint | None:
    if not regions:
        return None
    if not countries:
        return Constraint("region", UNKNOWN, _("the venture gives no country"))
    if regions & countries:
        return Constraint("region", PASSED, _("invests where the venture works"))
    return Constraint(
        "region",
        FAILED,
        _("invests only in %(countries)s") % {"countries": _country_names(regions)},
    )


def investor_sector_constraint(profile_sectors: list, venture_sectors: list) -> Constraint | None:
    if not profile_sectors:
        return None
    if not venture_sectors:
        return Constraint("sectors", UNKNOWN, _("the venture names no sector"))
    _raw, exact, related = sector_overlap(venture_sectors, profile_sectors)
    if exact or related:
        return Constraint("sectors", PASSED, _("invests in the venture's sectors"))
    return Constraint(
        "sectors",
        FAILED,
        _("invests only in %(names)s") % {"names": _names(profile_sectors)},
    )


def ticket_constraint(profile) -> Constraint | None:
    """Ventures record no funding need, so a ticket size can only be reported, not checked."""
    if profile.ticket_min_usd is None and profile.ticket_max_usd is None:
        return None
    low = f"{profile.ticket_min_usd:,}" if profile.ticket_min_usd is not None else "…"
    high = f"{profile.ticket_max_usd:,}" if profile.ticket_max_usd is not None else "…"
    return Constraint(
        "ticket",
        UNKNOWN,
        _("invests %(low)s–%(high)s USD per deal; the venture states no funding need")
        % {"low": low, "high": high},
    )
