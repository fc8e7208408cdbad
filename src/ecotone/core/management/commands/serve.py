from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Ecotone with the waitress WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        from waitress import serve

        from ecotone.config.wsgi import application

        settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Ecotone on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="ecotone",
        )
