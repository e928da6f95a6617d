"""One GPT for every stage: the GPT-2 architecture in one readable file.

token + position embeddings -> N pre-LayerNorm blocks (causal multi-head attention, GELU MLP) ->
LayerNorm -> output layer (optionally tied to the token embeddings). Attention goes through
PyTorch's fused ``scaled_dot_product_attention``; a slower path that materialises the attention
weights exists for teaching (``return_attention=True``). A ``KVCache`` lets generation reuse the
keys and values of earlier positions. Plain PyTorch only: the optional CPU fast path
(``llmzero.inference``) is put on a model from outside.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from llmzero.model.config import GPTConfig


class KVCache:
    """Keys and values of every layer for the positions seen so far, preallocated up to
    ``max_len``."""

    def __init__(
        self,
        config: GPTConfig,
        batch_size: int,
        max_len: int | None = None,
        device=None,
        dtype=None,
        empty: Callable[..., torch.Tensor] | None = None,
    ):
        """``empty(shape, dtype)`` makes the CPU tensors when given (llmzero.inference puts them on
        huge pages); otherwise they are ordinary zeros."""
        self.max_len = max_len or config.context_length
        shape = (config.n_layer, batch_size, config.n_head, self.max_len, config.head_dim)
        dtype = dtype or torch.float32
        if empty is not None:
            self.k, self.v = (empty(shape, dtype).zero_() for _ in range(2))
        else:
            self.k, self.v = (torch.zeros(shape, device=device, dtype=dtype) for _ in range(2))
        self.pos = 0  # how many positions are stored

    def update(
        self, layer: int, k: torch.Tensor, v: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new positions' keys/values of one layer; return all keys/values so far."""
        end = self.pos + k.size(2)
        if end > self.max_len:
            raise ValueError(f"KV cache is full ({self.max_len} positions)")
        self.k[layer, :, :, self.pos : end] = k
        self.v[layer, :, :, self.pos : end] = v
        return self.k[layer, :, :, :end], self.v[layer, :, :, :end]

    def advance(self, n: int) -> None:
        self.pos += n

    def reorder(self, index: torch.Tensor) -> None:
        """Keep only some batch rows (e.g. finished sequences dropped), in the given order."""
        self.k = self.k[:, index]
        self.v = self.v[:, index]


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig, layer_idx: int):
        super().__init__()
        self.n_head = config.n_head
        self.head_dim = config.head_dim
        self.layer_idx = layer_idx
        self.qkv = nn.Linear(
            config.n_embd, 3 * config.n_embd, bias=config.bias
        )  # queries, keys, values at once
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(
        self,
        x,
        kv_cache: KVCache | None = None,
        mask: torch.Tensor | None = None,
        return_attention=False,
    ):
        B, T, C = x.shape
        # (B, T, 3·C) -> three tensors of shape (B, heads, T, head_dim)
        q, k, v = (
            self.qkv(x).view(B, T, 3, self.n_head, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        )
        if kv_cache is not None:
            k, v = kv_cache.update(self.layer_idx, k, v)
        dropout_p = self.dropout if self.training else 0.0
        weights = None
        if return_attention:
            # The textbook path: scores, mask, softmax, weighted sum. Same numbers as the fused
            # kernel.
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            if mask is None:
                mask = _causal_mask(T, k.size(2), x.device)
            scores = scores.masked_fill(~mask, float("-inf"))
            weights = torch.softmax(scores, dim=-1)
            y = F.dropout(weights, dropout_p, self.training) @ v
        elif mask is None:
            # Without a cache (or on its first call) the mask is the plain causal triangle.
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=T > 1)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)
        y = y.transpose(1, 2).reshape(B, T, C)  # heads side by side again
        return self.resid_dropout(self.proj(y)), weights


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.proj(F.gelu(self.fc(x), approximate="tanh")))


