"""Finding and ranking counterparts: need → solutions and cases, venture → needs and investors.

Candidates come from two places: text relevance (``search_records`` with the record's own
words, several ways: ``relevance.NEED_TEXT_VIEWS``) and records that share a sector. A
candidate must then show evidence on the subject (``relevance.relevance_gate``); those that
do are scored by the components in ``scoring`` and checked against the hard constraints the
need states. Only published records are ever offered, so the result does not depend on who
asks.
"""

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecotone.catalog.choices import NeedStatus, OrganisationKind
from ecotone.catalog.models import Case, Need, Organisation, Sector, Solution
from ecotone.core.cache import cached_figure
from ecotone.search.queries import InvalidSearch, search_records

from . import coverage, scoring
from .models import MatchFeedback, NeedCriteria
from .relevance import NEED_TEXT_VIEWS, TextView, relevance_gate, sector_relation
from .scoring import (
    INVESTOR_WEIGHTS,
    NEED_WEIGHTS,
    PILOT_SITE_WEIGHTS,
    Match,
    make_match,
    rank,
)

logger = logging.getLogger(__name__)

#: how many search hits per kind become candidates (the search API's own maximum)
TEXT_CANDIDATES = 100
#: how many records sharing a sector become candidates, per kind (most sectors shared first)
SECTOR_CANDIDATES = 200
#: a query is cut by the search app at 1,000 characters and 64 terms; titles go first and
#: problem texts are shortened so that both languages get a say
QUERY_TEXT_CHARS = {"en": 300, "zh": 120}
#: pseudo-relevance feedback: the titles of the ``SIMILAR_SEEDS`` best first-pass matches
#: are searched again, and a candidate's place in that search is one more text view (None:
#: no second pass). Records like the best matches are often relevant too, in words the
#: need does not use. Off: ``TextView("similar", "similar", 1.5)`` with 5 seeds, with the
#: full-text view (best on the dev half) raised dev nDCG@10 and lowered it for English
#: needs on test, and by hand it puts a smelter's waste-heat case and a wind farm first
#: for the demo's building energy-monitoring need: the best matches it starts from can be
#: off the subject, and it lifts records like them (docs/matching.md, Quality). It costs
#: one more search per need.
SIMILAR_VIEW: TextView | None = None
SIMILAR_SEEDS = 5
#: when the second pass runs, it lifts only candidates the need's own searches found at
#: this place or better (None: any candidate). A record like the best matches that came in
#: through a sector alone, or deep in the hits, is a drift from the need's subject.
SIMILAR_SUPPORT_PLACE: int | None = 30
#: the need's view whose hits match its exact words (``relevance.relevance_gate``): with it,
#: a candidate in no sector related to the need's must be found by that search too, and
#: one in a sector of the same family must be found by it or near the top for the need's
#: words (None: text places alone, as before). Off: on the dev half of the judged needs it
#: raised Chinese needs (1.157 -> 1.171 x search) and the bilingual one and left English
#: needs level, but run once on test it lowered both (zh 1.137 -> 1.116, en 1.059 ->
#: 1.049): some relevant records sit in a neighbouring sector and match only in meaning
#: (docs/matching.md, Quality). "lexical" switches it on.
EXACT_WORDS_VIEW: str | None = None
#: the leading matches are reordered by how much of the need each addresses and how much of
#: each is about the need, read sentence by sentence (``coverage``). On the dev half of the
#: judged needs coverage raised both languages (nDCG@10 over plain search zh 1.156 ->
#: 1.186, en 1.006 -> 1.043), and focus beside it English needs again (docs/matching.md,
#: Quality). False: the first order stands.
READ_COVERAGE = True
#: needs closed for business are not matched
CLOSED_NEED_STATUSES = {NeedStatus.CLOSED}
COUNTERPART_LABELS = {
    "pilot_sites": gettext_lazy("Pilot sites: open needs that fit"),
    "investors": gettext_lazy("Investors whose thesis fits"),
}


