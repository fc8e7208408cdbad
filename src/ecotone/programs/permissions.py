"""Who may see and do what in a programme — the one module pages, API and exports ask.

- **Managers**: staff, and active members of the organiser organisation. They see every
  submission and review of the programme and run it.
- **Applicants**: active members of the applicant organisation (and whoever created the
  submission). They see their submission, its status and the comments addressed to them —
  never reviewer names, scores or comments to the committee.
- **Reviewers**: see the submissions assigned to them, and only while no conflict stands
  between them and the submission: a conflict found after the assignment hides it at once.
- **Visitors**: public programmes, their call and their published results.
"""

from django.db.models import Q, QuerySet

from ecotone.accounts.permissions import is_staff, member_organisation_ids

from .conflicts import ConflictIndex
from .models import Assignment, Programme, Reviewer, Submission, Visibility


def is_manager(user, programme: Programme) -> bool:
    if is_staff(user):
        return True
    return programme.organiser_id is not None and programme.organiser_id in (
        member_organisation_ids(user)
    )


def managed_programmes(user) -> QuerySet:
    if is_staff(user):
        return Programme.objects.all()
    return Programme.objects.filter(organiser_id__in=member_organisation_ids(user))


def visible_programmes(user) -> QuerySet:
    if is_staff(user):
        return Programme.objects.all()
    org_ids = member_organisation_ids(user)
    return Programme.objects.filter(Q(visibility=Visibility.PUBLIC) | Q(organiser_id__in=org_ids))


def can_view_programme(user, programme: Programme) -> bool:
    return programme.visibility == Visibility.PUBLIC or is_manager(user, programme)


def is_applicant(user, submission: Submission) -> bool:
    if not (user and user.is_authenticated):
        return False
    return submission.created_by_id == user.pk or submission.applicant_id in (
        member_organisation_ids(user)
    )


def reviewer_of(user, programme: Programme) -> Reviewer | None:
    if not (user and user.is_authenticated):
        return None
    return Reviewer.objects.filter(programme=programme, user=user, active=True).first()


def _unconflicted(assignments) -> list[Assignment]:
    assignments = list(assignments)
    index = ConflictIndex(
        {a.reviewer_id: a.reviewer for a in assignments}.values(),
        {a.submission_id: a.submission for a in assignments}.values(),
    )
    return [a for a in assignments if not index.conflicted(a.reviewer, a.submission)]


def _assignments_of(user, **filters) -> QuerySet:
    return Assignment.objects.filter(
        reviewer__user=user, reviewer__active=True, **filters
    ).select_related(
        "reviewer__user", "submission__applicant", "submission__created_by", "round", "submission"
    )


def can_review(user, submission: Submission) -> bool:
    """Assigned to it (in any round) and not in conflict with it."""
    if not (user and user.is_authenticated):
        return False
    return bool(_unconflicted(_assignments_of(user, submission=submission)))


def can_view_submission(user, submission: Submission) -> bool:
    return (
        is_manager(user, submission.programme)
        or is_applicant(user, submission)
        or can_review(user, submission)
    )


def review_queue(user, programme: Programme | None = None) -> list[Assignment]:
    """The reviewer's own assignments, conflicted ones left out."""
    if not (user and user.is_authenticated):
        return []
    filters = {"round__programme": programme} if programme is not None else {}
    return _unconflicted(_assignments_of(user, **filters))


def visible_submissions(user, programme: Programme) -> list[Submission]:
    """Every submission of ``programme`` that ``user`` may see (pages, API, exports)."""
    base = Submission.objects.filter(programme=programme).select_related(
        "applicant", "track", "created_by", "current_round", "case", "solution"
    )
    if is_manager(user, programme):
        return list(base)
    if not (user and user.is_authenticated):
        return []
    own = Q(created_by=user) | Q(applicant_id__in=member_organisation_ids(user))
    reviewed = {a.submission_id for a in review_queue(user, programme)}
    return list(base.filter(own | Q(pk__in=reviewed)))
