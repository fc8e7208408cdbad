"""Extractive answers: the sentences of the retrieved passages that say most of what the
question asks, each cited with its passage. Nothing is written: every sentence of an
answer is a sentence of a public record, so text inside a question or a document that
reads like an instruction is only ever quoted, never followed.

Retrieval is the search's own (``search.queries.retrieve``: hybrid, or words only without
an embedder) over the kinds in ``passages.KINDS``. A sentence is scored by the share of the
question's concepts it holds (each by its rarity, in either language: ``question``), plus a
little for a passage the search found closest in meaning, and for a follow-up question the
previous question's concepts at a lower weight; a record's pages rank before its summary,
and the best few are weighed by their meaning too (``weigh_meaning``). The answer is
given only when the search finds something that answers the question *and* a sentence
holds enough of it; otherwise the closest passages are offered as reading.
"""

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ecotone.search.embedding import UseEmbedder, get_embedders
from ecotone.search.highlight import find_matches, snippet
from ecotone.search.queries import retrieve
from ecotone.search.text import CJK, stem

from .jurisdictions import named_jurisdictions, outside
from .passages import KINDS, SourcePassage, load_records, normalised, record_passages
from .question import (
    MEASURES,
    Concept,
    asks_for,
    asks_for_figure,
    concepts,
    figure_subject,
    focus,
    gives,
    gives_figure,
    introduces,
    refers_back,
    search_text,
    subject_of,
    without_kind_words,
)

RECORDS = 10  #: records read per question
#: records retrieved when the question names a jurisdiction (a country, the EU): those
#: recorded as applying elsewhere are left out before the first ``RECORDS`` are read
JURISDICTION_DEPTH = 20
MIN_COVERAGE = 0.5  #: share of the question's concept weight a sentence must hold
MAX_CITATIONS = 3  #: per sentence (the same sentence in several records)
READING = 3  #: passages offered when the documents do not answer
FOLLOW_UP_WEIGHT = 0.3  #: of the previous question's concepts in a follow-up
CONTEXT_WEIGHT = 0.9  #: of what the sentence before and the record's title hold besides
PASSAGE_WEIGHT = 0.75  #: of what the rest of the sentence's passage holds besides
SPECIFICITY_WEIGHT = 0.05  #: a tie-breaker (``_prefer_specific``)
RANK_WEIGHT = 0.01  #: taken off per place of the sentence's record in the search's ranking
#: added to the sentences of a record whose title names first what the question names most
#: rarely (``_about_named``): the record is about it
TITLE_SUBJECT_WEIGHT = 0.1
MIN_RECORD_COVERAGE = 0.5  #: of the question a record must hold somewhere to answer it
#: of the whole question's weight a sentence must hold itself to answer when the search's
#: verdict says nothing answers (``overrules_verdict``)
OVERRULING_COVERAGE = 0.5
CLOSENESS_WEIGHT = 0.1
MIN_SENTENCE_CHARS = 12
MAX_SENTENCE_CHARS = 600
NEAR_DUPLICATE = 0.8  #: share of shared words over which two sentences are one
#: the best sentences by their words that are also weighed by their meaning: embedding a
#: sentence costs ~10–35 ms on two shared cores, so only a few are
MEANING_CANDIDATES = 10
#: of a sentence's cosine to the question, less the best candidate's (``weigh_meaning``)
MEANING_WEIGHT = 1.0
#: besides the best sentences of all records, the best few of each record are weighed by
#: their meaning too: a question in other words than its answer ranks a record's answering
#: sentence below the sentences of another record that repeat the question's words
MEANING_PER_RECORD = 2
MEANING_MAX = 24  #: sentences weighed by meaning at most (a batch costs ~0.2 s CPU with USE)
#: a sentence this close in meaning to the question (its cosine, and within
#: ``MEANING_MARGIN`` of the closest weighed) answers holding ``MEANING_COVERAGE`` of the
#: question and one concept of its own: a question in other words than its answer
#: ("rig prices or spread rumours" for 恶意串通、散布虚假信息) shares its meaning, not its words
MEANING_FLOOR = 0.4
MEANING_MARGIN = 0.05
MEANING_COVERAGE = 0.15
MAX_SENTENCES = 3  #: the judged questions name one or two passages; 4 halved precision for nothing
#: taken off a summary's or a field's sentence when the record's own pages were read too: a
#: page says what the document says, a summary only what someone made of it
SUMMARY_PENALTY = 1.0
#: added to a sentence that gives a figure when the question asks for one ("how much",
#: 多少, "when"): the answer to "how much did Congress authorize" is the sentence with
#: the sum, not the ones that name the programme again
FIGURE_WEIGHT = 0.2
#: added to a sentence that gives the kind of answer the question asks for (``question.
#: asks_for``: a sum for "how much funding", a length of time for 多久, a limit for 最多, a
#: definition for "which gases"); such a sentence also answers holding only one of the
#: question's concepts itself when its passage holds the rest (``select``)
KIND_WEIGHT = 0.5
#: a note about the record rather than its subject: who wrote its text and how far to trust
#: it (the demo's "AI-written summary from ccus-policy-hub (author recorded as …); demo text,
#: not an authoritative summary of the policy", 本摘要由…撰写（记录的作者为…），仅作演示文本).
#: It is metadata, never an answer: it holds the record's words ("policy", "summary") and, in
#: a record's summary, ranked as the answer to a question about the policy
PROVENANCE_NOTE = re.compile(
    r"\bauthor(?:s)? (?:is |are )?recorded as\b|\bnot an authoritative (?:summary|text|version)\b"
    r"|\b(?:ai|machine)[- ](?:written|generated) (?:summary|text|description)\b"
    r"|\bdemo text\b|记录的作者|仅作演示|不是该\S{0,6}的权威|AI撰写|人工智能撰写",
    re.IGNORECASE,
)
#: a figure of a sentence ("0.15", "2023", "33.3"), compared across a bilingual record's twin
#: fields (``twin_sentence``)
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
#: a record's field written as a label and its value ("Jurisdiction: United States.",
#: 状态：现行。): a fact about the record, not a sentence that says what it is
LABELLED = re.compile(r"^[^:：。.;；]{1,30}[:：]")
LATIN_WORD = re.compile(r"[a-z]{2,}")
SENTENCE_END = re.compile(r"(?<=[。！？；!?])|(?<=[.;])\s+(?=\S)")
#: a full stop that ends an abbreviation, not a sentence: initials ("U.S.", "U.S.C.",
#: "e.g.") and the few short words written with one before what they name ("No. 3",
#: "Sec. 45Q"); "Section 45Q of the U.S. Internal Revenue Code provides …" is one sentence
ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.){2,}|(?:No|Nos|Sec|Secs|Art|Arts|Para|Fig|Vol|Ch|Pt|cf|vs"
    r"|approx|Inc|Co|Corp|Ltd|Dr|Mr|Mrs|Ms|St)\.)$"
)
WORDS = re.compile(r"[^\W_]+")


