"""The checks every programme write shares: who may manage, a reason for the audit log,
the length of free text. Refusals are ``ProgrammeRefused``: the project's one refusal type
(``core.refusals.Refused``) under the name this app has used."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ecotone.core.refusals import Refused

from ..models import Programme
from ..permissions import is_manager

MAX_TEXT = 20_000
ALLOWED_ATTACHMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".pptx", ".csv"}

ProgrammeRefused = Refused


def require_manager(user: User | AnonymousUser, programme: Programme) -> None:
    if not is_manager(user, programme):
        raise PermissionDenied(_("Only the programme's managers may do this."))


def clean_text(data: dict, name: str, *, limit: int = MAX_TEXT) -> str:
    """``data[name]`` as text without surrounding blanks, refused when longer than ``limit``."""
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise ProgrammeRefused(
            _("Keep this under %(limit)s characters.") % {"limit": limit}, field=name
        )
    return value


def clean_reason(reason: str) -> str:
    """A reason kept in the audit log: required, at most 2,000 characters kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ProgrammeRefused(_("Give a reason; it is kept in the audit log."), field="reason")
    return reason[:2000]
