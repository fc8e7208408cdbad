"""Set-up pages: a manager creates a programme and edits its call, tracks, rounds and rubric,
fills the reviewer pool (invite by e-mail, import a CSV list), previews the call page as
applicants will see it and publishes it.

The pages only shape the input: each form's inputs are named by their path in the programme
spec (``rounds[0].criteria[1].weight``) and sent as text (numbers as numbers) through
``spec.parse_spec`` and ``setup.create_programme`` / ``update_programme``, the write of the
API's ``POST``/``PATCH /programmes`` and of ``ecotone programmes create|update``. A refusal
names the path at fault and ``show_refusal`` puts it on the input of that name.
"""

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from ecotone.accounts.audit import history_of
from ecotone.accounts.permissions import is_staff, member_organisation_ids
from ecotone.core.refusals import Refused, show_refusal

from .manage_views import managed
from .models import DecisionRule, Programme, ReviewMode, RoundKind, Visibility
from .services import pool, setup
from .services.applications import find_solutions, solution_label

#: blank rows offered under the existing ones, for adding tracks, rounds or criteria
EXTRA_ROWS = 2
NUMBER = re.compile(r"-?\d+(\.\d+)?")
DATE_TIME = forms.TextInput(attrs={"type": "datetime-local"})
WIDE = forms.Textarea(attrs={"rows": 4})


# --- forms named by the spec's paths ------------------------------------------------------


