"""How good is a classifier? Accuracy, precision, recall, F1 and the confusion matrix (and its PNG).

Both the fine-tuning report (``finetune_classifier``) and `llmzero eval classify` use these, so a
number printed by one means what it means in the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.data.labeled import ClassBatches, encode_texts, pad_id
from llmzero.errors import UserError, t
from llmzero.model.classifier import GPTClassifier
from llmzero.plots import figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def classification_metrics(y_true: list[int], y_pred: list[int], classes: list[str]) -> dict:
    """Accuracy, per-class and macro precision/recall/F1, and the confusion matrix.

    The confusion matrix has one row per true class and one column per predicted class.
    """
    k = len(classes)
    confusion = [[0] * k for _ in range(k)]
    for a, b in zip(y_true, y_pred):
        confusion[a][b] += 1
    per_class = {}
    for i, name in enumerate(classes):
        tp = confusion[i][i]
        predicted = sum(confusion[r][i] for r in range(k))
        actual = sum(confusion[i])
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        per_class[name] = {
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "support": actual,
        }
    n = len(y_true)
    macro = {m: sum(c[m] for c in per_class.values()) / k for m in ("precision", "recall", "f1")}
    accuracy = sum(confusion[i][i] for i in range(k)) / n if n else 0.0
    return {
        "accuracy": accuracy,
        "examples": n,
        "classes": list(classes),
        "per_class": per_class,
        "macro": macro,
        "confusion": confusion,
    }


def plot_confusion_matrix(
    confusion: list[list[int]], classes: list[str], *, title: str | None = None
) -> Figure:
    """The confusion matrix: true class down the side, predicted across, counts inside."""
    k = len(classes)
    fig, ax = figure(figsize=(1.2 * k + 2.5, 1.0 * k + 2))
    top = max(max(row) for row in confusion) or 1
    ax.imshow(confusion, cmap="Blues", vmin=0, vmax=top)
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(confusion[i][j]),
                ha="center",
                va="center",
                fontsize=12,
                color="white" if confusion[i][j] > top / 2 else "black",
            )
    ax.set_xticks(range(k), classes, rotation=30 if k > 4 else 0)
    ax.set_yticks(range(k), classes)
    ax.set_xlabel(t("classe prevista", "predicted class"))
    ax.set_ylabel(t("classe verdadeira", "true class"))
    ax.set_title(title or t("Matriz de confusão (teste)", "Confusion matrix (test)"))
    return fig


@torch.no_grad()
def predict(
    model: GPTClassifier, batches: ClassBatches
) -> tuple[list[int], list[int], torch.Tensor]:
    """(true labels, predicted labels, probabilities (n, n_classes)) over every example of
    ``batches``."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    true, probs = [], []
    for x, lengths, y in batches.iterate():
        probs.append(torch.softmax(model(x.to(device), lengths.to(device)).float(), dim=-1).cpu())
        true += y.tolist()
    model.train(was_training)
    probs = torch.cat(probs)
    return true, probs.argmax(-1).tolist(), probs


def load_classifier(model_dir: str | Path, device: str = "cpu"):
    """The checkpoint of a fine-tuned classifier (a UserError for any other kind of model)."""
    ckpt = load_checkpoint(model_dir, device=device, kinds=("classifier",))
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    ckpt.model.eval()
    return ckpt


def classify_texts(ckpt, texts: list[str], batch_size: int = 32) -> list[dict]:
    """{"label", "probabilities": {class: p}} for each text, with a loaded classifier checkpoint."""
    classes = ckpt.meta["classes"]
    max_length = min(
        ckpt.meta.get("max_length") or ckpt.config.context_length, ckpt.config.context_length
    )
    ids = encode_texts(ckpt.tokenizer, list(texts), max_length)
    batches = ClassBatches(ids, [0] * len(ids), batch_size, pad_id(ckpt.tokenizer), shuffle=False)
    _, pred, probs = predict(ckpt.model, batches)
    return [
        {"label": classes[k], "probabilities": {c: float(p) for c, p in zip(classes, row)}}
        for k, row in zip(pred, probs.tolist())
    ]
