"""One GPT for every stage: the GPT-2 architecture in one readable file, with Llama's and Qwen's
variations as named options of its config.

token + position embeddings -> N pre-LayerNorm blocks (causal multi-head attention, GELU MLP) ->
LayerNorm -> output layer (optionally tied to the token embeddings). The options, each acting in a
few lines: rotary positions (RoPE) instead of the position table, RMSNorm instead of LayerNorm,
SwiGLU instead of GELU, fewer key/value heads than query heads (grouped-query attention), a head
width of its own, and RMSNorm on queries and keys. Attention goes through
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

# PyTorch 2.5+ lets the fused attention share key/value heads among query heads without copying.
_SDPA_GQA = torch.__version__ >= (2, 5)


def make_norm(config: GPTConfig, dim: int | None = None) -> nn.Module:
    """The config's normalisation over the last ``dim`` numbers (n_embd by default)."""
    dim = dim or config.n_embd
    if config.norm == "rmsnorm":
        return nn.RMSNorm(dim, eps=config.layer_norm_eps)
    return nn.LayerNorm(dim, eps=config.layer_norm_eps, bias=config.bias)


# -- rotary position embeddings (RoPE) -------------------------------------------------------------
def rope_frequencies(config: GPTConfig, device=None) -> torch.Tensor:
    """The rotation speed of each pair of a head's numbers, as Hugging Face's Llama computes it."""
    d = config.head_dim
    steps = torch.arange(0, d, 2, dtype=torch.int64, device=device).float() / d
    inv_freq = 1.0 / (config.rope_theta**steps)
    scaling = config.rope_scaling
    if scaling:  # "llama3" (Llama 3.1): slow the low frequencies, for contexts longer than trained
        factor, old = scaling["factor"], scaling["original_max_position_embeddings"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > old / low, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) * ~(wavelen > old / low)
        inv_freq = torch.where(medium, smoothed, scaled)
    return inv_freq