@dataclass
class NeedMatches:
    need: Need
    matches: list[Match] = field(default_factory=list)
    #: candidates that fit by score but fail a hard constraint, with the reason
    excluded: list[Match] = field(default_factory=list)
    #: why no matches are offered at all (deadline passed, need closed), else empty
    closed_reason: str = ""
    #: candidates left out for showing no evidence on the need's subject
    unrelated: int = 0


@dataclass
class Venture:
    """What matching knows about a startup or a solution looking for counterparts."""

    record: Organisation | Solution
    organisation: Organisation | None
    sectors: list
    regions: set[str]  #: where its solutions are stated to be deployed
    home_country: str
    city: str
    city_zh: str
    trl: int | None
    query: str
    solution: Solution | None = None

    @property
    def countries(self) -> set[str]:
        """Everywhere it is known to work: its deployments and its home country."""
        return self.regions | ({self.home_country} if self.home_country else set())


@dataclass
class CounterpartGroup:
    name: str  #: pilot_sites, investors, or the name of a registered finder
    label: str
    matches: list[Match] = field(default_factory=list)
    excluded: list[Match] = field(default_factory=list)
    unrelated: int = 0  #: candidates left out for showing no evidence on the subject


# --- text and sector candidates -----------------------------------------------------------


def clip(text: str, chars: int) -> str:
    text = " ".join((text or "").split())
    return text[:chars]


def need_query(need: Need) -> str:
    return query_text(
        need.title_en, need.title_zh, english=need.problem_en, chinese=need.problem_zh
    )


def need_title_query(need: Need) -> str:
    """The need's subject in its own words."""
    return " ".join(t for t in (need.title_en, need.title_zh) if t)


def need_full_query(need: Need) -> str:
    """The need's titles and problems in full, as a person would paste them into search."""
    parts = (need.title_en, need.problem_en, need.title_zh, need.problem_zh)
    return "\n".join(p for p in parts if p)


#: the texts of a need that ``relevance.NEED_TEXT_VIEWS`` search, by the views' ``query``
NEED_QUERIES: dict[str, Callable[[Need], str]] = {
    "words": need_query,
    "title": need_title_query,
    "full": need_full_query,
}


def search_ranks(
    query: str, kinds: tuple[str, ...], mode: str | None = None
) -> dict[tuple[str, int], int]:
    """(kind, pk) → place (1, 2, …) among the search hits of these kinds, in the search's
    own order.

    The order, not the score, is what matching keeps: BM25 scores, fused reciprocal-rank
    scores and the language interleaving of hybrid search are on different scales, while
    the order is the search's best judgement in every mode. Several kinds are searched
    together, so that a case and a solution are ranked against each other.
    """
    hits = _search(query, kinds[0] if len(kinds) == 1 else None, mode)
    wanted = [(hit["kind"], int(hit["id"])) for hit in hits if hit["kind"] in kinds]
    return {key: place for place, key in enumerate(dict.fromkeys(wanted), start=1)}


def text_places(
    queries: dict[str, str], views: tuple[TextView, ...], kinds: tuple[str, ...]
) -> dict[tuple[str, int], dict[str, int]]:
    """(kind, pk) → {view name: place} over the searches of ``views``; a record missing
    from a search has no entry for it. ``queries`` maps a view's ``query`` to its text."""
    places: dict[tuple[str, int], dict[str, int]] = {}
    for view in views:
        for key, place in search_ranks(queries[view.query], kinds, view.mode).items():
            places.setdefault(key, {})[view.name] = place
    return places


def reranked(ranks: dict[tuple[str, int], int], keep: set) -> dict[tuple[str, int], int]:
    """The places again, counted among the ``keep`` keys only."""
    kept = sorted((place, key) for key, place in ranks.items() if key in keep)
    return {key: place for place, (_old, key) in enumerate(kept, start=1)}


def _search(query: str, kind: str | None, mode: str | None = None) -> list[dict]:
    """Hits for one kind (or all). A search that fails leaves sector candidates only: a
    need's page must not break because the index is being rebuilt."""
    if not query.strip():
        return []
    try:
        return search_records(
            query, kind=kind, limit=TEXT_CANDIDATES, mode=mode, answers_only=False
        ).results
    except InvalidSearch:
        return []
    except Exception:
        logger.exception("matching: search for %s candidates failed", kind)
        return []


