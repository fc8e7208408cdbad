"""BM25 in the PostgreSQL backend: scores against an independent computation, IDF,
length normalisation, the title weight, the two-stage cut, and statistics that stay
exact through updates, deletes, rebuilds and the migration."""

import importlib
import math
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from ecotone.search.backends import SearchQuery
from ecotone.search.backends import postgres_bm25 as bm25
from ecotone.search.backends.postgres_bm25 import field_score, prefix_upper
from ecotone.search.text import Term, index_tokens, query_terms

from .contract import doc, find, keys


def needs_postgres(test):
    """Marks a test that runs against the PostgreSQL backend (the pure ones run anywhere)."""
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: DATABASE_URL=$(bash scripts/test-postgres.sh url)",
    )
    return pytest.mark.postgres(skip(pytest.mark.usefixtures("db")(test)))


migration = importlib.import_module("ecotone.search.migrations.0003_postgres_bm25")
postings_migration = importlib.import_module("ecotone.search.migrations.0004_postgres_postings")


def backend(**kwargs):
    from ecotone.search.backends.postgres import PostgresBackend

    return PostgresBackend(**kwargs)


# -- an independent BM25 over the same tokens ---------------------------------------------


class Reference:
    """BM25 computed from the documents' own tokens, the way tantivy scores two fields."""

    def __init__(self, documents):
        self.fields = {}
        for d in documents:
            title = index_tokens(" \n".join(d.title_fields.values()))
            body = index_tokens(" \n".join(d.body_fields.values()))
            self.fields[(d.kind, d.pk)] = (Counter(title), len(title), Counter(body), len(body))
        self.n = len(documents)
        self.average = [sum(f[i] for f in self.fields.values()) / self.n for i in (1, 3)]

    def holds(self, counts: Counter, term) -> int:
        if not term.prefix:
            return counts[term.token]
        stems = {term.token[:n] for n in range(max(3, len(term.token) - 3), len(term.token))}
        return sum(c for t, c in counts.items() if t.startswith(term.token) or t in stems)

    def idf(self, term, field: int) -> float:
        if not term.prefix:
            df = sum(1 for f in self.fields.values() if f[field][term.token])
        else:  # the most common of the lexemes the prefix matches
            lexemes = {t for f in self.fields.values() for t in f[field]}
            matching = [t for t in lexemes if self.holds(Counter([t]), term)]
            df = max(
                (sum(1 for f in self.fields.values() if f[field][t]) for t in matching), default=0
            )
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def score(self, key, q: str, title_weight: float = 3.0) -> float:
        title, title_length, body, body_length = self.fields[key]
        total = 0.0
        for term in query_terms(q):
            for counts, length, average, field, boost in (
                (title, title_length, self.average[0], 0, title_weight),
                (body, body_length, self.average[1], 2, 1.0),
            ):
                tf = self.holds(counts, term)
                if tf:
                    norm = 1 - 0.75 + 0.75 * length / average
                    total += boost * self.idf(term, field) * tf * 2.2 / (tf + 1.2 * norm)
        return total

    def ranking(self, q: str, title_weight: float = 3.0) -> list[tuple[tuple[str, int], float]]:
        scored = [(key, self.score(key, q, title_weight)) for key in self.fields]
        matching = [(key, s) for key, s in scored if s > 0]
        return sorted(matching, key=lambda item: (-item[1], item[0]))


CORPUS = [
    doc(1, "Solar storage", "Battery storage beside a solar farm in a park"),
    doc(2, "Heat pump retrofit", "Heat pumps for schools; storage of heat overnight"),
    doc(3, "Cement kiln", "Carbon capture at a cement kiln"),
    doc(4, "Storage", "storage storage storage of water for a dry town"),
    doc(5, "Electric buses", "Electric bus charging at depots with solar canopies"),
    doc(6, "Electricity market", "A market for flexible electricity demand"),
    doc(7, "光伏储能", "工业园区的光伏与储能项目"),
    doc(8, "Community solar", "Solar panels on community rooftops; solar for everyone"),
]