@dataclass
class Sentence:
    text: str
    passage: SourcePassage
    coverage: float
    score: float
    matched: tuple[str, ...]  #: labels of the concepts it holds
    meaning: float = 0.0  #: cosine to the question, less the best sentence's
    cosine: float | None = None  #: to the question, when it was weighed by meaning
    #: the kinds of answer asked for that it gives (``question.gives``)
    kinds: frozenset[str] = frozenset()
    #: labels of the concepts the sentence before it or the record's title holds besides
    nearby: tuple[str, ...] = ()
    #: of a record's field (not a document's page), the labels of the concepts its title
    #: holds: a field's every sentence is about the record its title names
    titled: tuple[str, ...] = ()


@dataclass
class Extract:
    status: str  #: "answered" or "not_answered"
    sentences: list[dict] = field(default_factory=list)  #: [{"text", "citations": [...]}]
    reading: list[dict] = field(default_factory=list)  #: citations offered instead
    retrieved: list[SourcePassage] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)


def answer(question: str, language: str, previous: str = "") -> Extract:
    """Answer ``question`` for a reader of ``language`` (``zh``/``en``) from the public
    records; ``previous`` is the conversation's last question, which narrows a follow-up."""
    kinds = asks_for(question)
    wanted = without_kind_words(concepts(question), kinds)
    if not wanted:
        return Extract("not_answered")
    named = None
    # "When did it close?": "it" is the subject of the previous question, when the follow-up
    # asks for a date, a sum, a length of time or a measure of it, which the answer must give
    # (a follow-up asking for anything else would be answered by the subject's own sentences)
    if previous and refers_back(question) and kinds & REQUIRED_KINDS:
        subject = referent(wanted, previous)
        wanted = wanted + subject
        named = max(subject, key=lambda c: c.weight, default=None)
    earlier = [c for c in concepts(previous) if c.label not in {w.label for w in wanted}]
    passages, answered = retrieve_passages(question, previous, wanted + earlier, kinds)
    sentences = ranked_sentences(question, passages, wanted, earlier, kinds, named)
    chosen = in_readers_language(
        in_twin_fields(
            select(sentences, wanted, figure=asks_for_figure(question)), language, passages
        ),
        language,
    )
    terms = [term for concept in wanted + earlier for term in concept.terms]
    if (
        chosen
        and (answered or overrules_verdict(chosen, wanted))
        and gives_what_is_asked(chosen, kinds, figure_subject(question, wanted))
    ):
        return Extract(
            "answered",
            [
                {"text": s.text, "citations": [citation(p, terms, language) for p in ps]}
                for s, ps in chosen
            ],
            retrieved=passages,
            concepts=wanted,
        )
    return Extract(
        "not_answered",
        reading=[citation(p, terms, language) for p in closest(passages, sentences, wanted)],
        retrieved=passages,
        concepts=wanted,
    )


