"""Experiments that train their own models: more data gives a lower validation loss."""

from __future__ import annotations

import pytest

from llmzero.lab.core import LabContext, train_lm
from llmzero.lab.training_runs import DATASET_SIZE, core_parameters, dataset_size_runs
from llmzero.model import GPT, GPTConfig


def test_more_data_ends_with_lower_validation_loss(tmp_path):
    # The quick setting of `llmzero lab dataset-size --quick` (seed 1337), with two of its four
    # fractions.
    ctx = LabContext(out=tmp_path, quick=True, seed=1337)
    runs, settings, n_val = dataset_size_runs(ctx, fractions=(0.1, 1.0))
    small, full = runs
    assert settings["steps"] == DATASET_SIZE[True].steps and n_val > 1000
    assert small["train_tokens"] < full["train_tokens"] / 8
    assert full["final_val_loss"] < small["final_val_loss"] - 0.1
    # with 10 % of the text the model over-fits: a wide gap between training and validation loss
    assert (
        small["final_val_loss"] - small["final_train_loss"]
        > full["final_val_loss"] - full["final_train_loss"] + 0.3
    )
    assert small["epochs"] > 5 > 2 > full["epochs"]
    # the full-data curve keeps going down
    losses = [loss for _, loss in full["curve"]]
    assert losses[-1] < losses[0]


def test_core_parameters_excludes_exactly_the_embeddings():
    for d, layers in [(16, 1), (64, 3)]:
        model = GPT(GPTConfig(vocab_size=50, context_length=8, n_layer=layers, n_head=2, n_embd=d))
        assert core_parameters(model) == layers * (12 * d * d + 13 * d) + 2 * d


def test_train_lm_is_reproducible_by_seed():
    import numpy as np

    ids = np.arange(3000) % 37
    config = GPTConfig(vocab_size=37, context_length=16, n_layer=1, n_head=1, n_embd=16)
    _, h1 = train_lm(
        ids[:2500], ids[2500:], config, steps=10, batch_size=4, lr=1e-2, seed=3, eval_every=5
    )
    _, h2 = train_lm(
        ids[:2500], ids[2500:], config, steps=10, batch_size=4, lr=1e-2, seed=3, eval_every=5
    )
    assert [r["val_loss"] for r in h1 if "val_loss" in r] == pytest.approx(
        [r["val_loss"] for r in h2 if "val_loss" in r]
    )
    assert len([r for r in h1 if "val_loss" in r]) == 2
