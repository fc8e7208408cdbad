"""Who may do what with introductions, feedback and matching criteria.

An introduction belongs to its two organisations: active members of either side see it,
members of the requesting side may withdraw it while it is open, and only members of the
target side may accept or decline it (staff see everything but do not answer for others:
an acceptance is the target's consent to share contact details). Feedback on a need's
matches and its matching criteria are for the people who maintain the need.
"""

from ecotone.accounts.permissions import can_edit, is_staff, member_organisation_ids

from .models import Introduction


def may_request_introductions(user) -> bool:
    """Introductions are between organisations: the asker must belong to one."""
    return bool(member_organisation_ids(user))


def is_requesting_side(user, introduction: Introduction) -> bool:
    return introduction.requesting_organisation_id in member_organisation_ids(user)


def is_target_side(user, introduction: Introduction) -> bool:
    return introduction.target_organisation_id in member_organisation_ids(user)


def can_view_introduction(user, introduction: Introduction) -> bool:
    from .brokers import can_broker

    return (
        is_staff(user)
        or is_requesting_side(user, introduction)
        or is_target_side(user, introduction)
        or can_broker(user, introduction)
    )


def can_respond(user, introduction: Introduction) -> bool:
    """A target member who is not the requester (one person on both sides cannot consent
    for the other)."""
    return is_target_side(user, introduction) and introduction.requester_id != user.pk


def can_withdraw(user, introduction: Introduction) -> bool:
    return is_requesting_side(user, introduction)


def can_see_contacts(user, introduction: Introduction) -> bool:
    """Only an acceptance by a member is consent to show both sides' names and e-mails; a
    broker's "connected" passes on only what its note says the organisation agreed to."""
    return introduction.status == "accepted" and (
        is_staff(user)
        or is_requesting_side(user, introduction)
        or is_target_side(user, introduction)
    )


def can_give_feedback(user, need) -> bool:
    return bool(user and user.is_authenticated) and can_edit(user, need)


def can_set_criteria(user, need) -> bool:
    return bool(user and user.is_authenticated) and can_edit(user, need)


def can_see_figures(user) -> bool:
    return is_staff(user)
