"""Factories and helpers shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model
from django.test import Client

from ecotone.accounts.models import ApiToken, Membership, MembershipRole, MembershipStatus
from ecotone.catalog import models as catalog


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Organisation
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"test-org-{n}")
    name_en = factory.Sequence(lambda n: f"Test Organisation {n}")
    kind = "startup"
    country = "CN"
    city = "Shenzhen"
    status = "published"

    @factory.post_generation
    def own_itself(self, create, extracted, **kwargs):
        if create:
            self.owner = self
            self.save(update_fields=["owner"])


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Solution

    external_id = factory.Sequence(lambda n: f"test-solution-{n}")
    title_en = factory.Sequence(lambda n: f"Test Solution {n}")
    provider = factory.SubFactory(OrganisationFactory)
    owner = factory.SelfAttribute("provider")
    trl = 6
    status = "published"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Case

    external_id = factory.Sequence(lambda n: f"test-case-{n}")
    title_en = factory.Sequence(lambda n: f"Test Case {n}")
    country = "CN"
    status = "published"


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Need

    external_id = factory.Sequence(lambda n: f"test-need-{n}")
    title_en = factory.Sequence(lambda n: f"Test Need {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    owner = factory.SelfAttribute("organisation")
    status = "published"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Person

    external_id = factory.Sequence(lambda n: f"test-person-{n}")
    name_en = factory.Sequence(lambda n: f"Test Person {n}")
    public_consent = True
    status = "published"


def make_member(user, organisation, *, role: str = MembershipRole.MEMBER) -> Membership:
    return Membership.objects.create(
        user=user, organisation=organisation, role=role, status=MembershipStatus.ACTIVE
    )


def token_headers(user) -> dict:
    """API headers carrying a fresh token of ``user`` (none for an anonymous caller)."""
    if user is None:
        return {}
    _, raw = ApiToken.issue(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def logged_in(user) -> Client:
    """A browser-like client with ``user``'s session (anonymous for ``None``)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