# -- the formula (pure) -------------------------------------------------------------------


@given(
    tf=st.integers(1, 10_000),
    length=st.integers(0, 100_000),
    average=st.floats(0.01, 1e5),
    weight=st.floats(0.0, 20.0),
)
def test_a_field_never_scores_its_bound(tf, length, average, weight):
    """The two-stage ranking relies on it: a term and field give less than (k1 + 1) × idf."""
    score = field_score(tf, length, average, weight)
    assert 0 <= score <= 2.2 * weight
    assert field_score(tf + 1, length, average, weight) >= score
    assert field_score(tf, length + 1, average, weight) <= score


LEXEMES = st.sampled_from(["solar", "storage", "heat", "储能", "pump"])


@given(
    tokens=st.lists(LEXEMES, min_size=1, max_size=5),
    postings=st.dictionaries(
        st.tuples(LEXEMES, st.sampled_from([bm25.TITLE, bm25.BODY])), st.integers(1, 20)
    ),
    lengths=st.tuples(st.integers(1, 50), st.integers(1, 500)),
)
def test_the_fast_rescore_counts_and_scores_as_the_general_one(tokens, postings, lengths):
    """The fast top-k re-scores its rows from their postings with a look-up per posting;
    the terms' frequencies and the score are those of the general path, to the bit (a
    term written twice counts twice)."""
    terms = [Term(token, token, "en") for token in tokens]
    lexemes = [lexeme for lexeme, _ in postings]
    fields = [field for _, field in postings]
    found: dict[str, list[int]] = {}
    for (lexeme, field), tf in postings.items():
        found.setdefault(lexeme, [0, 0])[field] = tf
    general = bm25.occurrences_of(terms, [(lexeme, *tfs) for lexeme, tfs in found.items()])
    fast = bm25.exact_occurrences(bm25.term_places(terms), lexemes, fields, list(postings.values()))
    assert fast == general and list(fast) == list(general)
    weights = [bm25.TermWeight(title=1.5 + n, body=0.7 * n) for n in range(len(terms))]
    collection = bm25.Collection(100, 430, 9_100)
    by_field = sum(
        3.0 * field_score(title, lengths[0], collection.average_title, weights[index].title)
        + field_score(body, lengths[1], collection.average_body, weights[index].body)
        for index, (title, body) in general.items()
    )
    assert bm25.bm25(fast, weights, lengths, collection, 3.0) == by_field


@given(st.text(min_size=1, max_size=5), st.text(max_size=5))
def test_prefix_upper_ends_the_prefix_range(prefix, rest):
    upper = prefix_upper(prefix)
    assert upper is None or prefix + rest < upper


# -- ranking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q", ["solar", "storage", "solar storage", "heat pump", "储能", "electr*", "cement solar"]
)
@pytest.mark.parametrize("title_weight", [3.0, 1.0, 0.2])
@needs_postgres
def test_scores_are_bm25(q, title_weight):
    engine = backend()
    engine.rebuild(CORPUS)
    expected = Reference(CORPUS).ranking(q, title_weight)
    page = find(engine, q, title_weight=title_weight)
    assert keys(page) == [key for key, _ in expected]
    assert [hit.score for hit in page.hits] == pytest.approx([s for _, s in expected], rel=1e-9)
    assert page.total == len(expected)


def filler(count: int) -> str:
    return " ".join(f"filler{n}" for n in range(count))


@needs_postgres
def test_a_rare_word_outranks_a_common_one():
    # Every document holds "solar" but the last; only it holds "cement"; same lengths.
    common = [doc(pk, "", f"solar {filler(5)}") for pk in range(1, 9)]
    rare = doc(9, "", f"cement {filler(5)}")
    engine = backend()
    engine.rebuild([*common, rare])
    assert keys(find(engine, "solar cement"))[0] == ("solution", 9)


