"""Who may see and change catalogue records.

Visitors see published records. Active members of the organisation that maintains a
record (its ``owner``) see it in any state and may edit it. Staff see and change
everything and alone publish, reject and archive.
"""

from django.db.models import Q, QuerySet

from .models import Membership, MembershipRole, MembershipStatus


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def member_organisation_ids(user) -> set[int]:
    if not (user and user.is_authenticated):
        return set()
    cached = getattr(user, "_ecotone_member_org_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
                "organisation_id", flat=True
            )
        )
        user._ecotone_member_org_ids = cached
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, "_ecotone_member_org_ids"):
        del user._ecotone_member_org_ids


def visible_records(user, queryset: QuerySet) -> QuerySet:
    """Restrict a catalogue queryset to what ``user`` may read."""
    if is_staff(user):
        return queryset
    published = queryset.model.public_condition()
    org_ids = member_organisation_ids(user)
    if org_ids:
        return queryset.filter(published | Q(owner_id__in=org_ids))
    return queryset.filter(published)


def can_view(user, record) -> bool:
    if record.is_public or is_staff(user):
        return True
    return record.owner_id is not None and record.owner_id in member_organisation_ids(user)


def can_edit(user, record) -> bool:
    if is_staff(user):
        return True
    return record.owner_id is not None and record.owner_id in member_organisation_ids(user)


def can_manage_members(user, organisation) -> bool:
    if is_staff(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
        role=MembershipRole.ADMIN,
    ).exists()
