"""The ranges a number from outside may take, in one place for the API, the pages and the
OpenAPI description.

A number out of range is the caller's mistake and answers 422 (API) or 400 (pages), naming
the parameter. Unbounded, it reaches code that cannot take it: ``date(0, 1, 1)`` raises,
SQLite and PostgreSQL hold no integer past 2**63 - 1, and ``float()`` of a 400-digit integer
overflows.
"""

import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter, WithJsonSchema

#: the largest value of a database id (a signed 64-bit integer on SQLite and PostgreSQL)
MAX_ID = 2**63 - 1
#: the years a date can hold
MIN_YEAR, MAX_YEAR = datetime.MINYEAR, datetime.MAXYEAR
#: technology readiness levels
MIN_TRL, MAX_TRL = 1, 9
#: records per page of an API list
MAX_PAGE = 100

#: a database id, in a path, a query or a body
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: a calendar year
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
#: a technology readiness level
Trl = Annotated[int, Field(ge=MIN_TRL, le=MAX_TRL)]

#: records per page of an API list
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"records per page, 1–{MAX_PAGE}")]


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def optional(annotated: Any) -> Any:
    """``annotated`` or nothing, for a query parameter: a blank value (``year=``) counts as
    nothing, the way a list page's empty filter field does. The OpenAPI description shows
    the type itself rather than "or null", which a query string cannot say."""
    return Annotated[
        annotated | None,
        BeforeValidator(_blank_is_none),
        WithJsonSchema(TypeAdapter(annotated).json_schema()),
    ]


# The optional query parameters of the API's filter schemas. ``optional`` builds them at run
# time, and a call is no type to mypy: it sees the plain type, ``int | None``, which is what a
# handler receives once pydantic has validated the range and turned a blank into None.
if TYPE_CHECKING:
    OptionalId = int | None
    OptionalYear = int | None
    OptionalTrl = int | None
else:
    OptionalId = optional(Id)
    OptionalYear = optional(Year)
    OptionalTrl = optional(Trl)


def parse_whole(value: object, low: int, high: int) -> int | None:
    """``value`` (text from a form or query string) as a whole number from ``low`` to
    ``high``, or None: ASCII digits only (``"²".isdigit()`` is true, and ``int("²")``
    raises), and not so long that ``int()`` refuses it."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    text = text.lstrip("0") or "0"  # "09" is 9; the length check below is on the digits
    if len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(value: object) -> int | None:
    """``value`` as a database id (1 to ``MAX_ID``), or None if it is not one."""
    return parse_whole(value, 1, MAX_ID)
