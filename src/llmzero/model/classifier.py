"""A GPT turned classifier: the same body plus a small linear head that gives one score per class.

The head reads one vector per text: the final hidden state of the last real token ("last": under
causal attention it is the only position that has seen the whole text) or the mean over all real
tokens ("mean"). Training it is the fine-tuning stage's job (``llmzero.finetune.classify``); here is
only the model.
"""

from __future__ import annotations

import torch
from torch import nn

from llmzero.errors import UserError
from llmzero.model.config import GPTConfig
from llmzero.model.gpt import GPT

POOLINGS = ("last", "mean")


def check_pooling(pooling: str) -> str:
    if pooling not in POOLINGS:
        raise UserError(
            f"pooling desconhecido: {pooling!r} (use last ou mean).",
            f"unknown pooling: {pooling!r} (use last or mean).",
        )
    return pooling


class GPTClassifier(nn.Module):
    """A GPT body plus a classification head Linear(n_embd, n_classes) on a pooled hidden state."""

    def __init__(
        self, config: GPTConfig, n_classes: int, pooling: str = "last", gpt: GPT | None = None
    ):
        super().__init__()
        check_pooling(pooling)
        self.config = config
        self.pooling = pooling
        self.gpt = gpt if gpt is not None else GPT(config)
        self.head = nn.Linear(config.n_embd, n_classes)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def pool(self, hidden: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """(batch, T, n_embd) -> (batch, n_embd), reading only the first ``lengths[i]`` positions of
        row i."""
        B, T, _ = hidden.shape
        if lengths is None:
            lengths = torch.full((B,), T, device=hidden.device)
        if self.pooling == "last":
            return hidden[torch.arange(B, device=hidden.device), lengths - 1]
        real = (torch.arange(T, device=hidden.device)[None, :] < lengths[:, None]).to(hidden.dtype)
        return (hidden * real[:, :, None]).sum(1) / lengths[:, None].to(hidden.dtype)

    def forward(self, idx: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Class scores (batch, n_classes) for right-padded ids of real lengths ``lengths``."""
        hidden = self.gpt(idx, return_hidden=True, logits_last_only=True).hidden
        return self.head(self.pool(hidden, lengths))

    def param_groups(self, weight_decay: float) -> list[dict]:
        """AdamW groups over the trainable parameters: decay on matrices, none on biases, norms."""
        params = [p for p in self.parameters() if p.requires_grad]
        return [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]


def build_classifier(config: GPTConfig, meta: dict) -> GPTClassifier:
    """The empty classifier a "classifier" checkpoint describes (its weights are loaded next)."""
    return GPTClassifier(config, len(meta["classes"]), meta.get("pooling", "last"))


def build_reward_model(config: GPTConfig, meta: dict) -> GPTClassifier:
    """The empty reward model a "reward" checkpoint describes: one score per text."""
    return GPTClassifier(config, 1, meta.get("pooling", "last"))
