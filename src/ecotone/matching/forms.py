"""The introduction request form: on behalf of which organisation, about what, and why."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecotone.accounts.permissions import member_organisation_ids
from ecotone.catalog.models import Need, Organisation, Solution

from .services import MAX_MESSAGE_CHARS

#: how many needs and solutions of each organisation the "about" list offers
ABOUT_CHOICES_PER_ORGANISATION = 50


def requesting_choices(user, target: Organisation):
    return (
        Organisation.objects.filter(
            Organisation.public_condition(), pk__in=member_organisation_ids(user)
        )
        .exclude(pk=target.pk)
        .order_by("name_en", "name_zh", "pk")
    )


def about_choices(organisations) -> list[tuple[str, str]]:
    """Published needs and solutions of the two sides, as ``need:<id>`` / ``solution:<id>``."""
    choices = []
    for organisation in organisations:
        needs = Need.objects.filter(Need.public_condition(), organisation=organisation)
        for need in needs.order_by("-pk")[:ABOUT_CHOICES_PER_ORGANISATION]:
            label = _("Need: %(title)s (%(org)s)") % {"title": need.label, "org": organisation}
            choices.append((f"need:{need.pk}", label))
        solutions = Solution.objects.filter(Solution.public_condition(), provider=organisation)
        for solution in solutions.order_by("-pk")[:ABOUT_CHOICES_PER_ORGANISATION]:
            label = _("Solution: %(title)s (%(org)s)") % {
                "title": solution.label,
                "org": organisation,
            }
            choices.append((f"solution:{solution.pk}", label))
    return choices


class IntroductionForm(forms.Form):
    #: the service's fields shown on this form's (``core.refusals.form_field_for``)
    refusal_fields = {"about_id": "about", "about_kind": "about"}

    requesting_organisation = forms.ChoiceField(label=gettext_lazy("On behalf of"))
    about = forms.ChoiceField(label=gettext_lazy("About"))
    message = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_MESSAGE_CHARS,
        help_text=gettext_lazy(
            "Who you are, what you would like to discuss, and why this organisation. "
            "Your name and e-mail address are shared only if they accept."
        ),
    )

    def __init__(self, *args, user, target: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        mine = list(requesting_choices(user, target))
        self.fields["requesting_organisation"].choices = [(str(o.pk), o.label) for o in mine]
        self.fields["about"].choices = about_choices([*mine, target])

    @property
    def has_choices(self) -> bool:
        return bool(self.fields["requesting_organisation"].choices and self.fields["about"].choices)

    def about_parts(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["about"].partition(":")
        return kind, int(pk)