@needs_postgres
def test_shorter_documents_rank_first():
    engine = backend()
    engine.rebuild([doc(1, "", f"storage {filler(40)}"), doc(2, "", f"storage {filler(4)}")])
    assert keys(find(engine, "storage")) == [("solution", 2), ("solution", 1)]


@needs_postgres
def test_the_title_weight_multiplies_the_title_score():
    engine = backend()
    engine.rebuild([doc(1, "storage", "grid"), doc(2, "grid", "storage")])
    (one,) = [h for h in find(engine, "storage", title_weight=1.0).hits if h.pk == 1]
    (three,) = [h for h in find(engine, "storage", title_weight=3.0).hits if h.pk == 1]
    assert three.score == pytest.approx(3 * one.score)
    assert keys(find(engine, "storage", title_weight=0.2)) == [("solution", 2), ("solution", 1)]


def zipf_corpus(count: int, seed: int = 5):
    """Documents drawn from a vocabulary where a few words are everywhere and most are
    rare, so that many documents hold the same query words and the first stage must
    choose among them. As in catalogue text, a word is mostly written once per field;
    a third of the bodies repeat one of their words (up to four times)."""
    rng = random.Random(seed)
    words = [f"word{n}" for n in range(60)]
    weights = [1 / (n + 1) for n in range(60)]

    def field(most: int) -> str:
        chosen = list(dict.fromkeys(rng.choices(words, weights, k=rng.randint(1, most))))
        if most > 4 and rng.random() < 0.33:
            chosen += [rng.choice(chosen)] * rng.randint(1, 3)
        return " ".join(chosen)

    return [doc(pk, field(4), field(40)) for pk in range(1, count + 1)]


@needs_postgres
def test_the_two_stage_cut_keeps_the_exact_top():
    corpus = zipf_corpus(400)
    # a tenth of the matches or less is scored exactly
    engine = backend(rerank_depth=40, fast_top_k=False)
    engine.rebuild(corpus)
    reference = Reference(corpus)
    for q in ["word0 word1", "word0 word30", "word2 word5 word9", "word0", "word1 word44 word0"]:
        expected = reference.ranking(q)
        page = find(engine, q, limit=10)
        assert page.total == len(expected) > 40
        scores = [hit.score for hit in page.hits]
        assert scores == pytest.approx([s for _, s in expected[:10]], rel=1e-9), q
        for hit in page.hits:  # the documents are the ones with those scores
            assert hit.score == pytest.approx(reference.score((hit.kind, hit.pk), q))


@needs_postgres
def test_pages_across_the_cut_walk_every_hit_once():
    engine = backend(rerank_depth=5, fast_top_k=False)
    engine.rebuild(zipf_corpus(60))
    total = find(engine, "word0 word3").total
    seen, scores = [], []
    for offset in range(0, total + 4, 4):
        page = find(engine, "word0 word3", limit=4, offset=offset)
        assert page.total == total
        seen += keys(page)
        scores += [hit.score for hit in page.hits]
    assert len(seen) == len(set(seen)) == total
    assert scores == sorted(scores, reverse=True)


# -- fast top-k ---------------------------------------------------------------------------

FAST_QUERIES = ["word0 word1", "word0 word30", "word2 word5 word9", "word0", "word1 word44 word0"]


def assert_exact_top(engine, reference, queries, limit=10, offset=0, title_weight=3.0):
    for q in queries:
        expected = reference.ranking(q, title_weight)
        page = find(engine, q, limit=limit, offset=offset, title_weight=title_weight)
        want = expected[offset : offset + limit]
        assert keys(page) == [key for key, _ in want], q
        assert [hit.score for hit in page.hits] == pytest.approx([s for _, s in want], rel=1e-9)
        # exact when every posting was read, else enough to say a next page exists
        assert page.total == len(expected) or offset + limit < page.total <= len(expected)