def sector_family(sector_ids: set[int]) -> set[int]:
    """The sectors themselves, their parents and their children."""
    if not sector_ids:
        return set()
    rows = Sector.objects.filter(Q(pk__in=sector_ids) | Q(parent_id__in=sector_ids))
    family = set(sector_ids)
    for pk, parent_id in rows.values_list("pk", "parent_id"):
        family.add(pk)
        if parent_id and pk in sector_ids:
            family.add(parent_id)
    return family


def sector_candidate_ids(model, sector_ids: set[int]) -> list[int]:
    """Public records in the sectors' family, those sharing the most exact sectors first."""
    family = sector_family(sector_ids)
    if not family:
        return []
    rows = (
        model.objects.filter(model.public_condition(), sectors__in=family)
        .annotate(shared=Count("sectors", filter=Q(sectors__in=sector_ids)))
        .order_by("-shared", "-pk")
        .values_list("pk", flat=True)
    )
    return list(rows[:SECTOR_CANDIDATES])


def _ids(ranks: dict[tuple[str, int], object], kind: str) -> set[int]:
    return {pk for (k, pk) in ranks if k == kind}


# --- need → solutions and cases -----------------------------------------------------------


def need_closed_reason(need: Need) -> str:
    today = timezone.localdate()
    if need.deadline and need.deadline < today:
        return _("The deadline (%(date)s) has passed, so no matches are offered.") % {
            "date": date_format(need.deadline)
        }
    if need.need_status in CLOSED_NEED_STATUSES:
        return _("This need is closed, so no matches are offered.")
    return ""


@dataclass(frozen=True)
class Limits:
    """The limits a need's maintainers stated: nothing here is inferred from the need."""

    min_trl: int | None = None
    regions: frozenset[str] = frozenset()


def limits_of(criteria: NeedCriteria | None) -> Limits:
    if criteria is None:
        return Limits()
    return Limits(criteria.min_trl, frozenset(str(c.code) for c in criteria.regions or []))


def need_limits(need: Need) -> Limits:
    return limits_of(NeedCriteria.objects.filter(need=need).first())


def feedback_tally(need: Need) -> dict[tuple[str, int], tuple[int, int]]:
    """(kind, pk) → (relevant, not relevant) votes on this need's matches."""
    rows = (
        MatchFeedback.objects.filter(need=need)
        .order_by()
        .values("solution_id", "case_id")
        .annotate(
            relevant=Count("pk", filter=Q(vote=1)), not_relevant=Count("pk", filter=Q(vote=-1))
        )
    )
    tally = {}
    for row in rows:
        key = ("solution", row["solution_id"]) if row["solution_id"] else ("case", row["case_id"])
        tally[key] = (row["relevant"], row["not_relevant"])
    return tally


def load_solutions(pks: set[int]) -> list[Solution]:
    return list(
        Solution.objects.filter(Solution.public_condition(), pk__in=pks)
        .select_related("provider")
        .prefetch_related("sectors")
        .annotate(
            published_cases=Count("cases", filter=Q(cases__status="published"), distinct=True)
        )
    )


def load_cases(pks: set[int]) -> list[Case]:
    return list(
        Case.objects.filter(Case.public_condition(), pk__in=pks)
        .prefetch_related(
            "sectors",
            "organisations",
            Prefetch(
                "solutions",
                queryset=Solution.objects.filter(Solution.public_condition()),
                to_attr="published_solutions",
            ),
        )
        .annotate(award_count=Count("awards", distinct=True))
    )


@dataclass
class NeedContext:
    """What every candidate of one need is scored against."""

    need: Need
    sectors: list
    places: dict[tuple[str, int], dict[str, int]]
    tally: dict[tuple[str, int], tuple[int, int]]
    limits: Limits
    today: date = field(default_factory=timezone.localdate)
    views: tuple[TextView, ...] = NEED_TEXT_VIEWS


def similar_seeds(matches: list[Match], places) -> list[Match]:
    """The best first-pass matches among those the need's own words found: a record that
    came in through its sector alone says nothing about the need's subject in words."""
    found = [m for m in matches if "words" in places.get((m.kind, m.record.pk), {})]
    return rank(found, SIMILAR_SEEDS)[0]


