"""Reading a programme spec (the API body of ``POST``/``PATCH /programmes``, or the file of
``ecotone programmes create --file``) into a ``ProgrammeSpec`` for ``setup.py``.

Only types, ranges and choices are checked here, and only for what is given: what is absent
stays absent, so the same reading serves creating (``setup`` then asks for what is required)
and changing (what is absent is kept). Unknown names are refused, so a misspelt field is not
silently ignored. Every refusal is a ``ProgrammeRefused`` naming the path in the spec,
indices counted from 0 as in the JSON: ``rounds[1].criteria[0].weight``.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ecotone.catalog.models import Organisation

from ..models import DecisionRule, ReviewMode, RoundKind, Visibility
from . import pool
from .checks import MAX_TEXT, ProgrammeRefused

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def refuse(path: str | None, message: str, *, status: int = 422, code: str = "invalid") -> NoReturn:
    raise ProgrammeRefused(message, field=path or None, code=code, status=status)


class Reader:
    """One JSON object of a spec. ``take`` reads the fields present with their readers;
    anything not taken is refused by ``refuse_unknown`` (a misspelt name is not ignored)."""

    def __init__(self, data, path: str):
        if not isinstance(data, dict):
            refuse(path, _("Give a JSON object."))
        self.data, self.path = data, path
        self.known: set[str] = set()

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        return name in self.data

    def take(self, **readers) -> dict:
        self.known |= set(readers)
        return {name: read(name) for name, read in readers.items() if name in self.data}

    def refuse_unknown(self, also=()) -> None:
        unknown = sorted(set(self.data) - self.known - set(also))
        if unknown:
            refuse(self.at(unknown[0]), _("Unknown field."))

    def require(self, values: dict, name: str) -> None:
        if name not in values:
            refuse(self.at(name), _("This field is required."))

    def require_either(self, values: dict, english: str, chinese: str) -> None:
        if not (values.get(english) or values.get(chinese)):
            refuse(self.at(english), _("Give it in English or Chinese."))

    def text(self, name: str, *, limit: int = MAX_TEXT) -> str:
        value = self.data[name]
        if value is None:
            return ""
        if not isinstance(value, str):
            refuse(self.at(name), _("Give a text."))
        if len(value.strip()) > limit:
            refuse(self.at(name), _("Keep this under %(limit)s characters.") % {"limit": limit})
        return value.strip()

    def slug(self, name: str) -> str:
        value = self.text(name, limit=60)
        if not SLUG.fullmatch(value):
            refuse(self.at(name), _("Use lower-case letters, digits and single hyphens."))
        return value

    def integer(self, name: str, *, low: int, high: int) -> int:
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            refuse(
                self.at(name),
                _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
        return value

    def number(self, name: str, *, low: float, high: float, empty: bool = False):
        value = self.data[name]
        if value is None and empty:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            refuse(
                self.at(name),
                _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
        return float(value)

    def choice(self, name: str, choices) -> str:
        if self.data[name] not in choices:
            refuse(
                self.at(name), _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
            )
        return self.data[name]

    def boolean(self, name: str) -> bool:
        if not isinstance(self.data[name], bool):
            refuse(self.at(name), _("Give true or false."))
        return self.data[name]

    def moment(self, name: str) -> datetime | None:
        """ISO 8601; without an offset it is read in the programme's time zone."""
        value = self.data[name]
        if value is None:
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            refuse(self.at(name), _("Give a date and time such as 2025-03-01T09:00."))
        return parsed

    def objects(self, name: str) -> list["Reader"]:
        items = self.data[name]
        if not isinstance(items, list):
            refuse(self.at(name), _("Give a list."))
        return [Reader(item, f"{self.at(name)}[{number}]") for number, item in enumerate(items)]


@dataclass
class CriterionSpec:
    key: str
    fields: dict
    path: str


@dataclass
class TrackSpec:
    key: str
    fields: dict
    sectors: list | None
    path: str


@dataclass
class RoundSpec:
    fields: dict
    criteria: list[CriterionSpec] | None
    path: str


@dataclass
class ProgrammeSpec:
    fields: dict = field(default_factory=dict)
    tracks: list[TrackSpec] | None = None
    rounds: list[RoundSpec] | None = None


# --- reading a spec -----------------------------------------------------------------------


