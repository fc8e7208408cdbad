"""Records keep no copy of their English text in a Chinese field.

The rule itself is ``ecotone.core.bilingual`` (the search index and the pages read it too);
this is how the catalogue's writers apply it: the forms, and so pages, the API and imports.
"""

from typing import NamedTuple

from ecotone.core.bilingual import ChineseText, bilingual_pairs, judge_chinese

COPY_NOTE = "the same text as {english}, not a translation: stored empty"
LATIN_NOTE = "no Chinese characters: kept as written, but search does not read it as Chinese"


class BilingualNote(NamedTuple):
    field: str
    emptied: bool
    message: str


def empty_copied_chinese(values: dict, pairs=None) -> list[BilingualNote]:
    """Empty, in ``values``, each Chinese field that repeats its English field.

    Answers a note for each field emptied, and for each Latin-only Chinese field
    (kept: "BYD" may be how a Chinese reader knows the name, but it may also be a mistake).
    ``pairs``: the (English, Chinese) fields to look at (default: those of ``values``)."""
    notes = []
    for english, chinese in bilingual_pairs(list(values)) if pairs is None else pairs:
        verdict = judge_chinese(str(values.get(chinese) or ""), str(values.get(english) or ""))
        if verdict is ChineseText.COPY:
            values[chinese] = ""
            notes.append(BilingualNote(chinese, True, COPY_NOTE.format(english=english)))
        elif verdict is ChineseText.LATIN:
            notes.append(BilingualNote(chinese, False, LATIN_NOTE))
    return notes