def supported_by_need_text(places: dict[str, int]) -> bool:
    """Whether the need's own searches found a candidate well enough for the second pass
    to lift it (``SIMILAR_SUPPORT_PLACE``)."""
    if SIMILAR_SUPPORT_PLACE is None:
        return True
    own = [place for view, place in places.items() if view != "similar"]
    return any(place <= SIMILAR_SUPPORT_PLACE for place in own)


def similar_query(matches: list[Match]) -> str:
    """The titles of the best first-pass matches, to find records like them."""
    return " ".join(m.title for m in matches)


#: the matches a need's page lists (and the background task ranks ahead of it)
NEED_PAGE_MATCHES = 10


def cached_need_matches(need: Need, limit: int = NEED_PAGE_MATCHES) -> NeedMatches:
    """``need_matches``, kept between requests until a catalogue write or an index change
    (``core.cache``): ranking searches the index several ways and scores every candidate."""
    report = cached_figure("need-matches", (need.pk, limit), lambda: need_matches(need, limit))
    return dataclasses.replace(report, need=need)


def need_matches(need: Need, limit: int = 10) -> NeedMatches:
    """Rank published solutions and cases for ``need``; see the module docstring."""
    report = NeedMatches(need=need, closed_reason=need_closed_reason(need))
    if report.closed_reason:
        return report
    need_sectors = list(need.sectors.all())
    sector_ids = {s.pk for s in need_sectors}
    queries = {view.query: NEED_QUERIES[view.query](need) for view in NEED_TEXT_VIEWS}
    places = text_places(queries, NEED_TEXT_VIEWS, ("solution", "case"))
    solutions = load_solutions(
        _ids(places, "solution") | set(sector_candidate_ids(Solution, sector_ids))
    )
    cases = load_cases(_ids(places, "case") | set(sector_candidate_ids(Case, sector_ids)))
    candidates = [("solution", s) for s in solutions if s.provider_id != need.organisation_id]
    candidates += [
        ("case", c)
        for c in cases
        if need.organisation_id not in {o.pk for o in c.organisations.all()}
    ]
    context = NeedContext(
        need, need_sectors, places, feedback_tally(need), need_limits(need), views=NEED_TEXT_VIEWS
    )
    related = [
        (kind, record)
        for kind, record in candidates
        if relevance_gate(
            sector_relation(need_sectors, record.sectors.all()),
            places.get((kind, record.pk), {}),
            EXACT_WORDS_VIEW,
        ).passed
    ]
    report.unrelated = len(candidates) - len(related)
    matches = [_score_for_need(context, kind, record) for kind, record in related]
    if SIMILAR_VIEW is not None and matches:
        seeds = similar_seeds(matches, places)
        similar = search_ranks(similar_query(seeds), ("solution", "case"), SIMILAR_VIEW.mode)
        for key, place in similar.items():
            if supported_by_need_text(places.get(key, {})):
                places.setdefault(key, {})[SIMILAR_VIEW.name] = place
        context.views = (*NEED_TEXT_VIEWS, SIMILAR_VIEW)
        matches = [_score_for_need(context, kind, record) for kind, record in related]
    report.matches, report.excluded = rank(with_coverage(need, matches), limit)
    return report


def with_coverage(need: Need, matches: list[Match]) -> list[Match]:
    """The matches with a ``coverage`` and a ``focus`` part: the leading ones
    (``coverage.DEPTH``) read sentence by sentence against the need, the others 0, so that
    the reading reorders the leading matches and leaves the rest in their places.
    Unchanged when nothing can be read (no embedder)."""
    if not READ_COVERAGE:
        return matches
    leading = rank(matches, coverage.DEPTH)[0]
    reading = coverage.need_reading(need, [(m.kind, m.record) for m in leading])
    if reading is None:
        return matches
    count = len(leading)
    parts = {
        (m.kind, m.record.pk): [
            scoring.coverage_component(
                NEED_WEIGHTS["coverage"], reading.coverage[i], _place(reading.coverage, i), count
            ),
            scoring.focus_component(
                NEED_WEIGHTS["focus"], reading.focus[i], _place(reading.focus, i), count
            ),
        ]
        for i, m in enumerate(leading)
    }
    not_read = [
        scoring.not_read_component(n, NEED_WEIGHTS[n], count) for n in ("coverage", "focus")
    ]
    return [
        make_match(
            m.kind,
            m.record,
            [*m.components, *parts.get((m.kind, m.record.pk), not_read)],
            m.constraints,
        )
        for m in matches
    ]


