"""Every write to the catalogue goes through these functions.

Pages, the API, the CLI and imports call them; they check permission and validity
first and write an audit entry for every change.
"""

import uuid
from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ecotone.accounts.audit import record_audit
from ecotone.accounts.permissions import can_edit, is_staff, member_organisation_ids
from ecotone.core.models import PublicationStatus
from ecotone.core.refusals import Refused

from .kinds import Kind, kind_of
from .models import CatalogueRecord, InvestorProfile, Organisation

if TYPE_CHECKING:
    from .forms import InvestorProfileForm  # forms imports this module


class RecordInvalid(Refused):
    """The submitted data failed validation; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field, field_errors=errors)


def new_external_id(kind: Kind) -> str:
    return f"ecotone-{kind.name}-{uuid.uuid4().hex[:12]}"


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        (name if name != "__all__" else "record"): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


def _natural_owner(kind: Kind, cleaned: dict, user) -> Organisation | None:
    """The organisation a new record belongs to when the caller names none."""
    if kind.owner_field and cleaned.get(kind.owner_field) is not None:
        return Organisation.objects.get(pk=cleaned[kind.owner_field].pk)
    if kind.owner_list_field:
        listed = cleaned.get(kind.owner_list_field) or []
        mine = [pk for pk in listed if pk in member_organisation_ids(user)]
        first = (mine or listed or [None])[0]
        return Organisation.objects.filter(pk=first).first() if first else None
    return None


def _check_speaks_for_named_organisation(kind: Kind, cleaned: dict, user) -> None:
    """A need "posted by" or a solution "provided by" an organisation needs its membership."""
    if kind.owner_field is None:
        return
    named = cleaned.get(kind.owner_field)
    if named is not None and not is_staff(user) and named.pk not in member_organisation_ids(user):
        owner_field = cast(Field, kind.model._meta.get_field(kind.owner_field))
        raise PermissionDenied(
            _("You can only name an organisation you belong to as %(field)s.")
            % {"field": owner_field.verbose_name}
        )


def _check_may_act_for(user, owner: Organisation | None) -> None:
    if is_staff(user):
        return
    if owner is None or owner.pk not in member_organisation_ids(user):
        raise PermissionDenied(_("You can only add records for an organisation you belong to."))


@transaction.atomic
def create_record(
    *,
    kind: Kind,
    data: dict,
    user: User | AnonymousUser | None,
    owner: Organisation | None = None,
    files: MultiValueDict | None = None,
) -> CatalogueRecord:
    """Validate and save a new record. Non-staff records wait for review."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to add records."))
    form = kind.form(data={**kind.form.model_defaults(), **data}, files=files)
    if not form.is_valid():
        raise RecordInvalid(form_errors(form))
    record = form.save(commit=False)
    if not record.external_id:
        record.external_id = new_external_id(kind)
    record.created_by = user
    acting_for = owner or _natural_owner(kind, form.cleaned_data, user)
    if kind.model is not Organisation:
        _check_may_act_for(user, acting_for)
        _check_speaks_for_named_organisation(kind, form.cleaned_data, user)
    record.status = PublicationStatus.PUBLISHED if is_staff(user) else PublicationStatus.PENDING
    record.save()
    form.save_m2m()
    record.owner = record if kind.model is Organisation else acting_for
    record.save(update_fields=["owner"])
    if kind.model is Organisation and not is_staff(user):
        _make_founding_admin(user, record)
    record_audit(actor=user, action="create", record=record, to_status=record.status)
    return record


def _make_founding_admin(user, organisation: Organisation) -> None:
    from ecotone.accounts.models import Membership, MembershipRole, MembershipStatus
    from ecotone.accounts.permissions import forget_memberships

    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=MembershipRole.ADMIN,
        status=MembershipStatus.ACTIVE,
    )
    forget_memberships(user)


@transaction.atomic
def update_record(
    *, record: CatalogueRecord, data: dict, user: User | AnonymousUser
) -> CatalogueRecord:
    """Apply changed fields. A member's edit to a published record goes back to review."""
    if not can_edit(user, record):
        raise PermissionDenied(_("You may not edit this record."))
    kind = kind_of(record)
    form = kind.form(data=_merged_with_current(kind, record, data), instance=record)
    if not form.is_valid():
        raise RecordInvalid(form_errors(form))
    if kind.owner_field in form.changed_data:
        _check_speaks_for_named_organisation(kind, form.cleaned_data, user)
    changed = changed_fields(form)
    if not changed:  # nothing to save, and an audit entry saying so would only be noise
        return record
    record = form.save(commit=False)
    from_status = record.status
    if not is_staff(user) and record.status == PublicationStatus.PUBLISHED and changed:
        record.status = PublicationStatus.PENDING
    record.save()
    form.save_m2m()
    record_audit(
        actor=user,
        action="update",
        record=record,
        from_status=from_status,
        to_status=record.status,
        changes=changed,
    )
    return record


def changed_fields(form: forms.ModelForm) -> dict[str, str]:
    """The audit's ``changes``: each changed field with its new value, shortened."""
    return {name: str(form.cleaned_data.get(name))[:200] for name in form.changed_data}


def _merged_with_current(kind: Kind, record, data: dict) -> dict:
    """A partial update: unspecified fields keep their current values."""
    from .serializers import record_to_row

    current = record_to_row(kind, record)
    current.pop("status", None)
    current.update(data)
    return current


