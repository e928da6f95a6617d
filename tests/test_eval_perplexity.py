"""Perplexity with a sliding window: the plan of windows, and the numbers against a brute-force
computation."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from llmzero.errors import UserError
from llmzero.evaluation.perplexity import perplexity, perplexity_ids, window_plan
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer

TEXT = "o gato dorme no sofá e o cão corre na sala; a casa é azul e o dia é longo. " * 3


@pytest.fixture(scope="module")
def tok():
    return CharTokenizer().train(TEXT)


@pytest.fixture(scope="module")
def model(tok):
    torch.manual_seed(0)
    return GPT(preset("nano", vocab_size=tok.vocab_size, context_length=16)).eval()


def test_window_plan_docstring_example():
    assert window_plan(10, 4, 2) == [(0, 4, 1), (2, 6, 5), (4, 8, 7), (5, 9, 9)]
    assert window_plan(1, 4, 2) == []
    # shorter than the context: one window over everything
    assert window_plan(3, 8, 4) == [(0, 2, 1)]


@pytest.mark.parametrize(
    "n,context,stride", [(2, 4, 1), (10, 4, 4), (37, 8, 3), (100, 16, 8), (17, 16, 16), (50, 7, 1)]
)
def test_window_plan_scores_every_token_once_with_enough_context(n, context, stride):
    plan = window_plan(n, context, stride)
    length = min(context, n - 1)
    scored = []
    for start, end, first in plan:
        assert end - start == length  # every window is full (the last one is pulled back)
        for target in range(first, end + 1):
            scored.append(target)
            seen = target - start  # tokens before the target inside its window
            assert seen == target if start == 0 else seen >= length - stride + 1
    assert scored == list(range(1, n))


def brute_force_loss(model, ids, context):
    """−log p of each token t >= 1 from a separate forward pass over the (up to) ``context`` tokens
    before it."""
    nll = []
    with torch.no_grad():
        for t in range(1, len(ids)):
            x = torch.tensor([ids[max(0, t - context) : t]])
            logp = F.log_softmax(model(x).logits[0, -1].float(), dim=-1)
            nll.append(-logp[ids[t]].item())
    return sum(nll) / len(nll)


def test_stride_one_equals_brute_force(model, tok):
    ids = tok.encode(TEXT[:60])
    r = perplexity_ids(model, ids, context=16, stride=1)
    assert r["tokens"] == len(ids) - 1
    assert r["loss"] == pytest.approx(brute_force_loss(model, ids, 16), rel=1e-5)
    assert r["ppl"] == pytest.approx(math.exp(r["loss"]))


def test_disjoint_windows_equal_chunked_computation(model, tok):
    ids = tok.encode(TEXT[:70])
    r = perplexity_ids(model, ids, context=16, stride=16)
    total, count = 0.0, 0
    with torch.no_grad():
        for start, end, first in window_plan(len(ids), 16, 16):
            logits = model(torch.tensor([ids[start:end]])).logits[0].float()
            logp = F.log_softmax(logits, dim=-1)
            # target position pos is predicted at row pos - start - 1
            for pos in range(first, end + 1):
                total -= logp[pos - start - 1, ids[pos]].item()
                count += 1
    assert r["tokens"] == count == len(ids) - 1
    assert r["loss"] == pytest.approx(total / count, rel=1e-5)


def test_batching_and_stride_do_not_change_what_is_counted(model, tok):
    ids = tok.encode(TEXT)
    one = perplexity_ids(model, ids, context=16, stride=5, batch_size=1)
    many = perplexity_ids(model, ids, context=16, stride=5, batch_size=7)
    assert many["loss"] == pytest.approx(one["loss"], rel=1e-5)
    assert one["windows"] == len(window_plan(len(ids), 16, 5))
    for stride in (1, 8, 16):
        assert perplexity_ids(model, ids, context=16, stride=stride)["tokens"] == len(ids) - 1


def test_uniform_model_has_perplexity_equal_to_vocab_size(tok):
    m = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=16))
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()  # every logit is 0: each token has probability 1/V
    r = perplexity(m, tok, TEXT)
    assert r["loss"] == pytest.approx(math.log(tok.vocab_size), rel=1e-6)
    assert r["ppl"] == pytest.approx(tok.vocab_size, rel=1e-5)
    # one character per token: bits per character = bits per token = log2 V
    assert r["chars"] == len(TEXT) - 1
    assert r["bits_per_char"] == pytest.approx(math.log2(tok.vocab_size), rel=1e-6)


def test_default_context_and_stride(model, tok):
    r = perplexity(model, tok, TEXT)
    assert (r["context"], r["stride"]) == (16, 8)


def test_training_mode_is_restored(tok):
    m = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=16)).train()
    perplexity(m, tok, TEXT)
    assert m.training


def test_user_errors(model, tok):
    with pytest.raises(UserError, match="context"):
        perplexity(model, tok, TEXT, context=17)
    with pytest.raises(UserError, match="stride"):
        perplexity(model, tok, TEXT, context=8, stride=9)
    with pytest.raises(UserError, match="fewer than 2 tokens"):
        perplexity(model, tok, "o")
