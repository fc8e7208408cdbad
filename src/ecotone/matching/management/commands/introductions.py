"""``ecotone introductions remind``: the scheduled step for unanswered introductions.

Run it daily (cron, or the worker's schedule): it reminds members of requests they have
not answered, hands the overdue ones to the brokers, and reminds brokers of requests they
have not acted on. Safe to run twice: nothing is sent twice.
"""

from django.core.management.base import BaseCommand

from ecotone.matching.brokers import process_unanswered_introductions


class Command(BaseCommand):
    help = "Remind and escalate introductions nobody answers (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["remind"], help="remind: the daily run")

    def handle(self, *args, **options):
        run = process_unanswered_introductions()
        self.stdout.write(
            f"members reminded: {run.members_reminded}; "
            f"handed to brokers: {run.handed_to_brokers}; "
            f"brokers reminded: {run.brokers_reminded}"
        )