def _place(values: list[float], index: int) -> int:
    """1 for the highest of ``values``, 2 for the next, …: where ``values[index]`` stands."""
    return 1 + sum(1 for value in values if value > values[index])


def _score_for_need(context: NeedContext, kind: str, record) -> Match:
    score = score_solution_for_need if kind == "solution" else score_case_for_need
    return score(context, record)


def score_solution_for_need(context: NeedContext, solution: Solution) -> Match:
    w, need, key = NEED_WEIGHTS, context.need, ("solution", solution.pk)
    components = [
        scoring.text_fit_component(
            w["text"], context.places.get(key, {}), context.views, side="need"
        ),
        scoring.sectors_component(
            w["sectors"], context.sectors, list(solution.sectors.all()), side="need"
        ),
        scoring.solution_evidence_component(w["evidence"], solution.published_cases),
        scoring.solution_place_component(w["place"], need, solution),
        scoring.trl_component(w["readiness"], solution.trl),
        scoring.feedback_component(w["feedback"], *context.tally.get(key, (0, 0))),
    ]
    constraints = [
        scoring.region_constraint_for_solution(set(context.limits.regions), solution),
        scoring.min_trl_constraint(context.limits.min_trl, solution.trl),
        scoring.budget_constraint_for_solution(need, solution),
    ]
    return make_match("solution", solution, components, constraints)


def score_case_for_need(context: NeedContext, case: Case) -> Match:
    w, need, key = NEED_WEIGHTS, context.need, ("case", case.pk)
    used = case.published_solutions
    trls = [s.trl for s in used if s.trl]
    components = [
        scoring.text_fit_component(
            w["text"], context.places.get(key, {}), context.views, side="need"
        ),
        scoring.sectors_component(
            w["sectors"], context.sectors, list(case.sectors.all()), side="need"
        ),
        scoring.case_evidence_component(
            w["evidence"], case, solutions=len(used), awards=case.award_count, today=context.today
        ),
        scoring.case_place_component(w["place"], need, case),
        scoring.case_readiness_component(w["readiness"], trls),
        scoring.feedback_component(w["feedback"], *context.tally.get(key, (0, 0))),
    ]
    constraints = [
        scoring.region_constraint_for_case(set(context.limits.regions), case),
        scoring.min_trl_constraint_for_case(context.limits.min_trl, trls),
        scoring.budget_constraint(need),
    ]
    return make_match("case", case, components, constraints)


# --- venture → pilot sites, investors and more --------------------------------------------


def venture_for(record: Organisation | Solution) -> Venture:
    """A solution stands for itself; an organisation for itself and its published solutions."""
    if isinstance(record, Solution):
        return _solution_venture(record)
    return _organisation_venture(record)


def query_text(*titles: str, english: str = "", chinese: str = "") -> str:
    """Titles first, then the two texts shortened (see ``QUERY_TEXT_CHARS``)."""
    parts = [*titles, clip(english, QUERY_TEXT_CHARS["en"]), clip(chinese, QUERY_TEXT_CHARS["zh"])]
    return " ".join(p for p in parts if p)


def _solution_venture(solution: Solution) -> Venture:
    provider = solution.provider
    return Venture(
        record=solution,
        organisation=provider,
        solution=solution,
        sectors=list(solution.sectors.all()),
        regions=scoring.stated_regions(solution),
        home_country=scoring.home_country(provider),
        city=provider.city if provider else "",
        city_zh=provider.city_zh if provider else "",
        trl=solution.trl,
        query=query_text(
            solution.title_en,
            solution.title_zh,
            english=solution.description_en,
            chinese=solution.description_zh,
        ),
    )