def spy_on_top_k(monkeypatch) -> list:
    """Records what each ``top_k`` call did: how many statements it ran (each reading
    deeper), and whether it answered (None: it handed over to the two-stage ranking)."""
    calls, at_depth = [], bm25._top_k_at

    def counted(*args, **kwargs):
        calls[-1]["rounds"] += 1
        return at_depth(*args, **kwargs)

    def top_k(*args):
        calls.append({"rounds": 0})
        calls[-1]["answer"] = answer = original(*args)
        return answer

    original = bm25.top_k
    monkeypatch.setattr(bm25, "_top_k_at", counted)
    monkeypatch.setattr(bm25, "top_k", top_k)
    return calls


@needs_postgres
def test_the_fast_top_k_is_the_exhaustive_top_k(monkeypatch):
    monkeypatch.setattr(bm25, "FIRST_DEPTH", 4)  # several statements on a small corpus
    monkeypatch.setattr(bm25, "DEPTH_PER_K", 0)
    monkeypatch.setattr(bm25, "GROWTH", 2)
    calls = spy_on_top_k(monkeypatch)
    corpus = zipf_corpus(600, seed=5)
    engine = backend()
    engine.rebuild(corpus)
    reference = Reference(corpus)
    assert_exact_top(engine, reference, FAST_QUERIES)
    assert_exact_top(engine, reference, FAST_QUERIES, limit=7, offset=13)
    assert_exact_top(engine, reference, ["word3 word8", "word0 word0 word2"], title_weight=0.5)
    assert all(call["answer"] is not None for call in calls)  # the fast path answered
    assert max(call["rounds"] for call in calls) >= 3
    # Writes after the rebuild move the averages away from the stored impacts' reference:
    # longer documents raise them, so stored impacts are below the current parts.
    longer = [
        doc(
            d.pk,
            " ".join([d.title_fields["title_en"]] * 3),
            " ".join([d.body_fields["description_en"]] * 4),
        )
        for d in corpus[:250]
    ]
    engine.update(longer, delete_keys=[f"solution:{pk}" for pk in range(590, 601)])
    now = {(d.kind, d.pk): d for d in corpus[:589]}
    now.update({(d.kind, d.pk): d for d in longer})
    assert_exact_top(engine, Reference(list(now.values())), FAST_QUERIES)


@needs_postgres
def test_the_fast_top_k_returns_its_hits_stored_texts(monkeypatch):
    """The page's stored fields and facets come with the ranking statement: a search sends
    the statistics and the top-k, no third statement for the texts."""
    calls = spy_on_top_k(monkeypatch)
    corpus = [
        doc(pk, f"Solar {pk}", f"storage beside a park {pk}", country=["CN"]) for pk in range(1, 30)
    ]
    engine = backend()
    engine.rebuild(corpus)
    with CaptureQueriesContext(connection) as sent:
        page = find(engine, "solar storage", limit=5)
    assert [call["rounds"] for call in calls] == [1]
    assert len(sent.captured_queries) == 2, [q["sql"][:40] for q in sent.captured_queries]
    assert len(page.hits) == 5
    fetched = engine.fetch(hit.key for hit in page.hits)
    for hit in page.hits:
        assert (hit.external_id, hit.fields, hit.facets) == (
            fetched[hit.key].external_id,
            fetched[hit.key].fields,
            fetched[hit.key].facets,
        )
        assert hit.fields["title_en"] == f"Solar {hit.pk}"


