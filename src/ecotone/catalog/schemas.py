"""API schemas, derived from each kind's form and filter set so they never drift apart."""

import datetime
from typing import Annotated, Any, Literal

import django_filters
from django import forms as django_forms
from django.core import validators as django_validators
from django.core.exceptions import FieldDoesNotExist
from ninja import Schema
from pydantic import Field, WithJsonSchema, create_model, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from ecotone.core.bounds import optional
from ecotone.core.schemas import (
    BodyIn,
    ErrorOut,  # noqa: F401  (re-exported)
)

from .fields import CountryListField, ReferenceField, ReferenceListField
from .filters import WholeNumberFilter
from .kinds import Kind

MAX_LITERAL_CHOICES = 30


def _choices(field: django_forms.Field) -> tuple[str, ...]:
    return tuple(str(value) for value, _label in field.choices if value != "")


def _python_type(field: django_forms.Field, *, output: bool = False) -> Any:
    if isinstance(field, ReferenceListField | CountryListField):
        return list[str]
    if isinstance(field, ReferenceField):
        return str
    if isinstance(field, django_forms.TypedChoiceField | django_forms.ChoiceField):
        # Outputs (which may be blank) stay plain strings; long lists (countries) are checked
        # by the form, with its shorter message, and listed in the description.
        values = _choices(field)
        if output or not values:
            return str
        if len(values) <= MAX_LITERAL_CHOICES:
            return Literal[values]
        return Annotated[str, WithJsonSchema({"type": "string", "enum": list(values)})]
    if isinstance(field, django_forms.BooleanField):
        return bool
    if isinstance(field, django_forms.IntegerField):
        return int
    if isinstance(field, django_forms.DecimalField | django_forms.FloatField):
        return float
    if isinstance(field, django_forms.DateTimeField):
        return datetime.datetime
    if isinstance(field, django_forms.DateField):
        return datetime.date
    return str


def _limits(kind: Kind, name: str, field: django_forms.Field) -> dict[str, Any]:
    """What the model and form allow, said in the schema: a number's range (the model's
    validators, the database column's included) and a text's length."""
    limits: dict[str, Any] = {}
    if isinstance(field, django_forms.CharField) and field.max_length:
        limits["max_length"] = field.max_length
    try:
        model_field = kind.model._meta.get_field(name)
    except FieldDoesNotExist:
        return limits
    for validator in [*model_field.validators, *field.validators]:
        if isinstance(validator, django_validators.MinValueValidator):
            limits["ge"] = max(limits.get("ge", validator.limit_value), validator.limit_value)
        elif isinstance(validator, django_validators.MaxValueValidator):
            limits["le"] = min(limits.get("le", validator.limit_value), validator.limit_value)
    digits = getattr(model_field, "max_digits", None)
    if digits is not None:
        whole = 10 ** (digits - (model_field.decimal_places or 0))
        limits.update(gt=-whole, lt=whole)
    return limits


def _input_type(kind: Kind, name: str, field: django_forms.Field) -> Any:
    python_type = _python_type(field)
    limits = _limits(kind, name, field)
    if limits and python_type in (int, float, str):
        python_type = Annotated[python_type, Field(**limits)]
    return python_type


def _form_fields(kind: Kind) -> dict[str, django_forms.Field]:
    return kind.form().fields


#: fields a PATCH may not send, and why; their own routes change them
NOT_PATCHABLE = {
    "owner": "the maintaining organisation cannot be changed through the API",
    "status": "change the status with a review step: POST …/<id>/submit, publish, reject, "
    "archive or restore",
}


def _refuse(value: Any, info) -> Any:
    raise PydanticCustomError("not_patchable", NOT_PATCHABLE[info.field_name])


def record_in_schema(kind: Kind, *, patch: bool = False) -> type[Schema]:
    """The body of a create (``patch=False``) or a change. Every field is optional except
    what a create must name (the form's required fields without a model default); the form
    checks the rest, such as a title in either language. A change refuses ``owner`` and
    ``status`` by name; any other unknown field is refused as unknown."""
    defaults = kind.form.model_defaults()
    fields: dict[str, Any] = {}
    for name, field in _form_fields(kind).items():
        input_type = _input_type(kind, name, field)
        if field.required and name not in defaults and not patch:
            fields[name] = (input_type, ...)
        else:
            fields[name] = (input_type | None, None)
    validators = {}
    if patch:
        for name in NOT_PATCHABLE:
            # accepted by the schema only to be refused with the reason, and not shown in it
            fields[name] = (SkipJsonSchema[Any], None)
        validators["refused"] = field_validator(*NOT_PATCHABLE)(_refuse)
    else:
        fields["owner"] = (str | None, None)
    suffix = "PatchIn" if patch else "In"
    return create_model(
        f"{kind.model.__name__}{suffix}",
        __base__=BodyIn,
        __validators__=validators,
        **fields,
    )


def record_out_schema(kind: Kind) -> type[Schema]:
    fields: dict[str, Any] = {"id": (int, ...), "page_url": (str, ...)}
    for name, field in _form_fields(kind).items():
        fields[name] = (_python_type(field, output=True) | None, None)
    if kind.has_status:
        fields["status"] = (str, ...)
    if kind.name == "organisation":
        fields["investor_profile"] = (dict[str, Any] | None, None)
    return create_model(f"{kind.model.__name__}Out", __base__=Schema, **fields)


def record_page_schema(kind: Kind, out_schema: type[Schema]) -> type[Schema]:
    return create_model(
        f"{kind.model.__name__}Page",
        __base__=Schema,
        results=(list[out_schema], ...),
        next=(str | None, None),
    )


def _filter_type(filter_: django_filters.Filter) -> Any:
    """A filter as a query parameter: whole numbers with their range; choices listed (the
    filter set checks them, with the same message as the list pages); the rest text."""
    if isinstance(filter_, WholeNumberFilter):
        limits = {
            key: value
            for key, value in (
                ("ge", filter_.extra.get("min_value")),
                ("le", filter_.extra.get("max_value")),
            )
            if value is not None
        }
        return optional(Annotated[int, Field(**limits)])
    if isinstance(filter_, django_filters.BooleanFilter):
        return bool | None
    if isinstance(filter_, django_filters.ChoiceFilter) and "choices" in filter_.extra:
        values = [str(value) for value, _label in filter_.extra["choices"] if value != ""]
        return Annotated[str | None, WithJsonSchema({"type": "string", "enum": values})]
    return str | None


def filter_schema(kind: Kind) -> type[Schema]:
    return filterset_schema(kind.filterset)


def filterset_schema(filterset: type[django_filters.FilterSet]) -> type[Schema]:
    """The query parameters of an API list, made from the filter set its page uses."""
    fields = {
        name: (_filter_type(filter_), None) for name, filter_ in filterset.base_filters.items()
    }
    return create_model(f"{filterset._meta.model.__name__}Filters", __base__=Schema, **fields)


class TransitionIn(Schema):
    reason: str = ""


class SectorOut(Schema):
    slug: str
    name_en: str
    name_zh: str
    parent: str | None = None
