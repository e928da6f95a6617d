"""Float32 vs int8 (weight-only, per output channel): size on disk, generation speed, validation
perplexity.

    python benchmarks/bench_quantize.py                       # trains a tiny model first
    python benchmarks/bench_quantize.py --model runs/llmzero  # or uses yours
    python benchmarks/bench_quantize.py --smoke               # a few seconds of everything

Two models: a small one trained on the shipped pt-BR corpus (its validation perplexity is the
quality check), and GPT-2 124M's shape with random weights (speed and size at a realistic scale;
its perplexity would mean nothing, so the logit difference and top-1 agreement on random text are
reported instead). "int8 fast" uses PyTorch's int8 CPU kernels; "int8 exact" multiplies by the
int8 matrix in float (the reference path). A script, not a test: it prints a Markdown table. Run
it on a quiet machine.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import torch

from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.data import TokenWindows, WindowBatches, split_ids
from llmzero.generation import SamplingConfig, generate_batch, generate_ids
from llmzero.interop.quantize import quantize
from llmzero.model import GPT, preset


@torch.inference_mode()
def tokens_per_second(model, prompts: torch.Tensor, n: int) -> float:
    def run(n):
        cfg = SamplingConfig(max_new_tokens=n, temperature=0)
        if prompts.size(0) == 1:
            for _ in generate_ids(model, prompts[0], cfg):
                pass
        else:
            generate_batch(model, prompts.tolist(), cfg)

    run(2)  # warm up (the int8 kernels pack their weights on first use)
    t = time.perf_counter()
    run(n)
    return prompts.size(0) * n / (time.perf_counter() - t)


@torch.inference_mode()
def perplexity(model, val_ids, context: int, max_batches: int) -> float:
    model.eval()
    total, count = 0.0, 0
    for x, y in WindowBatches(TokenWindows(val_ids, context, context), 16, shuffle=False).iterate(
        max_batches
    ):
        total += float(model(x, y).loss) * y.numel()
        count += y.numel()
    return math.exp(total / count)


def validation_ids(ckpt):
    """The validation tokens of a `llmzero train` run (the last val_fraction of its corpus)."""
    from llmzero.training.pretrain import load_corpus_ids

    data = ckpt.meta.get("data") or {}
    source = None if data.get("shipped", True) else data.get("source")
    ids, _, _ = load_corpus_ids(source, ckpt.tokenizer, None, lambda msg: None)
    return split_ids(ids, data.get("val_fraction", 0.1))[1]


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--model",
        help="a trained llmzero language model (default: train a tiny one for --train-seconds)",
    )
    p.add_argument("--train-seconds", type=float, default=60)
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--eval-batches", type=int, default=50)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--skip-gpt2", action="store_true")
    p.add_argument(
        "--smoke", action="store_true", help="tiny numbers everywhere, just to see it run"
    )
    args = p.parse_args()
    if args.smoke:
        args.train_seconds, args.new_tokens, args.eval_batches = 5, 8, 3
    torch.set_num_threads(args.threads)
    tmp = Path(tempfile.mkdtemp(prefix="llmzero-bench-q-"))
    rows = []

    # 1. a model trained on the shipped corpus
    model_dir = args.model
    if model_dir is None:
        from llmzero.training.pretrain import pretrain

        model_dir = tmp / "tiny"
        print(f"training a tiny model for {args.train_seconds:.0f} s ...", file=sys.stderr)
        pretrain(
            None,
            model_dir,
            tokenizer="char",
            preset="tiny",
            samples=0,
            log=lambda msg: None,
            time_budget=args.train_seconds,
            max_steps=10**6,
            progress=False,
            eval_every=10**6,
            checkpoint_every=10**6,
            device="cpu",
        )
    res = quantize(model_dir, tmp / "tiny-int8", overwrite=True)
    fp = load_checkpoint(model_dir).model.eval()
    q = load_checkpoint(tmp / "tiny-int8").model.eval()
    val = validation_ids(load_checkpoint(model_dir))
    T = fp.config.context_length
    prompt = torch.as_tensor(val[:16]).long().unsqueeze(0)
    shape = fp.config.extra.get("preset", "model")
    name = f"{shape} ({fp.num_parameters() / 1e6:.2f}M, shipped corpus)"
    for label, model, size in (
        ("float32", fp, res.bytes_before / 1e6),
        ("int8 fast", q, res.bytes_after / 1e6),
        ("int8 exact", q, res.bytes_after / 1e6),
    ):
        if model is q:
            q.set_mode(label.split()[1])
        ppl = perplexity(model, val, T, args.eval_batches)
        tps = tokens_per_second(model, prompt, args.new_tokens)
        rows.append(f"| {name} | {label} | {size:.2f} | {tps:,.0f} | - | {ppl:.3f} |")
    rows.append(
        f"| {name} | int8 vs float32 | {res.bytes_after / res.bytes_before:.2f}x | | | "
        f"max logit diff {res.max_logit_diff:.3g}, top-1 agreement {res.top1_agreement:.1%} |"
    )

    # 2. GPT-2 124M's shape, random weights
    if not args.skip_gpt2:
        torch.manual_seed(0)
        big = GPT(preset("gpt2", dropout=0.0)).eval()
        save_checkpoint(tmp / "gpt2", big, None, {"kind": "lm", "model": big.config.to_dict()})
        res = quantize(tmp / "gpt2", tmp / "gpt2-int8", overwrite=True)
        qbig = load_checkpoint(tmp / "gpt2-int8").model.eval()
        g = torch.Generator().manual_seed(1)
        one = torch.randint(0, big.config.vocab_size, (1, 32), generator=g)
        eight = torch.randint(0, big.config.vocab_size, (8, 32), generator=g)
        name = "gpt2 124M shape (random weights)"
        for label, model in (("float32", big), ("int8 fast", qbig), ("int8 exact", qbig)):
            if model is qbig:
                qbig.set_mode(label.split()[1])
            size = res.bytes_before / 1e6 if label == "float32" else res.bytes_after / 1e6
            t1 = tokens_per_second(model, one, args.new_tokens)
            t8 = (
                f"{tokens_per_second(model, eight, args.new_tokens):,.1f}"
                if label != "int8 exact"
                else "-"
            )
            rows.append(f"| {name} | {label} | {size:.1f} | {t1:,.1f} | {t8} | n/a |")
        qbf = load_checkpoint(tmp / "gpt2-int8").model.eval().to(torch.bfloat16)
        rows.append(
            f"| {name} | int8 weights, bf16 activations | {res.bytes_after / 1e6:.1f} | "
            f"{tokens_per_second(qbf, one, args.new_tokens):,.1f} | - | n/a |"
        )
        rows.append(
            f"| {name} | int8 vs float32 | {res.bytes_after / res.bytes_before:.2f}x (linear "
            "weights "
            f"{res.linear_bytes_after / res.linear_bytes_before:.3f}x) | | | max logit diff "
            f"{res.max_logit_diff:.3g}, top-1 agreement {res.top1_agreement:.1%} |"
        )

    print(
        f"# float32 vs int8, {args.threads} threads, torch {torch.__version__}, {args.new_tokens} "
        "new tokens (greedy)"
    )
    print("| model | weights | size (MB) | tokens/s batch 1 | tokens/s batch 8 | val perplexity |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
