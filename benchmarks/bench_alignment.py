"""Alignment on one instruction-tuned checkpoint: DPO, a reward model, and the arithmetic cold start
followed by RL, each timed, with the numbers that say whether it worked.

    python benchmarks/bench_alignment.py                               # runs/journey/instruct
    python benchmarks/bench_alignment.py --base /tmp/jfull/instruct \\
        --english ../shared/data/instruction-data.json                 # + DPO on English pairs

A script, not a test: it prints a Markdown table. The English run builds preference pairs in the
book's shape (instruction, input, output, chosen, rejected) from an Alpaca-format file: chosen = the
example's own output, rejected = a flawed answer derived from it without randomness (another
example's output, off topic, or the output cut mid-sentence). A character-level base trained on
Portuguese reads characters it never saw as <unk>; the table says how many.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from llmzero.align.arithmetic import cold_start_split, is_correct, question_pool, warm_start
from llmzero.align.dpo import align_dpo
from llmzero.align.reward import train_reward
from llmzero.align.rl import align_rl
from llmzero.checkpoint import load_checkpoint
from llmzero.finetune.instruct import answer_batch, read_instructions
from llmzero.finetune.templates import DEFAULT_TEMPLATE, get_template

QUIET = dict(progress=False, device="cpu", checkpoint_every=10**9, log=lambda msg: None)


def english_pairs(path: Path) -> list[dict]:
    """Preference pairs in the book's shape from an Alpaca-format file, deterministically: even
    records get another record's output as the rejected answer (off topic), odd ones their own
    output cut in the middle of a sentence (the cut one when it has at least four words)."""
    records = [e.to_dict() for e in read_instructions(path)]
    n, out = len(records), []
    for i, r in enumerate(records):
        words = r["output"].split()
        if i % 2 and len(words) >= 4:
            rejected = " ".join(words[: len(words) // 2])
        else:
            rejected = records[(i + n // 2) % n]["output"]
        if rejected.strip() and rejected != r["output"]:
            out.append(dict(r, chosen=r["output"], rejected=rejected))
    return out


def sums_accuracy(path: Path, sets: dict[str, list]) -> dict[str, float]:
    """Greedy exact accuracy of the checkpoint on each set of sums."""
    ckpt = load_checkpoint(path, kinds=("lm",))
    tpl = get_template(ckpt.meta.get("template") or DEFAULT_TEMPLATE, ckpt.tokenizer)
    out = {}
    for name, questions in sets.items():
        answers = answer_batch(ckpt.model.eval(), ckpt.tokenizer, tpl, questions, 16)
        out[name] = sum(is_correct(q, a) for q, a in zip(questions, answers)) / len(questions)
    return out


def sums_text(acc: dict[str, float]) -> str:
    return (
        f"worked {pct(acc['worked'])} / reward-only {pct(acc['reward_only'])} / held-out "
        f"{pct(acc['test'])}"
    )


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="runs/journey/instruct", help="instruction-tuned checkpoint")
    ap.add_argument("--english", type=Path, help="an Alpaca-format English instruction file")
    ap.add_argument("--out", type=Path, help="keep the runs here (default: a temporary folder)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--dpo-steps", type=int, default=150)
    ap.add_argument("--reward-steps", type=int, default=150)
    ap.add_argument("--warm-steps", type=int, default=1000)
    ap.add_argument("--warm-lr", type=float, default=1e-3)
    ap.add_argument("--warm-share", type=float, default=0.5)
    ap.add_argument("--warm-general", type=int, default=50)
    ap.add_argument("--rl-steps", type=int, default=150)
    ap.add_argument("--rl-lr", type=float, default=1e-4)
    ap.add_argument("--group-size", type=int, default=8)
    ap.add_argument("--prompts-per-step", type=int, default=8)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--kl-coef", type=float, default=0.02)
    ap.add_argument("--english-steps", type=int, default=150)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    base = Path(args.base)
    load_checkpoint(base, kinds=("lm",))  # fail early on a wrong path
    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory(prefix="llmzero-bench-align-")
        work = Path(tmp.name)
    else:
        work = args.out
    common = dict(overwrite=True, seed=args.seed, **QUIET)
    rows: list[list[str]] = []

    def note(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    note("DPO on the shipped pairs...")
    d = align_dpo(
        base, None, work / "dpo", too_long="truncate", max_steps=args.dpo_steps, eval_every=25,
        **common,
    )  # fmt: skip
    rows.append(
        [
            f"DPO, preferencias_ptbr ({d['train_pairs']} train pairs, {d['steps']} steps, "
            f"β {d['beta']})",
            f"val log-prob acc {pct(d['val_accuracy_before'])}",
            f"val reward acc {pct(d['val_accuracy_after'])}, margin {d['val_margin_after']:.3f}; "
            f"test reward acc {pct(d['test']['accuracy'] if d['test'] else None)}",
            f"{d['wall_time']:.1f}",
        ]
    )
    note("Reward model...")
    r = train_reward(
        base, None, work / "reward", too_long="truncate", max_steps=args.reward_steps,
        eval_every=25, **common,
    )  # fmt: skip
    rows.append(
        [
            f"reward model ({r['train_pairs']} train pairs, {r['steps']} steps)",
            f"val pair acc {pct(r['val_accuracy_before'])}",
            f"val {pct(r['val_accuracy'])}, held-out test {pct(r['test_accuracy'])}",
            f"{r['wall_time']:.1f}",
        ]
    )
    n_test = len(question_pool("test"))
    worked, reward_only = cold_start_split(args.warm_share, args.seed)
    sets = {"worked": worked, "reward_only": reward_only, "test": question_pool("test")}
    note("Cold start...")
    sft_acc = sums_accuracy(base, sets)
    start = time.perf_counter()
    w = warm_start(
        base, work / "cold-start", steps=args.warm_steps, lr=args.warm_lr, share=args.warm_share,
        general=args.warm_general, eval_every=250, **common,
    )  # fmt: skip
    warm_seconds = time.perf_counter() - start
    warm_acc = sums_accuracy(work / "cold-start", sets)
    note("RL on the exact checker...")
    rl = align_rl(
        work / "cold-start",
        work / "rl",
        reward="arithmetic",
        eval_prompts=n_test,
        group_size=args.group_size,
        prompts_per_step=args.prompts_per_step,
        temperature=args.temperature,
        kl_coef=args.kl_coef,
        lr=args.rl_lr,
        max_steps=args.rl_steps,
        eval_every=max(1, args.rl_steps // 6),
        **common,
    )
    rl_acc = sums_accuracy(work / "rl", sets)
    rows.append(
        [
            f"cold start ({w['examples']} records: worked answers of {w['worked_questions']} of "
            f"{len(worked) + len(reward_only)} training questions + {args.warm_general} general "
            f"instructions; {w['steps']} steps, lr {args.warm_lr:g})",
            f"SFT: {sums_text(sft_acc)}",
            sums_text(warm_acc),
            f"{warm_seconds:.1f}",
        ]
    )
    curve = ", ".join(f"{s}: {v:.2f}" for s, v in rl["reward_curve"])
    rows.append(
        [
            f"RL, exact reward ({rl['steps']} steps, {args.prompts_per_step}×{args.group_size} "
            f"samples/step, T {args.temperature}, lr {args.rl_lr:g}, kl_coef {args.kl_coef})",
            sums_text(warm_acc),
            f"{sums_text(rl_acc)}; rollout reward by step {curve}; final KL {rl['kl_final']:.4f}",
            f"{rl['elapsed']:.1f}",
        ]
    )
    if args.english:
        note("DPO on English pairs...")
        pairs = english_pairs(args.english)
        path = work / "english_pairs.json"
        path.write_text(json.dumps(pairs, ensure_ascii=False, indent=1) + "\n", "utf-8")
        tok = load_checkpoint(base, kinds=("lm",)).tokenizer
        text = "".join(p["instruction"] + p["input"] + p["chosen"] + p["rejected"] for p in pairs)
        unknown = sum(tok.oov_report(text).values()) if hasattr(tok, "oov_report") else 0
        e = align_dpo(
            base, path, work / "dpo-english", too_long="truncate",
            max_steps=args.english_steps, eval_every=25, **common,
        )  # fmt: skip
        rows.append(
            [
                f"DPO, English book-shaped pairs from {args.english.name} ({e['train_pairs']} "
                f"train pairs, {e['steps']} steps; {e['long_pairs']} cut to the context; "
                f"{100 * unknown / max(len(text), 1):.2f} % of characters are <unk>)",
                f"val log-prob acc {pct(e['val_accuracy_before'])}",
                f"val reward acc {pct(e['val_accuracy_after'])}, margin "
                f"{e['val_margin_after']:.3f}; test reward acc "
                f"{pct(e['test']['accuracy'] if e['test'] else None)}",
                f"{e['wall_time']:.1f}",
            ]
        )
    print(f"\nBase: {base}; {args.threads} thread(s); seed {args.seed}\n")
    print("| run | before | after | wall time (s) |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