class SpecForm(forms.Form):
    """Text inputs named by their path in the spec; nothing is checked here (the service
    checks and names the path at fault). ``rows`` groups the inputs of a list's items."""

    def __init__(self, data=None, *, inputs, initial=None):
        super().__init__(data, initial=initial)
        self.refusal_fields: dict[str, str] = {}
        self.rows: list[list] = []  # a list's items, each the inputs of one (``_rows_form``)
        self.columns: list = []  # the labels of a list's columns
        for name, label, widget in inputs:
            self.fields[name] = forms.CharField(
                label=label, required=False, strip=False, widget=widget or forms.TextInput
            )

    def text(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def given(self, *names: str) -> bool:
        return any(self.text(name) for name in names)

    def row(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(prefix)]


def _typed(text: str):
    """A number typed as a number (the spec's readers want JSON types); anything else as
    typed, for the service to refuse naming the input."""
    if NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def _numbers(form: SpecForm, prefix: str, names, *, empty=()) -> dict:
    """The numeric inputs ``prefix + name`` given; left blank, those in ``empty`` clear
    (None) and the others stay as they are."""
    values = {}
    for name in names:
        text = form.text(prefix + name)
        if text:
            values[name] = _typed(text)
        elif name in empty:
            values[name] = None
    return values


def _keyed(values: dict) -> dict:
    """A blank key or short name left out, so the service says it is required."""
    return {k: v for k, v in values.items() if v != "" or k not in ("key", "slug")}


def _number_text(value: float | None) -> str:
    """A stored number as typed back, exactly (a finished round or a rubric with reviews
    refuses any change, so showing 62.1235 for 62.123456 would refuse an untouched row)."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else repr(value)


def _moment(form: "SpecForm", name: str):
    """A date-time input: None when emptied, absent (kept) when left as shown (the page
    shows minutes; the seconds stored stay)."""
    text = form.text(name)
    if text == form.initial.get(name, ""):
        return {}
    return {name.rsplit(".", 1)[-1]: text or None}


def _local(programme: Programme, value) -> str:
    """An instant as the manager types it: wall-clock time in the programme's zone."""
    if value is None:
        return ""
    return timezone.localtime(value, programme.zone).strftime("%Y-%m-%dT%H:%M")


def _show(request, refused: Refused, form: SpecForm, renumbered: dict | None = None) -> None:
    """``show_refusal`` on the input the refusal names: items renumbered when blank rows
    were left out (``{"tracks[1].": "tracks[2]."}``), a list item (``sectors[1]``) on its
    list's input."""
    name = refused.field or ""
    for given, shown in (renumbered or {}).items():
        if name.startswith(given):
            name = shown + name[len(given) :]
            break
    if name not in form.fields:
        name = re.sub(r"\[\d+\]$", "", name)
    if refused.field:
        form.refusal_fields = {refused.field: name if name in form.fields else ""}
    show_refusal(request, refused, form)


def _save(request, form, programme: Programme, data: dict, renumbered=None) -> bool:
    try:
        setup.update_programme(user=request.user, programme=programme, spec=setup.parse_spec(data))
    except Refused as refused:
        _show(request, refused, form, renumbered)
        return False
    messages.success(request, _("The set-up is saved."))
    return True


def _page(request, template: str, programme: Programme | None, form, status=200, **context):
    return render(
        request,
        f"programs/setup/{template}",
        {"programme": programme, "form": form, **context},
        status=422 if form is not None and form.errors else status,
    )


# --- creating -----------------------------------------------------------------------------

CREATE_INPUTS = [
    ("title_en", gettext_lazy("Title (English)"), None),
    ("title_zh", gettext_lazy("Title (Chinese)"), None),
    ("slug", gettext_lazy("Short name (in the address: lower-case letters, digits, -)"), None),
    ("year", gettext_lazy("Year"), None),
    ("organiser", gettext_lazy("Organiser"), None),
    ("time_zone", gettext_lazy("Time zone"), None),
    ("review_mode", gettext_lazy("Review"), forms.Select(choices=ReviewMode.choices)),
    ("tracks[0].key", gettext_lazy("First track: key"), None),
    ("tracks[0].name_en", gettext_lazy("First track: name (English)"), None),
    ("rounds[0].kind", gettext_lazy("First round"), forms.Select(choices=RoundKind.choices)),
    ("rounds[0].criteria[0].key", gettext_lazy("First criterion: key"), None),
    ("rounds[0].criteria[0].name_en", gettext_lazy("First criterion: name (English)"), None),
]


def _create_form(request, data=None) -> SpecForm:
    choices = [("", "—")] + [(str(o.pk), o.label) for o in setup.organisers_for(request.user)]
    inputs = [
        (name, label, forms.Select(choices=choices) if name == "organiser" else widget)
        for name, label, widget in CREATE_INPUTS
    ]
    mine = sorted(member_organisation_ids(request.user))
    initial = {
        "year": str(timezone.now().year),
        "time_zone": "Asia/Shanghai",
        "review_mode": ReviewMode.BLIND,
        "organiser": str(mine[0]) if len(mine) == 1 else "",
        "tracks[0].key": "general",
        # English names in English, whatever the page's language
        "tracks[0].name_en": "General",
        "rounds[0].kind": RoundKind.SCREENING,
        "rounds[0].criteria[0].key": "quality",
        "rounds[0].criteria[0].name_en": "Overall quality",
    }
    return SpecForm(data, inputs=inputs, initial=initial)


def _create_spec(form: SpecForm) -> dict:
    """The programme starts as a draft only its managers see, with one track and one round
    whose rubric has one criterion (``create_programme`` wants them); the next pages edit
    them and add more."""
    spec: dict[str, Any] = _keyed(
        {
            name: form.text(name)
            for name in ("title_en", "title_zh", "slug", "time_zone", "review_mode")
        }
    )
    spec["visibility"] = Visibility.PRIVATE.value
    if form.given("year"):
        spec["year"] = _typed(form.text("year"))
    if form.given("organiser"):
        spec["organiser"] = _typed(form.text("organiser"))
    spec["tracks"] = [
        _keyed({"key": form.text("tracks[0].key"), "name_en": form.text("tracks[0].name_en")})
    ]
    spec["rounds"] = [
        {
            "kind": form.text("rounds[0].kind"),
            "criteria": [
                _keyed(
                    {
                        "key": form.text("rounds[0].criteria[0].key"),
                        "name_en": form.text("rounds[0].criteria[0].name_en"),
                    }
                )
            ],
        }
    ]
    return spec


@login_required
def create(request):
    """Staff and active members of an organisation (for that organisation) set a programme
    up: the rule of ``setup.check_may_organise``, as for the API and the CLI."""
    form = _create_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            programme = setup.create_programme(
                user=request.user, spec=setup.parse_spec(_create_spec(form))
            )
        except Refused as refused:
            _show(request, refused, form)
        else:
            messages.success(
                request,
                _("%(title)s is set up as a draft only its managers see.")
                % {"title": programme.label},
            )
            return redirect("programs:setup", slug=programme.slug)
    may_organise = is_staff(request.user) or bool(form.fields["organiser"].widget.choices[1:])
    return _page(request, "create.html", None, form, may_organise=may_organise)


# --- the call -----------------------------------------------------------------------------

CALL_TEXTS = [
    ("title_en", gettext_lazy("Title (English)"), None),
    ("title_zh", gettext_lazy("Title (Chinese)"), None),
    ("description_en", gettext_lazy("Description (English)"), WIDE),
    ("description_zh", gettext_lazy("Description (Chinese)"), WIDE),
    ("eligibility_en", gettext_lazy("Who may apply (English)"), WIDE),
    ("eligibility_zh", gettext_lazy("Who may apply (Chinese)"), WIDE),
    ("time_zone", gettext_lazy("Time zone"), None),
]
CALL_NUMBERS = [
    ("year", gettext_lazy("Year"), None),
    ("award_count", gettext_lazy("Number of awards"), None),
    ("max_attachment_mb", gettext_lazy("Largest attachment (MB)"), None),
]
CALL_MOMENTS = [
    ("opens_at", gettext_lazy("Call opens"), DATE_TIME),
    ("closes_at", gettext_lazy("Call closes"), DATE_TIME),
]
CALL_CHOICES = [("review_mode", gettext_lazy("Review"), forms.Select(choices=ReviewMode.choices))]


def _call_form(programme: Programme, data=None) -> SpecForm:
    inputs = CALL_TEXTS + CALL_MOMENTS + CALL_NUMBERS + CALL_CHOICES
    initial = {name: getattr(programme, name) for name, _l, _w in CALL_TEXTS + CALL_CHOICES}
    initial |= {name: str(getattr(programme, name)) for name, _l, _w in CALL_NUMBERS}
    initial |= {name: _local(programme, getattr(programme, name)) for name, _l, _w in CALL_MOMENTS}
    return SpecForm(data, inputs=inputs, initial=initial)


def _call_spec(form: SpecForm) -> dict:
    spec: dict[str, Any] = {name: form.text(name) for name, _l, _w in CALL_TEXTS + CALL_CHOICES}
    rezoned = form.text("time_zone") != form.initial.get("time_zone")
    for name, _l, _w in CALL_MOMENTS:
        # a new zone reads the times as shown in it: what the manager sees is what is saved
        spec |= {name: form.text(name) or None} if rezoned else _moment(form, name)
    spec |= _numbers(form, "", [name for name, _l, _w in CALL_NUMBERS])
    return spec


@login_required
def overview(request, slug: str):
    """The call's texts, dates (in the programme's time zone) and what is still missing."""
    programme = managed(request, slug)
    form = _call_form(programme, request.POST if request.method == "POST" else None)
    if request.method == "POST" and _save(request, form, programme, _call_spec(form)):
        return redirect("programs:setup", slug=slug)
    return _page(
        request,
        "overview.html",
        programme,
        form,
        steps=_steps(programme),
        history=history_of(programme)[:10],
    )


def _steps(programme: Programme) -> list[tuple[str, bool, str]]:
    """(what, done, where) for the checklist on the set-up page."""
    rounds = list(programme.rounds_in_order().prefetch_related("criteria"))
    slug = programme.slug
    return [
        (
            _("Call dates"),
            bool(programme.opens_at and programme.closes_at),
            reverse("programs:setup", args=[slug]) + "#call-dates",
        ),
        (_("Tracks"), programme.tracks.exists(), reverse("programs:setup_tracks", args=[slug])),
        (
            _("Rounds and rubric"),
            bool(rounds) and all(r.criteria.all() for r in rounds),
            reverse("programs:setup_rounds", args=[slug]),
        ),
        (
            _("Reviewer pool"),
            programme.reviewers.filter(active=True).exists(),
            reverse("programs:setup_reviewers", args=[slug]),
        ),
        (
            _("Published"),
            programme.visibility == Visibility.PUBLIC,
            reverse("programs:setup_preview", args=[slug]),
        ),
    ]


# --- tracks -------------------------------------------------------------------------------

TRACK_INPUTS = [
    ("key", gettext_lazy("Key")),
    ("name_en", gettext_lazy("Name (English)")),
    ("name_zh", gettext_lazy("Name (Chinese)")),
    ("sectors", gettext_lazy("Sectors (slugs, separated by ;)")),
]


def _rows_form(items: list[dict], prefix: str, columns, data=None, extra=EXTRA_ROWS):
    """A form of ``len(items) + extra`` rows (``prefix[i].name``), the items' values in
    (every item: the rows posted are the whole new list)."""
    count = len(items) + extra
    inputs, initial = [], {}
    for number in range(count):
        for column in columns:
            name, label = column[0], column[1]
            widget = column[2] if len(column) > 2 else None
            inputs.append((f"{prefix}[{number}].{name}", label, widget))
            if number < len(items):
                initial[f"{prefix}[{number}].{name}"] = items[number].get(name, "")
    form = SpecForm(data, inputs=inputs, initial=initial)
    form.rows = [form.row(f"{prefix}[{number}].") for number in range(count)]
    form.columns = [column[1] for column in columns]
    return form


def _kept_rows(form, prefix: str, columns) -> tuple[list[int], dict]:
    """The rows given (a blank row is left out) and how their spec paths map back to the
    form's rows."""
    kept = [
        number
        for number in range(len(form.rows))
        if form.given(*(f"{prefix}[{number}].{column[0]}" for column in columns))
    ]
    renumbered = {
        f"{prefix}[{index}].": f"{prefix}[{number}]." for index, number in enumerate(kept)
    }
    return kept, renumbered


@login_required
def tracks(request, slug: str):
    """The whole list of tracks; a blank row is left out, a track left out is removed."""
    programme = managed(request, slug)
    items = [
        {
            "key": t.key,
            "name_en": t.name_en,
            "name_zh": t.name_zh,
            "sectors": "; ".join(s.slug for s in t.sectors.all()),
        }
        for t in programme.tracks.prefetch_related("sectors")
    ]
    data = request.POST if request.method == "POST" else None
    form = _rows_form(items, "tracks", TRACK_INPUTS, data)
    if request.method == "POST":
        kept, renumbered = _kept_rows(form, "tracks", TRACK_INPUTS)
        spec = {"tracks": [_track_spec(form, number) for number in kept]}
        if _save(request, form, programme, spec, renumbered):
            return redirect("programs:setup_tracks", slug=slug)
    return _page(request, "tracks.html", programme, form)


def _track_spec(form: SpecForm, number: int) -> dict:
    prefix = f"tracks[{number}]."
    return _keyed(
        {
            "key": form.text(prefix + "key"),
            "name_en": form.text(prefix + "name_en"),
            "name_zh": form.text(prefix + "name_zh"),
            "sectors": [s.strip() for s in form.text(prefix + "sectors").split(";") if s.strip()],
        }
    )


# --- questions ----------------------------------------------------------------------------

YES_NO = forms.Select(choices=[("", gettext_lazy("optional")), ("yes", gettext_lazy("required"))])
QUESTION_INPUTS = [
    ("key", gettext_lazy("Key")),
    ("label_en", gettext_lazy("Question (English)")),
    ("label_zh", gettext_lazy("Question (Chinese)")),
    ("required", gettext_lazy("Before submitting"), YES_NO),
]


@login_required
def questions(request, slug: str):
    """What every applicant answers; a question applicants answered cannot be removed."""
    programme = managed(request, slug)
    items = [{**q, "required": "yes" if q.get("required") else ""} for q in programme.questions]
    data = request.POST if request.method == "POST" else None
    form = _rows_form(items, "questions", QUESTION_INPUTS, data)
    if request.method == "POST":
        given = [c for c in QUESTION_INPUTS if c[0] != "required"]
        kept, renumbered = _kept_rows(form, "questions", given)
        spec = {"questions": [_question_spec(form, number) for number in kept]}
        if _save(request, form, programme, spec, renumbered):
            return redirect("programs:setup_questions", slug=slug)
    return _page(request, "questions.html", programme, form)


def _question_spec(form: SpecForm, number: int) -> dict:
    prefix = f"questions[{number}]."
    return _keyed(
        {
            "key": form.text(prefix + "key"),
            "label_en": form.text(prefix + "label_en"),
            "label_zh": form.text(prefix + "label_zh"),
            "required": form.text(prefix + "required") == "yes",
        }
    )


# --- rounds -------------------------------------------------------------------------------

ROUND_INPUTS = [
    ("kind", gettext_lazy("Kind"), forms.Select(choices=RoundKind.choices)),
    ("name_en", gettext_lazy("Name (English)")),
    ("name_zh", gettext_lazy("Name (Chinese)")),
    ("reviewers_per_submission", gettext_lazy("Reviewers per submission")),
    ("max_load", gettext_lazy("Maximum reviews per reviewer")),
    ("decision_rule", gettext_lazy("Decision rule"), forms.Select(choices=DecisionRule.choices)),
    ("decision_value", gettext_lazy("N or threshold")),
    ("reviews_due", gettext_lazy("Reviews due"), DATE_TIME),
]
ROUND_NUMBERS = ("reviewers_per_submission", "max_load", "decision_value")
#: what makes the blank row a new round (its menus always have a value)
ROUND_TEXTS = ("name_en", "name_zh", *ROUND_NUMBERS, "reviews_due")


@login_required
def rounds(request, slug: str):
    """The rounds in order. A new round (the blank row) starts with the rubric of the round
    before it, to edit on its rubric page; only the last round may be removed, as rounds are
    matched by position."""
    programme = managed(request, slug)
    existing = list(programme.rounds_in_order().prefetch_related("criteria"))
    items = [
        {
            "kind": r.kind,
            "name_en": r.name_en,
            "name_zh": r.name_zh,
            "reviewers_per_submission": str(r.reviewers_per_submission),
            "max_load": str(r.max_load),
            "decision_rule": r.decision_rule,
            "decision_value": _number_text(r.decision_value),
            "reviews_due": _local(programme, r.reviews_due),
        }
        for r in existing
    ]
    data = request.POST if request.method == "POST" else None
    form = _rows_form(items, "rounds", ROUND_INPUTS, data, extra=1)
    if request.method == "POST":
        kept = list(range(len(existing)))
        if existing and request.POST.get("remove_last"):
            kept.pop()
        new = len(existing)
        if form.given(*(f"rounds[{new}].{name}" for name in ROUND_TEXTS)):
            kept.append(new)
        spec = {"rounds": [_round_spec(form, number, existing) for number in kept]}
        renumbered = {f"rounds[{i}].": f"rounds[{n}]." for i, n in enumerate(kept)}
        if _save(request, form, programme, spec, renumbered):
            return redirect("programs:setup_rounds", slug=slug)
    records = existing + [None] * (len(form.rows) - len(existing))
    return _page(
        request, "rounds.html", programme, form, rows=list(zip(form.rows, records, strict=True))
    )


def _round_spec(form: SpecForm, number: int, existing) -> dict:
    prefix = f"rounds[{number}]."
    spec = {
        "kind": form.text(prefix + "kind"),
        "name_en": form.text(prefix + "name_en"),
        "name_zh": form.text(prefix + "name_zh"),
        "decision_rule": form.text(prefix + "decision_rule"),
        **_moment(form, prefix + "reviews_due"),
        **_numbers(form, prefix, ROUND_NUMBERS, empty=("decision_value",)),
    }
    if number >= len(existing) and existing:
        spec["criteria"] = [_criterion_out(c) for c in existing[-1].criteria.all()]
    return spec


def _criterion_out(criterion) -> dict:
    return {
        "key": criterion.key,
        "name_en": criterion.name_en,
        "name_zh": criterion.name_zh,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "levels": criterion.levels,
    }


# --- the rubric of a round ----------------------------------------------------------------

CRITERION_INPUTS = [
    ("key", gettext_lazy("Key")),
    ("name_en", gettext_lazy("Name (English)")),
    ("name_zh", gettext_lazy("Name (Chinese)")),
    ("weight", gettext_lazy("Weight")),
    ("scale_min", gettext_lazy("Lowest score")),
    ("scale_max", gettext_lazy("Highest score")),
    ("levels", gettext_lazy("Level descriptors"), forms.Textarea(attrs={"rows": 5})),
]
LEVEL_HELP = gettext_lazy(
    "One line per level, lowest first: the English text, then | and the Chinese text."
)


def _levels_text(levels) -> str:
    """Level descriptors as typed: "English | Chinese", one line per level."""
    lines = []
    for level in levels or []:
        english, chinese = level.get("en", ""), level.get("zh", "")
        lines.append(f"{english} | {chinese}" if chinese else english)
    return "\n".join(lines)


def _levels(text: str) -> list[dict]:
    levels = []
    for line in text.splitlines():
        if not line.strip():
            continue
        english, _bar, chinese = line.partition("|")
        levels.append({"en": english.strip(), "zh": chinese.strip()})
    return levels


@login_required
def rubric(request, slug: str, position: int):
    """The criteria of one round: weights, scales and a descriptor per level."""
    programme = managed(request, slug)
    existing = list(programme.rounds_in_order().prefetch_related("criteria"))
    index = next((n for n, r in enumerate(existing) if r.position == position), None)
    if index is None:
        raise Http404
    round = existing[index]
    prefix = f"rounds[{index}].criteria"
    items = [
        {**_criterion_out(c), "levels": _levels_text(c.levels), "weight": _number_text(c.weight)}
        for c in round.criteria.all()
    ]
    items = [{k: str(v) for k, v in item.items()} for item in items]
    data = request.POST if request.method == "POST" else None
    form = _rows_form(items, prefix, CRITERION_INPUTS, data)
    if request.method == "POST":
        kept, renumbered = _kept_rows(form, prefix, CRITERION_INPUTS)
        criteria = [_criterion_spec(form, f"{prefix}[{number}].") for number in kept]
        spec: dict[str, list[dict]] = {"rounds": [{} for _r in existing]}
        spec["rounds"][index] = {"criteria": criteria}
        if _save(request, form, programme, spec, renumbered):
            return redirect("programs:setup_rubric", slug=slug, position=position)
    return _page(request, "rubric.html", programme, form, round=round, level_help=LEVEL_HELP)


def _criterion_spec(form: SpecForm, prefix: str) -> dict:
    return _keyed(
        {
            "key": form.text(prefix + "key"),
            "name_en": form.text(prefix + "name_en"),
            "name_zh": form.text(prefix + "name_zh"),
            **_numbers(form, prefix, ("weight", "scale_min", "scale_max")),
            "levels": _levels(form.data.get(prefix + "levels") or ""),
        }
    )


# --- the reviewer pool --------------------------------------------------------------------


class InviteForm(forms.Form):
    """Shapes the input of ``pool.invite_reviewer`` (``add_to_pool`` and an e-mail)."""

    refusal_fields = {"user": "email"}

    # no length check here: the service refuses a name no account has (or a bad address)
    email = forms.CharField(
        label=gettext_lazy("Their e-mail address (or username)"),
        widget=forms.TextInput(attrs={"maxlength": 254}),
    )
    expertise = forms.CharField(
        label=gettext_lazy("Expertise"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sectors = forms.CharField(label=gettext_lazy("Sectors (slugs, separated by ;)"), required=False)
    max_load = forms.CharField(label=gettext_lazy("Maximum reviews"), required=False)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "identifier": data["email"],
            "expertise": data["expertise"],
            "sector_slugs": [s.strip() for s in data["sectors"].split(";") if s.strip()],
            "max_load": _typed(data["max_load"].strip()) if data["max_load"].strip() else None,
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Reviewer list (CSV)"),
        help_text=gettext_lazy(
            "UTF-8, a header line naming the columns user, expertise, sectors, max_load "
            "(user: username or e-mail address; sectors separated by ;). All lines are "
            "added, or none."
        ),
    )


@login_required
def reviewers(request, slug: str, invite_form=None, import_form=None):
    programme = managed(request, slug)
    return render(
        request,
        "programs/setup/reviewers.html",
        {
            "programme": programme,
            "invite_form": invite_form or InviteForm(),
            "import_form": import_form or ImportForm(),
            "pool": programme.reviewers.select_related("user").prefetch_related("sectors"),
        },
        status=422 if (invite_form or import_form) else 200,
    )


@login_required
@require_POST
def invite(request, slug: str):
    programme = managed(request, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            reviewer = pool.invite_reviewer(
                user=request.user, programme=programme, **form.service_data()
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(
                request,
                _("%(name)s is in the reviewer pool; we e-mailed them the invitation.")
                % {"name": reviewer.display_name},
            )
            return redirect("programs:setup_reviewers", slug=slug)
    return reviewers(request, slug, invite_form=form)


@login_required
@require_POST
def import_list(request, slug: str):
    programme = managed(request, slug)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = pool.import_reviewers(
                user=request.user, programme=programme, text=form.cleaned_data["file"].read()
            )
        except Refused as refused:
            show_refusal(request, refused, form)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s reviewer imported and invited.",
                    "%(n)s reviewers imported and invited.",
                    len(added),
                )
                % {"n": len(added)},
            )
            return redirect("programs:setup_reviewers", slug=slug)
    return reviewers(request, slug, import_form=form)


# --- preview and publishing ---------------------------------------------------------------


@login_required
def preview(request, slug: str):
    """The call page as applicants will see it (the public page's template and data)."""
    programme = managed(request, slug)
    context = {
        "programme": programme,
        "tracks": programme.tracks.prefetch_related("sectors"),
        "rounds": programme.rounds_in_order().prefetch_related("criteria"),
        "is_open": programme.is_open(),
        "is_manager": False,
        "winners": [],
        "can_apply": True,
        "in_pool": False,
        "preview": True,
        "published": programme.visibility == Visibility.PUBLIC,
    }
    return render(request, "programs/setup/preview.html", context)


@login_required
@require_POST
def publish(request, slug: str):
    programme = managed(request, slug)
    try:
        setup.publish_call(user=request.user, programme=programme)
    except Refused as refused:
        show_refusal(request, refused)
        return redirect("programs:setup_preview", slug=slug)
    messages.success(request, _("The call is published: everyone sees it now."))
    return redirect(programme.get_absolute_url())


# --- the apply form's solution box --------------------------------------------------------


@require_GET
def solution_suggestions(request):
    """Published solutions named like ``q``, as the apply form's box suggests them."""
    found = find_solutions(request.GET.get("q", ""), limit=8)[:8]
    return JsonResponse({"suggestions": [{"title": solution_label(s)} for s in found]})
