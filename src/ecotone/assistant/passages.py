"""The passages of public records a question is answered from: a resource's full text page
by page (``search.passages.document_chunks``, the pieces the search embeds), its summary,
and the descriptive fields of cases, solutions and needs, each with its section's name."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from ecotone.search.passages import document_chunks
from ecotone.search.registry import get_index
from ecotone.search.text import CJK, fold, to_simplified

#: the kinds whose text answers questions (policies are resources of kind "policy")
KINDS = ("resource", "case", "solution", "need")
#: fields that name or place a record rather than say something about it
NOT_PASSAGES = frozenset({"city", "city_zh", "publisher", "publisher_zh"})
#: what the page the search found closest in meaning adds to the weight a passage holds:
#: about half a concept (a concept weighs its rarity in the index, 1 to 9)
CLOSEST_BONUS = 2.0
PASSAGES_PER_RECORD = 10  #: of a long document, the ones holding most of the question
#: of the record the search ranks first, the passages that give the kind of answer the
#: question asks for (a sum, a length of time …) are read as well, up to this many: the
#: sentence with the sum may hold one of the question's words at most
PASSAGES_GIVING_THE_ANSWER = 30


@dataclass(frozen=True)
class SourcePassage:
    kind: str
    pk: int
    external_id: str
    titles: dict  #: {"en": …, "zh": …}
    page: str  #: "p. 3", a section's name, or ""
    text: str
    url: str
    version: str  #: the record's ``updated_at`` when it was read (ISO 8601)
    rank: int = 0  #: the record's place in the search's ranking
    closest: float = 0.0  #: cosine to the question, when the search found it closest
    full_text: bool = False  #: a page of the document itself, not a summary or a field
    index: int = -1  #: the passage's place in the document (-1: a summary or a field)
    field: str = ""  #: the record's field it is (``outcomes_zh``); "" for a document's page

    def title(self, language: str) -> str:
        preferred = [self.titles.get(language), self.titles.get("en"), self.titles.get("zh")]
        return next((title for title in preferred if title), self.external_id)


def load_records(keys: list[tuple[str, int]]) -> list:
    """The records named by ``keys`` that are public now, in the order of ``keys``."""
    found = {}
    for kind in {kind for kind, _ in keys}:
        pks = [pk for k, pk in keys if k == kind]
        for record in get_index(kind).get_queryset().filter(pk__in=pks):
            found[(kind, record.pk)] = record
    return [(kind, found[(kind, pk)]) for kind, pk in keys if (kind, pk) in found]


def record_passages(
    kind: str, record, rank: int, closest: tuple[str, float] | None, words, giving=None
):
    """The record's passages; of a long text, those holding most of ``words`` (lower-cased
    tokens of the question's concepts, each with its concept's weight) and the page the
    search found closest in meaning, and those for which ``giving(text)`` is true."""
    index = get_index(kind)
    texts = index.field_texts(record)
    titles = {
        "en": texts.get(index.title_fields[0], ""),
        "zh": texts.get(index.title_fields[-1], ""),
    }
    common = {
        "kind": kind,
        "pk": record.pk,
        "external_id": record.external_id,
        "titles": titles,
        "url": record.get_absolute_url(),
        "version": record.updated_at.isoformat(),
        "rank": rank,
    }
    passages = []
    for name in index.body_fields:
        text = " ".join(texts.get(name, "").split())
        if not text or name in NOT_PASSAGES:
            continue
        if name in index.chunked_fields:
            passages += _best_chunks(texts.get(name, ""), words, closest, common, giving)
        else:
            section = str(getattr(index.model._meta.get_field(name), "verbose_name", name))
            near = closest[1] if closest and not closest[0] else 0.0
            passages.append(
                SourcePassage(page=section, text=text, closest=near, field=name, **common)
            )
    return passages


def _best_chunks(
    text: str, words: dict[str, float], closest, common: dict, giving=None
) -> list[SourcePassage]:
    chunks = document_chunks(text)
    page, cosine = closest if closest else ("", 0.0)

    def held(chunk_text: str) -> float:
        # folded and lower-cased only: converting a long Traditional text to Simplified
        # costs seconds a megabyte, and this only chooses which passages are read closely
        normal = fold(chunk_text).lower()
        return sum(weight for word, weight in words.items() if word in normal)

    scored = sorted(
        range(len(chunks)),
        key=lambda i: (
            -(held(chunks[i][1]) + (CLOSEST_BONUS if page and chunks[i][0] == page else 0)),
            i,
        ),
    )
    kept = set(scored[:PASSAGES_PER_RECORD])
    if giving is not None:
        extra = [i for i in scored[PASSAGES_PER_RECORD:] if giving(chunks[i][1])]
        kept.update(extra[:PASSAGES_GIVING_THE_ANSWER])
    return [
        SourcePassage(
            page=chunks[i][0],
            text=chunks[i][1],
            closest=cosine if page and chunks[i][0] == page else 0.0,
            full_text=True,
            index=i,
            **common,
        )
        for i in sorted(kept)
    ]


def normalised(text: str) -> str:
    text = fold(text).lower()
    return to_simplified(text) if CJK.search(text) else text


def page_label(page: str) -> str:
    """ "p. 3" in the reader's language; a section's name as it is."""
    match = re.fullmatch(r"p\. (\d+)", page)
    return gettext("page %(number)s") % {"number": match.group(1)} if match else page
