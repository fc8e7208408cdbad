"""``ecotone alerts send``: e-mail the match alerts that are due (run it hourly or daily
from cron or the worker; a second run sends nothing already sent)."""

from django.core.management.base import BaseCommand

from ecotone.matching.alerts import send_due_alerts
from ecotone.matching.match_lists import send_due_match_lists
from ecotone.matching.saved_searches import send_due_saved_searches


class Command(BaseCommand):
    help = "Send the match alerts, saved-search and match-list alerts that are due."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["send"])

    def handle(self, *args, **options):
        def progress(run):
            if options["verbosity"] > 1:
                self.stdout.write(f"  checked {run.checked}, sent {run.sent}")

        run = send_due_alerts(progress=progress)
        self.stdout.write(
            f"alerts checked: {run.checked}; e-mails sent: {run.sent}; records: {run.items}"
        )
        sent, items = send_due_saved_searches()
        self.stdout.write(f"saved searches: e-mails sent: {sent}; records: {items}")
        sent, items = send_due_match_lists()
        self.stdout.write(f"match lists: e-mails sent: {sent}; records: {items}")
