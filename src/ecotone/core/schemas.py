"""What every API body shares: a JSON object that names only fields the schema knows."""

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

#: JSON values that are not objects; django-ninja's Schema would otherwise read fields off
#: them as attributes, so that ``42`` or ``[null, null]`` passed as an empty body
NOT_AN_OBJECT = (list, tuple, str, bytes, int, float, type(None))


class BodyIn(Schema):
    """A request body: a JSON object whose every field the schema names (an unknown one is
    a 422 naming it, as is a body that is not an object)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _is_an_object(cls, value: Any) -> Any:
        if isinstance(value, NOT_AN_OBJECT):
            raise PydanticCustomError("not_an_object", "send a JSON object of fields")
        return value


class FieldErrorOut(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """Every error the API answers: a stable ``code``, a ``message`` for people, and the
    ``field`` (parameter or body field) at fault; ``errors`` lists each problem when a
    body has several."""

    code: str
    message: str
    field: str | None = None
    errors: list[FieldErrorOut] | None = None
