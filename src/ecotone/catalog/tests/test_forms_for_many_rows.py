"""An import checks rows with forms that share their fields; each row must still be checked
as the web form checks it, and a country code as django-countries would."""

import pytest
from django.core.exceptions import ValidationError

from ecotone.catalog.kinds import KINDS
from ecotone.catalog.models import Organisation, Solution
from ecotone.catalog.references import DatabaseResolver

pytestmark = pytest.mark.django_db

ROWS = [
    {"external_id": "o-1", "name_en": "Acme", "kind": "corporate", "country": "ZZ"},
    {"external_id": "o-2", "name_en": "", "name_zh": "", "kind": "corporate", "country": "CN"},
    {"external_id": "o-3", "name_en": "Acme", "kind": "spaceship", "founded": "1066"},
    {"external_id": "o-4", "name_en": "Acme", "kind": "corporate", "website": "not a url"},
    {"external_id": "o-5", "name_en": "Acme", "kind": "corporate", "sectors": "no-such"},
    {"external_id": "o-6", "name_en": "Acme", "kind": "ngo", "country": "cn", "founded": "1998"},
]


def errors(form) -> dict:
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize("row", ROWS, ids=[row["external_id"] for row in ROWS])
def test_a_row_gets_the_web_forms_verdict(row):
    kind = KINDS["organisation"]
    data = {**kind.form.model_defaults(), **row}
    shared = kind.form.for_many_rows(DatabaseResolver())
    # Rows before it must leave nothing behind in the shared fields.
    for earlier in ROWS:
        shared(data={**kind.form.model_defaults(), **earlier}).is_valid()
    by_import, by_page = shared(data=data), kind.form(data=data)
    assert by_import.is_valid() == by_page.is_valid()
    assert errors(by_import) == errors(by_page)
    if by_page.is_valid():
        assert by_import.cleaned_data == by_page.cleaned_data


def test_the_forms_of_one_import_share_their_fields():
    shared = KINDS["solution"].form.for_many_rows(DatabaseResolver())
    first, second = shared(data={}), shared(data={})
    assert first.fields is not second.fields
    assert all(first.fields[name] is second.fields[name] for name in first.fields)


@pytest.mark.parametrize("code", ["ZZ", "XX", "China"])
def test_a_stored_country_must_be_a_known_code(code):
    organisation = Organisation(external_id="o-1", name_en="Acme", kind="ngo", country=code)
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "country" in refused.value.message_dict


def test_known_country_codes_pass_one_or_many():
    Organisation(external_id="o-1", name_en="Acme", kind="ngo", country="CN").full_clean()
    Organisation(external_id="o-2", name_en="Acme", kind="ngo", country="").full_clean()
    solution = Solution(external_id="s-1", title_en="Kiln", regions=["CN", "KE"])
    solution.clean_fields(exclude=["provider"])
    solution.regions = ["CN", "XX"]
    with pytest.raises(ValidationError) as refused:
        solution.clean_fields(exclude=["provider"])
    assert "regions" in refused.value.message_dict
