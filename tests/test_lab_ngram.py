"""Chapter 01's counting model: smoothing, normalisation, and a fair comparison with a GPT."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmzero.errors import UserError
from llmzero.lab.core import train_lm
from llmzero.lab.ngram import NGramModel
from llmzero.model import GPTConfig

# A toy corpus of word ids: 0 1 2 0 1 2 ... with a few 3s; word 4 never appears.
TRAIN = [0, 1, 2, 0, 1, 2, 0, 1, 3, 0, 1, 2, 0, 1, 2, 3]
V = 5


def test_add_k_matches_its_formula_and_gives_unseen_pairs_probability():
    m = NGramModel(2, V, "add-k", k=1.0).fit(TRAIN)
    # count(1 -> 2) = 4, count(1 -> *) = 5
    assert m.prob([1], 2) == pytest.approx((4 + 1) / (5 + 1 * V))
    unseen = m.prob([1], 4)  # "1 4" never happened, 4 never appeared at all
    assert unseen == pytest.approx(1 / (5 + V)) and unseen > 0
    # an unseen context falls back to uniform
    assert m.prob([4], 0) == pytest.approx(1 / V)
    # without smoothing (k -> 0) the unseen pair tends to probability 0: smoothing is what keeps it
    # finite
    tiny = NGramModel(2, V, "add-k", k=1e-9).fit(TRAIN)
    assert tiny.prob([1], 4) < 1e-8 and tiny.prob([1], 2) == pytest.approx(4 / 5, rel=1e-6)


@pytest.mark.parametrize(
    "order,smoothing", [(1, "add-k"), (2, "add-k"), (3, "add-k"), (2, "kn"), (3, "kn")]
)
def test_every_distribution_sums_to_one_and_matches_prob(order, smoothing):
    m = NGramModel(order, V, smoothing, k=0.5).fit(TRAIN)
    for history in ([], [0], [0, 1], [2, 3], [4, 4], [1, 4]):
        p = m.distribution(history)
        assert p.shape == (V,) and p.sum() == pytest.approx(1.0) and (p > 0).all()
        assert [m.prob(history, w) for w in range(V)] == pytest.approx(p.tolist())


def test_kneser_ney_discounts_seen_counts_and_uses_continuation_counts():
    m = NGramModel(2, V, "kn", discount=0.75).fit(TRAIN)
    # seen counts lose mass to unseen words
    assert 0 < m.prob([1], 4) < m.prob([1], 3) < m.prob([1], 2) < 4 / 5
    # continuation unigram: word 0 follows 2 and 3 (2 contexts), word 1 follows only 0 (1 context)
    assert m.prob([4], 0) > m.prob([4], 1)


def test_perplexity_is_finite_on_unseen_words_and_counts_every_position():
    val = [0, 1, 4, 4, 2, 0, 3]
    for order, smoothing in [(2, "add-k"), (3, "kn")]:
        r = NGramModel(order, V, smoothing, k=0.1).fit(TRAIN).perplexity(val)
        assert math.isfinite(r["ppl"]) and r["ppl"] > 1 and r["tokens"] == len(val) - 1
    with pytest.raises(UserError):
        NGramModel(2, V, "witten-bell")


def test_bigram_and_gpt_are_scored_on_the_same_tokens():
    from llmzero.evaluation.perplexity import perplexity_ids

    rng = np.random.default_rng(0)
    # a noisy cycle over 40 "words"
    ids = np.tile(np.arange(20), 60) + rng.integers(0, 2, 1200) * 20
    train, val = ids[:1000], ids[1000:]
    bigram = NGramModel(2, 40, "add-k", k=0.1).fit(train).perplexity(val)
    config = GPTConfig(vocab_size=40, context_length=16, n_layer=1, n_head=2, n_embd=16)
    gpt, _ = train_lm(
        train, val, config, steps=40, batch_size=8, lr=1e-2, seed=0, eval_every=40, eval_batches=2
    )
    g = perplexity_ids(gpt, [int(i) for i in val])
    assert bigram["tokens"] == g["tokens"] == len(val) - 1
    assert math.isfinite(bigram["ppl"]) and math.isfinite(g["ppl"])
    # both learned the cycle: far better than guessing among 40 words
    assert bigram["ppl"] < 10 and g["ppl"] < 40


def test_sampling_is_seeded_and_stays_in_the_vocabulary():
    m = NGramModel(3, V, "kn").fit(TRAIN)
    a = m.sample([0, 1], 20, np.random.default_rng(1))
    b = m.sample([0, 1], 20, np.random.default_rng(1))
    assert a == b and len(a) == 20 and all(0 <= w < V for w in a)