@needs_postgres
def test_several_searches_read_their_statistics_once():
    """``search_many`` (a query, its gloss, and the coverage terms' weights) gives what the
    separate calls give, with one statistics statement for all of them."""
    engine = backend()
    engine.rebuild(CORPUS)
    queries = [
        SearchQuery(terms=query_terms("solar storage"), limit=3),
        SearchQuery(terms=query_terms("光伏 储能"), limit=3),
        SearchQuery(terms=query_terms("electri*"), limit=3),  # the two-stage ranking
        SearchQuery(terms=[], limit=3),
    ]
    weigh = query_terms("heat storage nowhere")
    with CaptureQueriesContext(connection) as sent:
        pages, weights = engine.search_many(queries, weigh)
    statistics = [q for q in sent.captured_queries if bm25.LEXEMES in q["sql"]]
    assert len(statistics) == 1
    assert [(keys(p), p.total) for p in pages] == [
        (keys(engine.search(q)), engine.search(q).total) for q in queries
    ]
    assert all(p.hits for p in pages[:3]) and not pages[3].hits
    assert weights == engine.term_weights(weigh)


@needs_postgres
def test_the_fast_top_k_applies_filters():
    corpus = [
        doc(pk, f"word{pk % 3}", "word0 word1 " * (pk % 5 + 1), country=["CN" if pk % 4 else "DE"])
        for pk in range(1, 120)
    ]
    engine = backend()
    engine.rebuild(corpus)
    reference = Reference(corpus)
    german = {("solution", pk) for pk in range(1, 120) if not pk % 4}
    expected = [key for key, _ in reference.ranking("word0 word1") if key in german]
    page = find(engine, "word0 word1", filters={"country": ["DE"]}, limit=5)
    assert keys(page) == expected[:5]


@pytest.mark.parametrize("front", [1, bm25.KTH_FRONT])
@needs_postgres
def test_the_fast_top_k_looks_past_its_front_when_the_filter_is_rare(monkeypatch, front):
    """The k-th floor is looked for among the best ``KTH_FRONT`` × k documents first;
    when too few of them pass the filter, among all of them."""
    monkeypatch.setattr(bm25, "KTH_FRONT", front)
    calls = spy_on_top_k(monkeypatch)
    corpus = [
        doc(pk, f"word{pk % 3}", "word0 word1 " * (pk % 5 + 1), country=["CN" if pk % 10 else "DE"])
        for pk in range(1, 200)
    ]
    engine = backend()
    engine.rebuild(corpus)
    german = {("solution", pk) for pk in range(1, 200) if not pk % 10}
    expected = [key for key, _ in Reference(corpus).ranking("word0 word1") if key in german]
    page = find(engine, "word0 word1", filters={"country": ["DE"]}, limit=8)
    assert keys(page) == expected[:8]
    assert calls and all(call["answer"] is not None for call in calls)  # the fast path


@needs_postgres
def test_the_fast_top_k_hands_over_when_the_lists_run_long(monkeypatch):
    monkeypatch.setattr(bm25, "FIRST_DEPTH", 2)
    monkeypatch.setattr(bm25, "DEPTH_PER_K", 0)
    monkeypatch.setattr(bm25, "MAX_POSTINGS_READ", 0)
    corpus = zipf_corpus(200, seed=9)
    engine = backend()
    engine.rebuild(corpus)
    reference = Reference(corpus)
    page = find(engine, "word0 word1", limit=10)
    expected = reference.ranking("word0 word1")
    assert page.total == len(expected)  # the two-stage ranking counted every match
    assert keys(page) == [key for key, _ in expected[:10]]


def spy_on_statements(monkeypatch) -> list:
    """Records each top-k statement: whether it was the paired one and whether it
    answered (None: it could not tell at that depth)."""
    statements, at_depth = [], bm25._top_k_at

    def recorded(*args, **kwargs):
        answer = at_depth(*args, **kwargs)
        statements.append((kwargs.get("paired", False), answer is not None))
        return answer

    monkeypatch.setattr(bm25, "_top_k_at", recorded)
    return statements


