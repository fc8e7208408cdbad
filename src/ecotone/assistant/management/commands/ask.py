import json

from django.core.management.base import BaseCommand, CommandError

from ecotone.assistant.passages import page_label
from ecotone.assistant.services import AskRefused, answer_body, ask


class Command(BaseCommand):
    help = (
        'Ask the platform\'s published documents a question: `ecotone ask "question"`. '
        "Prints the answer's sentences, each with the passages it cites, or says that the "
        "documents do not answer and lists the closest passages. The question is stored "
        "like one asked on the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument(
            "--language", choices=["zh", "en"], help="the reader's language (titles, labels)"
        )
        parser.add_argument("--conversation", help="the id of a conversation to follow up in")
        parser.add_argument("--json", action="store_true", help="print the API's JSON body")

    def handle(self, *args, question: str, language=None, conversation=None, **options):
        try:
            answer = ask(question, language=language, conversation=conversation)
        except AskRefused as refusal:
            raise CommandError(f"{refusal.field or 'question'}: {refusal.message}") from None
        body = answer_body(answer, language)
        if options["json"]:
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._text(body))

    def _text(self, body: dict) -> str:
        lines = []
        if body["status"] == "answered":
            for number, sentence in enumerate(body["answer"], start=1):
                lines.append(f"{number}. {sentence['text']}")
                lines += [f"   [{self._source(c)}]" for c in sentence["citations"]]
                if sentence.get("counted", 0) > len(sentence["citations"]):
                    lines.append(f"   … {sentence['counted']} in all: {sentence['list_url']}")
        else:
            lines.append("The platform's documents do not answer this.")
            if body["reading"]:
                lines.append("Closest passages:")
            for citation in body["reading"]:
                lines.append(f"- {self._source(citation)}")
                lines.append(f"  {citation['passage'][:300]}")
        lines.append(f"conversation: {body['conversation']}")
        return "\n".join(lines)

    @staticmethod
    def _source(citation: dict) -> str:
        page = page_label(citation["page"])
        where = f", {page}" if page else ""
        return f"{citation['title']}{where} ({citation['kind']} {citation['external_id']})"
