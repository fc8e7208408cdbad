import json

from django.core.management.base import BaseCommand, CommandError

from ecotone.search.queries import MAX_LIMIT, MODES, InvalidSearch, search_records


class Command(BaseCommand):
    help = (
        'Search the public catalogue as the search page does: `ecotone search "query"`. '
        "Prints each result (rank, match or related, kind, id, title, why), what English a "
        "Chinese query was also searched as, or why nothing was found."
    )

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--mode", choices=MODES, help="default: hybrid with an embedder")
        parser.add_argument("--kind", help="only records of this kind")
        parser.add_argument("--limit", type=int, default=10, help=f"1 to {MAX_LIMIT}")
        parser.add_argument("--json", action="store_true", help="print the results as JSON")

    def handle(self, *args, query: str, mode=None, kind=None, limit=10, **options):
        try:
            page = search_records(query, mode=mode, kind=kind, limit=limit)
        except InvalidSearch as refusal:
            raise CommandError(f"{refusal.field}: {refusal.message}") from None
        if options["json"]:
            body = {
                "results": page.results,
                "mode": page.mode,
                "translation": page.translation,
                "empty_reason": page.empty_reason,
                "message": page.message,
                "did_you_mean": page.did_you_mean,
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        lines = [f"mode: {page.mode}"]
        if page.did_you_mean:
            lines.append(f"did you mean: {page.did_you_mean}")
        if page.translation:
            lines.append(f"also searched in English as: {page.translation}")
        for rank, result in enumerate(page.results, start=1):
            lines.append(
                f"{rank}. [{result['match']}] {result['kind']} {result['external_id']}: "
                f"{result['title']}"
            )
            lines.append(f"   {result['explanation']}")
        if not page.results:
            lines.append(f"no results ({page.empty_reason}): {page.message}")
        self.stdout.write("\n".join(lines))
