"""Snippets with ``<mark>``ed terms, and which query terms matched in which field."""

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from sys import intern
from unicodedata import is_normalized

from django.db.models import Field
from django.utils.translation import get_language, gettext, pgettext

from .backends.base import DenseHit
from .text import CJK, FUNCTION_WORDS, WORD, Term, fold, stem, to_simplified

SNIPPET_CHARS = 160
#: how far into a long field matches are looked for (a 20,000-character document would
#: cost ~10 ms a result in the per-character normalisation below)
DESCRIBED_CHARS = 4000
#: field texts whose normalised form a process keeps (at most DESCRIBED_CHARS each)
NORMALISED_KEPT = 1024
#: characters of field texts whose vocabulary a process keeps (``_vocabulary``, ~16 bytes
#: a character): the demo's 4,700 records hold ~13,000 texts of 1.5 million characters
VOCABULARY_CHARS_KEPT = 2_000_000


@lru_cache(maxsize=NORMALISED_KEPT)
def _normalised(text: str) -> tuple[str, Sequence[int]]:
    """Folded, lower-cased, simplified text and, per character, its offset in ``text``.
    Kept per process: a result's fields are read for the query and again for its gloss,
    and the same records come back for query after query."""
    if text.isascii():  # the common case, and lower() keeps every offset
        return text.lower(), range(len(text))
    folded, offsets = _folded(text)
    if not CJK.search(folded):
        return folded, offsets
    simplified = to_simplified(folded)  # one call: converting char by char is slow
    if len(simplified) == len(folded):
        return simplified, offsets
    return _normalised_by_character(text)


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """Each character folded and lower-cased, and the offset in ``text`` of each result."""
    lowered = text.lower()
    # already folded, and lower() maps each character to one (a final sigma depends on
    # what follows it, so that text takes the way by character)
    if len(lowered) == len(text) and "Σ" not in text and is_normalized("NFKC", text):
        return lowered, range(len(text))
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text):
        for piece in fold(char).lower():
            chars.append(piece)
            offsets.append(offset)
    return "".join(chars), offsets


def _normalised_by_character(text: str) -> tuple[str, list[int]]:
    """The slow path, for the rare text whose conversion changes its length."""
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
    english = {t.token: t.surface for t in terms if t.language == "en" and not t.prefix}
    prefixes = [t for t in terms if t.prefix]
    spans: list[tuple[int, int]] = []
    matched: set[str] = set()
    latin = CJK.sub(lambda run: " " * len(run.group()), normal)
    for word in WORD.finditer(latin):
        surface = english.get(stem(word.group())) or next(
            (t.surface for t in prefixes if word.group().startswith(t.token)), None
        )
        if surface:
            spans.append((word.start(), word.end()))
            matched.add(surface)
    for term in (t for t in terms if t.language == "zh"):
        start = normal.find(term.token)
        while start != -1:
            spans.append((start, start + len(term.token)))
            matched.add(term.surface)
            start = normal.find(term.token, start + 1)
    return _to_original(_merge(spans), offsets, len(text)), matched


def matched_surfaces(text: str, terms: list[Term]) -> set[str]:
    """The surfaces of the ``terms`` that ``find_matches`` finds in ``text``, from the
    text's kept vocabulary: a look-up per term where ``find_matches`` stems every word.
    ``describe_lexical`` asks it of every field of a result, and ``find_matches`` of the
    one field it shows."""
    normal, stems, words = _vocabulary(text)
    english = {t.token: t.surface for t in terms if t.language == "en" and not t.prefix}
    matched = {surface for token, surface in english.items() if surface and token in stems}
    prefixes = [t for t in terms if t.prefix]
    for word in words if prefixes else ():
        if not english.get(stem(word)):  # else the word is that term's match
            prefix = next((t.surface for t in prefixes if word.startswith(t.token)), None)
            if prefix:
                matched.add(prefix)
    matched.update(t.surface for t in terms if t.language == "zh" and t.token in normal)
    return matched


#: field text → (its normalised form, its stems, its words), and the characters they hold
_vocabularies: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {}
_vocabulary_chars = 0