#: an organisation's query names this many of its solutions
SOLUTION_TITLES_IN_QUERY = 5


def _organisation_venture(organisation: Organisation) -> Venture:
    solutions = list(
        organisation.solutions.filter(Solution.public_condition()).prefetch_related("sectors")
    )
    sectors = {s.pk: s for s in organisation.sectors.all()}
    regions: set[str] = set()
    for solution in solutions:
        sectors.update({s.pk: s for s in solution.sectors.all()})
        regions |= scoring.stated_regions(solution)
    trls = [s.trl for s in solutions if s.trl]
    titles = [s.title_en or s.title_zh for s in solutions[:SOLUTION_TITLES_IN_QUERY]]
    return Venture(
        record=organisation,
        organisation=organisation,
        sectors=list(sectors.values()),
        regions=regions,
        home_country=scoring.home_country(organisation),
        city=organisation.city,
        city_zh=organisation.city_zh,
        trl=max(trls) if trls else None,
        query=query_text(
            organisation.name_en,
            organisation.name_zh,
            *titles,
            english=organisation.description_en,
            chinese=organisation.description_zh,
        ),
    )


def open_needs(pks: set[int]) -> list[Need]:
    today = timezone.localdate()
    return list(
        Need.objects.filter(Need.public_condition(), pk__in=pks, need_status=NeedStatus.OPEN)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .select_related("organisation", "match_criteria")
        .prefetch_related("sectors")
    )


def pilot_sites(venture: Venture, limit: int) -> CounterpartGroup:
    """Open needs the venture could serve, scored like a need's matches from the other
    side and passed through the same relevance gate: a need shares no sector with the
    venture and matches only loosely in words, it is no pilot site."""
    ranks = search_ranks(venture.query, ("need",))
    in_sectors = sector_candidate_ids(Need, {s.pk for s in venture.sectors})
    needs_found = _ids(ranks, "need") | set(in_sectors)
    own = venture.organisation.pk if venture.organisation else None
    needs = [n for n in open_needs(needs_found) if n.organisation_id != own]
    # placed among the open needs only: closed ones must not push the others down
    ranks = reranked(ranks, {("need", n.pk) for n in needs})
    tally = _venture_feedback(venture)
    group = CounterpartGroup("pilot_sites", str(COUNTERPART_LABELS["pilot_sites"]))
    matches = []
    for need in needs:
        place = ranks.get(("need", need.pk))
        relation = sector_relation(need.sectors.all(), venture.sectors)
        if not relevance_gate(relation, {"words": place}).passed:
            group.unrelated += 1
            continue
        matches.append(score_need_for_venture(venture, need, ranks, tally))
    group.matches, group.excluded = rank(matches, limit)
    return group


def _venture_feedback(venture: Venture) -> dict[int, tuple[int, int]]:
    """need pk → votes on the venture as a match for that need: on the solution itself,
    or on any of an organisation's solutions."""
    if venture.solution is not None:
        votes = MatchFeedback.objects.filter(solution=venture.solution)
    elif venture.organisation is not None:
        votes = MatchFeedback.objects.filter(solution__provider=venture.organisation)
    else:
        return {}
    rows = (
        votes.order_by()
        .values("need_id")
        .annotate(
            relevant=Count("pk", filter=Q(vote=1)), not_relevant=Count("pk", filter=Q(vote=-1))
        )
    )
    return {row["need_id"]: (row["relevant"], row["not_relevant"]) for row in rows}


def score_need_for_venture(venture: Venture, need: Need, ranks, tally) -> Match:
    w = PILOT_SITE_WEIGHTS
    limits = limits_of(getattr(need, "match_criteria", None))
    components = [
        scoring.text_component(w["text"], ranks.get(("need", need.pk))),
        scoring.sectors_component(
            w["sectors"], list(need.sectors.all()), venture.sectors, side="need"
        ),
        venture_place_component(w["place"], venture, need),
        scoring.trl_component(w["readiness"], venture.trl),
        scoring.feedback_component(w["feedback"], *tally.get(need.pk, (0, 0))),
    ]
    constraints = [
        scoring.region_constraint(set(limits.regions), venture.regions, venture.home_country),
        scoring.min_trl_constraint(limits.min_trl, venture.trl),
    ]
    return make_match("need", need, components, constraints)


