"""Classification fine-tuning: the same pre-trained GPT becomes, say, a spam detector.

The GPT body stays as it is; a small linear *head* reads one vector per text and gives one score per
class. That vector is the final hidden state of the last real token ("last": under causal attention
it is the only position that has seen the whole text) or the mean over all real tokens ("mean").

    finetune_classifier("runs/llmzero", "spam.tsv", "runs/spam")    # -> test metrics
    classify("runs/spam", "Você ganhou um prêmio! Clique no link")  # -> {"label": "spam",
    "probabilities": ...}

Data: CSV, TSV or JSONL with ``text`` and ``label`` (any number of classes) and an optional
``split`` column (train / validation / test); without it, a seeded stratified 70/10/20 split. Texts
longer than the context are cut, keeping their *beginning* (as in the series; for messages the start
says the most). Batches are padded on the right; under causal attention a real token never looks at
positions after it, so the padding changes nothing the head reads and no attention mask is needed.
"""

from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from llmzero.data.files import bad_record
from llmzero.data.labeled import (
    Example,
    encode_texts,
    make_batches,
    read_labeled_file,
)
from llmzero.errors import UserError, t
from llmzero.evaluation.classification import (
    classification_metrics,
    classify_texts,
    load_classifier,
    plot_confusion_matrix,
    predict,
)
from llmzero.fileio import write_json_atomic
from llmzero.finetune.common import open_base, save_merged_lora
from llmzero.model.classifier import GPTClassifier, check_pooling
from llmzero.model.lora import apply_lora, lora_settings
from llmzero.plots import save_figure
from llmzero.training.distributed import make_trainer
from llmzero.training.trainer import TrainConfig, check_batch_size

# Fine-tuning starts from a trained model: fewer steps and a gentler learning rate than
# pre-training.
CLASSIFY_TRAINING = TrainConfig(
    max_steps=300, lr=5e-4, warmup_steps=20, eval_every=50, eval_batches=25
)


# -- the model -------------------------------------------------------------------------------------


def set_trainable(model: GPTClassifier, train: str) -> str:
    """Choose what learns: "all", "head" (only the head) or "last-N" (the last N blocks + final norm
    + head)."""
    gpt, n_layer = model.gpt, len(model.gpt.blocks)
    n = check_train_mode(train, n_layer)
    model.requires_grad_(train == "all")
    model.head.requires_grad_(True)
    if n:
        for block in gpt.blocks[n_layer - n :]:
            block.requires_grad_(True)
        gpt.ln_f.requires_grad_(True)
    return train


def check_train_mode(train: str, n_layer: int) -> int:
    """Validate a --train value; returns N for "last-N", else 0."""
    n = train[5:] if isinstance(train, str) and train.startswith("last-") else ""
    if train not in ("all", "head") and not (n.isdigit() and 1 <= int(n) <= n_layer):
        raise UserError(
            f"--train deve ser all, head ou last-N com N de 1 a {n_layer} (recebeu {train!r}).",
            f"--train must be all, head or last-N with N from 1 to {n_layer} (got {train!r}).",
        )
    return int(n) if n else 0


# -- the data --------------------------------------------------------------------------------------


@dataclass
class ClassificationData:
    classes: list[str]
    train: list[Example]
    validation: list[Example]
    test: list[Example]
    source: str
    split: str  # "column" (the file's split column) or "stratified"


