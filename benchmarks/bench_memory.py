"""Peak memory of `llmzero train` and `llmzero prepare` on a big `.txt`, as the corpus grows.

Each run is a fresh process that reports its own peak resident set (ru_maxrss). The corpus is the
shipped pt-BR text repeated (lines shuffled per copy) up to each size. `--peer DIR` runs the same
commands with another checkout's `src` first on the path (e.g. a worktree of an older commit), side
by side in the same session.

`--shards` measures the data path for corpora that need not fit in memory instead: the same text
as JSONL documents (4 files, as a `data clean` step leaves them), cut into token shards by `llmzero
data shard` (2 workers; the peak is the largest of the command and its workers) and then streamed
by `train --data SHARDS`. Both peaks should stay flat from 100 MB to 1 GB.

    python benchmarks/bench_memory.py [--sizes 30,300] [--peer /tmp/base]
    python benchmarks/bench_memory.py --shards --sizes 100,1000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import resource, sys
from llmzero.cli import main
code = main(sys.argv[1:])
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code)
print("CHILDREN", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def make_corpus(path: Path, megabytes: int, seed: int = 0) -> None:
    from llmzero.datasets import corpus_text

    lines = corpus_text().splitlines(keepends=True)
    rng = random.Random(seed)
    target, written = megabytes * 1_000_000, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            rng.shuffle(lines)
            block = "".join(lines)
            f.write(block)
            written += len(block.encode("utf-8"))


def make_jsonl_corpus(folder: Path, megabytes: int, files: int = 4, seed: int = 0) -> None:
    """The shipped text as JSONL documents of 20 lines (lines shuffled per copy), in ``files``
    files of equal size."""
    import json

    from llmzero.datasets import corpus_text

    lines = corpus_text().splitlines()
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    per_file = megabytes * 1_000_000 // files
    for k in range(files):
        written = 0
        with open(folder / f"{k:05d}.jsonl", "w", encoding="utf-8") as f:
            while written < per_file:
                rng.shuffle(lines)
                rows = [
                    json.dumps({"text": "\n".join(lines[i : i + 20])}, ensure_ascii=False) + "\n"
                    for i in range(0, len(lines) - 20, 20)
                ]
                block = "".join(rows)
                f.write(block)
                written += len(block.encode("utf-8"))


def peak(src: Path, argv: list[str], children: bool = False) -> tuple[float, float]:
    """(peak resident MB, seconds) of one CLI run with ``src`` first on the import path; with
    ``children``, the largest of the run and the worker processes it started."""
    env = dict(os.environ, PYTHONPATH=str(src), OMP_NUM_THREADS="1")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    line = [x for x in proc.stdout.splitlines() if x.startswith("MAXRSS")]
    if proc.returncode or not line or not line[0].endswith(" 0"):
        raise SystemExit(f"run failed: {argv}\n{proc.stderr[-2000:]}")
    kb = int(line[0].split()[1])
    if children:
        kb = max([kb] + [int(x.split()[1]) for x in proc.stdout.splitlines() if x.startswith("CH")])
    return kb / 1024, seconds


def shard_rows(sizes: list[int], src: Path) -> list[tuple]:
    """`data shard` then `train --data SHARDS` at each corpus size: (MB, verb, peak MB, s)."""
    rows = []
    for mb in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            make_jsonl_corpus(work / "docs", mb)
            shard = ["data", "shard", str(work / "docs"), "--out", str(work / "shards")]
            shard += ["--workers", "2", "--tokenizer", "char"]
            train = ["train", "--data", str(work / "shards"), "--out", str(work / "run")]
            train += ["--preset", "nano", "--max-steps", "2", "--eval-every", "2"]
            train += ["--samples", "0", "--no-progress"]
            for verb, argv in (("data shard", shard), ("train --data SHARDS", train)):
                mb_peak, secs = peak(src, argv, children=True)
                rows.append((mb, verb, mb_peak, secs))
                print(f"{mb} MB {verb:20s} {mb_peak:8.0f} MB  {secs:6.1f} s", flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="30,300", help="corpus sizes in MB")
    ap.add_argument("--peer", type=Path, help="another checkout to compare with")
    ap.add_argument("--tokenizer", default="char")
    ap.add_argument("--shards", action="store_true", help="data shard + train on shards")
    args = ap.parse_args()
    if args.shards:
        rows = shard_rows([int(s) for s in args.sizes.split(",")], ROOT / "src")
        print("\n| corpus (JSONL) | verb | peak RSS | time |\n|---:|---|---:|---:|")
        for mb, verb, mb_peak, secs in rows:
            print(f"| {mb:,} MB | {verb} | {mb_peak:,.0f} MB | {secs:.0f} s |")
        return 0
    sides = [("llmzero", ROOT / "src")]
    if args.peer:
        sides.append((f"peer ({args.peer.name})", args.peer / "src"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for mb in (int(s) for s in args.sizes.split(",")):
            corpus = work / f"corpus{mb}.txt"
            make_corpus(corpus, mb)
            for name, src in sides:
                train = ["train", "--data", str(corpus), "--out", str(work / "run"), "--overwrite"]
                train += ["--tokenizer", args.tokenizer, "--preset", "nano", "--max-steps", "2"]
                train += ["--eval-every", "2", "--samples", "0", "--no-progress"]
                prep = ["prepare", "--data", str(corpus), "--out", str(work / "tokens.bin")]
                prep += ["--tokenizer", args.tokenizer]
                for verb, argv in (("train", train), ("prepare", prep)):
                    mb_peak, secs = peak(src, argv)
                    rows.append((mb, verb, name, mb_peak, secs))
                    print(f"{mb} MB {verb:8s} {name:20s} {mb_peak:8.0f} MB  {secs:6.1f} s")
            corpus.unlink()
    print("\n| corpus | verb | code | peak RSS | time |\n|---:|---|---|---:|---:|")
    for mb, verb, name, mb_peak, secs in rows:
        print(f"| {mb} MB | {verb} | {name} | {mb_peak:,.0f} MB | {secs:.0f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
