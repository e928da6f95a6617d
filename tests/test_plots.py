"""The picture helpers: figures built without pyplot, shown inline in a notebook, and the lesson
pictures drawn from plain arrays."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import FancyBboxPatch, Rectangle

from llmzero import plots
from llmzero.errors import UserError, set_lang

PNG = b"\x89PNG\r\n\x1a\n"


def _texts(ax) -> list[str]:
    return [txt.get_text() for txt in ax.texts]


def _images(fig) -> list[AxesImage]:
    return [im for ax in fig.axes for im in ax.get_images()]


# -- figures without pyplot ------------------------------------------------------------------------


DRAW_EVERYTHING = """
import json, sys, matplotlib
from llmzero import plots
figs = [
    plots.token_chips(["O", " gato"], [7, 8]),
    plots.embedding_map([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 2.0, 0.0]], "abc"),
    plots.attention_map([[[1.0, 0.0], [0.3, 0.7]]] * 2, ["a", "b"]),
    plots.next_token_bars(["x", "y"], [0.25, 0.75]),
    plots.loss_curves([{"step": 0, "train_loss": 3.0, "val_loss": 3.1}]),
]
for i, fig in enumerate(figs):
    plots.save_figure(fig, f"f{i}.png")
    fig._repr_png_()
print(json.dumps({
    "backend": matplotlib.get_backend(auto_select=False),
    "pyplot": "matplotlib.pyplot" in sys.modules,
}))
"""


def test_drawing_and_saving_never_touch_the_global_backend(tmp_path):
    # a fresh interpreter, whose backend the user chose (svg here): the helpers must keep it
    env = {**os.environ, "MPLBACKEND": "svg", "LLMZERO_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", DRAW_EVERYTHING],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state == {"backend": "svg", "pyplot": False}
    assert all((tmp_path / f"f{i}.png").read_bytes()[:8] == PNG for i in range(5))


NOTEBOOK_CELLS = [
    # 0: a figure as the last expression of a cell, pyplot never imported
    "import matplotlib\n"
    "before = matplotlib.get_backend()\n"
    "from llmzero.plots import attention_map\n"
    "attention_map([[1.0, 0.0], [0.4, 0.6]], ['O', ' gato'])",
    # 1: nobody imported pyplot, so the picture above came from the figure itself
    "import sys\nprint('matplotlib.pyplot' in sys.modules)",
    # 2: the kernel's own backend (inline) is still in place after drawing
    "print(before, matplotlib.get_backend())",
    # 3: with pyplot imported (inline active) a figure still shows once
    "import matplotlib.pyplot as plt\n"
    "from llmzero.plots import next_token_bars\n"
    "next_token_bars(['a', 'b', 'c'], [0.2, 0.5, 0.3])",
]


def test_a_figure_shows_inline_as_png_in_a_notebook(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outs = [cell.outputs for cell in nb.cells]

    def pngs(outputs) -> list[str]:
        return [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]

    first = pngs(outs[0])
    assert len(first) == 1 and first[0].startswith("iVBORw0KGgo")  # base64 of the PNG header
    assert outs[1][0]["text"].strip() == "False"
    before, after = outs[2][0]["text"].split()
    assert before == after and "inline" in after
    assert len(pngs(outs[3])) == 1


def test_figure_builds_axes_like_subplots_and_pickles():
    fig, axes = plots.figure(2, 3, figsize=(6, 4), sharey=True)
    assert isinstance(fig, Figure) and axes.shape == (2, 3) and len(fig.axes) == 6
    assert tuple(fig.get_size_inches()) == (6.0, 4.0)
    fig, ax = plots.figure()
    ax.plot([0, 1], [1, 0])
    again = pickle.loads(pickle.dumps(fig))
    assert isinstance(again, plots.InlineFigure) and again._repr_png_()[:8] == PNG


def test_save_figure_writes_the_format_of_the_suffix_all_or_nothing(tmp_path):
    fig = plots.next_token_bars(["a", "b"], [0.4, 0.6])
    assert plots.save_figure(fig, tmp_path / "sub" / "b.png").read_bytes()[:8] == PNG
    assert b"<svg" in plots.save_figure(fig, tmp_path / "b.svg").read_bytes()[:400]
    with pytest.raises(ValueError):
        plots.save_figure(fig, tmp_path / "b.nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.svg", "sub"]


# -- token chips -----------------------------------------------------------------------------------


def test_token_chips_draw_one_chip_per_token_with_its_id():
    tokens = ["O", " gato", " dorme", ".", " gato", "$5"]
    ids = torch.tensor([12, 301, 52, 4, 301, 77])
    fig = plots.token_chips(tokens, ids)
    ax = fig.axes[0]
    chips = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(chips) == len(tokens)
    texts = _texts(ax)
    for shown in ["O", "␣gato", "␣dorme", ".", r"\$5"] + [str(i) for i in ids.tolist()]:
        assert shown in texts
    # a token keeps its colour wherever it repeats; different ids get different colours
    colours = [tuple(c.get_facecolor()) for c in chips]
    assert colours[1] == colours[4] and len(set(colours)) == 5
    assert "6 tokens" in ax.get_title()


def test_token_chips_wrap_long_text_into_rows_and_need_matching_ids():
    many = plots.token_chips([f" palavra{i}" for i in range(40)])
    rows = {round(p.get_y(), 3) for p in many.axes[0].patches}
    assert len(rows) > 1
    assert len(many.axes[0].texts) == 40  # no ids: no numbers under the chips
    with pytest.raises(UserError, match="same length"):
        plots.token_chips(["a", "b"], [1])
    with pytest.raises(UserError, match="no tokens"):
        plots.token_chips([])


# -- embedding map ---------------------------------------------------------------------------------


def test_pca_keeps_the_distances_of_points_on_a_plane():
    rng = np.random.default_rng(0)
    flat = rng.normal(size=(9, 2)) * [3.0, 1.0]
    basis, _ = np.linalg.qr(rng.normal(size=(6, 2)))  # a plane inside 6-D
    vectors = flat @ basis.T + 5.0
    coords, share = plots.pca_2d(vectors)
    dist = lambda x: np.linalg.norm(x[:, None] - x[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(dist(coords), dist(flat), atol=1e-9)
    assert share.sum() == pytest.approx(1.0) and share[0] > share[1]
    again, _ = plots.pca_2d(vectors * 1.0)
    np.testing.assert_array_equal(coords, again)


def test_embedding_map_places_one_labelled_point_per_vector():
    vectors = torch.randn(7, 16, requires_grad=True)
    labels = ["rei", "rainha", " homem", "mulher", "gato", "cão", "\n"]
    fig = plots.embedding_map(vectors, labels)
    ax = fig.axes[0]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 1
    coords, share = plots.pca_2d(vectors)
    np.testing.assert_allclose(points[0].get_offsets(), coords)
    assert _texts(ax) == ["rei", "rainha", "␣homem", "mulher", "gato", "cão", "⏎"]
    assert f"{100 * share[0]:.0f}%" in ax.get_xlabel()
    with pytest.raises(UserError, match="same length"):
        plots.embedding_map(vectors, labels[:-1])
    with pytest.raises(UserError, match=r"\(N, D\)"):
        plots.embedding_map(torch.randn(5), list("abcde"))


# -- attention map ---------------------------------------------------------------------------------


def _causal(heads: int, size: int) -> torch.Tensor:
    scores = torch.randn(heads, size, size)
    mask = torch.triu(torch.ones(size, size, dtype=torch.bool), 1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")), -1)


def test_attention_map_draws_one_heatmap_labelled_with_the_tokens():
    w = _causal(1, 4)[0]
    fig = plots.attention_map(w, ["O", " gato", " dorme", "."], title="uma cabeça")
    (image,) = _images(fig)
    np.testing.assert_allclose(image.get_array(), w.numpy())
    ax = image.axes
    assert [x.get_text() for x in ax.get_xticklabels()] == ["O", "␣gato", "␣dorme", "."]
    assert [y.get_text() for y in ax.get_yticklabels()] == ["O", "␣gato", "␣dorme", "."]
    assert len(ax.texts) == 16 and "query" in ax.get_ylabel() and "key" in ax.get_xlabel()
    assert fig.get_suptitle() == "uma cabeça"


def test_attention_map_draws_a_panel_per_head():
    w = _causal(6, 3)
    fig = plots.attention_map(w.unsqueeze(0), ["a", "b", "c"])  # (1, H, T, T) is fine
    images = _images(fig)
    assert len(images) == 6
    assert [im.axes.get_title() for im in images] == [f"head {h}" for h in range(6)]
    for h, im in enumerate(images):
        np.testing.assert_allclose(im.get_array(), w[h].numpy())
    set_lang("pt")
    pt = plots.attention_map(w[:2], ["a", "b", "c"])
    assert [im.axes.get_title() for im in _images(pt)] == ["cabeça 0", "cabeça 1"]


def test_attention_map_rejects_bad_shapes_and_labels():
    with pytest.raises(UserError, match="same length"):
        plots.attention_map(_causal(1, 3)[0], ["a", "b"])
    with pytest.raises(UserError, match=r"\(T, T\)"):
        plots.attention_map(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(UserError, match=r"\(T, T\)"):
        plots.attention_map(np.ones(3), ["a", "b", "c"])


# -- next-token bars -------------------------------------------------------------------------------


def test_next_token_bars_put_the_most_likely_token_on_top():
    labels = [" casa", " mar", " sol", "\n", " rua"]
    probs = torch.tensor([0.1, 0.45, 0.05, 0.3, 0.1])
    fig = plots.next_token_bars(labels, probs)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # from the top of the picture down: y grows downwards once the axis is inverted
    assert ax.yaxis_inverted()
    top_down = sorted(bars, key=lambda b: b.get_y())
    widths = [b.get_width() for b in top_down]
    assert widths == pytest.approx([0.45, 0.3, 0.1, 0.1, 0.05])
    assert [y.get_text() for y in ax.get_yticklabels()] == ["␣mar", "⏎", "␣casa", "␣rua", "␣sol"]
    assert "45.0%" in " ".join(_texts(ax))


def test_next_token_bars_keep_the_top_ones_and_need_matching_lengths():
    probs = torch.softmax(torch.randn(300), -1)
    fig = plots.next_token_bars([str(i) for i in range(300)], probs, top=7)
    ax = fig.axes[0]
    assert len(ax.patches) == 7
    best = [str(i) for i in torch.topk(probs, 7).indices.tolist()]
    assert [y.get_text() for y in ax.get_yticklabels()] == best
    assert len(plots.next_token_bars(list("abc"), [0.2, 0.3, 0.5], top=None).axes[0].patches) == 3
    with pytest.raises(UserError, match="same length"):
        plots.next_token_bars(["a", "b"], [0.2, 0.3, 0.5])


# -- loss curves and the stages' plots -------------------------------------------------------------


def test_loss_curves_draw_the_training_and_validation_rows():
    history = [
        {"step": 0, "train_loss": 4.0, "val_loss": 4.1},
        {"step": 10, "train_loss": 3.0},
        {"step": 20, "train_loss": 2.5, "val_loss": 2.9},
    ]
    ax = plots.loss_curves(history).axes[0]
    train, val = ax.get_lines()
    assert list(train.get_xdata()) == [0, 10, 20] and list(train.get_ydata()) == [4.0, 3.0, 2.5]
    assert list(val.get_xdata()) == [0, 20] and list(val.get_ydata()) == [4.1, 2.9]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["training", "validation"]
    assert ax.get_title() == "Loss curve"
    assert plots.loss_curves([]).axes[0].get_legend() is None


def test_every_stage_plot_returns_a_figure():
    from llmzero.align.dpo import plot_dpo
    from llmzero.align.rl import plot_rl
    from llmzero.evaluation.classification import plot_confusion_matrix
    from llmzero.lab import alignment

    rows = [
        {"step": s, "val_margin": 0.1 * s, "val_pref_accuracy": 0.5, "val_logp_accuracy": 0.6}
        for s in (5, 10)
    ]
    rl_rows = [
        {"step": s, "train_reward": 0.1 * s, "eval_reward": 0.2, "kl": 0.01 * s} for s in (0, 5)
    ]
    rl_rows[1].update(train_accuracy=0.4, eval_accuracy=0.5, response_length=9)
    policy = {
        "reward_model_score": 0.1,
        "logp_accuracy": 0.6,
        "kl_to_sft": 0.0,
        "answer_chars": 40,
        "worked_accuracy": 0.5,
        "reward_only_accuracy": 0.4,
        "arithmetic_accuracy": 0.3,
    }
    figures = [
        plot_dpo(rows, 0.55),
        plot_rl(rl_rows),
        plot_confusion_matrix([[3, 1], [0, 4]], ["ham", "spam"]),
        alignment.plot_training(rows, rl_rows, rl_rows[0], 0.55),
        alignment.plot_hacking(rl_rows, rl_rows, [{"step": 5, "accuracy": 0.2}]),
        alignment.plot_policies({"sft": policy, "dpo": policy}),
    ]
    for fig in figures:
        assert isinstance(fig, plots.InlineFigure) and fig._repr_png_()[:8] == PNG
    assert plot_rl([{"step": 0}]) is None
    confusion = figures[2].axes[0]
    assert _texts(confusion) == ["3", "1", "0", "4"]


def test_the_next_token_distribution_shows_as_its_figure():
    from llmzero.lab.sampling import NextTokenDistribution

    dist = NextTokenDistribution("O", [1], ["a"], {1.0: [1.0]}, {1.0: 0.0})
    assert dist._repr_png_() is None
    dist.figure = plots.next_token_bars(["a"], [1.0])
    assert dist._repr_png_()[:8] == PNG
