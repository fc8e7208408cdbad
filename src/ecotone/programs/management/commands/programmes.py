"""``ecotone programmes …``: set up and run award programmes from the command line.

ecotone programmes list
ecotone programmes show SLUG                                   the API's programme body
ecotone programmes create --file SPEC.json --as USER           same spec as POST /programmes
ecotone programmes update SLUG --file SPEC.json --as USER      same as PATCH /programmes/SLUG
ecotone programmes close-call SLUG --as USER               the call closes now
ecotone programmes reviewers SLUG
ecotone programmes add-reviewer SLUG USER_OR_EMAIL [--expertise T] [--sector S]… [--max-load N]
ecotone programmes deactivate-reviewer SLUG REVIEWER --reason TEXT --as USER
ecotone programmes reactivate-reviewer SLUG REVIEWER --as USER
                                               REVIEWER: the id ``reviewers`` lists, a username
                                               or an e-mail address; as PATCH …/reviewers/{id}
ecotone programmes override-conflict SLUG REVIEWER SUBMISSION --reason TEXT --as USER
                                               set aside a detected conflict (audited)
ecotone programmes reopen-review SLUG ASSIGNMENT --reason TEXT --as USER
                                               send a submitted review back to its reviewer
                                               (ASSIGNMENT: the id the API's assignments list)
ecotone programmes start SLUG --round N --as USER
ecotone programmes assign SLUG --round N --as USER
ecotone programmes ranking SLUG --round N [--format table|csv]
ecotone programmes export SLUG --format csv|xlsx --output FILE --as USER
ecotone programmes publish SLUG --as USER
ecotone programmes response-window SLUG --round N --opens "YYYY-MM-DD HH:MM" --closes … --as USER
                                               open or move a round's applicant response
                                               window (times in the programme's time zone)
ecotone programmes remind [--ahead-days N]     e-mail reviewers of reviews due soon or overdue
                                               (for a daily job)

Writes need ``--as USERNAME``: the person the audit log names, who must be allowed to do it
(staff, or an active member of the organiser). The services are the API's, so the refusals
are too: each names the field at fault.
"""

import csv
import json
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from ecotone.core.bounds import parse_id
from ecotone.core.refusals import Refused
from ecotone.core.spreadsheets import neutralise_cell

from ... import exports, services
from ...api.common import programme_out
from ...api.pool import pool_queryset, reviewer_out
from ...api.rounds import ranking_rows
from ...models import Assignment, Programme, Reviewer, Round
from ...permissions import is_manager
from ...services import assigning, decisions, pool, reminders, responses, reviews, setup

WRITES = {
    "create",
    "update",
    "publish-call",
    "close-call",
    "override-conflict",
    "add-reviewer",
    "import-reviewers",
    "deactivate-reviewer",
    "reactivate-reviewer",
    "reopen-review",
    "start",
    "assign",
    "publish",
    "export",
    "response-window",
}
RANK_COLUMNS = [
    "track",
    "rank",
    "tied",
    "submission",
    "title",
    "mean_raw",
    "mean_calibrated",
    "spread",
    "disagreement",
    "review_count",
    "proposal",
    "decision",
]


