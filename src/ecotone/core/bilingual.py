"""Whether the Chinese half of a bilingual pair (``title_en`` / ``title_zh``) is Chinese.

Sources and editors often fill the Chinese field with the English text again (a facility
name the source never translated). That is not a second language: pages would show it as
if it were Chinese and search would count it twice. One rule, used by the forms (so by
pages, the API and imports), the demo build, the data migration, the pages' fallback and
the search index:

* ``copy`` — the English text again, ignoring case, spacing and full-width forms: not
  Chinese, stored empty;
* ``latin`` — no Chinese character and not the English text (a brand written in Latin
  letters, "BYD"): kept as written, since a Chinese reader may know the name that way,
  but search never treats it as Chinese text;
* ``chinese`` — holds at least one Chinese character;
* ``empty``.

Standard library only: ``data/build_demo.py`` loads this file without Django.
"""

import re
import unicodedata
from enum import StrEnum

#: Chinese (Han) characters: the unified ideographs, extension A, the compatibility block
#: and the supplementary planes' extensions
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_CJK = re.compile(f"[{CJK_CLASS}]")


class ChineseText(StrEnum):
    EMPTY = "empty"
    CHINESE = "chinese"
    COPY = "copy"
    LATIN = "latin"


def has_chinese(text: str) -> bool:
    return _CJK.search(text or "") is not None


def only_chinese(text: str) -> bool:
    """Chinese characters and no Latin letter: a name that belongs in a Chinese field
    (生态环境部办公厅, not "工信部 (MIIT)")."""
    return has_chinese(text) and re.search(r"[A-Za-z]", text) is None


def _comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def judge_chinese(chinese: str, english: str) -> ChineseText:
    """What the Chinese field of a pair holds, next to its English field.

    Text with a Chinese character is Chinese even when the English field holds the same
    text (then the English field is the odd one, which is not this rule's business)."""
    if not (chinese or "").strip():
        return ChineseText.EMPTY
    if has_chinese(chinese):
        return ChineseText.CHINESE
    if _comparable(chinese) == _comparable(english or ""):
        return ChineseText.COPY
    return ChineseText.LATIN


def without_copy(chinese: str, english: str) -> str:
    """``chinese``, or "" when it is the English text again."""
    return "" if judge_chinese(chinese, english) is ChineseText.COPY else chinese or ""


def bilingual_pairs(names) -> list[tuple[str, str]]:
    """(English field, Chinese field) pairs among ``names``: ``title_en`` / ``title_zh``,
    and ``city`` / ``city_zh`` where the English field has no suffix."""
    present = set(names)
    pairs = []
    for name in names:
        if not name.endswith("_zh"):
            continue
        base = name[: -len("_zh")]
        english = next((n for n in (f"{base}_en", base) if n in present), None)
        if english is not None:
            pairs.append((english, name))
    return pairs