def flat_corpus(count: int, title_words: int = 12, seed: int = 11):
    """Titles of two to four words from a small vocabulary, one occurrence each (a title
    list's impacts all alike, as in the speed benchmark's catalogue), bodies of six to
    ten of the first twelve words."""
    rng = random.Random(seed)
    words = [f"word{n}" for n in range(max(title_words, 12))]

    def field(low: int, high: int, vocabulary: int) -> str:
        return " ".join(rng.sample(words[:vocabulary], rng.randint(low, high)))

    return [doc(pk, field(2, 4, title_words), field(6, 10, 12)) for pk in range(1, count + 1)]


@needs_postgres
def test_the_paired_statement_ranks_the_documents_met_twice(monkeypatch):
    """On flat title lists the k-th score needs a document in two of them: the statement
    that groups only the documents met twice answers, and its top k is the exhaustive
    one (with a filter, and past the first page)."""
    statements = spy_on_statements(monkeypatch)
    corpus = flat_corpus(400)
    engine = backend()
    engine.rebuild(corpus)
    queries = ["word0 word1 word2", "word5 word6 word7 word8"]
    assert_exact_top(engine, Reference(corpus), queries)
    assert_exact_top(engine, Reference(corpus), queries, limit=7, offset=5)
    assert statements and all(paired and answered for paired, answered in statements)


@needs_postgres
def test_a_document_met_once_keeps_the_paired_statement_from_answering(monkeypatch):
    """A rare word in a short title outweighs two common words together: the paired
    statement, which leaves documents met once out, must not answer, and the statement
    over every document met, at the same depth, finds them."""
    corpus = flat_corpus(1200, title_words=24)  # title lists read to their end, bodies not
    corpus += [doc(1000 + n, "rare", "tidal lagoon barrage") for n in range(3)]
    engine = backend()
    engine.rebuild(corpus)
    monkeypatch.setattr(bm25, "PAIRS_PER_K", math.inf)  # the unpaired statement alone
    unpaired = find(engine, "rare word0 word1", limit=5)
    monkeypatch.setattr(bm25, "PAIRS_PER_K", 0)  # the paired statement first
    statements = spy_on_statements(monkeypatch)
    page = find(engine, "rare word0 word1", limit=5)
    assert statements == [(True, False), (False, True)]
    assert [(hit.key, hit.score) for hit in page.hits] == [
        (hit.key, hit.score) for hit in unpaired.hits
    ]
    expected = Reference(corpus).ranking("rare word0 word1")
    assert keys(page) == [key for key, _ in expected[:5]]
    assert keys(page)[:3] == [("solution", 1000 + n) for n in range(3)]


# -- statistics ---------------------------------------------------------------------------


def counted_statistics() -> dict:
    """The statistics tables as the backend keeps them, and as counted from scratch."""
    with connection.cursor() as cursor:
        # the base tables plus the deltas not folded in yet
        cursor.execute(
            "SELECT lexeme, sum(title_docs), sum(body_docs) FROM ("
            " SELECT * FROM search_pg_lexeme UNION ALL SELECT * FROM search_pg_lexeme_delta"
            ") s GROUP BY lexeme HAVING sum(title_docs) <> 0 OR sum(body_docs) <> 0"
        )
        kept = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT u.lexeme, count(*) FILTER (WHERE 'A' = ANY(u.weights)),"
            " count(*) FILTER (WHERE 'D' = ANY(u.weights))"
            " FROM search_pg_document d, unnest(d.lexemes) u GROUP BY u.lexeme"
        )
        counted = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(bm25.CURRENT_TOTALS)
        totals = cursor.fetchone()[:3]
        cursor.execute(
            "SELECT count(*), coalesce(sum(title_length), 0), coalesce(sum(body_length), 0)"
            " FROM search_pg_document"
        )
        summed = cursor.fetchone()
        cursor.execute("SELECT kind, pk, title_length, body_length FROM search_pg_document")
        lengths = {(kind, pk): (t, b) for kind, pk, t, b in cursor.fetchall()}
    return {
        "kept": kept,
        "counted": counted,
        "totals": totals,
        "summed": summed,
        "lengths": lengths,
    }