def parse_spec(data: object) -> ProgrammeSpec:
    """Types, ranges and choices of everything given; what is absent stays absent."""
    reader = Reader(data, "")
    fields = reader.take(
        slug=reader.slug,
        title_en=lambda n: reader.text(n, limit=300),
        title_zh=lambda n: reader.text(n, limit=300),
        description_en=reader.text,
        description_zh=reader.text,
        eligibility_en=reader.text,
        eligibility_zh=reader.text,
        organiser=_organiser(reader),
        year=lambda n: reader.integer(n, low=1990, high=2100),
        opens_at=reader.moment,
        closes_at=reader.moment,
        time_zone=lambda n: reader.text(n, limit=60),
        award_count=lambda n: reader.integer(n, low=0, high=1000),
        visibility=lambda n: reader.choice(n, Visibility.values),
        review_mode=lambda n: reader.choice(n, ReviewMode.values),
        max_attachment_mb=lambda n: reader.integer(n, low=1, high=100),
        illustrative=reader.boolean,
        source_url=lambda n: reader.text(n, limit=500),
        questions=lambda n: [_question(r) for r in reader.objects(n)],
    )
    spec = ProgrammeSpec(fields=fields)
    if reader.has("tracks"):
        spec.tracks = _unique([_track(r) for r in reader.objects("tracks")], "key")
    if reader.has("rounds"):
        spec.rounds = [_round(r) for r in reader.objects("rounds")]
    reader.refuse_unknown({"tracks", "rounds"})
    _unique_questions(fields.get("questions"))
    return spec


def _organiser(reader: Reader):
    def read(name):
        if reader.data[name] is None:
            return None
        pk = reader.integer(name, low=1, high=2**62)
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            refuse(reader.at(name), _("There is no organisation with this id."))
        return organisation

    return read


def _question(reader: Reader) -> dict:
    question = reader.take(
        key=reader.slug,
        label_en=lambda n: reader.text(n, limit=300),
        label_zh=lambda n: reader.text(n, limit=300),
        required=reader.boolean,
    )
    reader.refuse_unknown()
    reader.require(question, "key")
    reader.require_either(question, "label_en", "label_zh")
    return {"required": False, **question}


def _unique_questions(questions) -> None:
    seen = set()
    for number, question in enumerate(questions or []):
        if question["key"] in seen:
            refuse(f"questions[{number}].key", _("Each key may appear only once."))
        seen.add(question["key"])


def _unique(specs: list, attribute: str) -> list:
    seen = set()
    for spec in specs:
        if getattr(spec, attribute) in seen:
            refuse(f"{spec.path}.{attribute}", _("Each key may appear only once."))
        seen.add(getattr(spec, attribute))
    return specs


def _track(reader: Reader) -> TrackSpec:
    fields = reader.take(
        key=reader.slug,
        name_en=lambda n: reader.text(n, limit=200),
        name_zh=lambda n: reader.text(n, limit=200),
    )
    sectors = None
    if reader.has("sectors"):
        sectors = pool.clean_sectors(reader.data["sectors"], path=reader.at("sectors"))
    reader.refuse_unknown({"sectors"})
    reader.require(fields, "key")
    return TrackSpec(fields.pop("key"), fields, sectors, reader.path)


def _round(reader: Reader) -> RoundSpec:
    fields = reader.take(
        kind=lambda n: reader.choice(n, RoundKind.values),
        name_en=lambda n: reader.text(n, limit=200),
        name_zh=lambda n: reader.text(n, limit=200),
        reviewers_per_submission=lambda n: reader.integer(n, low=1, high=50),
        max_load=lambda n: reader.integer(n, low=1, high=pool.MAX_LOAD),
        min_affinity=lambda n: reader.number(n, low=0, high=1, empty=True),
        decision_rule=lambda n: reader.choice(n, DecisionRule.values),
        decision_value=lambda n: reader.number(n, low=0, high=10_000, empty=True),
        disagreement_threshold=lambda n: reader.number(n, low=0, high=100),
        reviews_due=reader.moment,
    )
    criteria = None
    if reader.has("criteria"):
        criteria = _unique([_criterion(r) for r in reader.objects("criteria")], "key")
    reader.refuse_unknown({"criteria"})
    return RoundSpec(fields, criteria, reader.path)


def _criterion(reader: Reader) -> CriterionSpec:
    fields = reader.take(
        key=reader.slug,
        name_en=lambda n: reader.text(n, limit=200),
        name_zh=lambda n: reader.text(n, limit=200),
        weight=lambda n: reader.number(n, low=0.01, high=1000),
        scale_min=lambda n: reader.integer(n, low=-100, high=100),
        scale_max=lambda n: reader.integer(n, low=-100, high=100),
        levels=lambda n: [_level(r) for r in reader.objects(n)],
    )
    reader.refuse_unknown()
    reader.require(fields, "key")
    return CriterionSpec(fields.pop("key"), fields, reader.path)


def _level(reader: Reader) -> dict:
    level = reader.take(en=reader.text, zh=reader.text)
    reader.refuse_unknown()
    return {"en": level.get("en", ""), "zh": level.get("zh", "")}
