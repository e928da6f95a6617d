"""Retrieval at scale: index N generated chunks, then time queries with each retriever.

    python benchmarks/bench_rag.py                      # 100,000 chunks
    python benchmarks/bench_rag.py --chunks 2000        # a quick look
    python benchmarks/bench_rag.py --minilm-index       # MiniLM vectors for all N chunks (slow)

The documents are generated: sentences of pseudo-words drawn with Zipf-like frequencies (a few
words very common, most rare, as in real text), written as .txt files and indexed by the real
``build_index`` (reading, sentence chunking, FTS5, vectors, one transaction).

MiniLM is what costs: on a CPU it turns a few dozen to a few hundred chunks a second into vectors,
so by default the N chunks get *stand-in* vectors (a hashing of their words into 384 numbers,
cheap), and MiniLM's own indexing speed is measured on a sample (``--sample``). Query latency is
real either way: every dense or hybrid query is encoded by MiniLM and compared with the N stored
vectors, exactly as ``llmzero rag search`` does (with stand-in vectors the dense *ranking* means
nothing, so recall is reported for BM25 only). The queries are a few words taken from random
chunks, timed one at a time after a warm-up. A script, not a test: it prints Markdown. Run it on a
quiet machine (the load average is printed with it).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from llmzero.rag.index import Index, MiniLMEmbedder, build_index
from llmzero.rag.retrieval import RETRIEVERS, search

SYLLABLES = [c + v for c in "bcdfglmnprstvz" for v in "aeiou"] + ["ção", "lha", "nho", "que"]


def vocabulary(n: int, rng: random.Random) -> list[str]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng: random.Random, words: list[str], cum_weights: list[float]) -> str:
    picked = rng.choices(words, cum_weights=cum_weights, k=rng.randint(6, 16))
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def write_corpus(folder: Path, chunks: int, chunk_chars: int, seed: int) -> None:
    """About ``chunks`` chunks of ``chunk_chars`` characters, 50 to a file."""
    rng = random.Random(seed)
    words = vocabulary(20_000, rng)
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    per_file = 50
    for f in range((chunks + per_file - 1) // per_file):
        paragraphs, length = [], 0
        while length < per_file * chunk_chars * 0.98:
            s = sentence(rng, words, weights)
            paragraphs.append(s)
            length += len(s) + 1
        (folder / f"doc{f:05d}.txt").write_text(" ".join(paragraphs), encoding="utf-8")


class HashEmbedder:
    """Stand-in vectors: each word adds a fixed random-looking +-1 pattern (from its hash) to 384
    numbers, normalised. Cheap, deterministic, the shape of MiniLM's."""

    name, dim = "bench-hash-384", 384

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


class MiniLMQueries:
    """MiniLM's query encoding (the real cost) under the stand-in's name, so that the stand-in
    index accepts it."""

    name, dim = HashEmbedder.name, 384

    def __init__(self, minilm):
        self.minilm = minilm

    def encode(self, texts):
        return self.minilm.encode(texts)


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--chunk-chars", type=int, default=300)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--bf16", action="store_true", help="the embedder in bfloat16")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--keep", default=None, help="build (or reuse) the index at this path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=2000, help="chunks for MiniLM's indexing speed")
    p.add_argument("--minilm-index", action="store_true", help="MiniLM vectors for all chunks")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    args = p.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as tmp:
        index_path = Path(args.keep or Path(tmp) / "bench.sqlite")
        minilm = MiniLMEmbedder(args.batch_size, bf16=args.bf16)
        precision = "bf16" if args.bf16 else "fp32"
        if not args.minilm_index:  # MiniLM's own speed, on a sample
            docs = Path(tmp) / "sample"
            docs.mkdir()
            write_corpus(docs, args.sample, args.chunk_chars, args.seed + 7)
            load = os.getloadavg()[0]
            report = build_index(
                [docs],
                Path(tmp) / "sample.sqlite",
                chunk_chars=args.chunk_chars,
                overlap_chars=0,
                embedder=minilm,
                batch_size=args.batch_size,
                log=lambda m: None,
            )
            print(
                f"MiniLM ({precision}, {torch_threads()} threads): indexed {report.chunks:,} "
                f"chunks in {report.seconds:.1f} s: {report.chunks_per_second:,.0f} chunks/s "
                f"(load average {load:.1f})"
            )
        embedder = minilm if args.minilm_index else HashEmbedder()
        if not index_path.exists():
            docs = Path(tmp) / "docs"
            docs.mkdir()
            write_corpus(docs, args.chunks, args.chunk_chars, args.seed)
            load = os.getloadavg()[0]
            report = build_index(
                [docs],
                index_path,
                chunk_chars=args.chunk_chars,
                overlap_chars=0,
                embedder=embedder,
                batch_size=args.batch_size,
                log=lambda msg: None,
            )
            print(
                f"indexed {report.chunks:,} chunks from {report.files:,} files in "
                f"{report.seconds:.1f} s: {report.chunks_per_second:,.0f} chunks/s "
                f"(vectors: {embedder.name}, load average {load:.1f}); "
                f"index {index_path.stat().st_size / 2**20:.0f} MiB"
            )
        rng = random.Random(args.seed + 1)
        with Index(index_path) as index:
            index.set_embedder(minilm if args.minilm_index else MiniLMQueries(minilm))
            n = index.size
            ids = [rng.randint(1, n) for _ in range(args.queries)]
            texts = index.chunks(ids)
            queries = []
            for i in ids:
                words = texts[i]["text"].rstrip(".").split() if i in texts else ["ba"]
                start = rng.randint(0, max(0, len(words) - 4))
                queries.append(" ".join(words[start : start + rng.randint(2, 4)]))
            print(
                f"\n{n:,} chunks, {args.queries} queries, k = {args.k}, "
                f"load average {os.getloadavg()[0]:.1f}\n"
            )
            print("| retriever | p50 ms | p95 ms | recall@k of the source chunk |")
            real = args.minilm_index
            print("|---|---:|---:|---:|")
            for retriever in RETRIEVERS:
                for q in queries[:5]:  # warm-up: vectors loaded, caches filled
                    search(index, q, args.k, retriever)
                times, found = [], 0
                for i, q in zip(ids, queries):
                    t = time.perf_counter()
                    hits = search(index, q, args.k, retriever)
                    times.append((time.perf_counter() - t) * 1000)
                    found += any(h.chunk_id == i for h in hits)
                recall = f"{found / len(ids):.2f}" if real or retriever == "bm25" else "—"
                print(
                    f"| {retriever} | {statistics.median(times):.1f} | "
                    f"{percentile(times, 0.95):.1f} | {recall} |"
                )


if __name__ == "__main__":
    main()
