"""The reviewers' discussion of a submission, once their scores are in.

Who reads and writes a submission's thread: the programme's managers, and each reviewer
assigned to it (in any round) who is active in the pool, has submitted a review of it and
stands in no conflict with it, declared or detected. Never the applicant, never a reviewer
in conflict (a conflict found later hides the thread at once), never a manager of another
programme. In a blind programme reviewers see each other as "Reviewer 1", "Reviewer 2", …
numbered by the order of their first assignment to the submission, the same on every page,
in the API and in the e-mails; managers see the names next to the numbers.

Posts are kept as written; each is audited (on the post: the submission's history is shown
to the applicant) and e-mailed to the other reviewers taking part.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ecotone.accounts.audit import record_audit
from ecotone.programs.models import Programme

from .. import emails
from ..conflicts import ConflictIndex
from ..models import (
    Assignment,
    DiscussionPost,
    Reviewer,
    ReviewMode,
    ReviewStatus,
    Submission,
)
from ..permissions import is_manager
from .checks import ProgrammeRefused, clean_text, require_manager

MAX_POST = 10_000


def _assignments(submission: Submission) -> list[Assignment]:
    return list(
        Assignment.objects.filter(submission=submission)
        .select_related("reviewer__user", "review", "round")
        .order_by("pk")
    )


def reviewer_numbers(submission: Submission) -> dict[int, int]:
    """Reviewer id → their number on this submission (1, 2, …), by first assignment."""
    numbers: dict[int, int] = {}
    for assignment in _assignments(submission):
        numbers.setdefault(assignment.reviewer_id, len(numbers) + 1)
    return numbers


def participants(submission: Submission) -> list[Reviewer]:
    """The reviewers taking part: active, a review of it submitted, in no conflict with it."""
    assignments = _assignments(submission)
    submitted: dict[int, Reviewer] = {}
    for a in assignments:
        review = getattr(a, "review", None)
        if a.reviewer.active and review is not None and review.status == ReviewStatus.SUBMITTED:
            submitted.setdefault(a.reviewer_id, a.reviewer)
    if not submitted:
        return []
    index = ConflictIndex(submitted.values(), [submission])
    return [r for r in submitted.values() if not index.conflicted(r, submission)]


def participant_of(user: User | AnonymousUser, submission: Submission) -> Reviewer | None:
    if not (user and user.is_authenticated):
        return None
    return next((r for r in participants(submission) if r.user_id == user.pk), None)


def can_discuss(user: User | AnonymousUser, submission: Submission) -> bool:
    return is_manager(user, submission.programme) or participant_of(user, submission) is not None


def require_discussant(user: User | AnonymousUser, submission: Submission) -> None:
    if not can_discuss(user, submission):
        raise PermissionDenied(
            _(
                "Only the programme's managers and the submission's reviewers, once their "
                "review is in, take part in its discussion."
            )
        )


@dataclass(frozen=True)
class Post:
    """A post as one reader sees it: the author's name or number, never more."""

    id: int
    author: str
    by_you: bool
    by_manager: bool
    body: str
    round: str
    created_at: datetime


def author_label(
    post: DiscussionPost,
    *,
    viewer_is_manager: bool,
    blind: bool,
    numbers: dict[int, int],
    reviewers_by_user: dict[int, Reviewer],
) -> str:
    author = post.author
    if author is None:
        return _("Former participant")
    name = author.get_full_name() or author.get_username()
    reviewer = reviewers_by_user.get(author.pk)
    if reviewer is None or reviewer.pk not in numbers:
        return _("%(name)s (manager)") % {"name": name}
    number = _("Reviewer %(n)s") % {"n": numbers[reviewer.pk]}
    if blind and not viewer_is_manager:
        return number
    return f"{number} ({name})"


def thread(user: User | AnonymousUser, submission: Submission) -> list[Post]:
    """The discussion as ``user`` may read it; ``PermissionDenied`` for anyone else."""
    require_discussant(user, submission)
    manager = is_manager(user, submission.programme)
    blind = submission.programme.review_mode == ReviewMode.BLIND
    numbers = reviewer_numbers(submission)
    reviewers_by_user = {
        r.user_id: r for r in Reviewer.objects.filter(pk__in=numbers).select_related("user")
    }
    posts = submission.discussion_posts.select_related("author", "round")
    return [
        Post(
            id=post.pk,
            author=author_label(
                post,
                viewer_is_manager=manager,
                blind=blind,
                numbers=numbers,
                reviewers_by_user=reviewers_by_user,
            ),
            by_you=post.author_id == user.pk,
            by_manager=post.author_id not in reviewers_by_user,
            body=post.body,
            round=str(post.round) if post.round else "",
            created_at=post.created_at,
        )
        for post in posts
    ]


def transcripts(user: User | AnonymousUser, programme: Programme) -> dict[int, list[Post]]:
    """Every discussion of ``programme`` as its managers read it (names beside numbers),
    by submission id, in a fixed number of queries (the export)."""
    require_manager(user, programme)
    numbers: dict[int, dict[int, int]] = {}
    reviewers_by_user: dict[int, dict[int, Reviewer]] = {}
    for a in (
        Assignment.objects.filter(submission__programme=programme)
        .select_related("reviewer__user")
        .order_by("pk")
    ):
        mine = numbers.setdefault(a.submission_id, {})
        mine.setdefault(a.reviewer_id, len(mine) + 1)
        reviewers_by_user.setdefault(a.submission_id, {})[a.reviewer.user_id] = a.reviewer
    found: dict[int, list[Post]] = {}
    for post in DiscussionPost.objects.filter(submission__programme=programme).select_related(
        "author", "round"
    ):
        by_user = reviewers_by_user.get(post.submission_id, {})
        label = author_label(
            post,
            viewer_is_manager=True,
            blind=False,
            numbers=numbers.get(post.submission_id, {}),
            reviewers_by_user=by_user,
        )
        found.setdefault(post.submission_id, []).append(
            Post(
                id=post.pk,
                author=label,
                by_you=post.author_id == user.pk,
                by_manager=post.author_id not in by_user,
                body=post.body,
                round=str(post.round) if post.round else "",
                created_at=post.created_at,
            )
        )
    return found


@transaction.atomic
def post_message(*, user: User, submission: Submission, body: str) -> DiscussionPost:
    """Add ``body`` to the discussion; the other reviewers taking part get an e-mail."""
    require_discussant(user, submission)
    text = clean_text({"body": body}, "body", limit=MAX_POST)
    if not text:
        raise ProgrammeRefused(_("Write a message."), field="body")
    post = DiscussionPost.objects.create(
        submission=submission, author=user, round=submission.current_round, body=text
    )
    # on the post, not the submission: the submission's history is the applicant's to read
    record_audit(
        actor=user,
        action="discussion_post",
        record=post,
        changes={"submission": submission.pk, "characters": len(text)},
    )
    recipients = [r for r in participants(submission) if r.user_id != user.pk]
    numbers = reviewer_numbers(submission)
    transaction.on_commit(lambda: emails.discussion_posted(post, recipients, numbers), robust=True)
    return post
