"""What gets a vector: a record's text split into passages, one per language, and long
texts (a resource's extracted document) by paragraph with their page."""

import re

from .backends.base import Passage
from .text import detect_language

MAX_PASSAGE_CHARS = 1000  #: about what multilingual-e5-small reads (512 tokens)
MAX_CHUNKS = 24  #: a long document's first pages are embedded, the rest stays lexical
SHORT_FIELD_CHARS = 40  #: shorter than this and not a title: a place name, a label
PARAGRAPH = re.compile(r"\n\s*\n")


def field_language(name: str, text: str) -> str:
    if name.endswith("_en"):
        return "en"
    if name.endswith("_zh"):
        return "zh"
    return detect_language(text)


def record_passages(
    texts: dict[str, str], field_order: tuple[str, ...], chunked: tuple[str, ...] = ()
) -> tuple[Passage, ...]:
    """One passage per language present (titles first), then chunks of ``chunked`` fields.

    A language whose only text is short (an English-only record's Chinese city name)
    makes no passage of its own: its words join the record's first passage."""
    groups: dict[str, list[str]] = {}
    substantial: set[str] = set()
    for name in field_order:
        text = " ".join(texts.get(name, "").split())
        if not text or name in chunked:
            continue
        language = field_language(name, text)
        groups.setdefault(language, []).append(text)
        if len(text) >= SHORT_FIELD_CHARS or _is_title(name, field_order):
            substantial.add(language)
    kept = [language for language in groups if language in substantial] or list(groups)[:1]
    leftovers = [text for language in groups if language not in kept for text in groups[language]]
    passages: list[Passage] = []
    for language in kept:
        parts = groups[language] + (leftovers if not passages else [])
        passages.append(Passage(len(passages), language, _clip(_sentences(parts))))
    title = next((" ".join(texts[n].split()) for n in field_order if texts.get(n)), "")
    for name in chunked:
        for label, chunk in document_chunks(texts.get(name, "")):
            if len(passages) >= MAX_CHUNKS:
                break
            text = _clip(_sentences([title, chunk]) if title else chunk)
            passages.append(Passage(len(passages), detect_language(chunk), text, label))
    return tuple(passages)


def _is_title(name: str, field_order: tuple[str, ...]) -> bool:
    return field_order.index(name) < 2 and name.startswith(("title", "name"))


def _sentences(parts: list[str]) -> str:
    """Fields joined as sentences, so "Sun Power" and "We build" don't run together."""
    ended = [part if part[-1] in ".。!?！？;；" else f"{part}." for part in parts[:-1]]
    return " ".join([*ended, parts[-1]])


def _clip(text: str) -> str:
    return text[:MAX_PASSAGE_CHARS]


def document_chunks(text: str) -> list[tuple[str, str]]:
    """(page label, text) chunks of about ``MAX_PASSAGE_CHARS``: paragraphs are packed
    together and never split across pages (PDF pages arrive separated by form feeds)."""
    chunks: list[tuple[str, str]] = []
    pages = text.split("\f")
    for number, page in enumerate(pages, start=1):
        label = f"p. {number}" if len(pages) > 1 else ""
        current = ""
        for paragraph in PARAGRAPH.split(page):
            paragraph = " ".join(paragraph.split())
            if not paragraph:
                continue
            if current and len(current) + len(paragraph) + 1 > MAX_PASSAGE_CHARS:
                chunks.append((label, current))
                current = ""
            current = f"{current} {paragraph}".strip()
            while len(current) > MAX_PASSAGE_CHARS:
                chunks.append((label, current[:MAX_PASSAGE_CHARS]))
                current = current[MAX_PASSAGE_CHARS:]
        if current:
            chunks.append((label, current))
    return chunks
