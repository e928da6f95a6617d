"""Training speed and quality: llmzero's GPT and Trainer beside the book's own GPTModel, in one run.

The peer is `GPTModel` from the `llms-from-scratch` package (the code of *Build a Large Language
Model (From Scratch)*; `pip install --no-deps llms-from-scratch`), trained the way the book trains
it (AdamW, lr 4e-4, weight decay 0.1, dropout 0.1, no schedule). Both see the same character-level
text, the same shape (4 layers, 4 heads, 128 dims, context 64, batch 12) and the same batches.

1. Throughput: alternating rounds of training steps in one process, so machine noise hits both
   alike.
2. Quality: each side trains for the same wall-clock budget in its own subprocess (peak memory is
   that process's max RSS), then both are scored on the same validation windows.

    python benchmarks/bench_train.py [--budget 60] [--text FILE] [--rounds 6] [--steps 25]
        [--throughput-only] [--profile]

``--profile`` prints the median milliseconds of each phase of a step for both sides instead (the
sides alternate step by step; the phases are separate calls, so the figures are wall time with
PyTorch's threads idle between phases, as in a real step).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

SHAPE = dict(n_layer=4, n_head=4, n_embd=128, context_length=64)
BATCH = 12


def shipped_text() -> str:
    """All the pt-BR text shipped with llmzero: the corpus, the instructions and the SMS
    messages."""
    import csv

    from llmzero.datasets import corpus_text, dataset_path

    parts = [corpus_text()]
    for ex in json.loads(dataset_path("instrucoes_ptbr.json").read_text(encoding="utf-8")):
        parts.append("\n".join(x for x in (ex["instruction"], ex["input"], ex["output"]) if x))
    with open(dataset_path("spam_ptbr.tsv"), encoding="utf-8") as f:
        parts.extend(
            row["text"] for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        )
    return "\n\n".join(parts)


def load_data(text_file: str | None):
    from llmzero.data import TokenWindows, WindowBatches, split_ids
    from llmzero.tokenizers import CharTokenizer

    text = Path(text_file).read_text(encoding="utf-8") if text_file else shipped_text()
    tok = CharTokenizer().train(text)
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    train_ids, val_ids = split_ids(ids, 0.1)
    T = SHAPE["context_length"]
    train = WindowBatches(TokenWindows(train_ids, T, T), BATCH, seed=123)
    val = WindowBatches(TokenWindows(val_ids, T, T), 64, shuffle=False)
    return text, tok, train, val


def no_mark(phase: str) -> None:
    """A step calls mark(phase) as each phase ends; --profile times them, the rest ignores them."""


def make_reference(vocab: int):
    from llms_from_scratch.ch04 import GPTModel

    cfg = {
        "vocab_size": vocab,
        "context_length": SHAPE["context_length"],
        "emb_dim": SHAPE["n_embd"],
        "n_heads": SHAPE["n_head"],
        "n_layers": SHAPE["n_layer"],
        "drop_rate": 0.1,
        "qkv_bias": False,
    }
    model = GPTModel(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)

    def step(batch, mark=no_mark):
        x, y = batch
        opt.zero_grad()
        mark("zero_grad")
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        mark("forward and loss")
        loss.backward()
        mark("backward")
        opt.step()
        mark("clipping and optimizer step")
        value = float(loss.detach())
        mark("the loss as a Python float")
        return value

    return model, step, lambda x: model(x)


def make_ours(vocab: int, cfg=None):
    """llmzero's default pre-training step, as the Trainer runs it (schedule, clipping, fused
    AdamW); ``cfg`` is a TrainConfig (default: the defaults a user gets)."""
    from llmzero.inference.fast import fast_activations
    from llmzero.model import GPT, preset
    from llmzero.training import TrainConfig, lr_at
    from llmzero.training.trainer import clipped_step, make_optimizer

    model = fast_activations(GPT(preset("tiny", vocab_size=vocab, **SHAPE)))
    cfg = cfg or TrainConfig()
    opt = make_optimizer(model, cfg, torch.device("cpu"))
    done = [0]

    def step(batch, mark=no_mark):
        x, y = batch
        lr = lr_at(cfg, done[0], done[0] / cfg.max_steps)
        for group in opt.param_groups:
            group["lr"] = lr
        done[0] += 1
        mark("learning-rate schedule")
        loss = model(x, y).loss
        mark("forward and loss")
        loss.backward()
        mark("backward")
        clipped_step(opt, model.parameters(), cfg.grad_clip)
        mark("clipping and optimizer step")
        opt.zero_grad(set_to_none=True)
        mark("zero_grad")
        value = float(loss.detach())
        mark("the loss as a Python float")
        return value

    return model, step, lambda x: model(x).logits


@torch.no_grad()
def val_loss(logits_fn, model, batches) -> float:
    """Mean cross-entropy over ``batches`` of (x, y) (a ``val.iterate()``, or a list of them)."""
    model.eval()
    total, n = 0.0, 0
    for x, y in batches:
        total += F.cross_entropy(logits_fn(x).flatten(0, 1), y.flatten(), reduction="sum").item()
        n += y.numel()
    model.train()
    return total / n


def throughput(text_file, rounds: int, steps: int) -> dict:
    _, tok, train, _ = load_data(text_file)
    torch.manual_seed(0)
    sides = {"llmzero": make_ours(tok.vocab_size), "reference": make_reference(tok.vocab_size)}
    seconds = {name: 0.0 for name in sides}
    rounds_ratio = []  # the book's time over ours, round by round
    index = 0
    for name, (_, step, _) in sides.items():  # warm-up
        for _ in range(3):
            step(train.batch(index))
    for _ in range(rounds):
        took = {}
        for name, (_, step, _) in sides.items():
            batches = [train.batch(index + k) for k in range(steps)]
            t0 = time.perf_counter()
            for b in batches:
                step(b)
            took[name] = time.perf_counter() - t0
            seconds[name] += took[name]
        rounds_ratio.append(took["reference"] / took["llmzero"])
        index += steps
    tokens = rounds * steps * BATCH * SHAPE["context_length"]
    out = {name: tokens / s for name, s in seconds.items()}
    out["median_round_ratio"] = float(np.median(rounds_ratio))
    return out


PHASES = (
    "data: sample the batch", "learning-rate schedule", "forward and loss", "backward",
    "clipping and optimizer step", "zero_grad", "the loss as a Python float",
)  # fmt: skip


def profile(text_file, steps: int) -> dict:
    """Median milliseconds of each phase of a step, per side (sides alternate, step by step)."""
    _, tok, train, _ = load_data(text_file)
    torch.manual_seed(0)
    sides = {"llmzero": make_ours(tok.vocab_size), "reference": make_reference(tok.vocab_size)}
    times = {name: {p: [] for p in PHASES} for name in sides}
    for i in range(steps + 5):
        for name, (_, step, _) in sides.items():
            seen = {p: 0.0 for p in PHASES}
            last = [time.perf_counter()]

            def mark(phase: str) -> None:
                now = time.perf_counter()
                seen[phase] += now - last[0]
                last[0] = now

            batch = train.batch(i)
            mark(PHASES[0])
            step(batch, mark)
            if i >= 5:  # after a warm-up
                for p in PHASES:
                    times[name][p].append(seen[p] * 1e3)
    return {name: {p: float(np.median(v)) for p, v in t.items()} for name, t in times.items()}


def budget_run(side: str, budget: float, text_file) -> dict:
    """Train one side for `budget` seconds (run in its own process) and score it."""
    _, tok, train, val = load_data(text_file)
    torch.manual_seed(0)
    if side == "llmzero":
        import tempfile

        from llmzero.model import GPT, preset
        from llmzero.training import TrainConfig, Trainer

        model = GPT(preset("tiny", vocab_size=tok.vocab_size, **SHAPE))
        cfg = TrainConfig(
            max_steps=10**9, time_budget=budget, progress=False
        )  # the defaults a user gets
        with tempfile.TemporaryDirectory() as out:
            res = Trainer(
                model,
                train,
                val,
                cfg,
                out,
                tokenizer=tok,
                meta={"model": model.config.to_dict()},
                log=lambda m: None,
            ).fit()
        steps, logits_fn = res.steps, (lambda x: model(x).logits)
    else:
        model, step, logits_fn = make_reference(tok.vocab_size)
        t0, steps = time.perf_counter(), 0
        while time.perf_counter() - t0 < budget:
            step(train.batch(steps))
            steps += 1
    loss = val_loss(logits_fn, model, val.iterate())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"side": side, "steps": steps, "val_loss": loss, "peak_rss_mb": rss_mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--text")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--side", help=argparse.SUPPRESS)
    ap.add_argument("--throughput-only", action="store_true", help="skip the two budget runs")
    ap.add_argument("--profile", action="store_true", help="time each phase of a step instead")
    args = ap.parse_args()
    if args.side:
        print(json.dumps(budget_run(args.side, args.budget, args.text)))
        return
    text, tok, train, val = load_data(args.text)
    print(
        f"text: {len(text.encode()) / 1e6:.2f} MB, {len(text):,} characters, vocabulary "
        f"{tok.vocab_size}; "
        f"shape {SHAPE}, batch {BATCH}; torch {torch.__version__}, {torch.get_num_threads()} "
        "threads"
    )
    if args.profile:
        ms = profile(args.text, args.steps * args.rounds)
        print("\n| phase (median ms per step) | llmzero | llms-from-scratch GPTModel |")
        print("|---|---:|---:|")
        for p in PHASES:
            print(f"| {p} | {ms['llmzero'][p]:.2f} | {ms['reference'][p]:.2f} |")
        total = {name: sum(m.values()) for name, m in ms.items()}
        print(f"| **total** | **{total['llmzero']:.1f}** | **{total['reference']:.1f}** |")
        return
    tps = throughput(args.text, args.rounds, args.steps)
    if args.throughput_only:
        ratio = tps["llmzero"] / tps["reference"]
        print(f"\n| training tokens/s | llmzero {tps['llmzero']:,.0f} | reference "
              f"{tps['reference']:,.0f} | **{ratio:.2f}×** (median round "
              f"{tps['median_round_ratio']:.2f}×) |")  # fmt: skip
        return
    results = {}
    for side in ("llmzero", "reference"):
        cmd = [sys.executable, __file__, "--side", side, "--budget", str(args.budget)]
        if args.text:
            cmd += ["--text", args.text]
        results[side] = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        )
    ours, ref = results["llmzero"], results["reference"]
    print()
    print("| | llmzero | llms-from-scratch GPTModel | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| training tokens/s | {tps['llmzero']:,.0f} | {tps['reference']:,.0f} | "
        f"**{tps['llmzero'] / tps['reference']:.2f}×** |"
    )
    print(f"| median of the per-round ratios | | | {tps['median_round_ratio']:.2f}× |")
    print(
        f"| steps in {args.budget:.0f} s | {ours['steps']:,} | {ref['steps']:,} | "
        f"{ours['steps'] / ref['steps']:.2f}× |"
    )
    print(
        f"| validation loss after {args.budget:.0f} s | **{ours['val_loss']:.3f}** | "
        f"{ref['val_loss']:.3f} | "
        f"{ours['val_loss'] - ref['val_loss']:+.3f} |"
    )
    print(
        f"| validation perplexity | {math.exp(ours['val_loss']):.2f} | "
        f"{math.exp(ref['val_loss']):.2f} | |"
    )
    print(
        f"| peak memory (process RSS) | {ours['peak_rss_mb']:.0f} MB | {ref['peak_rss_mb']:.0f} MB "
        "| |"
    )


if __name__ == "__main__":
    main()
