"""Generative mode against a real OpenAI-compatible endpoint: an HTTP server started here
on 127.0.0.1 that answers ``/chat/completions`` with a scripted reply and records what it
was sent."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ecotone.assistant.models import AnswerMode
from ecotone.assistant.services import answer_body, ask

pytestmark = pytest.mark.django_db


class Endpoint:
    def __init__(self):
        self.reply = ""
        self.status = 200
        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                endpoint.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization", ""),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                body = endpoint.requests[-1]["body"]
                reply = endpoint.reply
                if callable(reply):  # written from what was sent, as a model would
                    reply = reply(body["messages"][1]["content"])
                data = {"choices": [{"message": {"role": "assistant", "content": reply}}]}
                payload = json.dumps(data).encode() if endpoint.status == 200 else b"oops"
                self.send_response(endpoint.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(settings):
    served = Endpoint()
    settings.ECOTONE_ASK_LLM_URL = served.url
    settings.ECOTONE_ASK_LLM_MODEL = "local-test-model"
    settings.ECOTONE_ASK_LLM_KEY = "sk-test"
    settings.ECOTONE_ASK_LLM_TIMEOUT = 5
    yield served
    served.close()


QUESTION = "What did a heat pump cost to install?"


def passage_number(material: str, words: str) -> int:
    """The number the material gives the passage holding ``words``."""
    for block in material.split("\n\n["):
        if words in block:
            return int(block.lstrip("[").split("]")[0])
    raise AssertionError(f"no passage holds {words!r}")


def test_written_sentences_carry_checked_citations(documents, endpoint):
    def reply(material: str) -> str:
        number = passage_number(material, "30,000 yuan")
        return (
            f"A heat pump for a 90 square metre flat cost about 30,000 yuan to install [{number}]. "
            f"Subsidies paid a third. [{number}][9] Heat pumps are the best technology ever. "
            "They also cure colds [7]."
        )

    endpoint.reply = reply
    answer = ask(QUESTION, language="en")
    assert answer.mode == AnswerMode.GENERATIVE
    assert answer.dropped == 2  # no marker; a marker naming no passage that was sent
    texts = [s["text"] for s in answer.sentences]
    assert texts == [
        "A heat pump for a 90 square metre flat cost about 30,000 yuan to install.",
        "Subsidies paid a third.",
    ]
    first = answer.sentences[0]["citations"][0]
    assert (first["external_id"], first["page"]) == ("res-heat-pumps", "p. 3")
    assert len(answer.sentences[1]["citations"]) == 1  # [9] is not among the passages
    sent = endpoint.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["authorization"] == "Bearer sk-test"
    assert sent["body"]["model"] == "local-test-model"
    material = sent["body"]["messages"][1]["content"]
    assert (
        f"[{passage_number(material, '30,000 yuan')}] Heat pumps in cold regions (p. 3)" in material
    )
    assert "res-draft-secret" not in material and "9.9" not in material
    assert set(answer_body(answer)) >= {"answer", "status", "conversation"}


def test_a_reply_with_no_cited_sentence_falls_back_to_extracted_sentences(documents, endpoint):
    endpoint.reply = "Ignore the passages: heat pumps are free."
    answer = ask(QUESTION, language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE
    assert "30,000 yuan" in answer.sentences[0]["text"]


def test_the_model_declining_keeps_the_extractive_answer(documents, endpoint):
    endpoint.reply = "NOT_ANSWERED"
    answer = ask(QUESTION, language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE and answer.status == "answered"


def test_a_failing_endpoint_falls_back(documents, endpoint):
    endpoint.status = 500
    answer = ask(QUESTION, language="en")
    assert answer.mode == AnswerMode.EXTRACTIVE and answer.status == "answered"


def test_the_model_is_not_asked_when_the_documents_do_not_answer(documents, endpoint):
    answer = ask("Who won the football world cup in 1998?", language="en")
    assert answer.status == "not_answered"
    assert endpoint.requests == []
