"""``LongSelect`` writes what ``forms.Select`` renders through its templates, byte for byte."""

import pytest
from django import forms

from ecotone.core.widgets import LongSelect

CHOICES = [
    ("", "---------"),
    ("CN", "China"),
    ("AX", "Åland Islands"),
    ("<b>", 'Tom & "Jerry" <i>'),
    ("Asia", [("JP", "Japan"), ("KR", "Korea")]),
    (3, "a number"),
]


@pytest.mark.parametrize("value", ["", "CN", "KR", "<b>", "3", None, "unknown"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_country", "required": True, "disabled": False, "data-x": 'a"b'}]
)
def test_long_select_renders_as_django_s_select(value, attrs):
    expected = forms.Select(choices=CHOICES).render("country", value, attrs)
    assert LongSelect(choices=CHOICES).render("country", value, attrs) == expected


def test_a_filter_form_renders_its_countries_with_it():
    from ecotone.catalog.filters import SolutionFilterSet

    form = SolutionFilterSet({"country": "CN"}).form
    html = str(form["country"])
    assert isinstance(form.fields["country"].widget, LongSelect)
    assert '<option value="CN" selected>' in html
    assert html.count("<option") > 200