def rope_tables(config: GPTConfig, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of every position's angles: two (context_length, head_dim / 2) tables."""
    positions = torch.arange(config.context_length, dtype=torch.int64, device=device).float()
    angles = torch.outer(positions, rope_frequencies(config, device))
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate (B, heads, T, head_dim) by each position's angles; the pairs are (i, i + d/2)."""
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


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
        # one entry per key/value head: with grouped-query attention, fewer than the query heads
        shape = (config.n_layer, batch_size, config.kv_heads, self.max_len, config.head_dim)
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


def _attend(q, k, v, **options) -> torch.Tensor:
    """The fused attention; key/value heads shared by groups of query heads when fewer."""
    if k.size(1) != q.size(1):
        if _SDPA_GQA:
            return F.scaled_dot_product_attention(q, k, v, enable_gqa=True, **options)
        k, v = (t.repeat_interleave(q.size(1) // t.size(1), dim=1) for t in (k, v))
    return F.scaled_dot_product_attention(q, k, v, **options)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig, layer_idx: int):
        super().__init__()
        self.n_head, self.n_kv_head = config.n_head, config.kv_heads
        self.head_dim = config.head_dim
        self.layer_idx = layer_idx
        # queries, keys, values at once: n_head + 2 · n_kv_head heads
        width = (config.n_head + 2 * config.kv_heads) * config.head_dim
        self.qkv = nn.Linear(config.n_embd, width, bias=config.has_qkv_bias)
        self.proj = nn.Linear(config.n_head * config.head_dim, config.n_embd, bias=config.bias)
        self.qk_norm = config.qk_norm
        if config.qk_norm:  # Qwen3: each head's queries and keys normalised, before RoPE
            self.q_norm = nn.RMSNorm(config.head_dim, eps=config.layer_norm_eps)
            self.k_norm = nn.RMSNorm(config.head_dim, eps=config.layer_norm_eps)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(
        self,
        x,
        kv_cache: KVCache | None = None,
        mask: torch.Tensor | None = None,
        return_attention=False,
        rope: tuple[torch.Tensor, torch.Tensor] | None = None,
    ):
        B, T, _ = x.shape
        H, K, D = self.n_head, self.n_kv_head, self.head_dim
        # (B, T, (H + 2K)·D) -> queries (B, H, T, D), keys and values (B, K, T, D)
        q, k, v = self.qkv(x).split((H * D, K * D, K * D), dim=-1)
        q, k, v = q.view(B, T, H, D), k.view(B, T, K, D), v.view(B, T, K, D)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        if rope is not None:
            q, k = apply_rope(q, *rope), apply_rope(k, *rope)
        if kv_cache is not None:
            k, v = kv_cache.update(self.layer_idx, k, v)
        dropout_p = self.dropout if self.training else 0.0
        weights = None
        if return_attention:
            # The textbook path: scores, mask, softmax, weighted sum. Same numbers as the fused
            # kernel. Each key/value head serves H / K query heads.
            k, v = k.repeat_interleave(H // K, dim=1), v.repeat_interleave(H // K, dim=1)
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            if mask is None:
                mask = _causal_mask(T, k.size(2), x.device)
            scores = scores.masked_fill(~mask, float("-inf"))
            weights = torch.softmax(scores, dim=-1)
            y = F.dropout(weights, dropout_p, self.training) @ v
        elif mask is None:
            # Without a cache (or on its first call) the mask is the plain causal triangle.
            y = _attend(q, k, v, dropout_p=dropout_p, is_causal=T > 1)
        else:
            y = _attend(q, k, v, attn_mask=mask, dropout_p=dropout_p)
        y = y.transpose(1, 2).reshape(B, T, H * D)  # heads side by side again
        return self.resid_dropout(self.proj(y)), weights


class MLP(nn.Module):
    """GELU: proj(gelu(fc(x))). SwiGLU: fc gives [gate; up] at once, and proj(silu(gate) · up)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.swiglu = config.mlp == "swiglu"
        hidden = config.mlp_dim
        self.fc = nn.Linear(config.n_embd, (2 if self.swiglu else 1) * hidden, bias=config.bias)
        self.proj = nn.Linear(hidden, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)
        # a module, not a function call, so that a faster one can take its place (inference.fast)
        self.act = nn.SiLU() if self.swiglu else nn.GELU(approximate="tanh")

    def forward(self, x):
        h = self.fc(x)
        if self.swiglu:
            gate, up = h.chunk(2, dim=-1)
            h = self.act(gate) * up
        else:
            h = self.act(h)
        return self.dropout(self.proj(h))


class Block(nn.Module):
    """Pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: GPTConfig, layer_idx: int):
        super().__init__()
        self.ln1 = make_norm(config)
        self.attn = CausalSelfAttention(config, layer_idx)
        self.ln2 = make_norm(config)
        self.mlp = MLP(config)

    def forward(self, x, kv_cache=None, mask=None, return_attention=False, rope=None):
        a, weights = self.attn(self.ln1(x), kv_cache, mask, return_attention, rope)
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
        self.pos_emb = None  # with RoPE, positions act inside attention instead
        if config.positions == "learned":
            self.pos_emb = nn.Embedding(config.context_length, config.n_embd)
        else:  # cos and sin of every position, computed once (not saved: the config gives them)
            cos, sin = rope_tables(config)
            self.register_buffer("rope_cos", cos, persistent=False)
            self.register_buffer("rope_sin", sin, persistent=False)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config, i) for i in range(config.n_layer))
        self.ln_f = make_norm(config)
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

    @torch.no_grad()
    def init_rope(self) -> None:
        """Compute the RoPE tables again, in float32, on the device where they are."""
        if self.config.positions == "rope":
            self.rope_cos, self.rope_sin = rope_tables(self.config, self.rope_cos.device)

    def _apply(self, fn, recurse=True):
        # .to(), .bfloat16(), to_empty()... would round or wipe the RoPE tables: compute them anew
        out = super()._apply(fn, recurse)
        self.init_rope()
        return out

    def rope(self, position_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin for positions (batch, T), shaped (batch, 1, T, head_dim) for the heads."""
        cos, sin = self.rope_cos[position_ids], self.rope_sin[position_ids]
        return torch.cat((cos, cos), -1).unsqueeze(1), torch.cat((sin, sin), -1).unsqueeze(1)

    # -- facts about the model ---------------------------------------------------------------------
    def num_parameters(self, non_embedding: bool = False) -> int:
        """Distinct parameters (a tied matrix counts once); without position embeddings if
        non_embedding."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding and self.pos_emb is not None:
            n -= self.pos_emb.weight.numel()
        return n

    def flops_per_token(self, training: bool = True) -> int:
        """Approximate floating-point operations per token at full context.

        Forward: 2 per weight (a multiply and an add) plus attention's 2·2·T·d per layer (scores and
        the weighted sum). Training adds the backward pass, twice the forward: 6N + 12·L·T·d.
        """
        c = self.config
        n = self.num_parameters(non_embedding=True)
        forward = 2 * n + 4 * c.n_layer * c.context_length * c.n_head * c.head_dim
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
        x = self.tok_emb(idx)
        rope = None
        if self.pos_emb is not None:
            x = x + self.pos_emb(position_ids)
        else:
            rope = tuple(t.to(x.dtype) for t in self.rope(position_ids))
        x = self.drop(x)

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
            x, weights = block(x, kv_cache, mask, return_attention, rope)
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