def stratified_split(
    examples: list[Example], seed: int, fractions=(0.7, 0.1, 0.2)
) -> tuple[list, list, list]:
    """Shuffle each class with ``seed`` and cut it 70/10/20, so every split keeps the class
    proportions."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by_label[e.label].append(e)
    rng = random.Random(seed)
    train, val, test = [], [], []
    for label in sorted(by_label):
        items = list(by_label[label])
        rng.shuffle(items)
        a = round(len(items) * fractions[0])
        b = round(len(items) * (fractions[0] + fractions[1]))
        train += items[:a]
        val += items[a:b]
        test += items[b:]
    return train, val, test


def load_classification_data(path: str | Path, seed: int = 1337) -> ClassificationData:
    """Read a labelled file and split it (its split column, else stratified 70/10/20 with
    ``seed``)."""
    rows = read_labeled_file(path)
    if rows[0][1] is not None:
        parts = {s: [e for e, split in rows if split == s] for s in ("train", "validation", "test")}
        train, val, test, how = parts["train"], parts["validation"], parts["test"], "column"
    else:
        train, val, test = stratified_split([e for e, _ in rows], seed)
        how = "stratified"
    if not train or not test:
        which_pt, which_en = ("treino", "training") if not train else ("teste", "test")
        raise UserError(
            f"{path} não tem exemplos de {which_pt}.", f"{path} holds no {which_en} examples."
        )
    classes = sorted({e.label for e in train})
    if len(classes) < 2:
        raise UserError(
            f"o treino em {path} tem um só rótulo ({classes[0]!r}); são precisos ao menos dois.",
            f"the training split of {path} has a single label ({classes[0]!r}); at "
            "least two are needed.",
        )
    for e in val + test:
        if e.label not in classes:
            raise bad_record(
                e.where,
                f"o rótulo {e.label!r} não aparece no treino (rótulos do treino: "
                f"{', '.join(classes)})",
                f"the label {e.label!r} never appears in training (training labels: "
                f"{', '.join(classes)})",
            )
    return ClassificationData(classes, train, val, test, str(path), how)


def classification_loss(model: GPTClassifier, batch) -> torch.Tensor:
    x, lengths, y = batch
    return F.cross_entropy(model(x, lengths).float(), y)


# -- fine-tuning and inference ---------------------------------------------------------------------


def finetune_classifier(
    base: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    pooling: str = "last",
    train: str = "last-2",
    lora: dict | None = None,
    batch_size: int = 8,
    max_length: int | None = None,
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Turn the pre-trained "lm" checkpoint ``base`` into a classifier of ``data``; returns the test
    metrics.

    train: "all" | "head" | "last-N" (what learns); lora: {"rank", "alpha", "targets"?, "dropout"?}
    trains low-rank adapters instead (with the head). training: TrainConfig fields
    (max_steps, lr, seed, ...). Writes out/checkpoint (plain weights, kind "classifier"),
    out/metrics_test.json, out/confusion_matrix.png, out/metrics.jsonl, out/loss.png and, with LoRA,
    the adapter alone in out/adapter/.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    check_pooling(pooling)
    cfg = CLASSIFY_TRAINING.updated(**training)
    check_batch_size(batch_size)
    base_ckpt = open_base(base, out, overwrite)
    tok, config = base_ckpt.tokenizer, base_ckpt.config
    if not lora:
        check_train_mode(train, config.n_layer)
    ds = load_classification_data(data, seed=cfg.seed)
    longest = max(
        len(ids) for ids in encode_texts(tok, [e.text for e in ds.train], config.context_length)
    )
    max_length = min(max_length or longest, config.context_length)

    torch.manual_seed(cfg.seed)
    model = GPTClassifier(config, len(ds.classes), pooling, gpt=base_ckpt.model)
    lora_meta = lora_settings(lora)
    if lora_meta:
        apply_lora(
            model, lora_meta["rank"], lora_meta["alpha"], lora_meta["targets"], lora_meta["dropout"]
        )
        train = "lora"
    else:
        train = set_trainable(model, train)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    train_b = make_batches(
        ds.train, ds.classes, tok, max_length, batch_size, cfg.seed, shuffle=True
    )
    val_b = (
        make_batches(ds.validation, ds.classes, tok, max_length, batch_size)
        if ds.validation
        else None
    )
    test_b = make_batches(ds.test, ds.classes, tok, max_length, batch_size)
    meta = {
        "kind": "classifier",
        "model": config.to_dict(),
        "classes": ds.classes,
        "pooling": pooling,
        "max_length": max_length,
        "train": train,
        "lora": lora_meta,
        "base": str(base_ckpt.path),
        "data": {
            "source": ds.source,
            "split": ds.split,
            "train": len(ds.train),
            "validation": len(ds.validation),
            "test": len(ds.test),
            "batch_size": batch_size,
        },
    }
    counts = Counter(e.label for e in ds.train)
    log(
        t(
            f"Classes: {', '.join(f'{c} ({counts[c]})' for c in ds.classes)}. Exemplos: "
            f"{len(ds.train)} treino, "
            f"{len(ds.validation)} validação, {len(ds.test)} teste; até {max_length} tokens por "
            "texto. "
            f"Treinando {trainable:,} de {total:,} parâmetros ({train}).",
            f"Classes: {', '.join(f'{c} ({counts[c]})' for c in ds.classes)}. Examples: "
            f"{len(ds.train)} training, "
            f"{len(ds.validation)} validation, {len(ds.test)} test; up to {max_length} tokens per "
            "text. "
            f"Training {trainable:,} of {total:,} parameters ({train}).",
        )
    )

    def val_accuracy(m) -> dict:
        true, pred, _ = predict(m, val_b)
        return {"val_accuracy": sum(a == b for a, b in zip(true, pred)) / len(true)}

    trainer = make_trainer(
        model,
        train_b,
        val_b,
        cfg,
        out,
        tokenizer=tok,
        meta=meta,
        loss_fn=classification_loss,
        extra_eval=val_accuracy if val_b is not None else None,
        log=log,
    )
    result = trainer.fit()
    model = trainer.model
    if lora_meta:
        save_merged_lora(
            model,
            out,
            tok,
            meta,
            base=base_ckpt.path,
            extra={"classes": ds.classes, "pooling": pooling, "max_length": max_length},
            steps=result.steps,
        )

    true, pred, _ = predict(model, test_b)
    metrics = classification_metrics(true, pred, ds.classes)
    majority = max(counts, key=lambda c: (counts[c], c))
    metrics["majority_baseline"] = sum(e.label == majority for e in ds.test) / len(ds.test)
    write_json_atomic(out / "metrics_test.json", metrics)
    confusion = plot_confusion_matrix(metrics["confusion"], ds.classes)
    save_figure(confusion, out / "confusion_matrix.png")
    last_val = next(
        (r["val_accuracy"] for r in reversed(result.history) if "val_accuracy" in r), None
    )
    return {
        **metrics,
        "val_accuracy": last_val,
        "train_loss": result.train_loss,
        "val_loss": result.val_loss,
        "steps": result.steps,
        "elapsed": round(result.elapsed, 2),
        "stopped_by": result.stopped_by,
        "trainable_parameters": trainable,
        "total_parameters": total,
        "train": train,
        "pooling": pooling,
        "max_length": max_length,
        "out": str(out),
        "checkpoint": str(out / "checkpoint"),
        "adapter": str(out / "adapter") if lora_meta else None,
    }


def classify(model_dir: str | Path, text: str) -> dict:
    """Classify one text with the fine-tuned model in ``model_dir``: {"label", "probabilities":
    {class: p}}."""
    if not isinstance(text, str) or not text.strip():
        raise UserError("o texto a classificar está vazio.", "the text to classify is empty.")
    return classify_texts(load_classifier(model_dir), [text])[0]
