"""Snippets with ``<mark>``ed terms, and which query terms matched in which field."""

from html import escape

from .text import CJK, WORD, Term, fold, stem, to_simplified

SNIPPET_CHARS = 160


def _normalised(text: str) -> tuple[str, list[int]]:
    """Folded, lower-cased, simplified text and, per character, its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text):
        folded = fold(char).lower()
        if CJK.fullmatch(folded):
            folded = to_simplified(folded)
        for piece in folded:
            chars.append(piece)
            offsets.append(offset)
    return "".join(chars), offsets


def find_matches(text: str, terms: list[Term]) -> tuple[list[tuple[int, int]], set[str]]:
    """Spans of ``text`` that match ``terms`` and the surfaces of the terms that matched."""
    normal, offsets = _normalised(text)
    english = {t.token: t.surface for t in terms if t.language == "en"}
    spans: list[tuple[int, int]] = []
    matched: set[str] = set()
    latin = CJK.sub(lambda run: " " * len(run.group()), normal)
    for word in WORD.finditer(latin):
        if stem(word.group()) in english:
            spans.append((word.start(), word.end()))
            matched.add(english[stem(word.group())])
    for term in (t for t in terms if t.language == "zh"):
        start = normal.find(term.token)
        while start != -1:
            spans.append((start, start + len(term.token)))
            matched.add(term.surface)
            start = normal.find(term.token, start + 1)
    return _to_original(_merge(spans), offsets, len(text)), matched


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _to_original(spans, offsets: list[int], length: int) -> list[tuple[int, int]]:
    def original(index: int) -> int:
        return offsets[index] if index < len(offsets) else length

    return [(original(start), original(end - 1) + 1) for start, end in spans]


def snippet(text: str, spans: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped window of ``text`` around its first match, matches in ``<mark>``."""
    first = spans[0][0] if spans else 0
    start = max(0, first - size // 4)
    end = min(len(text), start + size)
    parts = ["…" if start else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)


def describe(fields: dict[str, str], terms: list[Term]) -> tuple[str, str]:
    """(snippet of the best field, explanation of what matched where)."""
    best: tuple[int, str, list] | None = None
    reasons = []
    for name, text in fields.items():
        if not text:
            continue
        spans, matched = find_matches(text, terms)
        if matched:
            reasons.append(f"{name}: {', '.join(sorted(matched))}")
            if best is None or len(matched) > best[0]:
                best = (len(matched), text, spans)
    if best is None:
        first = next((text for text in fields.values() if text), "")
        return snippet(first, []), "no query term matched the stored text"
    return snippet(best[1], best[2]), "matched " + "; ".join(reasons)
