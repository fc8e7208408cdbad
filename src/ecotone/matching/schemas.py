"""API bodies of matchmaking. Field names here are a contract: add, never rename."""

from datetime import datetime
from typing import Literal

from ninja import Schema

from ecotone.core.bounds import Id
from ecotone.core.schemas import (
    BodyIn,
    ErrorOut,  # noqa: F401  (re-exported)
)


class ComponentOut(Schema):
    name: str
    value: float  #: what the component adds to the score (weight × its 0–1 measure)
    weight: float
    reason: str


class ConstraintOut(Schema):
    name: str
    status: str  #: passed, failed or unknown
    reason: str


class MatchOut(Schema):
    kind: str
    id: int
    external_id: str
    title: str
    score: float
    components: list[ComponentOut]
    constraints: list[ConstraintOut]
    page_url: str


class ExcludedMatchOut(MatchOut):
    failed_constraints: list[ConstraintOut]


class NeedMatchesOut(Schema):
    need: int
    matches: list[MatchOut]
    excluded: list[ExcludedMatchOut]
    message: str = ""  #: why there are no matches (deadline passed, need closed), else ""


class CounterpartGroupOut(Schema):
    name: str  #: pilot_sites, investors, or a group another app registers (programmes)
    label: str
    matches: list[MatchOut]
    excluded: list[ExcludedMatchOut]


class VentureCounterpartsOut(Schema):
    kind: str  #: organisation or solution
    id: int
    groups: list[CounterpartGroupOut]
    message: str = ""  #: why there are no groups (investors and public bodies), else ""


class OrganisationRefOut(Schema):
    id: int
    external_id: str
    name: str
    page_url: str


class AboutOut(Schema):
    kind: Literal["need", "solution"]
    id: int
    external_id: str
    title: str
    page_url: str


class ContactOut(Schema):
    name: str
    email: str


class ContactsOut(Schema):
    requester: ContactOut | None
    responder: ContactOut | None


class IntroductionOut(Schema):
    id: int
    status: str
    side: Literal["sent", "received", "staff", "broker"]
    requesting_organisation: OrganisationRefOut
    target_organisation: OrganisationRefOut
    about: AboutOut
    message: str
    response_note: str
    created_at: datetime
    responded_at: datetime | None
    withdrawn_at: datetime | None
    contacts: ContactsOut | None  #: names and e-mails, only once accepted
    #: "members" (the target's members answer) or "brokers" (it has none, or they let the
    #: deadline pass); the brokers' last step, and when a members' request goes to them
    route: str = "members"
    broker_outcome: str = ""
    broker_outcome_at: datetime | None = None
    answer_due: datetime | None = None


class IntroductionPageOut(Schema):
    results: list[IntroductionOut]
    next: str | None


class IntroductionIn(BodyIn):
    target_organisation: Id
    about_kind: Literal["need", "solution"]
    about_id: Id
    message: str
    #: required when the caller belongs to more than one organisation
    requesting_organisation: Id | None = None


class ContactRouteOut(Schema):
    label: str
    url: str


class BrokerQueueItemOut(Schema):
    introduction: IntroductionOut
    contact_routes: list[ContactRouteOut]


class BrokerStepIn(BodyIn):
    outcome: Literal["contacted", "no_answer", "declined", "connected"]
    #: shown to the requester when the step closes the request (declined, connected)
    note: str = ""


class ResponseIn(Schema):
    note: str = ""


class AlertOut(Schema):
    id: int
    organisation: OrganisationRefOut
    kind: str  #: needs_for_solutions or solutions_for_needs
    frequency: str  #: immediate, daily, weekly or none
    last_sent_at: datetime | None


class AlertIn(BodyIn):
    frequency: Literal["immediate", "daily", "weekly", "none"]


class MatchListAlertIn(BodyIn):
    """Exactly one of ``need`` and ``solution``."""

    need: Id | None = None
    solution: Id | None = None
    frequency: Literal["immediate", "daily", "weekly", "none"]


class MatchListAlertOut(Schema):
    id: int
    record_kind: str  #: need or solution
    record_id: int
    title: str
    frequency: str  #: immediate, daily, weekly or none
    last_sent_at: datetime | None


class FollowIn(BodyIn):
    """Exactly one of the three."""

    organisation: Id | None = None
    sector: str | None = None  #: a sector's slug
    programme: str | None = None  #: a programme's slug


class FollowOut(Schema):
    organisation: OrganisationRefOut | None
    sector: str | None
    programme: str | None
    following: bool


class FeedEntryOut(Schema):
    kind: str  #: need, solution, award, call_opens, call_closes or calculation
    id: int
    title: str
    page_url: str
    changed_at: datetime
    because: str  #: the followed organisation, sector or programme it is about