def referent(wanted: list[Concept], previous: str) -> list[Concept]:
    """What "it" in a follow-up stands for: the previous question's subject (``subject_of``),
    weighing at least as much as the follow-up's own words, since it is half of what the
    follow-up asks ("When did [the Kemper project] close?"); a word of the follow-up the
    documents rarely write ("close" for a plant "decommissioned") then does not outweigh it."""
    named = {concept.label for concept in wanted}
    subject = [concept for concept in subject_of(previous) if concept.label not in named]
    own, theirs = sum(c.weight for c in wanted), sum(c.weight for c in subject)
    scale = max(1.0, own / theirs) if theirs else 1.0
    return [dataclasses.replace(concept, weight=concept.weight * scale) for concept in subject]


def ranked_sentences(
    question: str,
    passages: list[SourcePassage],
    wanted: list[Concept],
    earlier: list[Concept],
    kinds: frozenset[str],
    named: Concept | None = None,
) -> list[Sentence]:
    """The sentences of ``passages`` best first: scored by the question's concepts, then the
    leading few weighed by their meaning (what ``answer`` chooses from). ``named``: what the
    question is about, when not its rarest concept (``_about_named``)."""
    sentences = score_sentences(
        passages,
        wanted,
        earlier,
        figure=asks_for_figure(question),
        kinds=kinds,
        focused=focus(question, wanted),
        named=named,
    )
    weigh_meaning(question, sentences)
    return sentences


def retrieve_passages(question: str, previous: str, wanted: list[Concept], kinds=frozenset()):
    """The passages of the records the search ranks first, and its verdict on whether any
    answers. A follow-up is searched alone and together with the previous question; the
    records found by both come first."""
    named = named_jurisdictions(question)
    depth = JURISDICTION_DEPTH if named else RECORDS
    own = retrieve(search_text(question), kinds=KINDS, limit=depth)
    keys, answered, closest_passage = list(own.keys), own.answered, dict(own.closest_passage)
    if previous:
        both = retrieve(search_text(f"{question} {previous}"), kinds=KINDS, limit=depth)
        keys = list(dict.fromkeys([k for k in both.keys if k in own.keys] + both.keys + keys))
        # the follow-up alone ("When did it close?") lacks its subject: together, it has it
        answered = answered or both.answered
        closest_passage = {**both.closest_passage, **closest_passage}
    records = [(kind, record) for kind, record in load_records(keys) if not outside(record, named)]
    records = records[: RECORDS + 2 if previous else RECORDS]
    words: dict[str, float] = {}
    for concept in wanted:
        for term in concept.terms:
            token = normalised(term.token)
            words[token] = max(words.get(token, 0.0), concept.weight)
    passages = []
    # a definition, or what a thing is, is found by its words
    kinds = frozenset(kinds) - {"definition", "identity"}

    def answer_giver(text: str) -> bool:
        return bool(kinds and gives(text, kinds))

    for rank, (kind, record) in enumerate(records):
        found = closest_passage.get((kind, record.pk))
        giving = answer_giver if rank == 0 else None
        passages += record_passages(kind, record, rank, found, words, giving)
    return passages, answered


def sentences_of(text: str) -> list[str]:
    pieces, pending = [], ""
    for piece in SENTENCE_END.split(text):
        piece = (piece or "").strip()
        if not piece:
            continue
        pending = f"{pending} {piece}".strip() if pending else piece
        if _width(pending) >= MIN_SENTENCE_CHARS and not ABBREVIATION.search(pending):
            pieces.append(pending[:MAX_SENTENCE_CHARS])
            pending = ""
    if pending and pieces:
        pieces[-1] = f"{pieces[-1]} {pending}"[:MAX_SENTENCE_CHARS]
    elif pending:
        pieces.append(pending)
    return pieces


def _width(text: str) -> int:
    """Characters, a Chinese one counting twice (it says about as much as a short word)."""
    return len(text) + sum(len(run) for run in CJK.findall(text))


def held(concept: Concept, text: str, stems: frozenset[str]) -> bool:
    for alternative in concept.alternatives:
        if all(_holds(term, text, stems) for term in alternative):
            return True
    return False


def _holds(term, text: str, stems: frozenset[str]) -> bool:
    if term.language == "zh":
        return term.token in text
    if term.prefix:
        return re.search(rf"(?<![^\W_]){re.escape(term.token)}", text) is not None
    return term.token in stems


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in WORDS.findall(CJK.sub(" ", text)))


