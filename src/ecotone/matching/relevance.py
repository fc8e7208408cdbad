"""Whether a candidate is about the other side's subject at all, and how well its text fits.

A candidate that shares one word with a need ("port" in a CO2 shipping terminal and in a
need for electric port trucks) or sits in a loose neighbourhood of meaning is no match,
however much evidence or nearness it brings. So before anything is scored, a candidate
has to show evidence on the subject (``relevance_gate``):

- a shared sector: the same one, or its parent or child;
- a sector of the same family (both under "Energy", say) together with a text match
  (with ``exact_words_view``: near the top for the need's whole text, or found by its
  exact words);
- a strong text fit: near the top of the search for the need's whole text *and* of the
  search for its title alone, the subject in the need's own words. One common word
  rarely carries a record to the top of both. When the caller names the search of the
  need's exact words (``exact_words_view``; off in the product, ``ranking.EXACT_WORDS_VIEW``)
  a candidate whose sectors are unrelated to the need's must also be found by it:
  closeness in meaning alone can be a loose likeness (an airborne wind-energy tool for a
  mall's air-conditioning control, a CO2 capture plant for a building retrofit);
- when one side names no sector, a text match near the top.

Text relevance reads several searches (``TextView``): the places of a candidate in each are
fused by weighted reciprocal rank, so agreement between the searches counts, and a place
in the search's own order is kept rather than scores on different scales. Pure functions:
the callers run the searches and fetch the sectors.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class TextView:
    """One search of the other side's words: ``query`` names which words, ``mode`` the
    search mode (None: the search's own default, hybrid when an embedder is set)."""

    name: str
    query: str  #: "words" (title, shortened problem or description), "title", "full", "similar"
    weight: float
    mode: str | None = None


#: a need is searched three ways. The title alone is its subject in its own words; the
#: lexical search adds weight to records that share its exact words. Weights tuned on the
#: dev half of benchmarks/data/matching_judgements.jsonl (docs/matching.md). A fourth view,
#: ``FULL_TEXT_VIEW`` (the whole problems, as plain search is given them), and the second
#: pass ``ranking.SIMILAR_VIEW`` are available but off: on the judged needs together they
#: raised dev and lowered English test, and the second pass fails by hand on a demo need
#: (docs/matching.md, Quality).
NEED_TEXT_VIEWS = (
    TextView("words", "words", 1.0),
    TextView("title", "title", 0.3),
    TextView("lexical", "words", 0.3, mode="lexical"),
)
FULL_TEXT_VIEW = TextView("full", "full", 1.0)
#: a venture (a solution or an organisation) looking for pilot sites is searched once
VENTURE_TEXT_VIEWS = (TextView("words", "words", 1.0),)
#: reciprocal-rank constant: the first place counts 11/20 more than the tenth
RANK_CONSTANT = 10
#: a strong text fit: at most this place for the whole text and for the title
STRONG_WORDS_PLACE = 5
STRONG_TITLE_PLACE = 10
#: when either side names no sector, text is the only evidence: this place or better
TEXT_ONLY_PLACE = 10
#: a sector of the same family (same top-level sector) counts this much of an exact one
FAMILY_SECTOR_CREDIT = 0.1
#: a parent or child of a wanted sector counts this much of an exact one
RELATED_SECTOR_CREDIT = 0.5


def text_relevance(places: Mapping[str, int | None], views: Sequence[TextView]) -> float:
    """1 when the candidate is first in every search, 0 when it is in none."""
    best = sum(view.weight / (RANK_CONSTANT + 1) for view in views)
    found = sum(
        view.weight / (RANK_CONSTANT + place)
        for view in views
        if (place := places.get(view.name)) is not None and place >= 1
    )
    return round(found / best, 4) if best else 0.0


def found_by_text(places: Mapping[str, int | None]) -> bool:
    return any(place is not None for place in places.values())


# --- sectors ------------------------------------------------------------------------------


def _family(sector) -> int:
    return sector.parent_id or sector.pk


@dataclass(frozen=True)
class SectorRelation:
    """How the ``offered`` sectors relate to the ``wanted`` ones."""

    wanted: tuple
    offered: tuple
    exact: tuple  #: offered sectors that are wanted
    related: tuple  #: offered parents or children of a wanted sector
    family: tuple  #: other offered sectors under the same top-level sector as a wanted one

    @property
    def compared(self) -> bool:
        """False when either side names no sector: then sectors say nothing either way."""
        return bool(self.wanted and self.offered)

    @property
    def share(self) -> float:
        """How much of the wanted sectors is covered, between 0 and 1."""
        if not self.wanted:
            return 0.0
        covered = (
            len(self.exact)
            + RELATED_SECTOR_CREDIT * len(self.related)
            + FAMILY_SECTOR_CREDIT * len(self.family)
        )
        return min(1.0, covered / len(self.wanted))


def sector_relation(wanted: Iterable, offered: Iterable) -> SectorRelation:
    wanted, offered = tuple(wanted), tuple(offered)
    wanted_ids = {s.pk for s in wanted}
    wanted_parents = {s.parent_id for s in wanted if s.parent_id}
    wanted_families = {_family(s) for s in wanted}
    exact = tuple(s for s in offered if s.pk in wanted_ids)
    related = tuple(
        s
        for s in offered
        if s.pk not in wanted_ids and (s.parent_id in wanted_ids or s.pk in wanted_parents)
    )
    near = {s.pk for s in exact + related}
    family = tuple(s for s in offered if s.pk not in near and _family(s) in wanted_families)
    return SectorRelation(wanted, offered, exact, related, family)


# --- the gate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    passed: bool
    reason: str


def _names(sectors: Iterable) -> str:
    return ", ".join(str(s.name) for s in sectors)


def relevance_gate(
    relation: SectorRelation,
    places: Mapping[str, int | None],
    exact_words_view: str | None = None,
) -> Gate:
    """Whether a candidate shows evidence on the subject (see the module docstring).

    ``places`` are the candidate's places in the searches of the other side's words
    (``words``, and for a need also ``title``); None where it was not found.
    ``exact_words_view`` names the search of the other side's exact words (lexical), when
    one was run: a candidate in no sector related to the other side's must then be found
    by it too. Without one (a venture's single search) text places alone decide."""
    words, title = places.get("words"), places.get("title")
    if relation.exact or relation.related:
        shared = relation.exact or relation.related
        reason = ngettext("shares sector %(names)s", "shares sectors %(names)s", len(shared))
        return Gate(True, reason % {"names": _names(shared)})
    exact_words = exact_words_view is None or places.get(exact_words_view) is not None
    if relation.family and found_by_text(places):
        close = words is not None and words <= TEXT_ONLY_PLACE
        if exact_words_view is None or close or exact_words:
            return Gate(True, _("a sector close to the need's and a text match"))
    if (
        words is not None
        and title is not None
        and words <= STRONG_WORDS_PLACE
        and title <= STRONG_TITLE_PLACE
        and (exact_words or not relation.compared)
    ):
        return Gate(True, _("a strong text match, for both the whole text and the title"))
    if not relation.compared and words is not None and words <= TEXT_ONLY_PLACE:
        return Gate(True, _("a close text match (no sectors to compare)"))
    return Gate(False, _("no shared sector and only a weak text match"))
