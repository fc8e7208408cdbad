"""API schemas, derived from each kind's form and filter set so they never drift apart."""

import datetime
from typing import Any, Literal

from django import forms as django_forms
from ninja import Schema
from pydantic import create_model

from .fields import CountryListField, ReferenceField, ReferenceListField
from .kinds import Kind

MAX_LITERAL_CHOICES = 30


def _python_type(field: django_forms.Field, *, output: bool = False) -> Any:
    if isinstance(field, ReferenceListField | CountryListField):
        return list[str]
    if isinstance(field, ReferenceField):
        return str
    if isinstance(field, django_forms.TypedChoiceField | django_forms.ChoiceField):
        # Long lists (countries) and outputs (which may be blank) stay plain strings.
        values = tuple(str(value) for value, _label in field.choices if value != "")
        return (
            Literal[values] if values and not output and len(values) <= MAX_LITERAL_CHOICES else str
        )
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


def _form_fields(kind: Kind) -> dict[str, django_forms.Field]:
    return kind.form().fields


def record_in_schema(kind: Kind) -> type[Schema]:
    """Every field optional: POST validates required ones, PATCH sends only changes."""
    fields = {
        name: (_python_type(field) | None, None) for name, field in _form_fields(kind).items()
    }
    fields["owner"] = (str | None, None)
    return create_model(f"{kind.model.__name__}In", __base__=Schema, **fields)


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


def filter_schema(kind: Kind) -> type[Schema]:
    fields = dict.fromkeys(kind.filterset.base_filters, (str | None, None))
    return create_model(f"{kind.model.__name__}Filters", __base__=Schema, **fields)


class TransitionIn(Schema):
    reason: str = ""


class SectorOut(Schema):
    slug: str
    name_en: str
    name_zh: str
    parent: str | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