def coverage(found: list[Concept], concepts_: list[Concept]) -> float:
    total = sum(c.weight for c in concepts_)
    return sum(c.weight for c in found) / total if total else 0.0


def score_sentences(
    passages: list[SourcePassage],
    wanted: list[Concept],
    earlier: list[Concept],
    figure: bool = False,
    kinds: frozenset[str] = frozenset(),
    focused: Concept | None = None,
    named: Concept | None = None,
) -> list[Sentence]:
    """Each sentence holding part of the question, best first.

    Its share of the question is what it holds itself, plus half of what the sentence
    before it and the record's title hold besides ("Their coefficient of performance was
    2.6" answers a question about heat pumps in Harbin when the sentence before names them),
    plus a quarter of what the rest of its passage holds, all measured against the part of
    the question its record holds somewhere. A record that does not hold most
    of the question anywhere (``MIN_RECORD_COVERAGE``: a question about Kenya's carbon price
    against a Hubei policy) answers nothing."""
    by_record: dict[tuple[str, int], list[SourcePassage]] = {}
    for passage in passages:
        by_record.setdefault((passage.kind, passage.pk), []).append(passage)
    scored = []
    for record in by_record.values():
        title = _held_in(" ".join(t for t in record[0].titles.values() if t), wanted)
        texts = [_held_in(p.text, wanted) for p in record]
        widened = _with_previous(record, texts)
        anywhere = set(title).union(*map(set, texts))
        held_here = [c for c in wanted if c in anywhere]
        if coverage(held_here, wanted) < MIN_RECORD_COVERAGE:
            continue
        if any(c not in anywhere for c in wanted if c.label.isdigit()):
            continue  # a figure of the question ("5 千瓦", "2025") is its subject, not wording
        # what the record holds nowhere is the question's wording ("applies", "颁布" for a
        # law that was 制定), not what it asks about: sentences are measured against the rest;
        # but what a "which …" question asks about (哪几个州: its focus) is never wording
        if focused is not None and focused not in held_here:
            held_here = [c for c in wanted if c in held_here or c == focused]
        about = _about_named(record[0], named or max(wanted, key=lambda c: c.weight))
        for passage, in_passage, wide in zip(record, texts, widened, strict=True):
            sentences = _passage_sentences(
                passage,
                held_here,
                earlier,
                title,
                in_passage,
                full=wanted,
                answer=(kinds, focused, wide),
            )
            for sentence in sentences if about else ():
                sentence.score += TITLE_SUBJECT_WEIGHT
            scored += sentences
    _prefer_specific(scored)
    _prefer_pages(scored)
    if figure:
        _prefer_figures(scored)
    _prefer_kinds(scored)
    scored.sort(key=lambda s: -s.score)
    return scored


def _about_named(passage: SourcePassage, named: Concept) -> bool:
    """Whether the record's title names first what the question names most rarely ("Kemper
    county CCUS" for "the Kemper project"; in a follow-up saying "it", the previous
    question's): the record is about it, not one that only mentions it ("ECO2S: Early CO2
    Storage Complex in Kemper County")."""
    return any(introduces(title, named) for title in passage.titles.values() if title)


def _with_previous(record: list[SourcePassage], texts: list[list[Concept]]):
    """What each passage holds, with what the passage before it in the document holds when
    that was read too: a passage cut at a paragraph ("(4) Authorization of appropriations
    There is authorized … $3,500,000,000") continues the section above it."""
    held_at = {p.index: held for p, held in zip(record, texts, strict=True) if p.index >= 0}
    widened = []
    for passage, held in zip(record, texts, strict=True):
        before = held_at.get(passage.index - 1, []) if passage.index > 0 else []
        widened.append(held + [c for c in before if c not in held])
    return widened


def _prefer_specific(scored: list[Sentence]) -> None:
    """Between sentences that hold as much of the question, the one whose own words few
    other sentences hold says more: in a report on heat pumps every sentence names them,
    only one gives their coefficient of performance."""
    holding: dict[str, int] = {}
    for sentence in scored:
        for label in sentence.matched:
            holding[label] = holding.get(label, 0) + 1
    for sentence in scored:
        if not sentence.matched:
            continue  # a field's sentence holding nothing but the figure asked for
        rarity = sum(1 / holding[label] for label in sentence.matched) / len(sentence.matched)
        sentence.score += SPECIFICITY_WEIGHT * rarity


def _prefer_figures(scored: list[Sentence]) -> None:
    """The question asks for an amount or a date: a sentence that gives one ranks higher."""
    for sentence in scored:
        if gives_figure(sentence.text):
            sentence.score += FIGURE_WEIGHT