def stored_postings() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.kind, d.pk, p.lexeme, p.field, p.tf, p.impact"
            " FROM search_pg_posting p JOIN search_pg_document d ON d.id = p.doc_id"
        )
        return {row[:4]: row[4:] for row in cursor.fetchall()}


def assert_exact(documents):
    found = counted_statistics()
    assert found["kept"] == found["counted"]
    assert found["totals"] == found["summed"]
    expected = {
        (d.kind, d.pk): (
            len(index_tokens(" \n".join(d.title_fields.values()))),
            len(index_tokens(" \n".join(d.body_fields.values()))),
        )
        for d in documents
    }
    assert found["lengths"] == expected


def expected_postings(documents, averages: tuple[float, float]) -> dict:
    """Each document's postings from its own tokens: a field's term frequency as its
    tsvector keeps it (16 positions a lexeme, the title's first), and the impact with the
    reference averages ``(title, body)``."""
    from ecotone.search.backends.postgres import POSITIONS_PER_LEXEME

    postings = {}
    for d in documents:
        title = Counter(index_tokens(" \n".join(d.title_fields.values())))
        body = Counter(index_tokens(" \n".join(d.body_fields.values())))
        lengths = (sum(title.values()), sum(body.values()))
        for token in title.keys() | body.keys():
            in_title = min(title[token], POSITIONS_PER_LEXEME)
            in_body = min(body[token], POSITIONS_PER_LEXEME - in_title)
            for field, tf in ((bm25.TITLE, in_title), (bm25.BODY, in_body)):
                if tf:
                    norm = 0.25 + 0.75 * lengths[field] / averages[field]
                    postings[(d.kind, d.pk, token, field)] = (tf, 2.2 * tf / (tf + 1.2 * norm))
    return postings


def reference_averages() -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT impact_title_average, impact_body_average FROM search_pg_lexical_totals"
        )
        return cursor.fetchone()


def assert_postings(documents):
    stored = stored_postings()
    expected = expected_postings(documents, reference_averages())
    assert stored.keys() == expected.keys()
    for key, (tf, impact) in expected.items():
        assert stored[key] == (tf, pytest.approx(impact, rel=1e-6)), key


@needs_postgres
def test_the_postings_hold_each_fields_frequencies_and_impacts():
    """Read from the tsvectors by a rebuild and by an update: a word repeated past the
    positions a tsvector keeps, a word in both fields, Chinese."""
    repeated = doc(9, "Wind wind", " ".join(["wind"] * 20) + " turbine")
    engine = backend()
    engine.rebuild([*CORPUS, repeated])
    assert_postings([*CORPUS, repeated])
    changed = [doc(3, "Cement", "cement cement kiln heat"), doc(10, "光伏", "光伏 光伏 储能")]
    engine.update(changed, delete_keys=["solution:1"])
    now = [d for d in CORPUS if d.pk not in (1, 3)] + [repeated, *changed]
    assert_postings(now)


@needs_postgres
def test_statistics_stay_exact_through_updates_deletes_and_rebuilds():
    engine = backend()
    engine.rebuild(CORPUS)
    assert_exact(CORPUS)
    assert counted_statistics()["kept"]["solar"] == (2, 3)  # titles 1, 8; bodies 1, 5, 8
    changed = [doc(4, "Solar water", "solar pumps"), doc(9, "Wind", "wind storage")]
    engine.update(changed, delete_keys=["solution:1", "solution:7", "solution:404"])
    now = [d for d in CORPUS if d.pk not in (1, 4, 7)] + changed
    assert_exact(now)
    assert "光伏" not in counted_statistics()["kept"]  # its only document is gone
    engine.update([doc(9, "Wind", "wind storage")] * 2, delete_keys=[])  # unchanged, twice
    assert_exact(now)
    engine.update([], delete_keys=[f"solution:{d.pk}" for d in now])
    assert counted_statistics()["kept"] == {}
    assert counted_statistics()["totals"] == (0, 0, 0)
    engine.rebuild(CORPUS[:3])
    assert_exact(CORPUS[:3])