class Block(nn.Module):
    """Pre-LayerNorm transformer block: x + attention(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: GPTConfig, layer_idx: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
        self.attn = CausalSelfAttention(config, layer_idx)
        self.ln2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, kv_cache=None, mask=None, return_attention=False):
        a, weights = self.attn(self.ln1(x), kv_cache, mask, return_attention)
        x = x + a
        x = x + self.mlp(self.ln2(x))
        return x, weights


@dataclass
class GPTOutput:
    logits: torch.Tensor
    loss: torch.Tensor | None = None
    attentions: list[torch.Tensor] | None = None  # per layer: (batch, heads, query, key)
    hidden: torch.Tensor | None = None  # final hidden states after ln_f: (batch, T, n_embd)


def _causal_mask(q_len: int, k_len: int, device) -> torch.Tensor:
    """Boolean (q_len, k_len) mask: query i (the last q_len of k_len positions) sees keys 0..its own
    position."""
    offset = k_len - q_len
    rows = torch.arange(q_len, device=device).unsqueeze(1) + offset
    return torch.arange(k_len, device=device).unsqueeze(0) <= rows


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)
        self.pos_emb = nn.Embedding(config.context_length, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config, i) for i in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_weights:
            self.lm_head.weight = self.tok_emb.weight
        self.apply(self._init_weights)
        # GPT-2: the projections that write into the residual stream start smaller, one factor per
        # layer.
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    # -- facts about the model ---------------------------------------------------------------------
    def num_parameters(self, non_embedding: bool = False) -> int:
        """Distinct parameters (a tied matrix counts once); without position embeddings if
        non_embedding."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.pos_emb.weight.numel()
        return n

    def flops_per_token(self, training: bool = True) -> int:
        """Approximate floating-point operations per token at full context.

        Forward: 2 per weight (a multiply and an add) plus attention's 2·2·T·d per layer (scores and
        the weighted sum). Training adds the backward pass, twice the forward: 6N + 12·L·T·d.
        """
        c = self.config
        n = self.num_parameters(non_embedding=True)
        forward = 2 * n + 4 * c.n_layer * c.context_length * c.n_embd
        return 3 * forward if training else forward

    # -- the forward pass --------------------------------------------------------------------------
    def forward(
        self,
        idx: torch.Tensor,
        targets: torch.Tensor | None = None,
        *,
        kv_cache: KVCache | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        return_attention: bool = False,
        return_hidden: bool = False,
        logits_last_only: bool = False,
    ) -> GPTOutput:
        """Run the model on token ids ``idx`` of shape (batch, T).

        targets: ids to predict, same shape, -100 where nothing is to be learned; gives ``loss``.
        kv_cache: reuse and extend the keys/values of earlier positions (generation).
        attention_mask: (batch, all positions so far) with 1 for real tokens and 0 for padding (left
        padding
            for batched generation); padded keys are never attended to.
        position_ids: (batch, T) positions; by default the cache offset + 0..T-1.
        """
        B, T = idx.shape
        past = kv_cache.pos if kv_cache is not None else 0
        if past + T > self.config.context_length:
            raise ValueError(
                f"sequence of {past + T} tokens is longer than the context length "
                f"{self.config.context_length}"
            )
        if position_ids is None:
            position_ids = torch.arange(past, past + T, device=idx.device).unsqueeze(0)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(position_ids))

        mask = None
        if attention_mask is not None or (past > 0 and T > 1) or return_attention:
            mask = _causal_mask(T, past + T, idx.device)  # (T, past+T)
            if attention_mask is not None:
                keep = attention_mask[:, : past + T].bool()[:, None, None, :]  # (B, 1, 1, past+T)
                mask = mask[None, None] & keep
                # A fully padded query row would give NaN; let it attend to itself (its output is
                # ignored).
                rows = torch.arange(T, device=idx.device).unsqueeze(1) + past
                mask = mask | (torch.arange(past + T, device=idx.device).unsqueeze(0) == rows)
        attentions = [] if return_attention else None
        for block in self.blocks:
            x, weights = block(x, kv_cache, mask, return_attention)
            if return_attention:
                attentions.append(weights)
        if kv_cache is not None:
            kv_cache.advance(T)
        x = self.ln_f(x)
        hidden = x if return_hidden else None
        if logits_last_only and targets is None:
            x = x[:, -1:, :]
        logits = self.lm_head(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=-100
            )
        return GPTOutput(logits=logits, loss=loss, attentions=attentions, hidden=hidden)

    def new_kv_cache(self, batch_size: int, max_len: int | None = None) -> KVCache:
        p = next(self.parameters())
        return KVCache(self.config, batch_size, max_len, device=p.device, dtype=p.dtype)

    # -- optimisation ------------------------------------------------------------------------------
    def param_groups(self, weight_decay: float) -> list[dict]:
        """AdamW groups: decay on matrices (Linear and embedding weights), none on biases and
        norms."""
        decay, no_decay = [], []
        for p in self.parameters():  # parameters() yields a tied matrix once
            if not p.requires_grad:
                continue
            (decay if p.dim() >= 2 else no_decay).append(p)
        return [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