def _prefer_kinds(scored: list[Sentence]) -> None:
    """The question asks for a kind of answer (a sum, a length of time, a limit, a
    definition): a sentence that gives it ranks higher, and may answer on one concept."""
    for sentence in scored:
        if sentence.kinds:
            sentence.score += KIND_WEIGHT


def _prefer_pages(scored: list[Sentence]) -> None:
    """A record's pages before its summary: an English question over a Chinese regulation
    finds its words in the English summary, its answer on a page."""
    with_pages = {(s.passage.kind, s.passage.pk) for s in scored if s.passage.full_text}
    for sentence in scored:
        key = (sentence.passage.kind, sentence.passage.pk)
        if key in with_pages and not sentence.passage.full_text:
            sentence.score -= SUMMARY_PENALTY


def _held_in(text: str, wanted: list[Concept]) -> list[Concept]:
    normal = normalised(text)
    return _holding(wanted, normal, _stems(normal))


def _holding(wanted: list[Concept], normal: str, stems: frozenset[str]) -> list[Concept]:
    """The concepts ``normal`` holds, a word of it counting for one concept only: "the
    United States" holds 美国 ("United States"), not 州 ("state") as well, unless "state"
    is written once more."""
    found = [c for c in wanted if held(c, normal, stems)]
    reserved: Counter[str] = Counter()
    in_phrase = set()
    for concept in found:
        phrases = [alt for alt in concept.alternatives if len(alt) > 1 and _english_words(alt)]
        held_phrases = [alt for alt in phrases if all(_holds(t, normal, stems) for t in alt)]
        if held_phrases:
            in_phrase.add(concept.label)
            reserved.update(t.token for t in max(held_phrases, key=len))
    if not reserved:
        return found
    counts = Counter(stem(word) for word in WORDS.findall(CJK.sub(" ", normal)))
    kept = []
    for concept in found:
        ways = [alt for alt in concept.alternatives if all(_holds(t, normal, stems) for t in alt)]
        if concept.label in in_phrase or any(
            len(alt) > 1 or not _english_words(alt) or counts[alt[0].token] > reserved[alt[0].token]
            for alt in ways
        ):
            kept.append(concept)
    return kept


def _english_words(alternative) -> bool:
    return all(term.language != "zh" and not term.prefix for term in alternative)


def _passage_sentences(
    passage, wanted, earlier, title, in_passage, full, answer=(frozenset(), None, None)
) -> list[Sentence]:
    """``wanted``: the concepts the record holds, which a sentence must hold enough of
    (``coverage``); ``full``: the whole question, which ranks sentences of all records
    alike (a record holding less of the question ranks its sentences lower)."""
    scored = []
    before: list[Concept] = []
    kinds, focused, wide = answer
    # what a record is: the first sentence of its description or summary says it of the
    # record its title names ("This full chain project is located in …" under "Kemper
    # county CCUS"), so it holds the subject the title holds
    introducing = "identity" in kinds and not passage.full_text and focused in title
    titled = () if passage.full_text else tuple(c.label for c in title)
    for text in sentences_of(passage.text):
        if PROVENANCE_NOTE.search(text):
            continue  # a note on who wrote the record, not a sentence about its subject
        normal = normalised(text)
        stems = _stems(normal)
        found = _holding(wanted, normal, stems)
        given = gives(text, kinds, focused) if kinds else frozenset()
        if introducing and not LABELLED.match(text) and not adds_nothing(normal, full):
            introducing = False
            given |= {"identity"}
            found = found if focused in found else [*found, focused]
        near = [c for c in wanted if c not in found and (c in before or c in title)]
        # a sentence giving what is asked for stands in a passage that may continue the one
        # before it in the document ("(4) Authorization of appropriations … $3,500,000,000")
        context = wide if given and wide is not None else in_passage
        far = [c for c in context if c not in found and c not in near]
        before = found
        if not found and not (titled and given & REQUIRED_KINDS):
            continue  # a field's sentence giving the figure asked for is about its record
        if not given & REQUIRED_KINDS and adds_nothing(normal, full):
            continue  # a heading or a citation says a figure asked for, or nothing
        share = _share(found, near, far, wanted)
        follow = coverage([c for c in earlier if held(c, normal, stems)], earlier)
        score = (
            _share(found, near, far, full)
            + FOLLOW_UP_WEIGHT * follow
            + CLOSENESS_WEIGHT * passage.closest
            - RANK_WEIGHT * passage.rank
        )
        matched = tuple(c.label for c in found)
        nearby = tuple(c.label for c in near)
        scored.append(
            Sentence(
                text, passage, share, score, matched, kinds=given, nearby=nearby, titled=titled
            )
        )
    return scored


