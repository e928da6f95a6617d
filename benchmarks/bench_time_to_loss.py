"""Time to loss: seconds of training until the validation loss reaches a target, llmzero's default
settings beside the book's `GPTModel` (trained the way the book trains it), on the same batches.

The shape, the text and the peer are those of `bench_train.py`. The two sides take turns, a chunk
of ``--eval-every`` steps each, so noise on a shared machine hits both alike; after each chunk the
side is scored on the same validation windows, and that evaluation is left out of its clock. A
side stops when it reaches the target, or after ``--max-steps``.

    python benchmarks/bench_time_to_loss.py [--target 2.5] [--eval-every 50] [--text FILE]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import (  # noqa: E402
    BATCH,
    SHAPE,
    load_data,
    make_ours,
    make_reference,
    val_loss,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", type=float, default=2.5, help="validation loss to reach")
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--eval-batches", type=int, default=10, help="validation batches of 64")
    ap.add_argument("--max-steps", type=int, default=6000, help="give up after this many steps")
    ap.add_argument("--text")
    args = ap.parse_args()

    from llmzero.training import TrainConfig

    text, tok, train, val = load_data(args.text)
    windows = list(val.iterate(args.eval_batches))
    torch.manual_seed(0)
    cfg = TrainConfig()
    sides = {
        "llmzero": make_ours(tok.vocab_size, cfg),
        "llms-from-scratch GPTModel": make_reference(tok.vocab_size),
    }
    print(
        f"text: {len(text.encode()) / 1e6:.2f} MB, vocabulary {tok.vocab_size}; shape {SHAPE}, "
        f"batch {BATCH}; llmzero defaults: lr {cfg.lr:g}, warm-up {cfg.warmup}, cosine over "
        f"{cfg.max_steps} steps; target validation loss {args.target}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        flush=True,
    )
    state = {name: {"steps": 0, "seconds": 0.0, "loss": math.inf, "done": False} for name in sides}
    while not all(s["done"] for s in state.values()):
        for name, (model, step, logits_fn) in sides.items():
            s = state[name]
            if s["done"]:
                continue
            start = s["steps"]
            batches = [train.batch(start + k) for k in range(args.eval_every)]
            t0 = time.perf_counter()
            for b in batches:
                step(b)
            s["seconds"] += time.perf_counter() - t0
            s["steps"] += len(batches)
            s["loss"] = val_loss(logits_fn, model, windows)
            s["done"] = s["loss"] <= args.target or s["steps"] >= args.max_steps
            print(f"  {name}: step {s['steps']}, {s['seconds']:.1f} s, loss {s['loss']:.3f}",
                  file=sys.stderr, flush=True)  # fmt: skip
    print()
    print(f"| to validation loss {args.target} | seconds | steps | tokens | last loss |")
    print("|---|---:|---:|---:|---:|")
    for name, s in state.items():
        reached = s["loss"] <= args.target
        seconds = f"{s['seconds']:.1f}" if reached else f"not reached in {s['seconds']:.0f}"
        tokens = s["steps"] * BATCH * SHAPE["context_length"]
        print(f"| {name} | {seconds} | {s['steps']:,} | {tokens:,} | {s['loss']:.3f} |")
    ours, ref = state.values()
    if ours["loss"] <= args.target and ref["loss"] <= args.target:
        print(f"\nllmzero reaches it {ref['seconds'] / ours['seconds']:.2f}× sooner.")


if __name__ == "__main__":
    main()
