"""API bodies of accounts. Field names here are a contract: add, never rename."""

from datetime import datetime
from typing import Literal

from ninja import Schema

from ecotone.core.schemas import BodyIn


class ClaimIn(BodyIn):
    """Exactly one proof: an ``email`` at the organisation's website domain (a confirmation
    link is mailed there), or ``evidence`` for staff to review."""

    email: str | None = None
    evidence: str | None = None


class ClaimConfirmIn(BodyIn):
    token: str  #: the signed token of the confirmation link (the last part of its path)


class ClaimDecisionIn(BodyIn):
    decision: Literal["approve", "reject"]
    note: str = ""  #: told to the claimant when rejected


class ClaimOrganisationOut(Schema):
    id: int
    name: str
    page_url: str


class ClaimOut(Schema):
    id: int
    organisation: ClaimOrganisationOut
    claimant: str  #: the claimant's user name
    method: str  #: email or evidence
    email: str  #: the address proving it (method email)
    evidence: str  #: what staff review (method evidence)
    status: str  #: awaiting_email, in_review, confirmed or rejected
    review_reason: str  #: why staff review it
    decision_note: str
    created_at: datetime
    decided_at: datetime | None