def adds_nothing(normal: str, concepts_: list[Concept]) -> bool:
    """Whether a sentence says nothing but the question's own words, figures, single
    letters and signs: a heading or a citation ("26 U.S.C. § 45Q." for "What is 45Q?")
    names what is asked about without saying anything of it, so it is no answer. A
    labelled field says nothing either when its value is only the question's words
    ("Jurisdiction: South Korea." for "What does the Korean CCUS act require?")."""
    label = LABELLED.match(normal)
    if label and _said_beyond(normal[label.end() :], concepts_) == 0:
        return True
    return _said_beyond(normal, concepts_) < 3


def _said_beyond(normal: str, concepts_: list[Concept]) -> int:
    """How much ``normal`` says besides the concepts' words: two for an English word of two
    letters or more without a digit, one for a Chinese character."""
    rest = normal
    english = set()
    for concept in concepts_:
        for term in concept.terms:
            if term.language == "zh":
                rest = rest.replace(normalised(term.token), " ")
            else:
                english.add(term.token)
    words = [
        word
        for word in WORDS.findall(CJK.sub(" ", rest))
        if len(word) > 1 and not any(ch.isdigit() for ch in word) and stem(word) not in english
    ]
    chinese = sum(len(run) for run in CJK.findall(rest))
    return 2 * len(words) + chinese


def _share(found, near, far, concepts_: list[Concept]) -> float:
    return (
        coverage(found, concepts_)
        + CONTEXT_WEIGHT * coverage(near, concepts_)
        + PASSAGE_WEIGHT * coverage(far, concepts_)
    )


def weigh_meaning(question: str, sentences: list[Sentence]) -> None:
    """Weighs the best sentences by how close in meaning each is to the question as well as
    by the words they share, and sorts them again: the sentence that answers often shares
    few words with the question (a figure under a heading that names the programme, an
    English question over a Chinese regulation) but much of its meaning. The multilingual
    USE model bridges the two languages best of the search's embedders (and is the
    quickest); without an embedder the words alone rank. A sentence's meaning is its
    cosine less the best candidate's, so the best loses nothing and the rest, not weighed,
    lose as much as the furthest that was."""
    embedders = get_embedders()
    if not embedders or not sentences:
        return
    embedder = next((e for e in embedders if isinstance(e, UseEmbedder)), embedders[0])
    candidates = meaning_candidates(sentences)
    query = embedder.embed_query(question)
    cosines = embedder.embed_passages([s.text for s in candidates]) @ query
    best, furthest = float(np.max(cosines)), float(np.min(cosines))
    for sentence, cosine in zip(candidates, cosines, strict=True):
        sentence.meaning = float(cosine) - best
        sentence.cosine = float(cosine)
    weighed = {id(s) for s in candidates}
    for sentence in sentences:
        if id(sentence) not in weighed:
            sentence.meaning = furthest - best
    for sentence in sentences:
        sentence.score += MEANING_WEIGHT * sentence.meaning
    sentences.sort(key=lambda s: -s.score)


