"""Helpers several test files share (they lived in the library, which never used them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import nn

from llmzero.datasets import corpus_text
from llmzero.lab.core import LabModel, train_lm
from llmzero.model import GPTConfig
from llmzero.tokenizers import CharTokenizer


def micro_model(steps: int = 80, seed: int = 0, chars: int = 60_000) -> LabModel:
    """A character-level GPT trained for a few seconds on the start of the shipped corpus.

    Kept in memory; too small to answer anything, big enough to try the lab's functions on.
    """
    text = corpus_text()[:chars]
    tok = CharTokenizer().train(text)
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    cut = int(len(ids) * 0.9)
    config = GPTConfig(vocab_size=tok.vocab_size, context_length=64, n_layer=2, n_head=2, n_embd=32)
    model, _ = train_lm(
        ids[:cut],
        ids[cut:],
        config,
        steps=steps,
        batch_size=16,
        lr=1e-2,
        seed=seed,
        eval_every=steps,
        eval_batches=2,
    )
    return LabModel(
        model, tok, Path("<memory>"), {"kind": "lm", "model": config.to_dict()}, trained_by_lab=True
    )


def trainable_parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