class Command(BaseCommand):
    help = "Award programmes: set-up, reviewer pool, assignment, ranking, export, publishing."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("list", help="every programme")
        self._slug(commands.add_parser("show", help="one programme as the API gives it"))
        create = commands.add_parser("create", help="set a programme up from a JSON spec")
        create.add_argument("--file", required=True)
        update = self._slug(commands.add_parser("update", help="change a programme's set-up"))
        update.add_argument("--file", required=True)
        self._slug(commands.add_parser("publish-call", help="show the call to everyone"))
        self._slug(commands.add_parser("close-call", help="close the call now"))
        self._slug(commands.add_parser("reviewers", help="the reviewer pool"))
        imported = self._slug(
            commands.add_parser(
                "import-reviewers", help="add and invite the reviewers of a CSV list"
            )
        )
        imported.add_argument(
            "--file", required=True, help="CSV: user, expertise, sectors, max_load"
        )
        add = self._slug(commands.add_parser("add-reviewer", help="add someone to the pool"))
        add.add_argument("user", help="username or e-mail address")
        add.add_argument("--expertise", default="")
        add.add_argument("--sector", action="append", default=[], help="sector slug")
        add.add_argument("--max-load", type=int, default=None)
        deactivate = self._slug(
            commands.add_parser("deactivate-reviewer", help="take a reviewer out of the pool")
        )
        deactivate.add_argument("reviewer", help="reviewer id, username or e-mail address")
        deactivate.add_argument("--reason", default="", help="kept in the audit log")
        self._slug(
            commands.add_parser("reactivate-reviewer", help="bring a reviewer back to the pool")
        ).add_argument("reviewer", help="reviewer id, username or e-mail address")
        override = self._slug(
            commands.add_parser("override-conflict", help="set aside a detected conflict")
        )
        override.add_argument("reviewer", help="reviewer id, username or e-mail address")
        override.add_argument("submission", help="the submission's id")
        override.add_argument("--reason", default="", help="kept in the audit log")
        reopen = self._slug(
            commands.add_parser("reopen-review", help="send a submitted review back to draft")
        )
        reopen.add_argument("assignment", help="the assignment's id")
        reopen.add_argument("--reason", default="", help="sent to the reviewer, kept in the log")
        for name, text in (("start", "start a round"), ("assign", "run the assignment")):
            self._slug(commands.add_parser(name, help=text)).add_argument(
                "--round", type=int, required=True
            )
        ranking = self._slug(commands.add_parser("ranking", help="calibrated ranking"))
        ranking.add_argument("--round", type=int, required=True)
        ranking.add_argument("--format", choices=["table", "csv"], default="table")
        export = self._slug(commands.add_parser("export", help="submissions as CSV or XLSX"))
        export.add_argument("--format", choices=sorted(exports.FORMATS), required=True)
        export.add_argument("--output", required=True)
        self._slug(commands.add_parser("publish", help="publish the results as awards"))
        window = self._slug(
            commands.add_parser("response-window", help="open or move a response window")
        )
        window.add_argument("--round", type=int, required=True)
        window.add_argument("--opens", required=True, help="YYYY-MM-DD HH:MM, programme's zone")
        window.add_argument("--closes", required=True, help="YYYY-MM-DD HH:MM, programme's zone")
        remind = commands.add_parser("remind", help="e-mail reviewers of reviews due soon")
        remind.add_argument("--ahead-days", type=int, default=reminders.REMIND_AHEAD.days)
        for subparser in commands.choices.values():
            subparser.add_argument("--as", dest="as_user", default=None, metavar="USERNAME")

    @staticmethod
    def _slug(parser):
        parser.add_argument("slug")
        return parser

    def handle(self, *args, **options):
        command = options["command"]
        if command in WRITES and not options["as_user"]:
            raise CommandError(f"{command}: name the acting user with --as USERNAME")
        actor = _user(options["as_user"]) if options["as_user"] else None
        try:
            getattr(self, command.replace("-", "_"))(options, actor)
        except Refused as refused:
            where = f"{refused.field}: " if refused.field else ""
            raise CommandError(f"{where}{refused.message}") from None
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None

    # --- reading --------------------------------------------------------------------------

    def list(self, options, actor):
        for programme in Programme.objects.order_by("-year", "slug"):
            state = (
                "published"
                if programme.results_published
                else ("open" if programme.is_open() else "closed")
            )
            self.stdout.write(f"{programme.slug}\t{programme.year}\t{state}\t{programme.title}")

    def show(self, options, actor):
        self._json(programme_out(_programme(options["slug"])))

    def reviewers(self, options, actor):
        programme = _programme(options["slug"])
        for reviewer in pool_queryset(programme).order_by("user__username"):
            row = reviewer_out(reviewer)
            load = row["max_load"] or "round"
            state = "active" if row["active"] else "inactive"
            sectors = ",".join(row["sectors"]) or "-"
            self.stdout.write(
                f"{row['id']}\t{row['username']}\t{state}\tload={load}\t{sectors}\t"
                f"{row['expertise'][:60]}"
            )

    def ranking(self, options, actor):
        rows = ranking_rows(_round(options["slug"], options["round"]))
        if options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=RANK_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:  # titles are the applicants' text: never a formula
                writer.writerow({key: neutralise_cell(value) for key, value in row.items()})
            return
        for row in rows:
            calibrated = "-" if row["mean_calibrated"] is None else f"{row['mean_calibrated']:.1f}"
            self.stdout.write(
                f"{row['track']}\t{row['rank'] or '-'}{'=' if row['tied'] else ''}\t"
                f"{calibrated}\t{row['proposal'] or '-'}\t{row['title']}"
            )

    # --- writing (audited, as --as) -------------------------------------------------------

    def create(self, options, actor):
        programme = setup.create_programme(
            user=actor, spec=setup.parse_spec(_read_json(options["file"]))
        )
        self.stdout.write(self.style.SUCCESS(f"created {programme.slug}"))

    def update(self, options, actor):
        programme = _managed(options["slug"], actor)
        setup.update_programme(
            user=actor, programme=programme, spec=setup.parse_spec(_read_json(options["file"]))
        )
        self.stdout.write(self.style.SUCCESS(f"updated {programme.slug}"))

    def add_reviewer(self, options, actor):
        reviewer = pool.add_to_pool(
            user=actor,
            programme=_managed(options["slug"], actor),
            identifier=options["user"],
            expertise=options["expertise"],
            sector_slugs=options["sector"],
            max_load=options["max_load"],
        )
        self.stdout.write(self.style.SUCCESS(f"reviewer {reviewer.pk}: {reviewer.display_name}"))

    def publish_call(self, options, actor):
        programme = setup.publish_call(user=actor, programme=_managed(options["slug"], actor))
        self.stdout.write(self.style.SUCCESS(f"published the call of {programme.slug}"))

    def close_call(self, options, actor):
        programme = services.close_call(user=actor, programme=_managed(options["slug"], actor))
        closes = responses.local_text(programme, programme.closes_at)
        self.stdout.write(self.style.SUCCESS(f"the call of {programme.slug} closed at {closes}"))

    def override_conflict(self, options, actor):
        reviewer = _reviewer(options, actor)
        pk = parse_id(options["submission"])
        submission = reviewer.programme.submissions.filter(pk=pk).first() if pk else None
        if submission is None:
            raise CommandError(
                f"submission: {options['slug']} has no submission {options['submission']!r}"
            )
        services.override_conflict(
            user=actor, reviewer=reviewer, submission=submission, reason=options["reason"]
        )
        self.stdout.write(
            self.style.SUCCESS(f"conflict of {reviewer.display_name} with {pk} set aside")
        )

    def import_reviewers(self, options, actor):
        try:
            with open(options["file"], "rb") as handle:
                text = handle.read()
        except OSError as error:
            raise CommandError(f"--file {options['file']}: {error.strerror}") from None
        try:
            added = pool.import_reviewers(
                user=actor, programme=_managed(options["slug"], actor), text=text
            )
        except Refused as refused:  # every line refused, one per line
            lines = [message for _field, message in refused.each_error()]
            raise CommandError("file: " + "\n".join(lines)) from None
        self.stdout.write(self.style.SUCCESS(f"{len(added)} reviewers imported and invited"))

    def deactivate_reviewer(self, options, actor):
        reviewer = pool.deactivate_reviewer(
            user=actor, reviewer=_reviewer(options, actor), reason=options["reason"]
        )
        self.stdout.write(
            self.style.SUCCESS(f"reviewer {reviewer.pk}: {reviewer.display_name} deactivated")
        )

    def reactivate_reviewer(self, options, actor):
        reviewer = pool.reactivate_reviewer(user=actor, reviewer=_reviewer(options, actor))
        self.stdout.write(
            self.style.SUCCESS(f"reviewer {reviewer.pk}: {reviewer.display_name} active")
        )

    def reopen_review(self, options, actor):
        programme = _managed(options["slug"], actor)
        pk = parse_id(options["assignment"])
        assignment = Assignment.objects.filter(pk=pk, round__programme=programme).first()
        if pk is None or assignment is None:
            raise CommandError(
                f"assignment: {programme.slug} has no assignment {options['assignment']!r}"
            )
        reviews.reopen_assigned_review(user=actor, assignment=assignment, reason=options["reason"])
        self.stdout.write(self.style.SUCCESS(f"review of assignment {assignment.pk} reopened"))

    def start(self, options, actor):
        round = _round(options["slug"], options["round"], actor)
        started = services.start_round(user=actor, round=round)
        self.stdout.write(f"round {round.position} started; {started} submissions in review")

    def assign(self, options, actor):
        run = assigning.run_assignment(
            user=actor, round=_round(options["slug"], options["round"], actor)
        )
        self.stdout.write(
            f"created={run.created} removed={run.removed} kept={run.kept} "
            f"shortfall={len(run.shortfall)} total_affinity={run.total_affinity:.4f} "
            f"method={run.method}"
        )
        for submission_id, missing in sorted(run.shortfall.items()):
            self.stdout.write(f"  submission {submission_id}: {missing} reviewer(s) short")

    def export(self, options, actor):
        programme = _programme(options["slug"])
        columns, rows = exports.submission_rows(actor, programme)
        _content_type, write = exports.FORMATS[options["format"]]
        try:
            with open(options["output"], "wb") as handle:
                handle.write(write(columns, rows))
        except OSError as error:
            raise CommandError(f"--output {options['output']}: {error.strerror}") from None
        self.stdout.write(f"{len(rows)} submissions written to {options['output']}")

    def publish(self, options, actor):
        awards = decisions.publish_results(user=actor, programme=_managed(options["slug"], actor))
        self.stdout.write(self.style.SUCCESS(f"published {len(awards)} awards"))

    def response_window(self, options, actor):
        round = _round(options["slug"], options["round"], actor)
        window = responses.set_response_window(
            user=actor,
            round=round,
            opens_at=_moment(options["opens"], "--opens"),
            closes_at=_moment(options["closes"], "--closes"),
        )
        opens = responses.local_text(round.programme, window.opens_at)
        closes = responses.local_text(round.programme, window.closes_at)
        self.stdout.write(
            self.style.SUCCESS(f"round {round.position}: responses from {opens} until {closes}")
        )

    def remind(self, options, actor):
        if options["ahead_days"] < 0:
            raise CommandError("--ahead-days: must be 0 or more")
        sent = reminders.send_due_reminders(ahead=timedelta(days=options["ahead_days"]))
        self.stdout.write(f"{sent} reminder e-mail(s) sent")

    def _json(self, body) -> None:
        self.stdout.write(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))