def venture_place_component(weight: float, venture: Venture, need: Need):
    if not need.country and not need.city:
        return scoring.Component("place", weight, 0.0, _("the need gives no place"))
    if scoring.same_city(need.city, need.city_zh, venture.city, venture.city_zh):
        reason = _("the need is in %(city)s, where the venture is based") % {
            "city": need.city_label
        }
        return scoring.Component("place", weight, 1.0, reason)
    if need.country and str(need.country.code) in venture.countries:
        reason = _("the need is in %(country)s, where the venture works") % {
            "country": need.country.name
        }
        return scoring.Component("place", weight, 0.7, reason)
    return scoring.Component("place", weight, 0.0, _("the need is elsewhere"))


def investors(venture: Venture, limit: int) -> CounterpartGroup:
    """Organisations with an investor profile, ranked by how well their thesis fits."""
    own = venture.organisation.pk if venture.organisation else None
    candidates = (
        Organisation.objects.filter(Organisation.public_condition(), investor_profile__isnull=False)
        .exclude(pk=own)
        .select_related("investor_profile")
        .prefetch_related("investor_profile__sectors")
    )
    candidates = list(candidates)
    # placed among investors only: the best-fitting investor's words come first
    ranks = reranked(
        search_ranks(venture.query, ("organisation",)),
        {("organisation", org.pk) for org in candidates},
    )
    matches = [score_investor(venture, org, ranks) for org in candidates]
    group = CounterpartGroup("investors", str(COUNTERPART_LABELS["investors"]))
    group.matches, group.excluded = rank(matches, limit)
    return group


def score_investor(venture: Venture, organisation: Organisation, ranks) -> Match:
    w = INVESTOR_WEIGHTS
    profile = organisation.investor_profile
    profile_sectors = list(profile.sectors.all())
    regions = {str(c.code) for c in profile.regions or []}
    if profile_sectors:
        sectors = scoring.sectors_component(
            w["sectors"], venture.sectors, profile_sectors, side="venture"
        )
    else:
        sectors = scoring.Component("sectors", w["sectors"], 0.5, _("no sector limit given"))
    components = [
        sectors,
        scoring.investor_region_component(w["region"], regions, venture.countries),
        scoring.stage_component(w["stage"], profile.stages, venture.trl),
        scoring.text_component(w["text"], ranks.get(("organisation", organisation.pk))),
    ]
    constraints = [
        scoring.investor_sector_constraint(profile_sectors, venture.sectors),
        scoring.investor_region_constraint(regions, venture.countries),
        scoring.ticket_constraint(profile),
    ]
    return make_match("investor", organisation, components, constraints)


#: Counterpart finders beyond pilot sites and investors, by name. The programmes app
#: (not built yet) registers "programmes" here: a function ``(venture, limit)`` returning a
#: ``CounterpartGroup``. Pages and the API show every registered group after the others.
COUNTERPART_FINDERS: dict[str, Callable[[Venture, int], CounterpartGroup]] = {}


def register_counterpart_finder(
    name: str, finder: Callable[[Venture, int], CounterpartGroup]
) -> None:
    """The extension point for open programmes (and any later kind of counterpart)."""
    COUNTERPART_FINDERS[name] = finder


#: organisations that look for pilot sites and investors; investors and public bodies are
#: the counterparts, not the ventures
VENTURE_KINDS = {
    OrganisationKind.STARTUP,
    OrganisationKind.CORPORATE,
    OrganisationKind.RESEARCH_INSTITUTE,
    OrganisationKind.NGO,
}


def is_venture(record) -> bool:
    if isinstance(record, Solution):
        return True
    return isinstance(record, Organisation) and record.kind in VENTURE_KINDS


def counterparts_for_venture(record: Organisation | Solution, limit: int = 5):
    venture = venture_for(record)
    groups = [pilot_sites(venture, limit), investors(venture, limit)]
    groups += [finder(venture, limit) for finder in COUNTERPART_FINDERS.values()]
    return groups
