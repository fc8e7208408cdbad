"""The PostgreSQL backend's tsvector literal, written for every indexed document: the
lexemes and their weighted positions as defined by ``document_lexemes``' rules (pure;
runs without a server)."""

from hypothesis import given
from hypothesis import strategies as st

from ecotone.search.backends.postgres import (
    LEXEME_OVERHEAD_BYTES,
    MAX_POSITION,
    POSITIONS_PER_LEXEME,
    document_lexemes,
)


def plainly(title: list[str], body: list[str], budget: int = 1_000_000) -> str:
    """The rules spelt out: every token takes a position (titles first, weight A); a
    lexeme keeps its first 16 positions, capped at PostgreSQL's largest; an empty token, or
    one past the byte budget, is left out; quotes and backslashes are escaped."""
    kept: dict[str, list[str]] = {}
    for position, (token, weight) in enumerate(
        [(t, "A") for t in title] + [(t, "") for t in body], start=1
    ):
        if token not in kept:
            cost = len(token.encode()) + LEXEME_OVERHEAD_BYTES
            if not token or cost > budget:
                continue
            budget -= cost
            kept[token] = []
        if len(kept[token]) < POSITIONS_PER_LEXEME:
            kept[token].append(f"{min(position, MAX_POSITION)}{weight}")
    quoted = {t: "'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in kept}
    return " ".join(f"{quoted[t]}:{','.join(p)}" for t, p in kept.items())


TOKENS = st.lists(st.sampled_from(["solar", "储能", "o'neil", "a\\b", "", "heat"]), max_size=40)


@given(title=TOKENS, body=TOKENS)
def test_the_literal_follows_the_rules(title, body):
    assert document_lexemes(title, body) == plainly(title, body)


def test_positions_past_postgresqls_largest_are_capped():
    body = [f"w{n % 3}" for n in range(MAX_POSITION + 40)] + ["late"]
    assert document_lexemes(["solar"], body) == plainly(["solar"], body)
    assert f"'late':{MAX_POSITION}" in document_lexemes(["solar"], body)
