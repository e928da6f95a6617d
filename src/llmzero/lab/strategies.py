"""Fine-tuning choices side by side: last-token vs mean pooling, frozen vs full fine-tuning,
learning rates (spam classification with finetune.classify) and response masking on/off (instruction
tuning with finetune.instruct). Every run starts from the lab's model and uses the same seed and
number of steps."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.datasets import dataset_path
from llmzero.errors import t
from llmzero.evaluation.text_metrics import corpus_rouge_l
from llmzero.finetune.classify import finetune_classifier
from llmzero.finetune.instruct import (
    DEFAULT_SPLIT,
    InstructionBatches,
    default_data_path,
    encode_examples,
    finetune_instruct,
    pad_id,
    read_instructions,
    split_examples,
)
from llmzero.finetune.templates import get_template
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    experiment,
    fmt,
    md_table,
    save_plot,
)
from llmzero.plots import figure


@dataclass(frozen=True)
class StrategySettings:
    """The fine-tuning strategies experiment: steps, batches and learning rates of each run."""

    cls_steps: int
    cls_max_length: int
    cls_batch: int
    instruct_steps: int
    instruct_batch: int
    test_limit: int
    max_new_tokens: int
    lrs: tuple[float, ...]
    lr: float


STRATEGIES = {  # quick -> its settings, full -> its own
    True: StrategySettings(
        cls_steps=30,
        cls_max_length=48,
        cls_batch=8,
        instruct_steps=40,
        instruct_batch=8,
        test_limit=20,
        max_new_tokens=24,
        lrs=(5e-5, 5e-4, 5e-3),
        lr=5e-4,
    ),
    False: StrategySettings(
        cls_steps=200,
        cls_max_length=96,
        cls_batch=8,
        instruct_steps=200,
        instruct_batch=8,
        test_limit=60,
        max_new_tokens=48,
        lrs=(5e-5, 5e-4, 5e-3),
        lr=5e-4,
    ),
}


def _history(folder: Path) -> list[dict]:
    path = folder / "metrics.jsonl"
    if not path.is_file():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def classification_run(
    base: Path, *, pooling: str, train: str, lr: float, s: dict, seed: int
) -> dict:
    with tempfile.TemporaryDirectory(prefix="llmzero-lab-cls-") as tmp:
        out = finetune_classifier(
            base,
            dataset_path("spam_ptbr.tsv"),
            Path(tmp) / "run",
            pooling=pooling,
            train=train,
            batch_size=s.cls_batch,
            max_length=s.cls_max_length,
            log=lambda msg: None,
            max_steps=s.cls_steps,
            lr=lr,
            seed=seed,
            eval_every=max(1, s.cls_steps // 5),
            eval_batches=10,
            progress=False,
            device="cpu",
        )
        history = _history(Path(tmp) / "run")
    return {
        "pooling": pooling,
        "train": train,
        "lr": lr,
        "accuracy": out["accuracy"],
        "macro_f1": out["macro"]["f1"],
        "majority_baseline": out["majority_baseline"],
        "trainable_parameters": out["trainable_parameters"],
        "total_parameters": out["total_parameters"],
        "curve": [(r["step"], r["train_loss"]) for r in history if r.get("train_loss") is not None],
    }


@torch.no_grad()
def response_loss(model, tokenizer, template, examples, context_length: int) -> float:
    """Mean cross-entropy over the response tokens only (prompt masked), whatever the model was
    trained with."""
    encoded, _ = encode_examples(tokenizer, template, examples, context_length, "skip")
    batches = InstructionBatches(encoded, 16, pad_id(tokenizer), mask_prompt=True, shuffle=False)
    model.eval()
    total = count = 0.0
    for x, y in batches.iterate():
        n = int((y != -100).sum())
        total += float(model(x, y).loss) * n
        count += n
    return total / max(count, 1)


def instruct_run(base: Path, *, mask_prompt: bool, s: dict, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="llmzero-lab-inst-") as tmp:
        folder = Path(tmp) / "run"
        out = finetune_instruct(
            base,
            None,
            folder,
            mask_prompt=mask_prompt,
            batch_size=s.instruct_batch,
            too_long="skip",
            test_limit=s.test_limit,
            max_new_tokens=s.max_new_tokens,
            log=lambda msg: None,
            max_steps=s.instruct_steps,
            lr=s.lr,
            seed=seed,
            eval_every=max(1, s.instruct_steps // 5),
            eval_batches=10,
            progress=False,
            device="cpu",
        )
        ckpt = load_checkpoint(folder)
        tpl = get_template(ckpt.meta.get("template", "comando"), ckpt.tokenizer)
        _, val, _ = split_examples(read_instructions(default_data_path()), seed, DEFAULT_SPLIT)
        loss = response_loss(ckpt.model, ckpt.tokenizer, tpl, val, ckpt.config.context_length)
        rows = [
            json.loads(line)
            for line in (folder / "test_responses.jsonl").read_text(encoding="utf-8").splitlines()
            if line
        ]
        history = _history(folder)
    rouge = (
        corpus_rouge_l([r["response"] for r in rows], [r["reference"] for r in rows])["f1"]
        if rows
        else None
    )
    return {
        "mask_prompt": mask_prompt,
        "response_loss": loss,
        "rouge_l": rouge,
        "exact_match": out["test_exact_match"],
        "train_examples": out["train_examples"],
        "sample": rows[0] if rows else None,
        "curve": [(r["step"], r["train_loss"]) for r in history if r.get("train_loss") is not None],
    }


@experiment("strategies", "Estratégias de ajuste fino", "Fine-tuning strategies")
def strategies(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    base = lm.path
    s = STRATEGIES[ctx.quick]
    cache: dict[tuple, dict] = {}

    def cls(pooling="last", train="all", lr=s.lr) -> dict:
        key = (pooling, train, lr)
        if key not in cache:
            ctx.log(
                t(
                    f"  classificação: pooling={pooling}, treino={train}, lr={lr:g}",
                    f"  classification: pooling={pooling}, train={train}, lr={lr:g}",
                )
            )
            cache[key] = classification_run(
                base, pooling=pooling, train=train, lr=lr, s=s, seed=ctx.seed
            )
        return cache[key]

    pooling = [cls(pooling="last"), cls(pooling="mean")]
    frozen = [cls(train="head"), cls(train="all")]
    lrs = [cls(lr=lr) for lr in s.lrs]
    masking = []
    for mask in (True, False):
        ctx.log(t(f"  instruções: mascarar prompt={mask}", f"  instructions: mask prompt={mask}"))
        masking.append(instruct_run(base, mask_prompt=mask, s=s, seed=ctx.seed))
    m = {
        "pooling": pooling,
        "frozen": frozen,
        "learning_rate": lrs,
        "masking": masking,
        "classification_steps": s.cls_steps,
        "instruct_steps": s.instruct_steps,
        "majority_baseline": pooling[0]["majority_baseline"],
    }

    fig, axes = figure(1, 4, figsize=(16, 4))
    base_acc = m["majority_baseline"]

    def bars(ax, labels, values, title, ylabel, baseline=None):
        ax.bar(range(len(values)), values, color="tab:blue")
        for i, v in enumerate(values):
            ax.text(i, v, fmt(v, 3), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(values)), labels)
        if baseline is not None:
            ax.axhline(
                baseline,
                color="red",
                linestyle="--",
                label=t("classe majoritária", "majority class"),
            )
            ax.legend(fontsize=7, loc="lower right")
        ax.set_title(title)
        ax.set_ylabel(ylabel)

    acc = t("acurácia no teste", "test accuracy")
    bars(
        axes[0],
        [t("último token", "last token"), t("média", "mean")],
        [r["accuracy"] for r in pooling],
        t("Pooling", "Pooling"),
        acc,
        base_acc,
    )
    bars(
        axes[1],
        [t("só a cabeça", "head only"), t("tudo", "everything")],
        [r["accuracy"] for r in frozen],
        t("Congelado × completo", "Frozen vs full"),
        acc,
        base_acc,
    )
    bars(
        axes[2],
        [f"{r['lr']:g}" for r in lrs],
        [r["accuracy"] for r in lrs],
        t("Taxa de aprendizado", "Learning rate"),
        acc,
        base_acc,
    )
    bars(
        axes[3],
        [t("mascarado", "masked"), t("sem máscara", "unmasked")],
        [r["response_loss"] for r in masking],
        t("Instruções: perda nas respostas", "Instructions: loss on answers"),
        t("perda (validação, só respostas)", "loss (validation, answers only)"),
    )
    plot = save_plot(fig, ctx, "strategies", "strategies.png")

    cls_rows = [
        [
            t("pooling", "pooling"),
            r["pooling"],
            r["train"],
            f"{r['lr']:g}",
            f"{r['trainable_parameters']:,}",
            fmt(r["accuracy"]),
            fmt(r["macro_f1"]),
        ]
        for r in pooling
    ]
    cls_rows += [
        [
            t("congelado/completo", "frozen/full"),
            r["pooling"],
            r["train"],
            f"{r['lr']:g}",
            f"{r['trainable_parameters']:,}",
            fmt(r["accuracy"]),
            fmt(r["macro_f1"]),
        ]
        for r in frozen
    ]
    cls_rows += [
        [
            t("taxa de aprendizado", "learning rate"),
            r["pooling"],
            r["train"],
            f"{r['lr']:g}",
            f"{r['trainable_parameters']:,}",
            fmt(r["accuracy"]),
            fmt(r["macro_f1"]),
        ]
        for r in lrs
    ]
    cls_table = md_table(
        [
            t("comparação", "comparison"),
            "pooling",
            t("treino", "train"),
            "lr",
            t("parâmetros treinados", "trained parameters"),
            t("acurácia", "accuracy"),
            "F1 macro",
        ],
        cls_rows,
    )
    inst_table = md_table(
        [
            t("máscara no prompt", "prompt masking"),
            t("perda nas respostas (validação)", "loss on answers (validation)"),
            "ROUGE-L F1",
            t("exemplos de treino", "training examples"),
        ],
        [
            [
                t("sim", "yes") if r["mask_prompt"] else t("não", "no"),
                fmt(r["response_loss"]),
                fmt(r["rouge_l"], 1),
                r["train_examples"],
            ]
            for r in masking
        ],
    )
    body = (
        t(
            f"Classificação de spam (src/llmzero/datasets/spam_ptbr.tsv, {s.cls_steps} passos "
            "cada; classe majoritária = "
            f"{base_acc:.3f}) e ajuste por instruções (instrucoes_ptbr.json, "
            f"{s.instruct_steps} passos; perda medida só nos "
            "tokens das respostas para as duas variantes, para ser comparável).",
            f"Spam classification (src/llmzero/datasets/spam_ptbr.tsv, {s.cls_steps} steps "
            "each; majority class = "
            f"{base_acc:.3f}) and instruction tuning (instrucoes_ptbr.json, {s.instruct_steps} "
            "steps; loss measured on the "
            "answer tokens only for both variants, so that it is comparable).",
        )
        + "\n\n"
        + cls_table
        + "\n\n"
        + inst_table
    )
    head, full = frozen
    lr_best = max(lrs, key=lambda r: r["accuracy"])
    mk, nomk = masking
    return ExperimentResult(
        "strategies",
        m,
        [plot],
        body,
        f"Pooling: último token {pooling[0]['accuracy']:.3f} × média {pooling[1]['accuracy']:.3f}; "
        f"só a cabeça {head['accuracy']:.3f} "
        f"× tudo {full['accuracy']:.3f}; melhor taxa {lr_best['lr']:g} "
        f"({lr_best['accuracy']:.3f}); perda nas respostas com máscara "
        f"{mk['response_loss']:.3f} × sem {nomk['response_loss']:.3f} (classe majoritária: "
        f"{base_acc:.3f}).",
        f"Pooling: last token {pooling[0]['accuracy']:.3f} vs mean {pooling[1]['accuracy']:.3f}; "
        f"head only {head['accuracy']:.3f} "
        f"vs everything {full['accuracy']:.3f}; best rate {lr_best['lr']:g} "
        f"({lr_best['accuracy']:.3f}); loss on answers with "
        f"masking {mk['response_loss']:.3f} vs without {nomk['response_loss']:.3f} (majority "
        f"class: {base_acc:.3f}).",
    )
