import pytest
from django.conf import settings

from ecotone.accounts.models import Membership, MembershipRole, MembershipStatus
from ecotone.core.testing import CaseFactory, OrganisationFactory, UserFactory
from ecotone.impact.factors import load_seed_factors


@pytest.fixture
def library(db):
    """The shipped China, IPCC and GWP tables (OEFDB left out: it is slow and not needed)."""
    return load_seed_factors(settings.DATA_DIR, include_oefdb=False)


@pytest.fixture
def member(db):
    """A user who may edit ``case`` (an active member of its owner)."""
    organisation = OrganisationFactory()
    user = UserFactory()
    Membership.objects.create(
        user=user,
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
        role=MembershipRole.MEMBER,
    )
    return user


@pytest.fixture
def case(member):
    organisation = member.memberships.first().organisation
    record = CaseFactory(owner=organisation)
    record.organisations.add(organisation)
    return record