def meaning_candidates(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences weighed by meaning: the ``MEANING_CANDIDATES`` best by their words,
    then the best ``MEANING_PER_RECORD`` of each record not among them (up to
    ``MEANING_MAX``), so that a record whose answer is worded unlike the question has its
    sentences measured too."""
    chosen = sentences[:MEANING_CANDIDATES]
    taken = {id(s) for s in chosen}
    per_record: Counter[tuple[str, int]] = Counter((s.passage.kind, s.passage.pk) for s in chosen)
    for sentence in sentences[MEANING_CANDIDATES:]:
        if len(chosen) >= MEANING_MAX:
            break
        key = (sentence.passage.kind, sentence.passage.pk)
        if per_record[key] < MEANING_PER_RECORD and id(sentence) not in taken:
            chosen.append(sentence)
            per_record[key] += 1
    return chosen


def close_in_meaning(sentence: Sentence) -> bool:
    """Whether the sentence is about as close in meaning to the question as any weighed
    (``MEANING_MARGIN``) and close in itself (``MEANING_FLOOR``)."""
    return (
        sentence.cosine is not None
        and sentence.cosine >= MEANING_FLOOR
        and sentence.meaning >= -MEANING_MARGIN
    )


def select(sentences: list[Sentence], wanted: list[Concept], figure: bool = False):
    """The best sentences that hold enough of the question, each once: a sentence written
    in several records (or nearly so) is one sentence with several citations. A sentence of
    a record's field holds what the record's title holds too ("Capture capacity: 3 Mt
    CO2/yr" under "Kemper county CCUS"); when the question asks how much, how many or when
    (``figure``), a sentence without a figure does not answer it."""
    chosen: list[tuple[Sentence, list[SourcePassage]]] = []
    for sentence in sentences:
        # a sentence giving the kind of answer asked for says the question's focus in its
        # own way ("$3,500,000,000" for "how much funding"): its passage may hold the rest
        needed = 1 if sentence.kinds else min(2, len(wanted))
        least = MIN_COVERAGE
        if close_in_meaning(sentence):  # it says the question in other words
            needed, least = 1, MEANING_COVERAGE
        own = set(sentence.matched) | set(sentence.titled)
        if sentence.coverage < least or len(own) < needed:
            continue
        same = next((c for c in chosen if _same(c[0].text, sentence.text)), None)
        if same is not None:
            keys = {(p.kind, p.pk) for p in same[1]}
            new = (sentence.passage.kind, sentence.passage.pk) not in keys
            if new and len(same[1]) < MAX_CITATIONS:
                same[1].append(sentence.passage)
            continue
        if len(chosen) < MAX_SENTENCES:
            chosen.append((sentence, [sentence.passage]))
    # of those, the ones without a figure do not answer how much (the best few are chosen
    # first: a figure further down the ranking is no more likely the one asked for)
    return [c for c in chosen if gives_figure(c[0].text)] if figure else chosen


def in_twin_fields(chosen, language: str, passages: list[SourcePassage]):
    """``chosen`` with each sentence of a record's field in the other language (``outcomes_zh``
    for an English reader) replaced by the sentence that says it in the record's twin field in
    the reader's language (``outcomes_en``), cited with that field's passage, when the twin
    field is not empty and one of its sentences corresponds (``twin_sentence``): the Chinese
    text may hold the question's glossed words best, the reader still gets the record's own
    English. A sentence without a corresponding one is kept as it is; one that becomes a
    sentence already chosen adds its citations to it."""
    suffix, other = f"_{language}", "_zh" if language == "en" else "_en"
    fields = {(p.kind, p.pk, p.field): p for p in passages if p.field}
    result: list[tuple[Sentence, list[SourcePassage]]] = []
    for sentence, cited in chosen:
        passage = sentence.passage
        twin = None
        if passage.field.endswith(other):
            base = passage.field.removesuffix(other)
            twin = fields.get((passage.kind, passage.pk, base + suffix))
        text = twin_sentence(sentence.text, passage.text, twin.text) if twin else None
        if twin is not None and text is not None:
            sentence = dataclasses.replace(sentence, text=text, passage=twin)
            cited = [twin if p is passage else p for p in cited]
        same = next((c for c in result if c[0].text == sentence.text), None)
        if same is None:
            result.append((sentence, cited))
        else:
            same[1].extend(p for p in cited if p not in same[1])
    return result


def twin_sentence(sentence: str, text: str, twin_text: str) -> str | None:
    """The sentence of ``twin_text`` (a bilingual record's field in the other language) that
    says what ``sentence`` of ``text`` says: the one in the same place when the two fields
    are written sentence for sentence (as many sentences, each pair agreeing: ``agree``; the
    demo's "Announcement year: 2017." and 首次公开年份：2017。), else the one agreeing with it
    that holds the same figures, when no other sentence of either field holds them (a code
    written in several sentences, VM0049, says nothing of which); ``None`` when none does.
    A translation split at another place (the English at a semicolon, the Chinese not)
    shifts every sentence after it: its pairs disagree, and the figures alone decide."""
    own, twins = sentences_of(text), sentences_of(twin_text)
    if sentence not in own:
        return None
    if len(own) == len(twins) and all(agree(a, b) for a, b in zip(own, twins, strict=True)):
        return twins[own.index(sentence)]
    figures = figures_in(sentence)
    if not figures or sum(figures_in(s) == figures for s in own) > 1:
        return None
    holding = [t for t in twins if figures_in(t) == figures]
    return holding[0] if len(holding) == 1 and agree(sentence, holding[0]) else None


def agree(a: str, b: str) -> bool:
    """Whether two sentences in the two languages may say the same: both without figures or
    the figures of one among the other's ("5 December 2023": 2023年12月5日), and the Latin
    words written in the Chinese one ("Northern Lights", "IEA", "COP28") in the English."""
    figures_a, figures_b = figures_in(a), figures_in(b)
    if bool(figures_a) != bool(figures_b) or not (figures_a <= figures_b or figures_b <= figures_a):
        return False
    chinese, english = (a, b) if CJK.search(a) else (b, a)
    return latin_words(chinese) <= latin_words(english)


def figures_in(text: str) -> frozenset[str]:
    return frozenset(f.replace(",", "") for f in FIGURE.findall(normalised(text)))


def latin_words(text: str) -> frozenset[str]:
    return frozenset(LATIN_WORD.findall(normalised(text)))


def in_readers_language(chosen, language: str):
    """``chosen`` without the sentences of a record's field in the other language when a
    sentence of the same field in the reader's language is chosen too: a bilingual record
    says its outcomes twice, and the reader is given the words they asked in. Unless the
    other language's sentence gives the sum, date or length of time asked for and none of
    the reader's does: a policy's Chinese summary may say 287 亿丹麦克朗 where the English
    one says no sum, and dropped, it left "How much has Denmark put into its NECCS fund?"
    declined."""
    suffix, other = f"_{language}", "_zh" if language == "en" else "_en"
    own: dict[tuple, frozenset[str]] = {}
    for sentence, _ in chosen:
        if sentence.passage.field.endswith(suffix):
            key = _field_key(sentence.passage, suffix)
            own[key] = own.get(key, frozenset()) | sentence.kinds
    kept = []
    for sentence, cited in chosen:
        key = _field_key(sentence.passage, other)
        twice = sentence.passage.field.endswith(other) and key in own
        if twice and not (sentence.kinds & REQUIRED_KINDS) - own[key]:
            continue  # the reader's field says as much
        kept.append((sentence, cited))
    return kept


def _field_key(passage: SourcePassage, suffix: str) -> tuple:
    return (passage.kind, passage.pk, passage.field.removesuffix(suffix))


#: the kinds of answer an answer must give when the question asks for one: a question asking
#: how much, how long or when is not answered by sentences without a sum, a length of time
#: or a date (a limit or a definition may be said in too many ways to insist on)
REQUIRED_KINDS = frozenset({"money", "duration", "date", *MEASURES})


#: the kinds that are a quantity *of* something: the sentence giving one must name what the
#: question asks it of (``question.figure_subject``): "2.6万吨" is no allowance total, a
#: credit of "$180 per ton" no cost of capture
QUANTITIES = frozenset({"money", *MEASURES})


def gives_what_is_asked(chosen, kinds: frozenset[str], subject: Concept | None = None) -> bool:
    """Whether a chosen sentence gives the sum, length of time, date or measure the
    question asks for (any of them, when it asks for several), or the question asks for
    none; a sum or a measure only in a sentence that names, itself or in the sentence
    before, what the question asks it of (``subject``), when the question says that."""
    required = kinds & REQUIRED_KINDS
    if not required:
        return True
    for sentence, _ in chosen:
        given = sentence.kinds & required
        if not given:
            continue
        if subject is None or not given <= QUANTITIES:
            return True
        if subject.label in sentence.matched or subject.label in sentence.nearby:
            return True
    return False


def overrules_verdict(chosen, wanted: list[Concept]) -> bool:
    """Whether a chosen sentence holds, in its own words, at least ``OVERRULING_COVERAGE``
    of the question's weight: then it answers although the search's verdict, which weighs
    whole records, found nothing that does (自愿注销的碳排放配额…不再进行分配 for a question
    on cancelled allowances). On the dev half and the demo set the verdict never declined an
    unanswerable question that a sentence would have answered, and declined three answerable
    ones."""
    return any(
        coverage([c for c in wanted if c.label in sentence.matched], wanted) >= OVERRULING_COVERAGE
        for sentence, _ in chosen
    )


def _same(a: str, b: str) -> bool:
    words_a, words_b = set(WORDS.findall(normalised(a))), set(WORDS.findall(normalised(b)))
    if not words_a or not words_b:
        return a == b
    return len(words_a & words_b) / len(words_a | words_b) >= NEAR_DUPLICATE


def closest(
    passages: list[SourcePassage], sentences: list[Sentence], wanted: list[Concept]
) -> list[SourcePassage]:
    """The passages holding the best sentences, else the first passages retrieved that hold
    a concept of the question at least: one that holds none of it is not worth reading
    ("chocolate cake recipe with ganache" was offered three CCS facilities)."""
    offered: list[SourcePassage] = []
    for sentence in sentences:
        if sentence.passage not in offered:
            offered.append(sentence.passage)
        if len(offered) == READING:
            return offered
    for passage in passages:
        if len(offered) == READING:
            break
        if passage not in offered and _held_in(passage.text, wanted):
            offered.append(passage)
    return offered


def citation(passage: SourcePassage, terms, language: str) -> dict:
    """A passage as an answer cites it: the contract's keys, then what a page shows and what
    a shared answer keeps (the record's version when it was read)."""
    spans, _ = find_matches(passage.text, terms)
    return {
        "kind": passage.kind,
        "external_id": passage.external_id,
        "title": passage.title(language),
        "page": passage.page,
        "passage": passage.text,
        "passage_html": snippet(passage.text, spans, size=len(passage.text) + 1),
        "titles": dict(passage.titles),
        "url": passage.url,
        "version": passage.version,
    }
