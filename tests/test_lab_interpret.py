"""Inside the model: attention rows, embedding PCA and neighbours, the logit lens."""

from __future__ import annotations

import pytest
import torch

from helpers import micro_model
from llmzero.lab.interpret import attention_maps, embedding_pca, logit_lens, nearest_neighbours


@pytest.fixture(scope="module")
def lm():
    return micro_model(steps=30, seed=1)


@pytest.fixture(scope="module")
def ids(lm):
    return lm.tokenizer.encode("A capital do Pará é Belém.")


def test_attention_rows_are_causal_distributions(lm, ids):
    maps = attention_maps(lm.model, ids)
    cfg = lm.model.config
    assert len(maps) == cfg.n_layer
    for a in maps:
        assert a.shape == (cfg.n_head, len(ids), len(ids))
        assert torch.allclose(a.sum(-1), torch.ones(cfg.n_head, len(ids)), atol=1e-5)
        assert torch.all(a.triu(1) == 0)  # nobody looks at a later token
        # the first token can only look at itself
        assert torch.allclose(a[:, 0, 0], torch.ones(cfg.n_head))


def test_logit_lens_last_layer_is_the_models_prediction(lm, ids):
    probs = logit_lens(lm.model, ids)
    assert probs.shape == (lm.model.config.n_layer + 1, len(ids), lm.model.config.vocab_size)
    with torch.no_grad():
        own = torch.softmax(lm.model(torch.tensor([ids])).logits[0], -1)
    assert torch.allclose(probs[-1], own, atol=1e-5)
    assert torch.allclose(probs.sum(-1), torch.ones(probs.shape[:2]), atol=1e-4)
    assert not torch.allclose(probs[0], probs[-1], atol=1e-3)  # the blocks do change the prediction


def test_embedding_pca_shape_centre_and_order(lm):
    coords = embedding_pca(lm.model, 2)
    vocab = lm.model.config.vocab_size
    assert coords.shape == (vocab, 2)
    # projections of a centred matrix
    assert torch.allclose(coords.mean(0), torch.zeros(2), atol=1e-4)
    var = coords.var(0)
    assert var[0] >= var[1] > 0
    # the first component holds the most variance of any direction: more than a random unit
    # direction
    emb = lm.model.tok_emb.weight.detach()
    direction = torch.nn.functional.normalize(
        torch.randn(emb.shape[1], generator=torch.Generator().manual_seed(0)), dim=0
    )
    assert var[0] >= ((emb - emb.mean(0)) @ direction).var()


def test_nearest_neighbour_of_a_token_is_itself_unless_excluded(lm):
    token = lm.tokenizer.encode("a")[0]
    with_self = nearest_neighbours(lm.model, token, k=3, include_self=True)
    # cosine distance 0
    assert with_self[0][0] == token and with_self[0][1] == pytest.approx(1.0, abs=1e-5)
    others = nearest_neighbours(lm.model, token, k=3)
    assert token not in [i for i, _ in others] and len(others) == 3
    sims = [s for _, s in others]
    assert sims == sorted(sims, reverse=True) and all(-1 - 1e-6 <= s < 1 for s in sims)
    assert [i for i, _ in others] == [i for i, _ in with_self[1:]] + [others[-1][0]]
