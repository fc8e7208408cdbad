import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create (or reset) a staff superuser. The password comes from --password, "
        "ECOTONE_ADMIN_PASSWORD or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")
        parser.add_argument("--password", default=None)

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("ECOTONE_ADMIN_PASSWORD")
        if not password:
            import getpass

            password = getpass.getpass("Password for the new admin: ")
        if len(password) < 8:
            raise CommandError("the password must have at least 8 characters")
        user, created = get_user_model().objects.get_or_create(
            username=options["username"], defaults={"email": options["email"]}
        )
        user.email = options["email"]
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "created" if created else "updated"
        self.stdout.write(self.style.SUCCESS(f"admin {user.username!r} {verb}"))