def _user(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as: no active user {username!r}")
    return user


def _programme(slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).select_related("organiser").first()
    if programme is None:
        raise CommandError(f"slug: no programme {slug!r}")
    return programme


def _managed(slug: str, actor) -> Programme:
    programme = _programme(slug)
    if not is_manager(actor, programme):
        raise CommandError(
            f"--as: {actor.get_username()} may not manage {slug} "
            "(only staff and active members of the organiser may)"
        )
    return programme


def _reviewer(options, actor) -> Reviewer:
    """A reviewer of the managed programme by id (as ``reviewers`` lists it), username or
    e-mail address."""
    pool_of = _managed(options["slug"], actor).reviewers.select_related("user", "programme")
    wanted = options["reviewer"].strip()
    if (pk := parse_id(wanted)) is not None:
        found = pool_of.filter(pk=pk)
    else:
        found = pool_of.filter(Q(user__username=wanted) | Q(user__email__iexact=wanted))
    matches = list(found[:2])
    if len(matches) > 1:
        raise CommandError(f"reviewer: several reviewers have {wanted!r}; give the id")
    if not matches:
        raise CommandError(
            f"reviewer: {options['slug']} has no reviewer {wanted!r} "
            "(give the id that `reviewers` lists, a username or an e-mail address)"
        )
    return matches[0]


def _round(slug: str, position: int, actor=None) -> Round:
    programme = _managed(slug, actor) if actor is not None else _programme(slug)
    round = programme.rounds.filter(position=position).first()
    if round is None:
        raise CommandError(f"--round: {slug} has no round {position}")
    return round


def _moment(text: str, option: str) -> datetime:
    """A date and time as typed (``YYYY-MM-DD HH:MM``, or ISO 8601 with an offset)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option}: give a date and time such as 2025-05-01 18:00") from None


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise CommandError(f"--file {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"--file {path}: not JSON ({error})") from None
