"""CSV and XLSX of a programme's submissions, restricted to what the user may see.

Managers get every submission with review counts, mean scores, the reviewers' discussion
(one line per message, its author named) and the applicant's responses per round; anyone
else gets the rows
``permissions.visible_submissions`` allows (an applicant's own, a reviewer's unconflicted
queue) and no score columns. Blind programmes hide the applicant from reviewers here too.
Text cells are neutralised (``core.spreadsheets``), so no applicant's text is a formula.
"""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from ecotone.core.spreadsheets import neutralise_row, xlsx_row

from .models import ReviewMode, ReviewStatus
from .permissions import is_applicant, is_manager, visible_submissions
from .services import discussion, responses
from .views import visible_programme

BASE_COLUMNS = ["id", "title", "track", "applicant", "status", "round", "submitted_at"]
MANAGER_COLUMNS = ["reviews_submitted", "mean_total", "discussion", "applicant_responses"]


def submission_rows(user, programme) -> tuple[list[str], list[list]]:
    manager = is_manager(user, programme)
    columns = BASE_COLUMNS + (MANAGER_COLUMNS if manager else [])
    rows = []
    if manager:
        posts = discussion.transcripts(user, programme)
        answers = responses.responses_by_submission(user, programme)
    for submission in visible_submissions(user, programme):
        shows_applicant = (
            manager or programme.review_mode == ReviewMode.OPEN or is_applicant(user, submission)
        )
        row = [
            submission.pk,
            submission.title,
            submission.track.key,
            submission.applicant.label if shows_applicant else "",
            submission.status,
            submission.current_round.position if submission.current_round else "",
            submission.submitted_at.isoformat() if submission.submitted_at else "",
        ]
        if manager:
            totals = [
                a.review.total
                for a in submission.assignments.select_related("review")
                if hasattr(a, "review")
                and a.review.status == ReviewStatus.SUBMITTED
                and a.review.total is not None
            ]
            row += [len(totals), round(sum(totals) / len(totals), 2) if totals else ""]
            row += [
                "\n".join(
                    f"{post.created_at:%Y-%m-%d %H:%M} {post.author}: {post.body}"
                    for post in posts.get(submission.pk, [])
                ),
                "\n".join(
                    f"{response.window.round}: {response.text}"
                    for response in answers.get(submission.pk, [])
                ),
            ]
        rows.append(row)
    return columns, rows


def _csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    # Titles and applicant names are the applicants' own text: never a formula for the
    # manager who opens the file.
    writer.writerows(neutralise_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(columns, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Submissions")[:31])
    sheet.append(xlsx_row(sheet, columns))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", _csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}


def export_submissions(request, slug: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    programme = visible_programme(request, slug)
    columns, rows = submission_rows(request.user, programme)
    content_type, write = FORMATS[fmt]
    response = HttpResponse(write(columns, rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-submissions.{fmt}"'
    return response
