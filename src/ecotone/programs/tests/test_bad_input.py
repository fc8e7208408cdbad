"""Form values that look like ids but are not (``"²".isdigit()`` is true): a refusal naming
the field, never a 500."""

import pytest

from ecotone.programs import services
from ecotone.programs.services import ProgrammeRefused

from .conftest import add_applicant, make_programme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("track", "²"), ("case", "²"), ("solution", "9" * 30), ("case", "-1")],
)
def test_an_application_naming_a_record_by_a_non_id_is_refused_naming_the_field(field, value):
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    data = {"track": "energy", "applicant": org.pk, "title": "Solar roofs", field: value}
    with pytest.raises(ProgrammeRefused) as refusal:
        services.save_draft(user=user, programme=world.programme, data=data)
    assert refusal.value.field == field
