import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ecotone.catalog.importing import ImportFailed, import_file
from ecotone.catalog.kinds import IMPORT_ORDER, KINDS
from ecotone.core.demo import demo_steps


def fingerprint(folder: Path) -> str:
    """Of every data file the demo reads (the shipped vectors are keyed by text already)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "embeddings" not in path.relative_to(folder).parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def marker_for(folder: Path) -> Path:
    """Where we note which demo data went into which database."""
    database = connection.settings_dict
    identity = f"{database['ENGINE']}|{database['NAME']}|{database.get('HOST', '')}|{folder}"
    name = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return settings.ECOTONE_HOME / f"demo-loaded-{name}.txt"


class Command(BaseCommand):
    help = (
        "Load the bundled demo data set (data/demo/*.jsonl, then each app's demo step). "
        "Records are matched by external_id, so running it again changes nothing; "
        "unchanged data is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=None,
            help="folder holding <kind plural>.jsonl files (default: the bundled data/demo)",
        )
        parser.add_argument(
            "--force", action="store_true", help="import even if this data was loaded before"
        )

    def handle(self, *args, **options):
        folder = Path(options["data_dir"] or settings.DATA_DIR / "demo")
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder")
        marker, current = marker_for(folder), fingerprint(folder)
        if not options["force"] and marker.exists() and marker.read_text() == current:
            self.stdout.write("demo data already loaded (use --force to import it again)")
            return
        vectors = folder / "embeddings"
        if vectors.is_dir() and settings.ECOTONE_EMBEDDER != "none":
            # Vectors the maintainers computed for this data (data/README.md): indexing
            # then embeds only what changed, and a first `make run` stays quick.
            call_command("index", "embeddings", "load", str(vectors), stdout=self.stdout)
        for name in IMPORT_ORDER:
            self._load(KINDS[name], folder)
        for step in demo_steps():
            self.stdout.write(f"{step.name:>14}: loading")
            step.load(folder, self.stdout.write)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(current)

    def _load(self, kind, folder: Path) -> None:
        path = folder / f"{kind.plural}.jsonl"
        if not path.exists():
            return
        try:
            result = import_file(kind, path)
        except ImportFailed as failure:
            for error in failure.result.errors[:20]:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name} has bad rows; nothing from it was loaded") from None
        self.stdout.write(
            f"{kind.plural:>14}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
