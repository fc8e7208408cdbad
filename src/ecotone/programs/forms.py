"""Forms of the programme pages. They only shape the input; the services validate it, and
their refusals come back as errors on the field they name (``core.refusals.show_refusal``)."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Organisation
from ecotone.core.models import active_language_is_chinese

from .models import Outcome, Recommendation
from .services.applications import solution_label


class ServiceChoiceField(forms.ChoiceField):
    """A choice offered as a list, checked by the service rather than by the form: a value
    that is not on the list gets the service's refusal, the same as through the API."""

    def valid_value(self, value) -> bool:
        return True


class ServiceMultipleChoiceField(forms.MultipleChoiceField):
    """``ServiceChoiceField`` for a list of choices."""

    def valid_value(self, value) -> bool:
        return True


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """``form``'s field ``name``, which is a choice field (its choices are set per form)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def _label(question: dict) -> str:
    if active_language_is_chinese():
        return question.get("label_zh") or question.get("label_en") or question["key"]
    return question.get("label_en") or question.get("label_zh") or question["key"]


class ApplicationForm(forms.Form):
    refusal_fields = {"answers.": "answer_"}  # the service's fields on this form's

    applicant = ServiceChoiceField(label=_("Applying organisation"))
    track = ServiceChoiceField(label=_("Track"))
    # required and at most 300 characters: checked by the service (its message on the field)
    title = forms.CharField(
        label=pgettext_lazy("submission", "Title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, "required": True}),
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    case = forms.IntegerField(
        label=_("Linked case (id)"),
        required=False,
        help_text=_("A published case of the catalogue."),
    )
    solution = forms.CharField(
        label=_("Linked solution"),
        required=False,
        max_length=400,
        help_text=_("Type part of a published solution's name and pick it from the list."),
        widget=forms.TextInput(
            attrs={
                "list": "solution-suggestions",
                "autocomplete": "off",
                "data-suggest-url": reverse_lazy("programs:solution_suggestions"),
            }
        ),
    )

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        orgs = Organisation.objects.filter(pk__in=member_organisation_ids(user))
        choice_field(self, "applicant").choices = [(o.pk, o.label) for o in orgs]
        choice_field(self, "track").choices = [(t.key, t.name) for t in programme.tracks.all()]
        for question in programme.questions:
            self.fields[f"answer_{question['key']}"] = forms.CharField(
                label=_label(question),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Required before you submit.") if question.get("required") else "",
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        answers = {q["key"]: data.pop(f"answer_{q['key']}", "") for q in self.programme.questions}
        return {**data, "answers": answers}


def initial_for(submission) -> dict:
    initial = {
        "applicant": submission.applicant_id,
        "track": submission.track.key,
        "title": submission.title,
        "summary": submission.summary,
        "case": submission.case_id,
        "solution": solution_label(submission.solution) if submission.solution else "",
    }
    initial.update({f"answer_{k}": v for k, v in (submission.answers or {}).items()})
    return initial


class ReviewForm(forms.Form):
    refusal_fields = {"scores.": "score_"}  # the service's fields on this form's

    comment_to_applicant = forms.CharField(
        label=_("Comment to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comment_to_committee = forms.CharField(
        label=_("Comment to the committee (the applicant never sees it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confidence = ServiceChoiceField(
        label=_("Confidence"),
        required=False,
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
    )
    recommendation = ServiceChoiceField(
        label=_("Recommendation"), required=False, choices=Recommendation.choices
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            choices = []
            for value in range(criterion.scale_min, criterion.scale_max + 1):
                position = value - criterion.scale_min
                level = criterion.levels[position] if position < len(criterion.levels) else {}
                text = (level.get("zh") if active_language_is_chinese() else level.get("en")) or ""
                text = text or level.get("en") or level.get("zh") or ""
                choices.append((str(value), f"{value} — {text}" if text else str(value)))
            self.fields[f"score_{criterion.key}"] = ServiceChoiceField(
                label=f"{criterion.name} (× {criterion.weight:g})",
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def score_fields(self):
        return [self[f"score_{c.key}"] for c in self.criteria]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        scores = {c.key: data.pop(f"score_{c.key}", "") for c in self.criteria}
        return {**data, "scores": scores}


class CallWindowForm(forms.Form):
    """Opening and closing times as the manager reads them: in the programme's time zone."""

    opens_at = forms.DateTimeField(
        label=_("Call opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Call closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    @classmethod
    def for_programme(cls, programme, data=None) -> "CallWindowForm":
        def local(value):
            return timezone.localtime(value, programme.zone).strftime("%Y-%m-%dT%H:%M")

        initial = {
            name: local(getattr(programme, name))
            for name in ("opens_at", "closes_at")
            if getattr(programme, name)
        }
        return cls(data, initial=initial)

    def clean(self):
        # Django read the times in the server's zone; give the service the wall-clock time
        # typed, which it reads in the programme's zone
        cleaned = super().clean() or {}
        for name in ("opens_at", "closes_at"):
            value = cleaned.get(name)
            if value is not None and timezone.is_aware(value):
                cleaned[name] = timezone.make_naive(value)
        return cleaned


class ReviewerForm(forms.Form):
    """Shapes the input of ``pool.add_to_pool``, which checks it as for the API and CLI."""

    refusal_fields = {"user": "username"}  # the service's fields on this form's

    # no length check here: any name no account has gets the service's refusal, as for the API
    username = forms.CharField(
        label=_("Their username or e-mail address"),
        widget=forms.TextInput(attrs={"maxlength": 254}),
    )
    expertise = forms.CharField(
        label=_("Expertise"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sectors = forms.CharField(label=_("Sectors (slugs, separated by ;)"), required=False)
    max_load = forms.IntegerField(label=_("Maximum reviews"), required=False)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "identifier": data["username"],
            "expertise": data["expertise"],
            "sector_slugs": [s.strip() for s in data["sectors"].split(";") if s.strip()],
            "max_load": data["max_load"],
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    reason = forms.CharField(max_length=2000)
