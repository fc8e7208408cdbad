"""Form fields of the catalogue: references by stable key, lists, strict yes/no, and
choice fields cheap enough to validate 100k imported rows.
"""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .choices import InvestmentStage
from .references import DatabaseResolver, ReferenceResolver


def split_list(value) -> list[str]:
    """Lists arrive as JSON arrays (API, JSON Lines) or ``a; b`` strings (CSV, XLSX)."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


class ReferenceField(forms.CharField):
    """A pointer to one record by its stable key; cleans to an unsaved stub with its pk."""

    def __init__(self, model: type[Model], **kwargs):
        self.model = model
        self.resolver: ReferenceResolver = DatabaseResolver()
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value):
        key = super().clean(value)
        if not key:
            return None
        pk = self.resolver.resolve(self.model, key)
        if pk is None:
            raise ValidationError(
                _("unknown %(kind)s %(key)r"),
                code="unknown_reference",
                params={"kind": self.model._meta.verbose_name, "key": key},
            )
        return self.model(pk=pk)


class ReferenceListField(forms.Field):
    """Several pointers; cleans to a list of primary keys."""

    widget = forms.TextInput

    def __init__(self, model: type[Model], **kwargs):
        self.model = model
        self.resolver: ReferenceResolver = DatabaseResolver()
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(str(item) for item in value)
        return value

    def has_changed(self, initial, data) -> bool:
        return sorted(split_list(initial)) != sorted(split_list(data))

    def clean(self, value):
        keys = split_list(value)
        if self.required and not keys:
            raise ValidationError(self.error_messages["required"], code="required")
        pks, unknown = [], []
        for key in keys:
            pk = self.resolver.resolve(self.model, key)
            (unknown.append(key) if pk is None else pks.append(pk))
        if unknown:
            raise ValidationError(
                _("unknown %(kind)s: %(keys)s"),
                code="unknown_reference",
                params={"kind": self.model._meta.verbose_name, "keys": ", ".join(unknown)},
            )
        return list(dict.fromkeys(pks))


class CountryListField(forms.Field):
    widget = forms.TextInput

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(str(getattr(item, "code", item)) for item in value)
        return value

    def has_changed(self, initial, data) -> bool:
        return sorted(split_list(initial)) != sorted(code.upper() for code in split_list(data))

    def clean(self, value):
        from django_countries import countries

        codes = [code.upper() for code in split_list(value)]
        known = self.__dict__.get("_known_codes")
        if known is None:
            known = self._known_codes = frozenset(code for code, _name in countries)
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("unknown country code: %(codes)s (use ISO 3166 two-letter codes such as CN)"),
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )
        return list(dict.fromkeys(codes))


if TYPE_CHECKING:  # the mixin is only ever mixed into choice fields
    _ChoiceFieldBase = forms.ChoiceField
else:
    _ChoiceFieldBase = object


class FastChoiceMixin(_ChoiceFieldBase):
    """Choice validation by set lookup, and choices shared rather than deep-copied.

    Django re-normalises every choice on each check and copies the whole list for each
    form instance; with 250 countries that dominated bulk imports.
    """

    _choices: list  # Django's normalised choices, which ``ChoiceField.choices`` returns

    def __deepcopy__(self, memo):
        choices = self._choices
        self._choices = []
        try:
            result = super().__deepcopy__(memo)
        finally:
            self._choices = choices
        result._choices = choices
        result._allowed_values = self.allowed_values()
        return result

    def allowed_values(self) -> frozenset[str]:
        allowed = getattr(self, "_allowed_values", None)
        if allowed is None:
            allowed = self._allowed_values = frozenset(
                str(key) for key, _label in self._choices if not isinstance(_label, list | tuple)
            )
        return allowed

    def valid_value(self, value) -> bool:
        return str(value) in self.allowed_values()

    def to_python(self, value):
        # Country codes arrive as "cn" as often as "CN".
        value = super().to_python(value)
        if value and value not in self.allowed_values() and value.upper() in self.allowed_values():
            return value.upper()
        return value


class FastTypedChoiceField(FastChoiceMixin, forms.TypedChoiceField):
    pass


class RawCheckboxInput(forms.CheckboxInput):
    """Hands the submitted text to the field unchanged (Django's turns "no" into True)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class StrictBooleanField(forms.BooleanField):
    """Yes or no, said plainly. A consent flag must never turn true by accident.

    Django's checkbox reads any non-empty text except "false" as true, so "no" or "0" in
    a spreadsheet would have made a person public.
    """

    widget = RawCheckboxInput
    TRUE = frozenset({"true", "yes", "y", "1", "on", "是"})
    FALSE = frozenset({"false", "no", "n", "0", "off", "", "否"})

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(
            _("write true or false (or yes / no), not %(value)r"),
            code="invalid",
            params={"value": value},
        )

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


def catalogue_formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    if isinstance(model_field, models.BooleanField):
        kwargs.setdefault("form_class", StrictBooleanField)
    if model_field.choices and not isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("choices_form_class", FastTypedChoiceField)
    if type(model_field) is models.DateField:
        # ISO dates only: "01/05/2023" means different days to different readers.
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    return model_field.formfield(**kwargs)


class StageListField(forms.Field):
    """Investment stages as a list (JSON) or ``a; b`` (CSV), each one of the known stages."""

    widget = forms.TextInput

    def prepare_value(self, value):
        return "; ".join(value) if isinstance(value, list | tuple) else value

    def has_changed(self, initial, data) -> bool:
        return sorted(split_list(initial)) != sorted(split_list(data))

    def clean(self, value):
        stages = split_list(value)
        unknown = [stage for stage in stages if stage not in InvestmentStage.values]
        if unknown:
            raise ValidationError(
                _("unknown stage: %(stages)s (use %(allowed)s)"),
                code="invalid_choice",
                params={"stages": ", ".join(unknown), "allowed": ", ".join(InvestmentStage.values)},
            )
        return list(dict.fromkeys(stages))


#: the fields that take a list (a JSON array, or ``a; b`` in one CSV cell)
LIST_FIELD_TYPES = (ReferenceListField, CountryListField, StageListField)
