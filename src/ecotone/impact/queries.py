"""Reads of the impact app, with the related rows fetched up front."""

from django.contrib.auth.models import AnonymousUser, User

from ecotone.accounts.permissions import can_view
from ecotone.catalog.models import Case, Solution

from .models import Calculation, EmissionFactor


def current_calculations_for(
    record: Case | Solution | None, user: User | AnonymousUser
) -> list[Calculation]:
    """The newest version of each calculation about ``record`` (a case or a solution)."""
    if record is None or not can_view(user, record):
        return []
    field = "case" if record._meta.model_name == "case" else "solution"
    return list(
        Calculation.objects.filter(**{field: record}, superseded_by__isnull=True).order_by(
            "-year", "-created_at"
        )
    )


def versions_of(calculation: Calculation) -> list[Calculation]:
    return list(Calculation.objects.filter(lineage=calculation.lineage).order_by("-version"))


def factor_versions(factor: EmissionFactor) -> list[EmissionFactor]:
    return list(EmissionFactor.objects.filter(key=factor.key).order_by("-version"))
