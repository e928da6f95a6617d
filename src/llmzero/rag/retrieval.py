"""Three ways to find the passages that answer a query, and how to combine them.

- **BM25** (``bm25``): word matching. A passage scores high when it holds the query's words, more
  so for words rare in the collection; it finds names and numbers exactly, and misses paraphrases.
- **dense** (``dense``): meaning matching. The query and every chunk are sentence vectors
  (MiniLM); the score is their cosine. It finds paraphrases, and can miss an exact name.
- **hybrid** (``hybrid``, the default): reciprocal rank fusion (RRF). Each retriever ranks its
  candidates; a passage gets ``1 / (RRF_K + rank)`` from each list it appears in, and the sums rank
  the passages. Ranks, not scores, are fused, so BM25's unbounded scores and cosines in [-1, 1]
  never have to be put on one scale.

    passages = search("docs.sqlite", "Quando abriu a biblioteca?", k=5)
    for p in passages:
        print(p.rank, round(p.score, 3), p.source, p.text[:80])

``search`` is a plain function over an index, so a tool (or an agent) can call it too.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Sequence

from llmzero.errors import UserError
from llmzero.rag.index import RESCORE, Index

RETRIEVERS = ("bm25", "dense", "hybrid")
RRF_K = 60  # the usual constant of reciprocal rank fusion: damps the weight of the very first ranks
# how deep each retriever's list goes before the fusion (at least k)
FUSION_DEPTH = 50


@dataclass
class Passage:
    """One retrieved chunk: ``score`` is the retriever's (BM25, cosine, or RRF sum); ``scores``
    holds the others known for it ("bm25", "dense", and their ranks "bm25_rank", "dense_rank")."""

    rank: int
    chunk_id: int
    text: str
    source: str
    path: str
    position: int
    start: int
    end: int
    score: float
    retriever: str
    scores: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: (item, sum over the lists of 1 / (k + rank)), best first; rank 1 is
    the top of a list. Ties keep the order in which the items were first met."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def check_retriever(name: str) -> str:
    if name not in RETRIEVERS:
        raise UserError(
            f"buscador desconhecido: {name!r} (use {', '.join(RETRIEVERS)}).",
            f"unknown retriever: {name!r} (use {', '.join(RETRIEVERS)}).",
        )
    return name


def open_index(index: str | os.PathLike | Index) -> Index:
    return index if isinstance(index, Index) else Index(index)


def search(
    index: str | os.PathLike | Index,
    query: str,
    k: int = 5,
    retriever: str = "hybrid",
    cosines: bool = False,
) -> list[Passage]:
    """The ``k`` best passages of ``index`` for ``query``, best first.

    hybrid on an index without vectors is BM25 alone (each passage says which retriever found it).
    Dense and hybrid search give every passage its cosine with the query (``scores["dense"]``);
    ``cosines=True`` asks for them from BM25 too, when the index has vectors (the "não sei" gate
    reads them), at the cost of embedding the query.
    """
    check_retriever(retriever)
    if not isinstance(query, str) or not query.strip():
        raise UserError("a consulta está vazia.", "the query is empty.")
    if k < 1:
        raise UserError(f"k precisa ser positivo (recebeu {k}).", f"k must be positive (got {k}).")
    own = not isinstance(index, Index)
    idx = open_index(index)
    try:
        return _search(idx, query, k, retriever, cosines)
    finally:
        if own:
            idx.close()


_POOL: list[ThreadPoolExecutor] = []


def _worker() -> ThreadPoolExecutor:
    """One thread kept for the hybrid search's dense half (a thread per query costs time)."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="llmzero-dense"))
    return _POOL[0]


def _embed_and_scan(idx: Index, query: str, n: int):
    vector = idx.encode_query(query)
    return vector, idx.nearest(vector, n)


def _search(idx: Index, query: str, k: int, retriever: str, cosines: bool = False) -> list[Passage]:
    if retriever == "hybrid" and not idx.has_vectors:
        retriever = "bm25"
    depth = max(k, FUSION_DEPTH)
    vector = None
    if retriever == "bm25":
        bm25 = idx.bm25(query, k)
        ranked, dense = bm25, []
    elif retriever == "dense":
        vector = idx.encode_query(query)
        dense = idx.dense(vector, k)
        ranked, bm25 = dense, []
    else:
        # The query's embedding and the scan of the stored vectors (PyTorch) run on a second
        # thread while BM25 (SQLite) runs on this one: both leave Python's lock while they work,
        # so a hybrid query takes the slower of the two, not their sum.
        idx.load_vectors()
        candidates = _worker().submit(_embed_and_scan, idx, query, depth + RESCORE)
        bm25 = idx.bm25(query, depth)
        vector, near = candidates.result()
        dense = idx.rescore(vector, near, depth)
        ranked = rrf([[i for i, _ in bm25], [i for i, _ in dense]])[:k]
    info: dict[int, dict] = {}
    for name, hits in (("bm25", bm25), ("dense", dense)):
        for rank, (i, s) in enumerate(hits, start=1):
            info.setdefault(i, {})[name] = s
            info[i][f"{name}_rank"] = rank
    ids = [i for i, _ in ranked]
    if vector is None and cosines and idx.has_vectors and ids:
        vector = idx.encode_query(query)
    if vector is not None:  # every passage gets its cosine, found by dense search or not
        missing = [i for i in ids if "dense" not in info.get(i, {})]
        for i, c in zip(missing, idx.cosine(vector, missing)):
            info.setdefault(i, {})["dense"] = c
    rows = idx.chunks(ids)
    return [
        Passage(
            rank=n,
            chunk_id=i,
            score=s,
            retriever=retriever,
            scores=info.get(i, {}),
            **rows[i],
        )
        for n, (i, s) in enumerate(ranked, start=1)
    ]