#: the reason written when a member's delete of a published record archives it instead
MEMBER_DELETE_REASON = "deleted by a member: archived until staff remove or restore it"


@transaction.atomic
def delete_record(*, record: CatalogueRecord, user: User | AnonymousUser) -> bool:
    """Delete ``record`` and answer True. A member's *published* record is archived instead
    (False): others may link to it, cite it or have been matched with it, so only staff
    remove it for good — or restore it, as the review of edits allows for changes."""
    if not can_edit(user, record):
        raise PermissionDenied(_("You may not delete this record."))
    status = getattr(record, "status", "")
    if status == PublicationStatus.PUBLISHED and not is_staff(user):
        record.status = PublicationStatus.ARCHIVED
        record.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=user,
            action="archive",
            record=record,
            from_status=status,
            to_status=record.status,
            reason=MEMBER_DELETE_REASON,
        )
        return False
    record_audit(actor=user, action="delete", record=record, from_status=status)
    record.delete()
    return True


TRANSITIONS = {
    "submit": ({PublicationStatus.DRAFT}, PublicationStatus.PENDING),
    "publish": ({PublicationStatus.PENDING, PublicationStatus.DRAFT}, PublicationStatus.PUBLISHED),
    "reject": ({PublicationStatus.PENDING}, PublicationStatus.DRAFT),
    "archive": (
        {PublicationStatus.PUBLISHED, PublicationStatus.PENDING},
        PublicationStatus.ARCHIVED,
    ),
    "restore": ({PublicationStatus.ARCHIVED}, PublicationStatus.PUBLISHED),
}
PAST_TENSE = {
    "submit": pgettext_lazy("past participle", "submitted for review"),
    "publish": pgettext_lazy("past participle", "published"),
    "reject": pgettext_lazy("past participle", "rejected"),
    "archive": pgettext_lazy("past participle", "archived"),
    "restore": pgettext_lazy("past participle", "restored"),
}
STAFF_ONLY_TRANSITIONS = {"publish", "reject", "archive", "restore"}


@transaction.atomic
def transition_record(
    *, record: CatalogueRecord, action: str, user: User | AnonymousUser, reason: str = ""
) -> CatalogueRecord:
    """Move a record through draft → pending → published → archived, with an audit row."""
    if action not in TRANSITIONS:
        raise Refused(_("Unknown action %(action)s.") % {"action": action}, field="action")
    if action in STAFF_ONLY_TRANSITIONS and not is_staff(user):
        raise PermissionDenied(_("Only staff may %(action)s records.") % {"action": action})
    if action not in STAFF_ONLY_TRANSITIONS and not can_edit(user, record):
        raise PermissionDenied(_("You may not change this record."))
    allowed_from, target = TRANSITIONS[action]
    if record.status not in allowed_from:
        raise Refused(
            _("This record is %(status)s; it cannot be %(done)s.")
            % {"status": record.get_status_display().lower(), "done": PAST_TENSE[action]},
            code="conflict",
            status=409,
        )
    if action == "reject" and not reason.strip():
        raise Refused(_("Give a reason when rejecting a record."), field="reason")
    from_status = record.status
    record.status = target
    record.review_note = reason.strip() if action == "reject" else ""
    record.save(update_fields=["status", "review_note", "updated_at"])
    record_audit(
        actor=user,
        action=action,
        record=record,
        from_status=from_status,
        to_status=target,
        reason=reason,
    )
    return record


def investor_profile_form(
    organisation: Organisation, profile: InvestorProfile | None, data: QueryDict | None = None
) -> "InvestorProfileForm":
    """``InvestorProfileForm`` bound to ``organisation``: the page never lets it change."""
    from .forms import InvestorProfileForm

    if data is None:
        form = InvestorProfileForm(instance=profile)
    else:
        fields: dict[str, object] = dict(data.dict())
        for name in ("stages", "sectors"):
            fields[name] = data.getlist(name)
        fields["organisation"] = organisation.external_id or ""
        fields["external_id"] = profile.external_id if profile else ""
        form = InvestorProfileForm(data=fields, instance=profile)
    # an organisation without an external id is still this page's organisation
    form.fields["organisation"].required = False
    return form


@transaction.atomic
def save_investor_profile(
    *, user: User | AnonymousUser, organisation: Organisation, data: QueryDict
) -> tuple[InvestorProfile | None, "InvestorProfileForm"]:
    """Create or change ``organisation``'s investor profile from the page's fields.
    Answers the saved profile (None when a field is wrong: nothing is written) and the form.

    A profile has no publication status of its own (it belongs to its organisation), so
    unlike ``update_record`` a member's change is not sent back to review; matching reads
    it at once."""
    # one writer per organisation: two first saves must not both create a profile
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_edit(user, organisation):
        raise PermissionDenied(_("Only the organisation's members may edit its investor profile."))
    profile = InvestorProfile.objects.filter(organisation=organisation).first()
    form = investor_profile_form(organisation, profile, data)
    if not form.is_valid():
        return None, form
    saved = form.save(commit=False)
    saved.organisation = organisation
    if not saved.external_id:
        saved.external_id = new_external_id(kind_of(saved))
    saved.save()
    form.save_m2m()
    changes = changed_fields(form)
    if profile is None or changes:
        action = "create" if profile is None else "update"
        record_audit(actor=user, action=action, record=saved, changes=changes)
    return saved, form
