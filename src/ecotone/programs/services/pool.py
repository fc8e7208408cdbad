"""The reviewer pool: who reviews for a programme, what they know, how much they take on.

Shared by the API (``api/pool.py``), the command line and the reviewer's profile page.
Rules:
- a manager adds people (by username or e-mail), edits their load and expertise, and takes
  them out of the pool: someone who never had an assignment is removed, anyone else is
  deactivated, so their submitted reviews and the audit trail keep their author;
- a reviewer edits their own expertise and sectors and declares the organisations they are
  in conflict with (only they may declare; a manager cannot do it for them);
- the maximum load and being active are the manager's.

A deactivated reviewer's queue empties at once (``permissions`` looks at active reviewers
only) and the next assignment run replaces their assignments whose review has not started.
Refusals are ``ProgrammeRefused`` naming the field: ``user``, ``expertise``, ``sectors[i]``,
``organisations[i]``, ``max_load``, ``reason``.
"""

import csv
import io
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.accounts.models import AuditEntry
from ecotone.accounts.permissions import is_staff
from ecotone.catalog.models import Organisation, Sector

from .. import emails
from ..models import Programme, Reviewer
from ..permissions import is_manager
from .checks import ProgrammeRefused, clean_reason, require_manager
from .conflicts import declare_organisation_conflicts

MAX_EXPERTISE = 5_000
MAX_LOAD = 500


# --- checks -------------------------------------------------------------------------------


def _is_self(user, reviewer: Reviewer) -> bool:
    return bool(user and user.is_authenticated and reviewer.user_id == user.pk)


def _check_may_edit(user, reviewer: Reviewer) -> bool:
    """True when ``user`` manages the programme; the reviewer themself may edit too."""
    manager = is_manager(user, reviewer.programme)
    if not manager and not (_is_self(user, reviewer) and reviewer.active):
        raise PermissionDenied(_("Only the reviewer or the programme's managers may do this."))
    return manager


