"""A small hyper-parameter sweep for pre-training: learning rate × warm-up × schedule × batch.

Each run trains llmzero's GPT at the shape of `bench_train.py` (4 layers, 4 heads, 128 dims,
context 64) on the same character-level text for the same number of training tokens, then scores
it on every validation window. The presets' training defaults (`TrainConfig`) were picked from
this table. A fixed token budget (not a wall-clock one) keeps the table the same on a busy machine:
set ``--steps`` to what a quiet machine does in the time you care about (at batch 12; other batches
get the same number of tokens).

Schedules: ``cosine`` (warm-up, then cosine down to lr / 10), ``cosine0`` (down to 0) and
``constant`` (warm-up, then flat).

    python benchmarks/bench_train_sweep.py [--steps 1800] [--lr 1e-3,3e-3] [--warmup 20,100]
        [--schedule cosine,constant] [--batch 12,16] [--text FILE] [--jobs 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import SHAPE, shipped_text, val_loss  # noqa: E402

SCHEDULES = {"cosine": 0.1, "cosine0": 0.0, "constant": 1.0}  # min_lr as a fraction of lr
BASE_BATCH = 12


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def one_run(text_file: str | None, lr: float, warmup: int, schedule: str, batch: int, steps: int):
    """Train one setting for ``steps`` batches of ``batch`` windows; score all validation."""
    from llmzero.data import TokenWindows, WindowBatches, split_ids
    from llmzero.model import GPT, preset
    from llmzero.tokenizers import CharTokenizer
    from llmzero.training import TrainConfig, Trainer

    text = Path(text_file).read_text(encoding="utf-8") if text_file else shipped_text()
    tok = CharTokenizer().train(text)
    train_ids, val_ids = split_ids(np.asarray(tok.encode(text), dtype=np.int64), 0.1)
    T = SHAPE["context_length"]
    train = WindowBatches(TokenWindows(train_ids, T, T), batch, seed=123)
    val = WindowBatches(TokenWindows(val_ids, T, T), 64, shuffle=False)
    torch.manual_seed(0)
    model = GPT(preset("tiny", vocab_size=tok.vocab_size, **SHAPE))
    cfg = TrainConfig(
        max_steps=steps,
        lr=lr,
        min_lr=lr * SCHEDULES[schedule],
        warmup_steps=warmup,
        eval_every=steps,
        eval_batches=1,
        checkpoint_every=steps,
        progress=False,
        device="cpu",
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        meta = {"model": model.config.to_dict()}
        Trainer(model, train, val, cfg, out, tokenizer=tok, meta=meta, log=lambda m: None).fit()
    seconds = time.perf_counter() - t0
    loss = val_loss(lambda x: model(x).logits, model, val.iterate())
    return {"lr": lr, "warmup": warmup, "schedule": schedule, "batch": batch, "steps": steps,
            "val_loss": loss, "seconds": round(seconds, 1)}  # fmt: skip


def run_child(args, setting) -> dict:
    lr, warmup, schedule, batch = setting
    steps = max(1, round(args.steps * BASE_BATCH / batch))  # the same tokens for every batch
    cmd = [sys.executable, __file__, "--child", json.dumps([lr, warmup, schedule, batch, steps])]
    if args.text:
        cmd += ["--text", args.text]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    row = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=1800, help="steps at batch 12 (same tokens)")
    ap.add_argument("--lr", type=floats, default=floats("1e-3,2e-3,3e-3,5e-3"))
    ap.add_argument("--warmup", type=ints, default=ints("100"))
    ap.add_argument("--schedule", default="cosine,constant")
    ap.add_argument("--batch", type=ints, default=ints("12"))
    ap.add_argument("--text")
    ap.add_argument("--jobs", type=int, default=1, help="runs side by side")
    ap.add_argument("--threads", type=int, default=0, help="threads per run (0: cores / jobs)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        lr, warmup, schedule, batch, steps = json.loads(args.child)
        print(json.dumps(one_run(args.text, lr, warmup, schedule, batch, steps)))
        return
    schedules = args.schedule.split(",")
    unknown = [s for s in schedules if s not in SCHEDULES]
    if unknown:
        ap.error(f"unknown schedule {unknown[0]!r}; choose from {', '.join(SCHEDULES)}")
    args.threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    grid = list(itertools.product(args.lr, args.warmup, schedules, args.batch))
    print(
        f"{len(grid)} runs of {args.steps} steps at batch {BASE_BATCH} (same tokens at other "
        f"batches), shape {SHAPE}; text: {args.text or 'shipped pt-BR'}; torch {torch.__version__}",
        flush=True,
    )
    with ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda s: run_child(args, s), grid))
    rows.sort(key=lambda r: r["val_loss"])
    print()
    print("| lr | warm-up | schedule | batch | steps | validation loss | seconds |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['lr']:g} | {r['warmup']} | {r['schedule']} | {r['batch']} | {r['steps']} | "
            f"{r['val_loss']:.3f} | {r['seconds']} |"
        )


if __name__ == "__main__":
    main()
