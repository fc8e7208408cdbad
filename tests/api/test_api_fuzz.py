"""Schemathesis against the API's own OpenAPI description, in process (Django's WSGI
application, no network), on whichever database the suite runs on.

For every operation it sends the description's examples, its boundary values (the coverage
phase: one past each minimum and maximum, missing required fields, wrong types) and a
bounded number of generated requests, valid and invalid, as a member of an organisation
with a token. Each answer must be no server error, have a status the description lists for
the operation, and match the body the description gives for that status.

``ECOTONE_FUZZ_EXAMPLES`` sets the generated requests per operation (default 20);
``ECOTONE_FUZZ_SEED=random`` explores new inputs instead of the same ones on every run.
docs/test-infrastructure.md tells how to read a failure.
"""

import os
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from ecotone.core.testing import (
    CaseFactory,
    NeedFactory,
    OrganisationFactory,
    PersonFactory,
    SolutionFactory,
    UserFactory,
    make_member,
    token_headers,
)

EXAMPLES = int(os.environ.get("ECOTONE_FUZZ_EXAMPLES", "20"))
DERANDOMIZE = os.environ.get("ECOTONE_FUZZ_SEED", "") != "random"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

#: ids and slugs of the records made for the current test, so that a share of the requests
#: reaches records that exist instead of stopping at a 404
KNOWN: dict[str, list] = {}
#: requests sent and answers received, per operation and status (printed at the end)
SENT: Counter = Counter()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not KNOWN or not path_parameters:
        return st.just(path_parameters)
    known = {
        name: st.sampled_from(KNOWN.get(name) or [value]) for name, value in path_parameters.items()
    }
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(known))


@schema.hook
def after_call(context, case, response):
    SENT[(case.operation.label, response.status_code)] += 1


@pytest.fixture
def connection_kept():
    """Keep the test's database connection across requests, as Django's test client does:
    the WSGI handler closes it after each response, and with it the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def member_headers(db, connection_kept):
    """A member of an organisation with published and draft records of each kind that
    matters to the routes, an open programme and an introduction; the member's token."""
    member = UserFactory(username="fuzzer")
    organisation = OrganisationFactory(name_en="Fuzz Org")
    make_member(member, organisation)
    other = OrganisationFactory(name_en="Other Org")
    solutions = [SolutionFactory(provider=organisation), SolutionFactory(status="draft")]
    needs = [NeedFactory(organisation=organisation), NeedFactory(organisation=other)]
    case = CaseFactory(owner=organisation)
    case.organisations.add(organisation)
    person = PersonFactory()
    programme = _programme(other)
    ids = [organisation.pk, other.pk, *(s.pk for s in solutions), *(n.pk for n in needs)]
    ids += [case.pk, person.pk]
    KNOWN.update(
        record_id=ids,
        need_id=[n.pk for n in needs],
        slug=[programme.slug],
        position=[1],
    )
    yield token_headers(member)
    KNOWN.clear()


def _programme(organiser):
    from ecotone.programs.models import Criterion, Programme, Round, Track

    now = timezone.now()
    programme = Programme.objects.create(
        slug="fuzz-challenge",
        organiser=organiser,
        title_en="Fuzz Challenge",
        year=2024,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        award_count=1,
    )
    Track.objects.create(programme=programme, key="energy", name_en="Energy", position=1)
    final = Round.objects.create(
        programme=programme, position=1, kind="final", name_en="Final", decision_value=1
    )
    Criterion.objects.create(round=final, key="impact", name_en="Impact", weight=1, position=0)
    return programme


def summary() -> str:
    """Requests sent, operations reached and answers by status (tests/api/conftest.py prints
    it after the run)."""
    operations = {operation for operation, _status in SENT}
    statuses: Counter = Counter()
    for (_operation, status), count in SENT.items():
        statuses[status] += count
    by_status = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    return f"{sum(SENT.values())} requests to {len(operations)} operations ({by_status})"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_description_says(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=CHECKS)
