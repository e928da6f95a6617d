"""PNG figures a learner would rather look at than read. matplotlib runs headless (Agg)."""

from __future__ import annotations

from pathlib import Path

from llmzero.errors import t
from llmzero.fileio import atomic_path


def _pyplot():
    # Imported here, not at the top: matplotlib is slow to import and most commands draw nothing.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=120, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def plot_loss_curves(history: list[dict], path: str | Path, title: str | None = None) -> Path:
    """Training and validation loss per step, from the rows of metrics.jsonl."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    train = [(r["step"], r["train_loss"]) for r in history if r.get("train_loss") is not None]
    val = [(r["step"], r["val_loss"]) for r in history if r.get("val_loss") is not None]
    if train:
        ax.plot(*zip(*train), label=t("treino", "training"), marker="o", markersize=3)
    if val:
        ax.plot(*zip(*val), label=t("validação", "validation"), marker="s", markersize=3)
    ax.set_xlabel(t("passo", "step"))
    ax.set_ylabel(t("perda (entropia cruzada)", "loss (cross-entropy)"))
    ax.set_title(title or t("Curva de perda", "Loss curve"))
    ax.grid(alpha=0.3)
    ax.legend()
    return save_figure(fig, path)
