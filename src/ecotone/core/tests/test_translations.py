"""The Chinese catalogue is complete and compiled (a page half in English is a bug)."""

import re
from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first entry is the header
    untranslated = [
        e
        for e in entries
        if re.search(r'^msgstr ""\s*$', e, re.M)
        and not re.search(r'^msgstr ""\n"', e, re.M)
        and not e.startswith("#~")
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]


def test_the_compiled_catalogue_matches_the_source():
    import gettext

    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    pairs = []
    for entry in (LOCALE / "django.po").read_text("utf-8").split("\n\n")[1:]:
        context = re.search(r'^msgctxt "(.+)"$', entry, re.M)
        single = re.search(r'^msgid "(.+)"\nmsgstr "(.+)"$', entry, re.M)
        if single and "\\" not in single.group(1):
            pairs.append((context.group(1) if context else None, *single.groups()))
    stale = [
        msgid
        for context, msgid, msgstr in pairs
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert len(pairs) > 100
    assert not stale, f"run compilemessages; stale: {stale[:3]}"
    with translation.override("zh-hans"):
        assert translation.gettext("Organisations") != "Organisations"
