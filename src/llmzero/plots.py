"""Pictures a learner would rather look at than read.

Every helper builds its own ``matplotlib.figure.Figure`` (never through ``pyplot``, so the global
backend is left alone) and returns it. In a notebook the figure shows inline as a PNG; a report
writes it with ``save_figure``. matplotlib is imported only when something is drawn: most commands
draw nothing and it is slow to import.

The lesson pictures take plain lists or arrays (torch tensors too), never a model:

    fig = attention_map(weights, ["O", "gato", "dorme"])   # a notebook shows it
    save_figure(fig, "attention.png")                      # a report writes it
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from llmzero.errors import UserError, t
from llmzero.fileio import atomic_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SAVE_DPI = 120  # PNG files in reports
NOTEBOOK_DPI = 100  # PNG shown inline in a notebook


@functools.cache
def _inline_figure_class() -> type:
    from matplotlib.figure import Figure

    class InlineFigure(Figure):
        """A Figure that a notebook shows as a PNG even when pyplot was never imported."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=NOTEBOOK_DPI, bbox_inches="tight")
            return buf.getvalue()

    # pickle finds the class again through the module's __getattr__ below
    InlineFigure.__module__ = __name__
    InlineFigure.__qualname__ = "InlineFigure"
    return InlineFigure


def __getattr__(name: str) -> Any:
    if name == "InlineFigure":  # built on first use, so importing this module stays cheap
        return _inline_figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    dpi: float | None = None,
    layout: str | None = None,
    **subplots_kw: Any,
) -> tuple[Figure, Any]:
    """A new figure and its axes, like ``pyplot.subplots`` but without pyplot's global state.

    ``subplots_kw`` goes to ``Figure.subplots`` (``sharex``, ``sharey``, ``squeeze``,
    ``gridspec_kw``...); ``layout="constrained"`` spaces the panels. The figure draws with Agg and
    displays inline in a notebook.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _inline_figure_class()(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)  # draw with Agg without making it the global backend
    axes = fig.subplots(nrows, ncols, **subplots_kw)
    return fig, axes


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix, PNG by default), all or nothing."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=SAVE_DPI, bbox_inches="tight")
    return path


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------
def _array(values: Any, what: str, dtype: type = float) -> np.ndarray:
    """``values`` as a numpy array; torch tensors (on any device, with grad, in bf16) welcome."""
    if hasattr(values, "detach"):  # a torch tensor, without importing torch
        values = values.detach().cpu()
        if dtype is float:
            values = values.float()
    try:
        return np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise UserError(
            f"{what}: esperava números ({e}).", f"{what}: expected numbers ({e})."
        ) from None


def _readable(label: Any) -> str:
    """A token as a readable label: spaces as '␣', line breaks as '⏎', nothing as '∅'."""
    if isinstance(label, bytes):
        label = label.decode("utf-8", errors="replace")
    text = str(label).replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")
    return text or "∅"


def _visible(label: Any) -> str:
    """A readable label that matplotlib draws as it is ('$' never starts math)."""
    return _readable(label).replace("$", r"\$")


def _same_length(a: Sequence, b: Sequence, what_a: str, what_b: str) -> None:
    if len(a) != len(b):
        raise UserError(
            f"{what_a} e {what_b} precisam ter o mesmo tamanho ({len(a)} ≠ {len(b)}).",
            f"{what_a} and {what_b} must have the same length ({len(a)} ≠ {len(b)}).",
        )


# --------------------------------------------------------------------------------------------------
# Lesson pictures
# --------------------------------------------------------------------------------------------------
CHIP_CHAR = 0.1  # inches per character of a chip (monospace, 11 pt)
CHIP_UNIT = 0.3  # inches per vertical unit: a chip is 1 unit tall, a row of chips 2.2
CHIP_ROW_CHARS = 72  # a row of chips wraps after this many characters
CHIP_MAX_CHARS = 24  # longer tokens are cut with "…"


def token_chips(
    tokens: Sequence[Any], ids: Sequence[int] | None = None, title: str | None = None
) -> Figure:
    """Text cut into tokens: one coloured chip per token, its id under it.

    With ``ids`` the colour follows the id, so a token that repeats keeps its colour.
    """
    tokens = list(tokens)
    if not tokens:
        raise UserError("não há tokens para desenhar.", "there are no tokens to draw.")
    id_list = None if ids is None else [int(i) for i in _array(ids, "ids", int).reshape(-1)]
    if id_list is not None:
        _same_length(tokens, id_list, "tokens", "ids")
    texts = [_readable(tok) for tok in tokens]
    texts = [s if len(s) <= CHIP_MAX_CHARS else s[: CHIP_MAX_CHARS - 1] + "…" for s in texts]
    under = [str(i) for i in id_list] if id_list is not None else [""] * len(texts)
    # lay the chips out in rows, in character units: x0, width, row
    places, x, row = [], 0.0, 0
    for text, low in zip(texts, under):
        width = max(len(text), len(low)) + 1.2
        if x > 0 and x + width > CHIP_ROW_CHARS:
            x, row = 0.0, row + 1
        places.append((x, width, row))
        x += width + 0.6
    span = max(x0 + w for x0, w, _ in places)
    rows = row + 1
    from matplotlib.patches import FancyBboxPatch

    height = (rows - 1) * 2.2 + 2.1  # in vertical units, from the last row's ids to the top
    width_in, height_in = max(span * CHIP_CHAR, 2.0) + 0.3, height * CHIP_UNIT + 0.4
    fig, ax = figure(figsize=(width_in, height_in))
    # the axes fill the figure below the title, so a character is CHIP_CHAR wide
    ax.set_position((0.01, 0.01, 0.98, height * CHIP_UNIT / height_in))
    palette = _palette()
    for k, ((x0, width, r), text, low) in enumerate(zip(places, texts, under)):
        colour = palette[(id_list[k] if id_list is not None else k) % len(palette)]
        y = -r * 2.2
        ax.add_patch(
            FancyBboxPatch(
                (x0, y - 0.5),
                width,
                1.0,
                boxstyle="round,pad=0.02,rounding_size=0.3",
                facecolor=colour,
                edgecolor="0.35",
                linewidth=0.8,
            )
        )
        shown = text.replace("$", r"\$")  # '$' never starts math
        ax.text(x0 + width / 2, y, shown, ha="center", va="center", family="monospace", fontsize=11)
        if low:
            ax.text(
                x0 + width / 2, y - 0.95, low, ha="center", va="center", fontsize=8, color="0.3"
            )
    ax.set_xlim(-0.3, span + 0.3)
    ax.set_ylim(0.7 - height, 0.7)
    ax.axis("off")
    n = len(texts)
    ax.set_title(title or t(f"{n} tokens", f"{n} tokens"), fontsize=10)
    return fig


def _palette() -> list:
    from matplotlib import colormaps

    # light colours only, so dark text stays readable on every chip
    light, pastel = colormaps["tab20"], colormaps["Set3"]
    return [light(i) for i in range(1, 20, 2)] + [pastel(i) for i in range(12)]


def pca_2d(vectors: Any) -> tuple[np.ndarray, np.ndarray]:
    """The 2-D principal-component projection of ``vectors`` (N, D), and the share of the
    variance each of the two components keeps.

    Each component's sign is fixed (its largest loading is positive) so a rerun draws the same map.
    """
    x = _array(vectors, "vectors")
    if x.ndim != 2 or x.shape[0] == 0:
        raise UserError(
            f"os vetores precisam ser uma matriz (N, D) não vazia, não {tuple(x.shape)}.",
            f"the vectors must be a non-empty (N, D) matrix, not {tuple(x.shape)}.",
        )
    centred = x - x.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    comps = vt[:k]
    signs = np.sign(comps[np.arange(k), np.abs(comps).argmax(1)])
    comps = comps * np.where(signs == 0, 1.0, signs)[:, None]
    coords = np.zeros((x.shape[0], 2))
    coords[:, :k] = centred @ comps.T
    total = float((s**2).sum())
    share = np.zeros(2)
    if total > 0:
        share[:k] = s[:k] ** 2 / total
    return coords, share


def embedding_map(vectors: Any, labels: Sequence[Any], title: str | None = None) -> Figure:
    """Embedding vectors (N, D) projected on their two principal components, one labelled point
    each: tokens the model treats alike land close together."""
    labels = list(labels)
    coords, share = pca_2d(vectors)
    _same_length(labels, coords, "labels", t("vetores", "vectors"))
    fig, ax = figure(figsize=(7, 5.5))
    ax.scatter(coords[:, 0], coords[:, 1], s=28, color="tab:blue", alpha=0.8)
    for (px, py), label in zip(coords, labels):
        ax.annotate(
            _visible(label), (px, py), xytext=(4, 4), textcoords="offset points", fontsize=9
        )
    for axis, k in ((ax.set_xlabel, 0), (ax.set_ylabel, 1)):
        pct = f"{100 * share[k]:.0f}%"
        axis(
            t(f"componente {k + 1} ({pct} da variância)", f"component {k + 1} ({pct} of variance)")
        )
    ax.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.set_title(title or t("Embeddings em 2-D (PCA)", "Embeddings in 2-D (PCA)"))
    return fig


ATTENTION_PANELS_PER_ROW = 4
ATTENTION_ANNOTATE_UP_TO = 10  # write the weight inside each cell up to this many tokens
ATTENTION_TICKS_UP_TO = 40  # label the axes with the tokens up to this many


def attention_map(weights: Any, labels: Sequence[Any], title: str | None = None) -> Figure:
    """Attention weights as a heatmap: row = the token looking (query), column = the token looked
    at (key). ``weights`` is (T, T), or (H, T, T) for one panel per head ((1, H, T, T) is fine)."""
    w = _array(weights, "weights")
    if w.ndim == 4 and w.shape[0] == 1:
        w = w[0]
    if w.ndim == 2:
        w = w[None]
    labels = list(labels)
    if w.ndim != 3 or w.shape[1] != w.shape[2] or w.shape[1] == 0:
        raise UserError(
            f"os pesos de atenção precisam ter forma (T, T) ou (H, T, T), não {tuple(w.shape)}.",
            f"the attention weights must have shape (T, T) or (H, T, T), not {tuple(w.shape)}.",
        )
    _same_length(labels, w[0], "labels", t("pesos (T)", "weights (T)"))
    heads, size = w.shape[0], w.shape[1]
    ncols = min(heads, ATTENTION_PANELS_PER_ROW)
    nrows = math.ceil(heads / ncols)
    side = min(max(2.8, 0.42 * size + 1.2), 8.0)
    fig, axes = figure(
        nrows,
        ncols,
        figsize=(side * ncols + 1.2, side * nrows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    names = [_visible(label) for label in labels]
    top = max(1.0, float(np.nanmax(w)))
    image = None
    for h, ax in enumerate(axes.flat):
        if h >= heads:
            ax.axis("off")
            continue
        image = ax.imshow(w[h], cmap="viridis", vmin=0.0, vmax=top)
        first_column, bottom = h % ncols == 0, h + ncols >= heads
        ticks = range(size) if size <= ATTENTION_TICKS_UP_TO else []
        ax.set_xticks(ticks, names if ticks and bottom else [], rotation=90, fontsize=8)
        ax.set_yticks(ticks, names if ticks and first_column else [], fontsize=8)
        if size <= ATTENTION_ANNOTATE_UP_TO:
            for i in range(size):
                for j in range(size):
                    value = w[h, i, j]
                    ax.text(
                        j,
                        i,
                        f"{value:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="black" if value > 0.6 * top else "white",
                    )
        if heads > 1:
            ax.set_title(t(f"cabeça {h}", f"head {h}"), fontsize=10)
        if first_column:
            ax.set_ylabel(t("consulta (quem olha)", "query (token looking)"))
        if bottom:
            ax.set_xlabel(t("chave (quem é olhado)", "key (token looked at)"))
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label=t("peso", "weight"))
    fig.suptitle(title or t("Pesos de atenção", "Attention weights"))
    return fig


def next_token_bars(
    labels: Sequence[Any], probs: Any, title: str | None = None, top: int | None = 20
) -> Figure:
    """The candidates for the next token as horizontal bars, the most likely on top.

    ``probs`` may cover the whole vocabulary: only the ``top`` most likely are drawn (all of them
    with ``top=None``).
    """
    labels = list(labels)
    p = _array(probs, "probs").reshape(-1)
    _same_length(labels, p, "labels", "probs")
    if not labels:
        raise UserError("não há tokens para desenhar.", "there are no tokens to draw.")
    order = np.argsort(-p, kind="stable")[: top if top else None]
    shown, values = [_visible(labels[i]) for i in order], p[order]
    fig, ax = figure(figsize=(6.5, 0.32 * len(order) + 1.4))
    y = np.arange(len(order))
    ax.barh(y, values, color="tab:blue")
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {100 * v:.1f}%", va="center", fontsize=8)
    ax.set_yticks(y, shown, fontsize=9)
    ax.invert_yaxis()  # the first (most likely) bar on top
    ax.set_xlim(0, max(float(values.max()), 1e-9) * 1.18)
    ax.set_xlabel(t("probabilidade", "probability"))
    ax.set_title(title or t("Próximo token: as apostas do modelo", "Next token: the model's bets"))
    return fig


def loss_curves(history: Sequence[dict], title: str | None = None) -> Figure:
    """Training and validation loss per step, from the rows of metrics.jsonl (or a run's
    ``history``)."""
    fig, ax = figure(figsize=(7, 4))
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
    if train or val:
        ax.legend()
    return fig
