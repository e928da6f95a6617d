"""Throughput and peak memory of `llmzero data clean` and `data dedup`, at 1 and 2 workers.

Generates ``--mb`` MB of JSONL input (default 200) in ``--files`` files: documents built from
sentences of the shipped pt-BR corpus and of this repository's English README, with planted exact
duplicates and near-duplicates (a few words changed) and a share of English documents for the
language filter to remove. Each step runs in a fresh process (the library, not the CLI, so the
numbers are the pipeline's); a sampler sums the resident memory of that process and its workers.
Prints a Markdown table: MB/s per step (input bytes / wall seconds), MB/s per core for each block
of `clean` (its input bytes / its CPU seconds summed over workers), peak RSS, and the CPU model.

    python benchmarks/bench_data.py [--mb 200] [--workers 1,2] [--files 8] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import cpu_name

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, resource, sys
step, args = sys.argv[1], json.loads(sys.argv[2])
if step == "clean":
    from llmzero.dataprep.clean import run_clean as run
else:
    from llmzero.dataprep.dedup import run_dedup as run
info = run(*args["args"], **args["kwargs"])
print("RESULT", json.dumps({
    "info": info,
    "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def sentences() -> tuple[list[str], list[str]]:
    from llmzero.datasets import corpus_text

    split = re.compile(r"(?<=[.!?])\s+")
    pt = [s.strip() for s in split.split(corpus_text()) if len(s.split()) >= 6]
    readme = re.sub(r"`[^`]*`|\[|\]\([^)]*\)|[#*|>]", " ", (ROOT / "README.en.md").read_text())
    en = [" ".join(s.split()) for s in split.split(readme) if len(s.split()) >= 6]
    return pt, en


def make_input(folder: Path, megabytes: int, files: int, seed: int = 0) -> dict:
    """JSONL.gz files of generated documents; returns what was planted."""
    pt, en = sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    outs = [gzip.open(folder / f"part-{i:03d}.jsonl.gz", "wt", encoding="utf-8")
            for i in range(files)]  # fmt: skip
    target, written, n = megabytes * 1_000_000, 0, 0
    planted = {"documents": 0, "english": 0, "exact": 0, "near": 0}
    recent: list[str] = []
    try:
        while written < target:
            roll = rng.random()
            if roll < 0.05 and recent:
                text = rng.choice(recent)
                planted["exact"] += 1
            elif roll < 0.10 and recent:
                words = rng.choice(recent).split()
                for _ in range(3):
                    words[rng.randrange(len(words))] = rng.choice(("casa", "rio", "luz", "mar"))
                text = " ".join(words)
                planted["near"] += 1
            else:
                source = en if roll < 0.20 else pt
                planted["english"] += source is en
                paragraphs = []
                for _ in range(rng.randint(1, 5)):
                    paragraphs.append(" ".join(rng.choices(source, k=rng.randint(3, 12))))
                text = "\n\n".join(paragraphs)
                recent = (recent + [text])[-200:]
            row = {"id": f"gen/{n}", "text": text}
            outs[n % files].write(json.dumps(row, ensure_ascii=False) + "\n")
            written += len(text.encode("utf-8"))
            n += 1
    finally:
        for f in outs:
            f.close()
    planted["documents"] = n
    planted["bytes"] = written
    return planted


def run_step(step: str, args: list, kwargs: dict) -> dict:
    """Run one step in a fresh process; (its step.json, seconds, peak RSS figures)."""
    import psutil

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OMP_NUM_THREADS="1")
    payload = json.dumps({"args": args, "kwargs": kwargs})
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, step, payload], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak_tree, done = 0, threading.Event()

    def sample():
        nonlocal peak_tree
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak_tree = max(peak_tree, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    line = [x for x in out.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not line:
        raise SystemExit(f"{step} failed:\n{err[-3000:]}")
    result = json.loads(line[0][len("RESULT ") :])
    result["seconds"] = seconds
    result["tree_mb"] = peak_tree / 1e6
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="MB of generated input text")
    parser.add_argument("--files", type=int, default=8, help="input files (workers split them)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_data."))
    try:
        start = time.perf_counter()
        planted = make_input(work / "input", args.mb, args.files)
        print(f"input: {planted['bytes'] / 1e6:.1f} MB, {planted['documents']} documents "
              f"({planted['english']} English, {planted['exact']} exact and {planted['near']} "
              f"near duplicates planted) in {time.perf_counter() - start:.0f} s",
              flush=True)  # fmt: skip
        rows, block_rows = [], []
        for workers in [int(w) for w in args.workers.split(",")]:
            clean_dir, dedup_dir = work / f"clean{workers}", work / f"dedup{workers}"
            clean = run_step("clean", [[str(work / "input")], str(clean_dir)],
                             {"workers": workers, "overwrite": True})  # fmt: skip
            dedup = run_step("dedup", [str(clean_dir), str(dedup_dir)],
                             {"workers": workers, "overwrite": True})  # fmt: skip
            for name, r in (("clean", clean), ("dedup", dedup)):
                info = r["info"]
                rows.append([
                    name, workers, f"{info['bytes_in'] / 1e6:.1f}", info["documents_in"],
                    info["documents_out"], f"{r['seconds']:.1f}",
                    f"{info['bytes_in'] / 1e6 / r['seconds']:.2f}",
                    f"{r['self_kb'] / 1024:.0f}", f"{r['children_kb'] / 1024:.0f}",
                    f"{r['tree_mb']:.0f}",
                ])  # fmt: skip
                for b in info["blocks"]:
                    spent = b.get("cpu_seconds", b.get("seconds", 0.0))
                    kind = "CPU" if "cpu_seconds" in b else "wall"
                    rate = b["bytes_in"] / 1e6 / spent if spent else float("nan")
                    block_rows.append([name, b["name"], workers, b["documents_removed"],
                                       f"{spent:.1f} ({kind})", f"{rate:.2f}"])  # fmt: skip
            print(f"workers={workers} done", flush=True)
        print()
        print(f"CPU: {cpu_name()}, {os.cpu_count()} logical cores; load at the end: "
              f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}")  # fmt: skip
        print()
        print(
            "| step | workers | MB in | docs in | docs out | seconds | MB/s | peak RSS main (MB) "
            "| peak RSS largest worker (MB) | peak RSS all processes (MB, sampled) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(map(str, r)) + " |")
        print()
        print("| step | block | workers | docs removed | seconds | MB/s (per core for CPU) |")
        print("|---|---|---|---|---|---|")
        for r in block_rows:
            print("| " + " | ".join(map(str, r)) + " |")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
