"""`llmzero eval classify`: score a fine-tuned classifier on a labelled file (by default the shipped
spam test split).

Everything here is glue: the file reader of ``llmzero.data.labeled`` and the inference and metrics
of ``evaluation.classification``, as fine-tuning uses them, so a number printed here means what the
fine-tuning report means.
"""

from __future__ import annotations

from pathlib import Path

from llmzero.data.labeled import read_labeled_file
from llmzero.datasets import dataset_path
from llmzero.errors import UserError
from llmzero.evaluation.classification import (
    classification_metrics,
    classify_texts,
    load_classifier,
    plot_confusion_matrix,
)
from llmzero.plots import save_figure

SPLIT_CHOICES = ("train", "validation", "test", "all")
MAX_MISTAKES = 10  # wrongly classified examples kept in the result, to look at


def evaluate_classifier(
    model_dir: str | Path,
    data: str | Path | None = None,
    split: str | None = None,
    batch_size: int = 32,
    confusion_png: str | Path | None = None,
) -> dict:
    """Accuracy, per-class and macro precision/recall/F1 and the confusion matrix of a classifier on
    ``data``.

    data: CSV/TSV/JSONL with text and label (default: the shipped spam_ptbr.tsv). split: train |
    validation | test | all; default: test when the file has a split column, else every row. Returns
    the metrics of ``classification_metrics`` plus "model", "data", "split" and "mistakes" (up to 10
    misclassified examples).
    """
    if split is not None and split not in SPLIT_CHOICES:
        raise UserError(
            f"--split deve ser {', '.join(SPLIT_CHOICES)} (recebeu {split!r}).",
            f"--split must be {', '.join(SPLIT_CHOICES)} (got {split!r}).",
        )
    if data is None:
        data = dataset_path("spam_ptbr.tsv")
    ckpt = load_classifier(model_dir)
    rows = read_labeled_file(data)
    has_split = rows[0][1] is not None
    if split is None:
        split = "test" if has_split else "all"
    if split != "all" and not has_split:
        raise UserError(
            f"{data} não tem coluna split; use --split all para avaliar todas as linhas.",
            f"{data} has no split column; use --split all to evaluate every row.",
        )
    examples = [e for e, s in rows if split == "all" or s == split]
    if not examples:
        raise UserError(
            f"{data} não tem exemplos no split {split!r}.",
            f"{data} holds no examples in the {split!r} split.",
        )
    classes = ckpt.meta["classes"]
    index = {c: i for i, c in enumerate(classes)}
    for e in examples:
        if e.label not in index:
            names = ", ".join(classes)
            raise UserError(
                f"{e.where}: o rótulo {e.label!r} não é uma classe do modelo ({names}).",
                f"{e.where}: the label {e.label!r} is not one of the model's classes ({names}).",
            )
    predictions = classify_texts(ckpt, [e.text for e in examples], batch_size)
    metrics = classification_metrics(
        [index[e.label] for e in examples], [index[p["label"]] for p in predictions], classes
    )
    mistakes = [
        {
            "where": e.where,
            "text": e.text,
            "label": e.label,
            "predicted": p["label"],
            "probability": p["probabilities"][p["label"]],
        }
        for e, p in zip(examples, predictions)
        if p["label"] != e.label
    ]
    if confusion_png:
        save_figure(plot_confusion_matrix(metrics["confusion"], classes), confusion_png)
    return {
        "model": str(ckpt.path),
        "data": str(data),
        "split": split,
        **metrics,
        "mistakes": mistakes[:MAX_MISTAKES],
        "confusion_png": str(confusion_png) if confusion_png else None,
    }
