"""Generation with a busy neighbour: tokens/s quiet and with `llmzero train` running beside it.

    python benchmarks/bench_contention.py                 # nano, tiny, mini, small and GPT-2 shapes
    python benchmarks/bench_contention.py --presets nano,tiny --tokens 200

A script, not a test: it prints a Markdown table. For each model shape (random weights, greedy),
the decode step runs with the thread count each generation measures and chooses
(inference.fast.FastestThreads) and with every thread PyTorch has (the old behaviour), first on a
quiet machine, then while a neighbour process trains a model on all cores. Two OpenMP pools
spinning against each other on the same cores is what makes the busy case slow; the target is
busy >= 0.3x quiet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import torch

from llmzero.generation import generate_ids
from llmzero.inference import accelerate
from llmzero.inference import fast as roads
from llmzero.model import GPT, preset
from llmzero.sampling import SamplingConfig


def tokens_per_second(model: GPT, n: int, threads: int | None) -> float:
    """Greedy tokens/s of one sequence, decode.c's steps on ``threads`` threads (None: llmzero's
    choice)."""
    roads.DECODE_THREADS = threads
    cfg = SamplingConfig(max_new_tokens=n, temperature=0)
    prompt = list(range(1, 9))
    list(generate_ids(model, prompt, SamplingConfig(max_new_tokens=4, temperature=0)))
    t = time.perf_counter()
    count = sum(1 for _ in generate_ids(model, prompt, cfg))
    return count / (time.perf_counter() - t)


def neighbour(folder: str) -> subprocess.Popen:
    """`llmzero train` on all cores, for as long as the benchmark needs it."""
    cmd = [sys.executable, "-m", "llmzero", "train", "--preset", "tiny", "--max-steps", "1000000"]
    cmd += ["--out", folder, "--no-progress", "--samples", "0", "--overwrite"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", default="nano,tiny,mini,small,gpt2")
    parser.add_argument("--tokens", type=int, default=200)
    args = parser.parse_args()
    every = torch.get_num_threads()
    models = {}
    for name in args.presets.split(","):
        vocab = 50257 if name.startswith("gpt2") else 512
        torch.manual_seed(0)
        models[name] = accelerate(GPT(preset(name, vocab_size=vocab, dropout=0.0)).eval())
    rows = {}
    for name, model in models.items():
        n = min(args.tokens, model.config.context_length - 9)  # (within the context: the KV cache)
        rows[name] = {
            "quiet auto": tokens_per_second(model, n, None),
            f"quiet {every}": tokens_per_second(model, n, every),
            "quiet 1": tokens_per_second(model, n, 1),
        }
    with tempfile.TemporaryDirectory() as tmp:
        busy = neighbour(os.path.join(tmp, "run"))
        try:
            time.sleep(8)  # (its tokenizer and first steps)
            for name, model in models.items():
                n = min(args.tokens, model.config.context_length - 9)

                rows[name]["busy auto"] = tokens_per_second(model, n, None)
                rows[name][f"busy {every}"] = tokens_per_second(model, n, every)
        finally:
            busy.kill()
            busy.wait()
    roads.DECODE_THREADS = None
    print(f"# torch {torch.__version__}, {every} threads, {os.cpu_count()} CPUs; tokens/s, greedy")
    print(
        f"| model | quiet, measured choice | quiet, {every} threads | quiet, 1 thread | "
        f"busy, measured choice | busy, {every} threads | busy/quiet, measured choice | "
        f"busy/quiet, {every} threads |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} ({models[name].num_parameters() / 1e6:.2f} M) | {r['quiet auto']:.0f} | "
            f"{r[f'quiet {every}']:.0f} | {r['quiet 1']:.0f} | {r['busy auto']:.0f} | "
            f"{r[f'busy {every}']:.0f} | {r['busy auto'] / r['quiet auto']:.2f}x | "
            f"{r[f'busy {every}'] / r[f'quiet {every}']:.2f}x |"
        )


if __name__ == "__main__":
    main()
