"""Totals of stored calculations without double counting — the reports app's entry point.

Stable API (the dashboards and the annual report call these; add parameters, never
change their meaning). Every function takes the options of ``counted_calculations``
(``include_illustrative``, ``case_ids``, ``solution_ids``) as keywords:

    counted_calculations(basis, period, year=None, ...)   -> list[Calculation]
    grand_total(basis, period, year=None, ...)            -> Total
    totals_by_sector(basis, period, year=None, ...)       -> list[Total]
    totals_by_region(basis, period, year=None, ...)       -> list[Total]   (country code)
    totals_by_city(basis, period, year=None, ...)         -> list[Total]   (city name)
    totals_by_year(basis, ...)                            -> list[Total]   (annual only)
    totals_by_organisation(basis, period, year=None, ...) -> list[Total]
    totals_by_programme(period, year=None, ...)           -> list[Total]   (achieved only)
    top_cases(limit=10, period="annual", year=None, ...)  -> list[CaseImpact]

Rules, so that no tonne is counted twice:

* ``basis`` is required everywhere except for programmes and top cases (which are about
  cases, so achieved): "achieved" (cases) and "potential" (solutions) are never summed.
* ``period`` is "annual" or "cumulative"; every ``Total`` carries its ``basis``,
  ``period`` and ``year`` so a page can always label the figure. Annual totals need a
  ``year`` (or use ``totals_by_year``); cumulative totals are over each record's stored
  cumulative calculation.
* Only the current version of a calculation counts, and per record (and per year, for
  annual figures) only one calculation: the most recently created one.
* Only published records count, and by default only figures whose evidence is
  "reported" or "verified" (``include_illustrative=True`` adds illustrative ones).
* A case in several sectors is split equally between them (by top-level sector unless
  ``level="sector"``), so sector totals add up to the grand total. A case shared by
  several organisations is split by the shares declared in ``CaseShare`` (equally
  when none are declared); a solution counts for its provider.
* A record is in one place: a case where it is (its own ``city`` / ``country``, as the
  catalogue's filters and the reports' regions place it), a solution where its provider
  is. A case shared by several organisations, wherever they are based, counts whole and
  once in its city and its country; cities add up to their country (records with no
  city are left out of the cities, not out of the country).
* Programmes (``catalog.Award.programme_en`` + ``Award.year``) are separate groupings:
  a case counts once in each programme-year that awarded it; do not add programmes up.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ecotone.catalog.models import Award
from ecotone.core.models import active_language_is_chinese

from .models import Basis, Calculation, CaseShare, Evidence, Period

UNIT = "t CO2e"
COUNTED_EVIDENCE = (Evidence.REPORTED, Evidence.VERIFIED)


@dataclass
class Total:
    key: str
    label: str
    value: float
    basis: str
    period: str
    year: int | None
    unit: str = UNIT
    calculation_ids: list[int] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.calculation_ids)


@dataclass(frozen=True)
class CaseImpact:
    case: object
    calculation: Calculation

    @property
    def value(self) -> float:
        return self.calculation.value


def counted_calculations(
    basis: str,
    period: str,
    year: int | None = None,
    *,
    include_illustrative: bool = False,
    case_ids: Iterable[int] | None = None,
    solution_ids: Iterable[int] | None = None,
) -> list[Calculation]:
    """The calculations a total adds up: one per record (per year for annual figures).

    ``case_ids`` / ``solution_ids`` keep only those records (a report on one region passes
    the region's cases and solutions); ``None`` keeps all."""
    _check(basis, period, year)
    queryset = Calculation.objects.filter(basis=basis, period=period, superseded_by__isnull=True)
    subject = "case" if basis == Basis.ACHIEVED else "solution"
    queryset = queryset.filter(**{f"{subject}__status": "published"})
    if year is not None:
        queryset = queryset.filter(year=year)
    if case_ids is not None:
        queryset = queryset.filter(case_id__in=list(case_ids))
    if solution_ids is not None:
        queryset = queryset.filter(solution_id__in=list(solution_ids))
    if not include_illustrative:
        queryset = queryset.filter(evidence__in=COUNTED_EVIDENCE)
    chosen: dict[tuple, Calculation] = {}
    related = ("case", "solution__provider")
    # what the groupings read of each record, in a few queries for any number of records
    prefetched = (
        "case__sectors__parent",
        "solution__sectors__parent",
        "case__organisations",
    )
    queryset = queryset.select_related(*related).prefetch_related(*prefetched)
    for calculation in queryset.order_by("created_at", "id"):
        slot = (calculation.case_id, calculation.solution_id, calculation.year)
        chosen[slot] = calculation  # later ones replace earlier: the newest counts
    return list(chosen.values())


def _check(basis: str, period: str, year) -> None:
    if basis not in Basis.values:
        raise ValueError(f"basis must be one of {Basis.values}")
    if period not in Period.values:
        raise ValueError(f"period must be one of {Period.values}")
    if period == Period.CUMULATIVE and year is not None:
        raise ValueError("a cumulative total has no single year")


def _need_year(period: str, year) -> None:
    if period == Period.ANNUAL and year is None:
        raise ValueError("an annual total needs a year (or use totals_by_year)")


def grand_total(basis: str, period: str, year: int | None = None, **options) -> Total:
    _need_year(period, year)
    counted = counted_calculations(basis, period, year, **options)
    return Total(
        "all", "all", sum(c.value for c in counted), basis, period, year, UNIT, _ids(counted)
    )


def _ids(calculations) -> list[int]:
    return [c.pk for c in calculations]


def _group(counted, shares_of, basis, period, year) -> list[Total]:
    """Add each calculation's value to its groups in the given shares."""
    totals: dict[str, Total] = {}
    for calculation in counted:
        for key, label, share in shares_of(calculation):
            total = totals.setdefault(key, Total(key, label, 0.0, basis, period, year))
            total.value += calculation.value * share
            total.calculation_ids.append(calculation.pk)
    return sorted(totals.values(), key=lambda t: (-t.value, t.key))


def _equal(items: list[tuple[str, str]]) -> list[tuple[str, str, float]]:
    return [(key, label, 1 / len(items)) for key, label in items] if items else []


def totals_by_sector(
    basis: str, period: str, year: int | None = None, *, level: str = "top", **options
) -> list[Total]:
    _need_year(period, year)
    counted = counted_calculations(basis, period, year, **options)

    def shares(calculation):
        chosen = {}
        for sector in calculation.subject.sectors.all():  # prefetched with their parents
            shown = sector.parent if level == "top" and sector.parent_id else sector
            chosen[shown.slug] = str(shown.name)
        return _equal(sorted(chosen.items())) or [("unassigned", "unassigned", 1.0)]

    return _group(counted, shares, basis, period, year)


def totals_by_region(basis: str, period: str, year: int | None = None, **options) -> list[Total]:
    _need_year(period, year)
    counted = counted_calculations(basis, period, year, **options)

    def shares(calculation):
        place = _place(calculation)
        country = place.country if place else ""
        code = str(country) if country else "unknown"
        name = getattr(country, "name", "") or "unknown"
        return [(code, str(name), 1.0)]

    return _group(counted, shares, basis, period, year)


def _place(calculation):
    """The record whose ``city`` / ``country`` place a calculation: a case, or a
    solution's provider (None when a solution has none)."""
    return calculation.case if calculation.case_id else calculation.solution.provider


def totals_by_city(basis: str, period: str, year: int | None = None, **options) -> list[Total]:
    """Totals per city (key: the English name in lower case, or the Chinese name when there
    is no English one; label in the active language). Records with no city are left out."""
    _need_year(period, year)
    counted = counted_calculations(basis, period, year, **options)
    chinese = active_language_is_chinese()

    def shares(calculation):
        place = _place(calculation)
        english, native = (place.city.strip(), place.city_zh.strip()) if place else ("", "")
        if not english and not native:
            return []
        label = (native or english) if chinese else (english or native)
        return [(english.lower() or native, label, 1.0)]

    return _group(counted, shares, basis, period, year)


def totals_by_year(basis: str, **options) -> list[Total]:
    """Annual totals, one per year that has any annual calculation."""
    years = (
        Calculation.objects.filter(basis=basis, period=Period.ANNUAL, year__isnull=False)
        .values_list("year", flat=True)
        .distinct()
    )
    totals = []
    for year in sorted({year for year in years if year is not None}):
        total = grand_total(basis, Period.ANNUAL, year, **options)
        total.key = total.label = str(year)
        totals.append(total)
    return totals


def declared_shares(case_ids) -> dict[int, list[tuple[int, float]]]:
    """case id → [(organisation id, share)] as declared in ``CaseShare``, in one query."""
    declared: dict[int, list[tuple[int, float]]] = defaultdict(list)
    rows = CaseShare.objects.filter(case_id__in=list(case_ids)).order_by("organisation_id")
    for case_id, org_id, share in rows.values_list("case_id", "organisation_id", "share"):
        declared[case_id].append((org_id, float(share)))
    return declared


def organisation_shares(case, declared=None) -> list[tuple[int, float]]:
    """(organisation id, share) for a case: declared shares, else an equal split.
    ``declared`` (from ``declared_shares``) saves a query per case; the organisations are
    read through ``.all()``, which ``counted_calculations`` prefetches."""
    shares = (declared if declared is not None else declared_shares([case.pk])).get(case.pk)
    if shares:
        return shares
    org_ids = sorted(org.pk for org in case.organisations.all())
    return [(org_id, 1 / len(org_ids)) for org_id in org_ids]


def totals_by_organisation(
    basis: str, period: str, year: int | None = None, **options
) -> list[Total]:
    from ecotone.catalog.models import Organisation

    _need_year(period, year)
    counted = counted_calculations(basis, period, year, **options)
    declared = declared_shares(c.case_id for c in counted if c.case_id)

    def pairs_of(calculation) -> list[tuple[int, float]]:
        if calculation.solution_id:
            provider = calculation.solution.provider_id
            return [(provider, 1.0)] if provider else []
        return organisation_shares(calculation.case, declared)

    pairs = {calculation.pk: pairs_of(calculation) for calculation in counted}
    wanted = {org_id for found in pairs.values() for org_id, _ in found}
    names = {o.pk: o.label for o in Organisation.objects.filter(pk__in=wanted)}

    def shares(calculation):
        return [(str(pk), names.get(pk, str(pk)), share) for pk, share in pairs[calculation.pk]]

    return _group(counted, shares, basis, period, year)


def totals_by_programme(period: str, year: int | None = None, **options) -> list[Total]:
    """Achieved totals per programme-year (``Award.programme_en`` + ``Award.year``)."""
    _need_year(period, year)
    counted = counted_calculations(Basis.ACHIEVED, period, year, **options)
    awards = defaultdict(set)
    for award in Award.objects.filter(case_id__in=[c.case_id for c in counted], status="published"):
        awards[award.case_id].add((f"{award.programme_en} {award.year}", str(award.programme)))

    def shares(calculation):
        return [
            (key, f"{label} {key.rsplit(' ', 1)[-1]}", 1.0)
            for key, label in sorted(awards[calculation.case_id])
        ]

    return _group(counted, shares, Basis.ACHIEVED, period, year)


def top_cases(
    limit: int = 10, period: str = Period.ANNUAL, year: int | None = None, **options
) -> list[CaseImpact]:
    """Cases with the largest achieved reductions (reported or verified by default).
    Annual figures without a ``year`` compare each case's latest year."""
    counted = counted_calculations(Basis.ACHIEVED, period, year, **options)
    best: dict[int, Calculation] = {}
    for calculation in counted:
        if calculation.case_id is None:
            continue
        held = best.get(calculation.case_id)
        if held is None or (calculation.year or 0, calculation.pk) > (held.year or 0, held.pk):
            best[calculation.case_id] = calculation
    ranked = sorted(best.values(), key=lambda c: (-c.value, c.pk))[:limit]
    return [CaseImpact(c.case, c) for c in ranked]
