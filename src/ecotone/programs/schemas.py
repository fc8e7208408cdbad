"""API bodies of programmes. Field names here are a contract: add, never rename."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import WithJsonSchema

from ecotone.core.bounds import Id
from ecotone.core.schemas import (
    BodyIn,
    ErrorOut,  # noqa: F401  (re-exported)
)

from .services.pool import MAX_LOAD

#: reviews a reviewer may take: 0 (the round's limit) to MAX_LOAD. Documented here, checked
#: by ``pool.clean_max_load`` so that the page, the API and the CLI refuse it alike
MaxLoad = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_LOAD})]


#: the reviewer's confidence, 1 to 5: documented here, checked by ``reviews.save_review`` so
#: that the review form and the API refuse it alike
Confidence = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 5})]


#: a bid, −1 to 2: documented here, checked by ``bidding.clean_preference`` so that the bids
#: page and the API refuse it alike
Preference = Annotated[int, WithJsonSchema({"type": "integer", "minimum": -1, "maximum": 2})]


class CriterionOut(Schema):
    key: str
    name: str
    weight: float
    scale_min: int
    scale_max: int
    levels: list[dict]


class RoundOut(Schema):
    position: int
    kind: str
    name: str
    status: str
    reviewers_per_submission: int
    max_load: int
    decision_rule: str
    decision_value: float | None
    reviews_due: datetime | None
    criteria: list[CriterionOut]


class TrackOut(Schema):
    key: str
    name: str
    sectors: list[str]


class WinnerOut(Schema):
    submission: int
    organisation: str
    organisation_url: str
    track: str
    award_url: str | None
    case_url: str | None


class ProgrammeOut(Schema):
    slug: str
    title: str
    year: int
    organiser: str | None
    description: str
    eligibility: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_zone: str
    is_open: bool
    award_count: int
    review_mode: str
    illustrative: bool
    questions: list[dict]
    tracks: list[TrackOut]
    rounds: list[RoundOut]
    results_published_at: datetime | None
    winners: list[WinnerOut]
    page_url: str


class ProgrammeSummaryOut(Schema):
    slug: str
    title: str
    year: int
    is_open: bool
    illustrative: bool
    results_published_at: datetime | None
    page_url: str


class SubmissionIn(BodyIn):
    track: str
    applicant: Id
    title: str
    summary: str = ""
    case: Id | None = None
    solution: Id | None = None
    answers: dict[str, str] = {}
    submit: bool = False


class SubmissionOut(Schema):
    id: int
    programme: str
    track: str
    applicant: str | None  #: empty for reviewers of a blind programme
    title: str
    summary: str
    answers: dict
    status: str
    round: int | None
    submitted_at: datetime | None
    comments_to_applicant: list[str]  #: only for the applicant and managers
    page_url: str


class ReasonIn(BodyIn):
    reason: str = ""


class ReviewIn(BodyIn):
    scores: dict[str, int | None] = {}
    comment_to_applicant: str = ""
    comment_to_committee: str = ""
    confidence: Confidence | None = None
    recommendation: str = ""
    submit: bool = False


class AssignmentOut(Schema):
    id: int
    round: int
    submission: int
    submission_title: str
    reviewer: str
    affinity: float
    manual: bool
    explanation: list[dict]
    review_status: str | None
    review_total: float | None


class AssignmentRunOut(Schema):
    created: int
    removed: int
    kept: int
    shortfall: dict[str, int]
    total_affinity: float
    method: str


class AssignmentIn(BodyIn):
    submission: Id
    reviewer: Id


class RankOut(Schema):
    submission: int
    title: str
    track: str
    rank: int | None
    tied: bool
    mean_raw: float | None
    mean_calibrated: float | None
    spread: float | None
    disagreement: bool
    review_count: int
    proposal: str
    decision: str | None


class DecisionIn(BodyIn):
    submission: Id
    outcome: str
    reason: str


class DecisionsIn(BodyIn):
    decisions: list[DecisionIn]


class DecisionOut(Schema):
    submission: int
    outcome: str
    reason: str


class ReviewerOut(Schema):
    id: int
    username: str
    name: str
    email: str  #: managers and the reviewer themself only read the pool
    expertise: str
    sectors: list[str]
    max_load: int | None  #: empty: the round's limit
    active: bool
    declared_organisations: list[int]
    assignments: int


class ReviewerIn(BodyIn):
    user: str  #: username or e-mail address of an existing account
    expertise: str = ""
    sectors: list[str] = []
    max_load: MaxLoad | None = None


class ReviewerPatchIn(BodyIn):
    """A manager's change; absent fields stay. ``active: false`` needs a ``reason``."""

    expertise: str | None = None
    sectors: list[str] | None = None
    max_load: MaxLoad | None = None  #: 0 goes back to the round's limit
    active: bool | None = None
    reason: str = ""


class ReviewerSelfIn(BodyIn):
    """The reviewer's own profile; absent fields stay."""

    expertise: str | None = None
    sectors: list[str] | None = None
    organisations: list[Id] | None = None  #: declared conflicts (organisation ids)


class RemovedOut(Schema):
    result: str  #: "deleted" or "deactivated"


class BidOut(Schema):
    submission: int
    title: str
    summary: str
    track: str
    applicant: str | None  #: empty in blind review
    preference: int | None


class BidIn(BodyIn):
    preference: Preference | None  #: −1 rather not … 2 eager; null clears


class DiscussionPostOut(Schema):
    id: int
    #: the author as the caller sees them: "Reviewer 2" to other reviewers when review is blind
    author: str
    by_you: bool
    by_manager: bool
    body: str
    round: str
    created_at: datetime


class DiscussionPostIn(BodyIn):
    body: str = ""


class ApplicantResponseOut(Schema):
    round: int
    text: str
    updated_at: datetime


class ApplicantResponseIn(BodyIn):
    text: str = ""


class ResponseWindowIn(BodyIn):
    #: times without an offset are read in the programme's time zone
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class ResponseWindowOut(Schema):
    round: int
    opens_at: datetime
    closes_at: datetime
    open: bool


class OverrideIn(BodyIn):
    submission: Id
    reason: str = ""


class OverrideOut(Schema):
    reviewer: int
    submission: int
    reason: str