def clean_expertise(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_EXPERTISE:
        raise ProgrammeRefused(
            _("Keep this under %(limit)s characters.") % {"limit": MAX_EXPERTISE},
            field="expertise",
        )
    return value


def clean_sectors(slugs: object, *, path: str = "sectors") -> list[Sector]:
    if isinstance(slugs, str) or not isinstance(slugs, list | tuple):
        raise ProgrammeRefused(_("Give a list of sector slugs."), field=path)
    slugs = [str(s).strip() for s in slugs]
    found = {s.slug: s for s in Sector.objects.filter(slug__in=slugs)}
    for number, slug in enumerate(slugs):
        if slug not in found:
            raise ProgrammeRefused(
                _("There is no sector %(slug)s.") % {"slug": slug or "''"},
                field=f"{path}[{number}]",
            )
    return list(dict.fromkeys(found[s] for s in slugs))


def clean_organisations(ids: object) -> list[Organisation]:
    if isinstance(ids, str) or not isinstance(ids, list | tuple):
        raise ProgrammeRefused(_("Give a list of organisation ids."), field="organisations")
    wanted = []
    for number, value in enumerate(ids):
        try:
            wanted.append((number, int(value)))
        except (TypeError, ValueError):
            raise ProgrammeRefused(
                _("Give an organisation id."), field=f"organisations[{number}]"
            ) from None
    found = Organisation.objects.in_bulk([pk for _n, pk in wanted])
    for number, pk in wanted:
        if pk not in found:
            raise ProgrammeRefused(
                _("There is no organisation %(id)s.") % {"id": pk},
                field=f"organisations[{number}]",
            )
    return list(dict.fromkeys(found[pk] for _n, pk in wanted))


def clean_max_load(value: object) -> int | None:
    """A whole number of reviews from 1 to 500; 0 means "the round's limit" (stored empty)."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_LOAD:
        raise ProgrammeRefused(
            _("Give a whole number of reviews from 1 to %(limit)s, or 0 for the round's limit.")
            % {"limit": MAX_LOAD},
            field="max_load",
        )
    return value


def find_user(identifier: str) -> User:
    """A user by username or e-mail address (case-insensitive for the address)."""
    identifier = (identifier or "").strip()
    users = get_user_model().objects.filter(is_active=True)
    found = users.filter(username=identifier).first() if identifier else None
    if found is None and "@" in identifier:
        matches = list(users.filter(email__iexact=identifier)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise ProgrammeRefused(
            _("No active account has this username or e-mail address."), field="user"
        )
    return found


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def add_to_pool(
    *,
    user: User | AnonymousUser,
    programme: Programme,
    identifier: str,
    expertise: str = "",
    sector_slugs: object = (),
    max_load: int | None = None,
) -> Reviewer:
    """Add the account named by ``identifier`` (username or e-mail) to the pool; a
    deactivated reviewer comes back with the new details. The one way in, whichever door:
    the page, the API, the CLI and the demo all call this."""
    require_manager(user, programme)
    reviewer_user = find_user(identifier)
    existing = Reviewer.objects.filter(programme=programme, user=reviewer_user).first()
    if existing is not None and existing.active:
        raise ProgrammeRefused(
            _("This person is already in the reviewer pool."),
            field="user",
            code="duplicate",
            status=409,
        )
    sectors = clean_sectors(sector_slugs)
    expertise, max_load = clean_expertise(expertise), clean_max_load(max_load)
    reviewer, _created = Reviewer.objects.update_or_create(
        programme=programme,
        user=reviewer_user,
        defaults={"expertise": expertise, "max_load": max_load, "active": True},
    )
    reviewer.sectors.set(sectors)
    record_audit(
        actor=user, action="reviewer_add", record=reviewer, changes={"programme": programme.slug}
    )
    return reviewer


@transaction.atomic
def update_reviewer_profile(
    *,
    user: User | AnonymousUser,
    reviewer: Reviewer,
    expertise: str | None = None,
    sector_slugs: list[str] | None = None,
    organisation_ids: list[int] | None = None,
    max_load: int | None = None,
) -> Reviewer:
    """Change what is given (``None``: leave as is). The reviewer themself or a manager;
    declared conflict organisations only by the reviewer, the load only by a manager
    (``max_load=0`` goes back to the round's limit)."""
    manager = _check_may_edit(user, reviewer)
    reviewer = Reviewer.objects.select_for_update().get(pk=reviewer.pk)
    changes: dict[str, str | int | None] = {}
    if expertise is not None:
        reviewer.expertise = changes["expertise"] = clean_expertise(expertise)
    if max_load is not None:
        if not manager:
            raise PermissionDenied(_("Only the programme's managers may change the load."))
        reviewer.max_load = changes["max_load"] = clean_max_load(max_load)
    if sector_slugs is not None:
        sectors = clean_sectors(sector_slugs)
        changes["sectors"] = ", ".join(s.slug for s in sectors)
    if organisation_ids is not None:
        if not _is_self(user, reviewer):
            raise PermissionDenied(_("Only the reviewer may declare their own conflicts."))
        organisations = clean_organisations(organisation_ids)
    reviewer.save()
    if sector_slugs is not None:
        reviewer.sectors.set(sectors)
    if organisation_ids is not None:
        declare_organisation_conflicts(user=user, reviewer=reviewer, organisations=organisations)
    if changes:
        record_audit(actor=user, action="reviewer_update", record=reviewer, changes=changes)
    return reviewer


@transaction.atomic
def deactivate_reviewer(*, user: User | AnonymousUser, reviewer: Reviewer, reason: str) -> Reviewer:
    """Take a reviewer out of the pool, keeping their record and reviews."""
    require_manager(user, reviewer.programme)
    reason = clean_reason(reason)
    reviewer = Reviewer.objects.select_for_update().get(pk=reviewer.pk)
    if not reviewer.active:
        raise ProgrammeRefused(_("This reviewer is already inactive."), code="inactive", status=409)
    reviewer.active = False
    reviewer.save(update_fields=["active", "updated_at"])
    record_audit(
        actor=user,
        action="reviewer_deactivate",
        record=reviewer,
        from_status="active",
        to_status="inactive",
        reason=reason,
    )
    return reviewer


@transaction.atomic
def reactivate_reviewer(*, user: User | AnonymousUser, reviewer: Reviewer) -> Reviewer:
    require_manager(user, reviewer.programme)
    reviewer = Reviewer.objects.select_for_update().get(pk=reviewer.pk)
    if reviewer.active:
        return reviewer
    reviewer.active = True
    reviewer.save(update_fields=["active", "updated_at"])
    record_audit(
        actor=user,
        action="reviewer_reactivate",
        record=reviewer,
        from_status="inactive",
        to_status="active",
    )
    return reviewer


@transaction.atomic
def remove_reviewer(*, user: User | AnonymousUser, reviewer: Reviewer, reason: str) -> str:
    """Delete a reviewer who never had an assignment; deactivate anyone else.
    Answers ``"deleted"`` or ``"deactivated"``."""
    require_manager(user, reviewer.programme)
    if reviewer.assignments.exists():
        deactivate_reviewer(user=user, reviewer=reviewer, reason=reason)
        return "deactivated"
    record_audit(
        actor=user,
        action="reviewer_remove",
        record=reviewer.programme,
        reason=clean_reason(reason),
        changes={"reviewer": reviewer.pk, "user": reviewer.user.get_username()},
    )
    reviewer.delete()
    return "deleted"


@transaction.atomic
def change_reviewer(
    *,
    user: User | AnonymousUser,
    reviewer: Reviewer,
    active: bool | None = None,
    reason: str = "",
    expertise: str | None = None,
    sector_slugs: list[str] | None = None,
    max_load: int | None = None,
) -> Reviewer:
    """A manager's change of a reviewer in one step (``PATCH …/reviewers/{id}``): taken out
    (``active=False``, with a reason) or back, and the expertise, sectors and load; all of
    it, or nothing when any part is refused."""
    require_manager(user, reviewer.programme)
    if active is False and reviewer.active:
        reviewer = deactivate_reviewer(user=user, reviewer=reviewer, reason=reason)
    elif active:
        reviewer = reactivate_reviewer(user=user, reviewer=reviewer)
    return update_reviewer_profile(
        user=user,
        reviewer=reviewer,
        expertise=expertise,
        sector_slugs=sector_slugs,
        max_load=max_load,
    )


# --- inviting and importing ---------------------------------------------------------------

#: the columns of a reviewer list; ``user`` (username or e-mail address) is required
IMPORT_COLUMNS = ("user", "expertise", "sectors", "max_load")
MAX_IMPORT_ROWS = 2_000


@transaction.atomic
def invite_reviewer(
    *,
    user: User | AnonymousUser,
    programme: Programme,
    identifier: str,
    expertise: str = "",
    sector_slugs: object = (),
    max_load: int | None = None,
) -> Reviewer:
    """``add_to_pool`` and an e-mail telling them, sent once the write has committed. An
    e-mail address no account has gets a new account (audited ``account_invite``) and the
    e-mail a link to choose its password."""
    require_manager(user, programme)
    invited, new = _account_for(user, programme, identifier)
    reviewer = add_to_pool(
        user=user,
        programme=programme,
        identifier=invited.get_username(),
        expertise=expertise,
        sector_slugs=sector_slugs,
        max_load=max_load,
    )
    transaction.on_commit(lambda: emails.reviewer_invited(reviewer, new_account=new), robust=True)
    return reviewer


def _account_for(user, programme: Programme, identifier: str):
    """(account, whether it is new): the account ``find_user`` finds, else a new one for an
    e-mail address that no account (active or not) has."""
    try:
        return find_user(identifier), False
    except ProgrammeRefused:
        address = (identifier or "").strip()
        accounts = get_user_model().objects
        if not _is_address(address) or accounts.filter(email__iexact=address).exists():
            raise
    _check_may_open_accounts(user)
    account = accounts.create_user(
        username=_free_username(address), email=address, password=secrets.token_urlsafe(32)
    )
    record_audit(
        actor=user, action="account_invite", record=account, changes={"programme": programme.slug}
    )
    return account, True


def _check_may_open_accounts(user) -> None:
    """An invitation opens an account and sends an e-mail to an address nobody confirmed:
    a manager who is not staff may open ``ECOTONE_INVITED_ACCOUNTS_PER_DAY`` a day, so a
    programme cannot become a way to mail strangers in bulk."""
    limit = settings.ECOTONE_INVITED_ACCOUNTS_PER_DAY
    if not limit or is_staff(user):
        return
    since = timezone.now() - timedelta(days=1)
    opened = AuditEntry.objects.filter(actor=user, action="account_invite", created_at__gte=since)
    if opened.count() >= limit:
        raise ProgrammeRefused(
            _(
                "You have invited %(count)d people without an account in the last 24 hours, "
                "the most allowed. Ask them to sign up first, or ask the platform's staff."
            )
            % {"count": limit},
            field="user",
        )


def _is_address(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return len(text) <= 254


def _free_username(address: str) -> str:
    """The address's local part in the characters a username allows, made unique."""
    base = re.sub(r"[^\w.@+-]", "", address.split("@", 1)[0])[:120] or "reviewer"
    taken = set(
        get_user_model()
        .objects.filter(username__startswith=base)
        .values_list("username", flat=True)
    )
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def read_reviewer_list(text: str | bytes) -> list[tuple[int, dict]]:
    """(line number, row) of a CSV reviewer list (UTF-8 when given as bytes) with a header
    line naming its columns (``IMPORT_COLUMNS``; ``sectors`` separated by ";"). Refusals
    name the line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ProgrammeRefused(_("Save the list as UTF-8 text."), field="file") from None
    rows = list(csv.reader(io.StringIO((text or "").lstrip("\ufeff"))))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ProgrammeRefused(_("The file is empty."), field="file")
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    if unknown or "user" not in header:
        raise ProgrammeRefused(
            _("Line 1 must name the columns: %(columns)s (user is required).")
            % {"columns": ", ".join(IMPORT_COLUMNS)},
            field="file",
        )
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ProgrammeRefused(
            _("Import at most %(limit)s reviewers at once.") % {"limit": MAX_IMPORT_ROWS},
            field="file",
        )
    read = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise ProgrammeRefused(
                _("Line %(line)s has more cells than the header.") % {"line": line},
                field="file",
            )
        read.append((line, dict(zip(header, (c.strip() for c in cells), strict=False))))
    if not read:
        raise ProgrammeRefused(_("The file lists no reviewer."), field="file")
    return read


def _load_cell(value: str):
    """A cell of the ``max_load`` column as ``clean_max_load`` reads it."""
    if not value:
        return None
    return int(value) if value.isdigit() else value


@transaction.atomic
def import_reviewers(
    *, user: User | AnonymousUser, programme: Programme, text: str | bytes
) -> list[Reviewer]:
    """Every line of a reviewer list through ``invite_reviewer``, all or nothing: when any
    line is refused nothing is written and the refusal lists every line refused (its
    ``field_errors`` on ``file``, the first as its message), naming line and column."""
    require_manager(user, programme)
    added, refusals = [], []
    for line, row in read_reviewer_list(text):
        try:
            added.append(
                invite_reviewer(
                    user=user,
                    programme=programme,
                    identifier=row.get("user", ""),
                    expertise=row.get("expertise", ""),
                    sector_slugs=_slugs(row.get("sectors", "")),
                    max_load=_load_cell(row.get("max_load", "")),
                )
            )
        except ProgrammeRefused as refused:  # its savepoint is rolled back; go on reading
            refusals.append((line, refused))
    if refusals:
        messages = [
            _("Line %(line)s, %(column)s: %(message)s")
            % {"line": line, "column": _column(refused.field), "message": refused.message}
            for line, refused in refusals
        ]
        first = refusals[0][1]
        raise ProgrammeRefused(
            messages[0],
            field="file",
            code=first.code,
            status=first.status,
            field_errors={"file": messages},
        )
    return added


def _slugs(cell: str) -> list[str]:
    return [slug.strip() for slug in cell.split(";") if slug.strip()]


def _column(field: str | None) -> str:
    name = (field or "user").split("[", 1)[0]
    return name if name in IMPORT_COLUMNS else "user"