@needs_postgres
def test_the_migration_counts_what_is_already_indexed():
    engine = backend()
    engine.rebuild(CORPUS)
    before = counted_statistics()
    scores = [hit.score for hit in find(engine, "solar storage").hits]
    postings = stored_postings()
    with connection.schema_editor() as editor:
        postings_migration.drop_postings(None, editor)
        migration.drop_statistics(None, editor)
        migration.add_statistics(None, editor)
        postings_migration.add_postings(None, editor)
    after = counted_statistics()
    found = stored_postings()
    assert {key: tf for key, (tf, _) in found.items()} == {k: tf for k, (tf, _) in postings.items()}
    impacts = {key: impact for key, (_, impact) in postings.items()}
    assert {key: impact for key, (_, impact) in found.items()} == pytest.approx(impacts)
    assert after["kept"] == before["kept"]
    assert after["totals"] == before["totals"]
    assert after["lengths"] == before["lengths"]  # from positions alone
    assert [hit.score for hit in find(engine, "solar storage").hits] == pytest.approx(scores)


covering_migration = importlib.import_module(
    "ecotone.search.migrations.0006_postgres_covering_indexes"
)


def postings_schema() -> dict:
    """The postings table's columns, indexes and constraints, as PostgreSQL describes them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, collation_name, is_nullable"
            " FROM information_schema.columns WHERE table_name = 'search_pg_posting'"
            " ORDER BY ordinal_position"
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_pg_posting'"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'search_pg_posting'::regclass"
        )
        constraints = dict(cursor.fetchall())
        cursor.execute("SELECT to_regclass('search_pg_posting_fresh') IS NULL")
        no_fresh_table = cursor.fetchone()[0]
    return {
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "no_fresh_table": no_fresh_table,
    }


@needs_postgres
def test_a_rebuild_swaps_in_postings_shaped_as_the_migrations_made_them():
    migrated = postings_schema()
    assert "INCLUDE (tf)" in migrated["indexes"]["search_pg_posting_pkey"]
    engine = backend()
    engine.rebuild(CORPUS)
    assert postings_schema() == migrated
    expected = stored_postings()
    engine.rebuild(CORPUS)  # again: the previous fresh table is now the one replaced
    assert postings_schema() == migrated
    assert stored_postings() == expected
    assert_exact(CORPUS)
    # the foreign key still takes a document's postings with it
    engine.update([], delete_keys=["solution:1"])
    assert not [key for key in stored_postings() if key[:2] == ("solution", 1)]
    expected_ranking = Reference(CORPUS[1:]).ranking("solar storage")
    page = find(engine, "solar storage", title_weight=3.0)
    assert keys(page) == [key for key, _ in expected_ranking]
    assert [hit.score for hit in page.hits] == pytest.approx(
        [score for _, score in expected_ranking], rel=1e-9
    )


@needs_postgres
def test_the_covering_index_migration_is_reversible():
    engine = backend()
    engine.rebuild(CORPUS)
    migrated = postings_schema()
    scores = [hit.score for hit in find(engine, "solar storage").hits]
    with connection.schema_editor(atomic=False) as editor:
        covering_migration.drop_indexes(None, editor)
    assert "INCLUDE" not in postings_schema()["indexes"]["search_pg_posting_pkey"]
    assert [hit.score for hit in find(engine, "solar storage").hits] == scores
    with connection.schema_editor(atomic=False) as editor:
        covering_migration.add_indexes(None, editor)
    assert postings_schema() == migrated
    assert [hit.score for hit in find(engine, "solar storage").hits] == scores
