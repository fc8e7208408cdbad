"""The embedded backend's vector index: passages in a SQLite file, searched exactly.

Why exact search in numpy rather than an HNSW graph: at 100k passages × 384 dimensions a
matrix product takes a few milliseconds on two cores (DESIGN §4 measured 3.4 ms), recall
is 1.0, and single-document updates are row writes with nothing to rebalance. The file
(``vectors.sqlite3`` beside the tantivy index) is the truth; each process keeps the
matrices in memory and reloads them when another process (a CLI rebuild, an import) has
written, which a generation counter in the file reveals.
"""

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import DenseHit, IndexedDocument

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, facets TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages (
    space TEXT NOT NULL, key TEXT NOT NULL, chunk INTEGER NOT NULL,
    language TEXT NOT NULL, label TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (space, key, chunk)
);
CREATE INDEX IF NOT EXISTS passages_by_key ON passages (key);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
"""


@dataclass
class SpaceMatrix:
    """One space's passages in memory, grouped so each document's rows are contiguous."""

    vectors: np.ndarray  #: (passages, dim) float32
    starts: np.ndarray  #: first row of each document
    keys: list[str]  #: document key of each group
    chunks: np.ndarray
    languages: list[str]
    labels: list[str]


class VectorStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._generation = -1
        self._spaces: dict[str, SpaceMatrix] = {}
        self._facets: dict[str, dict[str, list[str]]] = {}
        self._masks: dict[tuple[str, str, str], np.ndarray] = {}
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # kept in the file: readers never wait
            db.executescript(SCHEMA)
        #: the generation check runs on every query, so its connection stays open
        self._reader = self._connect(check_same_thread=False)

    def _connect(self, **options) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None, **options)

    # -- writing ---------------------------------------------------------------------

    def write(
        self, documents: Iterable[IndexedDocument], delete_keys: Iterable[str], *, clear=False
    ):
        documents = list(documents)
        gone = [*delete_keys, *(doc.key for doc in documents)]
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            if clear:
                db.execute("DELETE FROM documents")
                db.execute("DELETE FROM passages")
            db.executemany("DELETE FROM documents WHERE key = ?", [(key,) for key in gone])
            db.executemany("DELETE FROM passages WHERE key = ?", [(key,) for key in gone])
            db.executemany(
                "INSERT INTO documents VALUES (?, ?)",
                [(doc.key, json.dumps(doc.facets)) for doc in documents if doc.vectors],
            )
            db.executemany(
                "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?)", _passage_rows(documents)
            )
            db.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- reading ---------------------------------------------------------------------

    def _fresh(self) -> None:
        """Reload the matrices if the file changed since they were read (called under the
        store's lock, which also guards the shared reader connection)."""
        db = self._reader
        db.execute("BEGIN")  # one snapshot: the generation and the rows it describes
        try:
            generation = db.execute("SELECT value FROM meta WHERE name='generation'").fetchone()[0]
            if generation == self._generation:
                return
            rows = db.execute("SELECT key, facets FROM documents")
            facets = {key: json.loads(f) for key, f in rows}
            spaces = {
                space: _load_space(db, space)
                for (space,) in db.execute("SELECT DISTINCT space FROM passages").fetchall()
            }
        finally:
            db.execute("COMMIT")
        self._facets, self._spaces, self._masks = facets, spaces, {}
        self._generation = generation

    def nearest(
        self, space: str, vector: np.ndarray, filters: dict[str, list[str]], limit: int
    ) -> list[DenseHit]:
        with self._lock:
            self._fresh()
            matrix = self._spaces.get(space)
            if matrix is None or limit <= 0:
                return []
            scores = matrix.vectors @ np.asarray(vector, dtype=np.float32)
            best = np.maximum.reduceat(scores, matrix.starts)
            allowed = self._allowed(space, matrix, filters)
            best = np.where(allowed, best, -np.inf)
            count = min(limit, int(allowed.sum()))
            if count == 0:
                return []
            top = np.argpartition(-best, count - 1)[:count]
            top = top[np.argsort(-best[top], kind="stable")]
            return [self._hit(matrix, scores, int(group)) for group in top]

    def _hit(self, matrix: SpaceMatrix, scores: np.ndarray, group: int) -> DenseHit:
        start = matrix.starts[group]
        end = matrix.starts[group + 1] if group + 1 < len(matrix.starts) else len(scores)
        row = start + int(np.argmax(scores[start:end]))
        kind, pk = matrix.keys[group].split(":")
        return DenseHit(
            kind=kind,
            pk=int(pk),
            score=float(scores[row]),
            chunk=int(matrix.chunks[row]),
            language=matrix.languages[row],
            label=matrix.labels[row],
        )

    def _allowed(self, space: str, matrix: SpaceMatrix, filters: dict[str, list[str]]):
        allowed = np.ones(len(matrix.keys), dtype=bool)
        for facet, values in {**filters, "status": ["published"]}.items():
            allowed &= self._mask(space, matrix, facet, tuple(sorted(values)))
        return allowed

    def _mask(self, space: str, matrix: SpaceMatrix, facet: str, values: tuple[str, ...]):
        cache_key = (space, facet, "\x1f".join(values))
        if cache_key not in self._masks:
            wanted = set(values)
            self._masks[cache_key] = np.fromiter(
                (
                    bool(wanted.intersection(self._facets.get(key, {}).get(facet, ())))
                    for key in matrix.keys
                ),
                dtype=bool,
                count=len(matrix.keys),
            )
        return self._masks[cache_key]

    def counts(self) -> dict[str, int]:
        with self._connect() as db:
            return dict(db.execute("SELECT space, COUNT(*) FROM passages GROUP BY space"))


def _passage_rows(documents: list[IndexedDocument]):
    for doc in documents:
        for space, vectors in doc.vectors.items():
            for passage, vector in zip(doc.passages, vectors, strict=True):
                blob = np.asarray(vector, dtype=np.float32).tobytes()
                yield space, doc.key, passage.chunk, passage.language, passage.label, blob


def _load_space(db: sqlite3.Connection, space: str) -> SpaceMatrix:
    rows = db.execute(
        "SELECT key, chunk, language, label, vector FROM passages"
        " WHERE space = ? ORDER BY key, chunk",
        (space,),
    ).fetchall()
    keys = [row[0] for row in rows]
    starts = [i for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
    return SpaceMatrix(
        vectors=np.frombuffer(b"".join(row[4] for row in rows), dtype=np.float32).reshape(
            len(rows), -1
        ),
        starts=np.asarray(starts, dtype=np.int64),
        keys=[keys[i] for i in starts],
        chunks=np.asarray([row[1] for row in rows], dtype=np.int64),
        languages=[row[2] for row in rows],
        labels=[row[3] for row in rows],
    )