def _vocabulary(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(the normalised form, the stems, the distinct words) of ``text``'s Latin words,
    kept per process: the same records come back query after query. Words are interned,
    since they recur from text to text (all the demo's texts: ~25 MB, where 8,192 of them
    with each word's positions took 65). Emptied when ``VOCABULARY_CHARS_KEPT`` is reached."""
    global _vocabulary_chars
    known = _vocabularies.get(text)
    if known is None:
        if _vocabulary_chars + len(text) > VOCABULARY_CHARS_KEPT:
            _vocabularies.clear()
            _vocabulary_chars = 0
        normal = _normalised(text)[0]
        latin = CJK.sub(lambda run: " " * len(run.group()), normal)
        words = frozenset(intern(word) for word in WORD.findall(latin))
        stems = frozenset(intern(stem(word)) for word in words)
        known = _vocabularies[text] = (normal, stems, words)
        _vocabulary_chars += len(text)
    return known


def contains_phrase(fields: dict[str, str], phrase: str) -> bool:
    """Whether any field holds ``phrase`` (already folded, lower-cased and simplified),
    ignoring differences in case, width, script and spacing."""
    wanted = " ".join(phrase.split())
    return any(wanted in " ".join(_normalised(text)[0].split()) for text in fields.values())


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _to_original(spans, offsets: Sequence[int], length: int) -> list[tuple[int, int]]:
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


def field_label(kind: str, name: str) -> str:
    """The field's name as the reader's language says it ("title (English)")."""
    return _field_label(kind, name, get_language())


@lru_cache(maxsize=512)
def _field_label(kind: str, name: str, language: str | None) -> str:
    """``field_label`` per language: read for every field of every result."""
    from .registry import get_index

    try:
        field = get_index(kind).model._meta.get_field(name)
    except Exception:  # a field unknown to the model: show its name
        return name
    return str(field.verbose_name) if isinstance(field, Field) else name


def describe_lexical(kind: str, fields: dict[str, str], terms: list[Term]) -> tuple[str, list[str]]:
    """(snippet of the field matching most terms, one reason per field that matched).
    Words like "can" or "how", and Chinese bigrams cut across words (动卡 of 电动卡车), are
    named and marked only when nothing else matched: a result that holds "port" is
    explained by "port", not by "can" as well."""
    topical = [t for t in terms if t.surface not in FUNCTION_WORDS and not t.bigram]
    if topical and len(topical) < len(terms):
        described = _describe_lexical(kind, fields, topical)
        if described[1]:
            return described
    return _describe_lexical(kind, fields, terms)


def _describe_lexical(
    kind: str, fields: dict[str, str], terms: list[Term]
) -> tuple[str, list[str]]:
    best: tuple[int, str] | None = None
    reasons = []
    wording: tuple[str, str] | None = None  # translated once a call, when a field matched
    for name, text in fields.items():
        if not text:
            continue
        text = text[:DESCRIBED_CHARS]
        matched = matched_surfaces(text, terms)
        if matched:
            if wording is None:
                wording = (pgettext("list of words", ", "), gettext("%(words)s in %(field)s"))
            separator, reason = wording
            words = separator.join(f"“{word}”" for word in sorted(_without_parts(matched)))
            reasons.append(reason % {"words": words, "field": field_label(kind, name)})
            if best is None or len(matched) > best[0]:
                best = (len(matched), text)
    if best is None:
        first = next((text for text in fields.values() if text), "")
        return snippet(first, []), reasons
    return snippet(best[1], find_matches(best[1], terms)[0]), reasons


def _without_parts(words: set[str]) -> set[str]:
    """``words`` less those inside another of them: 电 is not named beside 电动."""
    return {word for word in words if not any(word != other and word in other for other in words)}


def describe_dense(kind: str, fields: dict[str, str], hit: DenseHit) -> tuple[str, str]:
    """(snippet of the passage that was closest in meaning, the reason in words)."""
    language = gettext("Chinese") if hit.language == "zh" else gettext("English")
    where = {"language": language, "similarity": f"{hit.score:.2f}"}
    if hit.label:
        page = hit.label.removeprefix("p. ")
        reason = gettext("close in meaning to page %(page)s of the document (%(similarity)s)") % {
            **where,
            "page": page,
        }
        return snippet(_page(fields, hit.label), []), reason
    reason = gettext("close in meaning to the %(language)s text (%(similarity)s)") % where
    text = next(
        (t for n, t in fields.items() if t and n.endswith("_" + hit.language)),
        next((t for t in fields.values() if t), ""),
    )
    return snippet(_body_first(fields, hit.language) or text, []), reason


def _body_first(fields: dict[str, str], language: str) -> str:
    """The first descriptive (non-title) text in ``language``."""
    texts = [t for n, t in fields.items() if t and n.endswith("_" + language)]
    return texts[1] if len(texts) > 1 else ""


def _page(fields: dict[str, str], label: str) -> str:
    number = int(label.removeprefix("p. ") or 1)
    for text in fields.values():
        if "\f" in text:
            pages = text.split("\f")
            return pages[number - 1] if number <= len(pages) else pages[-1]
    return next((t for t in fields.values() if t), "")
