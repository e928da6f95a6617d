"""Temperature and the next-token distribution, measured on a tiny character model."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import micro_model
from llmzero.errors import UserError
from llmzero.lab.core import answer
from llmzero.lab.sampling import (
    next_token_distribution,
    plot_next_token_distribution,
    temperature_sweep,
)

PROMPTS = ["A capital do", "Toda manhã, a", "O Brasil tem"]


@pytest.fixture(scope="module")
def lm():
    return micro_model(steps=80, seed=0)


@pytest.fixture(scope="module")
def sweep(lm):
    return temperature_sweep(lm, PROMPTS, [0.0, 1.0, 1.5], samples=1, max_new_tokens=60, seed=5)


def test_distinct_n_rises_with_temperature(sweep):
    d2 = [r["distinct_2"] for r in sweep]
    d1 = [r["distinct_1"] for r in sweep]
    assert d2[0] < d2[1] <= d2[2] + 0.05  # greedy < sampled; 1.5 at least about as diverse as 1.0
    assert d2[2] > d2[0] + 0.2
    assert d1[2] > d1[0]


def test_greedy_repeats_at_least_as_much_as_sampling(sweep):
    rep = {r["temperature"]: r["repetition"] for r in sweep}
    assert rep[0.0] >= rep[1.0] and rep[0.0] >= rep[1.5]
    assert rep[0.0] > 0.2  # a briefly trained model loops when it always takes the favourite


def test_sample_perplexity_grows_with_temperature(sweep):
    ppl = [r["perplexity"] for r in sweep]
    assert all(math.isfinite(p) and p >= 1.0 for p in ppl)
    assert ppl[0] < ppl[1] < ppl[2]


def test_sweep_is_reproducible_by_seed(lm, sweep):
    again = temperature_sweep(lm, PROMPTS, [0.0, 1.0, 1.5], samples=1, max_new_tokens=60, seed=5)
    assert [r["samples"] for r in again] == [r["samples"] for r in sweep]
    other = temperature_sweep(lm, PROMPTS[:1], [1.5], samples=1, max_new_tokens=60, seed=6)
    assert other[0]["samples"][0] != sweep[2]["samples"][0]


def test_answer_probabilities_are_the_models_own(lm):
    prompt = "A capital do"
    a = answer(lm, prompt, max_new_tokens=8, temperature=0.0, stop=[])
    ids = lm.tokenizer.encode(prompt)
    with torch.no_grad():
        probs = torch.softmax(lm.model(torch.tensor([ids])).logits[0, -1], -1)
    # greedy takes the favourite
    assert a.token_probs[0] == pytest.approx(float(probs.max()), rel=1e-4)


def test_next_token_distribution_shifts_with_temperature(lm):
    dist = next_token_distribution(
        lm.model, lm.tokenizer, "A capital do Brasil é", (0.5, 1.0, 1.5), top_k=8
    )
    assert len(dist.token_ids) == 8 == len(dist.labels)
    p1 = dist.probs[1.0]
    assert p1 == sorted(p1, reverse=True) and sum(p1) <= 1.0 + 1e-6
    assert dist.top1[0.5] > dist.top1[1.0] > dist.top1[1.5]
    assert (
        dist.entropy_bits[0.5]
        < dist.entropy_bits[1.0]
        < dist.entropy_bits[1.5]
        <= math.log2(lm.tokenizer.vocab_size)
    )
    with pytest.raises(UserError):
        next_token_distribution(lm.model, lm.tokenizer, "x", (0.0,))


def test_plot_next_token_distribution_saves_a_png_or_returns_the_figure(lm, tmp_path):
    path = tmp_path / "nt.png"
    dist = plot_next_token_distribution(
        lm.model, lm.tokenizer, "O Brasil", path, temperatures=(0.7, 1.3), top_k=5
    )
    assert path.read_bytes()[:4] == b"\x89PNG" and dist.path == path and dist.figure is None
    shown = plot_next_token_distribution(
        lm.model, lm.tokenizer, "O Brasil", temperatures=1.0, top_k=5
    )
    assert shown.figure is not None and list(shown.probs) == [1.0]
    assert len(shown.figure.axes) == 1
