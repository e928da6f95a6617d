"""Attention step by step (atenção passo a passo), in the order a learner meets it.

Each step adds one idea to the previous one, as in chapter 3 of Raschka's "Build a Large Language
Model (From Scratch)":

    a. ``simple_attention``         scores = x·xᵀ, softmax, weighted sum: no trainable weights yet.
    b. ``SelfAttentionQKV``         trainable query/key/value projections and the 1/√d scaling. c.
    ``CausalAttention``          a mask hides the future; dropout on the attention weights. d.
    ``MultiHeadAttentionStack``  several causal heads side by side, concatenated, then an output
    projection. e. ``MultiHeadAttention``       the same maths with one big projection split into
    heads (reshape/transpose).

The real model (``llmzero.model.gpt.CausalSelfAttention``) goes one step further: the three
projections of step e become one ``qkv`` Linear, and the softmax-and-sum runs in PyTorch's fused
kernel. ``load_from_fused`` copies that layer's weights into any lesson module, so the tests can
show every step computes the same numbers.

Shapes: T = number of tokens (comprimento da sequência), B = batch (lote), d_in/d_out = vector
sizes.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn


# -- a. attention without trainable weights --------------------------------------------------------
def simple_attention(x: torch.Tensor, return_weights: bool = False):
    """Attention with no trainable weights (atenção sem pesos treináveis). ``x``: (T, d) or (B, T,
    d).

    1. Attention scores (pontuações de atenção): the dot product of every token with every other
       token, ``scores[i, j] = x[i] · x[j]`` — large when the two vectors point the same way.
    2. Attention weights (pesos de atenção): softmax over each row, so the weights of a query are
       positive and sum to 1.
    3. Context vectors (vetores de contexto): each token's new vector is the weighted average of all
       token vectors, ``context[i] = Σ_j weights[i, j] · x[j]``.
    """
    scores = x @ x.transpose(-2, -1)  # (T, T): every query against every key
    weights = torch.softmax(scores, dim=-1)  # each row sums to 1
    context = weights @ x  # (T, d): weighted sum of the inputs
    return (context, weights) if return_weights else context


# -- b. trainable query, key and value -------------------------------------------------------------
class SelfAttentionQKV(nn.Module):
    """Self-attention with trainable weights (autoatenção com pesos treináveis).

    Instead of comparing the raw inputs, each token is projected three times:
      - query (consulta): what this token is looking for;
      - key (chave): what this token offers to be found by;
      - value (valor): what this token passes on when it is attended to.
    Scores are ``query · key``, divided by √d_out (scaled dot product / produto escalar escalonado)
    so they do not grow with the vector size and push the softmax into tiny gradients. Context
    vectors mix the *values*.
    """

    def __init__(self, d_in: int, d_out: int, bias: bool = False):
        super().__init__()
        self.d_out = d_out
        # nn.Linear without bias is just a matrix multiplication x @ Wᵀ, with a good initialisation.
        self.W_query = nn.Linear(d_in, d_out, bias=bias)
        self.W_key = nn.Linear(d_in, d_out, bias=bias)
        self.W_value = nn.Linear(d_in, d_out, bias=bias)

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        """``x``: (T, d_in) or (B, T, d_in) -> context (…, T, d_out) [, weights (…, T, T)]."""
        queries, keys, values = self.W_query(x), self.W_key(x), self.W_value(x)
        scores = queries @ keys.transpose(-2, -1)  # (…, T, T)
        weights = torch.softmax(scores / math.sqrt(self.d_out), dim=-1)
        context = weights @ values
        return (context, weights) if return_weights else context


# -- c. causal mask and dropout --------------------------------------------------------------------
class CausalAttention(SelfAttentionQKV):
    """Causal self-attention (atenção causal): a token may look only at itself and the tokens before
    it.

    A language model predicts the next token, so while reading token i it must not peek at tokens
    i+1, i+2, …. The mask (máscara causal) sets the scores above the diagonal to -inf before the
    softmax; e^-inf = 0, so those weights become exactly 0 and each row still sums to 1 over the
    allowed positions. Dropout (descarte aleatório) zeroes random attention weights during training
    only, scaling the rest by 1/(1-p); in ``eval()`` mode it does nothing. Input is a batch: (B, T,
    d_in) with T <= context_length.
    """

    def __init__(
        self, d_in: int, d_out: int, context_length: int, dropout: float = 0.0, bias: bool = False
    ):
        super().__init__(d_in, d_out, bias)
        self.context_length = context_length
        self.dropout = nn.Dropout(dropout)
        # True above the diagonal = "the future". A buffer moves with .to(device) but is not a
        # parameter; not persistent, so state_dict() holds only the learned weights.
        future = torch.triu(
            torch.ones(context_length, context_length, dtype=torch.bool), diagonal=1
        )
        self.register_buffer("mask", future, persistent=False)

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        """``x``: (B, T, d_in) -> context (B, T, d_out) [, weights (B, T, T) before dropout]."""
        B, T, _ = x.shape
        _check_length(T, self.context_length)
        queries, keys, values = self.W_query(x), self.W_key(x), self.W_value(x)
        scores = queries @ keys.transpose(1, 2)  # (B, T, T)
        scores = scores.masked_fill(self.mask[:T, :T], float("-inf"))  # hide the future
        weights = torch.softmax(scores / math.sqrt(self.d_out), dim=-1)
        context = self.dropout(weights) @ values
        return (context, weights) if return_weights else context


# -- d. multi-head attention as a stack of heads ---------------------------------------------------
class MultiHeadAttentionStack(nn.Module):
    """Multi-head attention (atenção multicabeça) as ``num_heads`` independent causal heads.

    Each head has its own query/key/value weights of size d_out/num_heads, so each can learn to look
    for a different relation (the previous word, the subject of the sentence, …). Their context
    vectors are concatenated back to d_out and mixed by an output projection (projeção de saída).
    Clear, but slow: the heads run one after the other. Step e computes the same thing in one go.
    """

    def __init__(
        self,
        d_in: int,
        d_out: int,
        context_length: int,
        dropout: float,
        num_heads: int,
        bias: bool = False,
    ):
        super().__init__()
        _check_heads(d_out, num_heads)
        self.heads = nn.ModuleList(
            CausalAttention(d_in, d_out // num_heads, context_length, dropout, bias)
            for _ in range(num_heads)
        )
        self.out_proj = nn.Linear(d_out, d_out, bias=bias)

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        """``x``: (B, T, d_in) -> (B, T, d_out) [, weights (B, num_heads, T, T)]."""
        results = [head(x, return_weights=True) for head in self.heads]
        context = torch.cat([c for c, _ in results], dim=-1)  # heads side by side: (B, T, d_out)
        out = self.out_proj(context)
        if return_weights:
            return out, torch.stack([w for _, w in results], dim=1)
        return out


# -- e. efficient multi-head attention -------------------------------------------------------------
class MultiHeadAttention(nn.Module):
    """Multi-head attention with one projection per role, split into heads (divisão em cabeças).

    The stack of step d multiplies the input by num_heads small matrices; stacking those matrices
    row-wise gives one (d_out, d_in) matrix, so one multiplication computes every head's queries at
    once. We then view the last dimension as (num_heads, head_dim) and move the head axis forward,
    (B, T, H, hd) -> (B, H, T, hd), so a single batched matrix product computes all heads' scores.
    Same numbers, far fewer, bigger operations.
    """

    def __init__(
        self,
        d_in: int,
        d_out: int,
        context_length: int,
        dropout: float,
        num_heads: int,
        bias: bool = False,
    ):
        super().__init__()
        _check_heads(d_out, num_heads)
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.context_length = context_length
        self.W_query = nn.Linear(d_in, d_out, bias=bias)
        self.W_key = nn.Linear(d_in, d_out, bias=bias)
        self.W_value = nn.Linear(d_in, d_out, bias=bias)
        self.out_proj = nn.Linear(d_out, d_out, bias=bias)
        self.dropout = nn.Dropout(dropout)
        future = torch.triu(
            torch.ones(context_length, context_length, dtype=torch.bool), diagonal=1
        )
        self.register_buffer("mask", future, persistent=False)

    def _split_heads(self, t: torch.Tensor) -> torch.Tensor:
        B, T, _ = t.shape
        return t.view(B, T, self.num_heads, self.head_dim).transpose(1, 2)  # (B, H, T, hd)

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        """``x``: (B, T, d_in) -> (B, T, d_out) [, weights (B, num_heads, T, T) before dropout]."""
        B, T, _ = x.shape
        _check_length(T, self.context_length)
        queries = self._split_heads(self.W_query(x))
        keys = self._split_heads(self.W_key(x))
        values = self._split_heads(self.W_value(x))
        scores = queries @ keys.transpose(2, 3)  # (B, H, T, T): every head at once
        scores = scores.masked_fill(self.mask[:T, :T], float("-inf"))
        weights = torch.softmax(scores / math.sqrt(self.head_dim), dim=-1)
        context = self.dropout(weights) @ values  # (B, H, T, hd)
        # heads side by side again
        context = context.transpose(1, 2).contiguous().view(B, T, self.d_out)
        out = self.out_proj(context)
        return (out, weights) if return_weights else out


# -- from the lessons to the real model ------------------------------------------------------------
@torch.no_grad()
def load_from_fused(lesson: nn.Module, fused: nn.Module, head: int | None = None) -> nn.Module:
    """Copy the weights of llmzero's fused ``CausalSelfAttention`` into a lesson module; returns
    ``lesson``.

    The fused layer keeps queries, keys and values in one Linear ``qkv`` whose weight stacks
    [W_query; W_key; W_value] along dim 0, and head h owns rows h·hd:(h+1)·hd of each block.
    - ``MultiHeadAttention``: the three blocks and the output projection ``proj``, as they are.
    - ``MultiHeadAttentionStack``: head h of the stack gets head h's rows, plus the output
      projection.
    - ``CausalAttention`` / ``SelfAttentionQKV``: one head (``head``, required when the layer has
      several heads), without the output projection; its weights then equal that head's attention
      weights in the GPT.
    """
    d_model = fused.proj.in_features
    head_dim = fused.head_dim
    wq, wk, wv = fused.qkv.weight.split(d_model, dim=0)
    bq, bk, bv = fused.qkv.bias.split(d_model) if fused.qkv.bias is not None else (None, None, None)

    def copy_qkv(module: nn.Module, rows: slice) -> None:
        for linear, w, b in (
            (module.W_query, wq, bq),
            (module.W_key, wk, bk),
            (module.W_value, wv, bv),
        ):
            _copy_linear(linear, w[rows], None if b is None else b[rows])

    if isinstance(lesson, MultiHeadAttention):
        copy_qkv(lesson, slice(None))
        _copy_linear(lesson.out_proj, fused.proj.weight, fused.proj.bias)
    elif isinstance(lesson, MultiHeadAttentionStack):
        if len(lesson.heads) != fused.n_head:
            raise ValueError(
                f"the stack has {len(lesson.heads)} heads, the fused layer {fused.n_head}"
            )
        for h, module in enumerate(lesson.heads):
            copy_qkv(module, slice(h * head_dim, (h + 1) * head_dim))
        _copy_linear(lesson.out_proj, fused.proj.weight, fused.proj.bias)
    elif isinstance(lesson, SelfAttentionQKV):  # also CausalAttention
        if head is None:
            if fused.n_head != 1:
                raise ValueError(
                    f"the fused layer has {fused.n_head} heads: say which one with head="
                )
            head = 0
        if not 0 <= head < fused.n_head:
            raise ValueError(f"head must be between 0 and {fused.n_head - 1}, got {head}")
        copy_qkv(lesson, slice(head * head_dim, (head + 1) * head_dim))
    else:
        raise TypeError(f"cannot load fused attention weights into {type(lesson).__name__}")
    return lesson


def _copy_linear(linear: nn.Linear, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
    if linear.weight.shape != weight.shape:
        raise ValueError(
            f"weight shape {tuple(weight.shape)} does not fit {tuple(linear.weight.shape)}"
        )
    if (linear.bias is None) != (bias is None):
        raise ValueError(
            "bias mismatch: build the lesson module with bias equal to the model's config.bias"
        )
    linear.weight.copy_(weight)
    if bias is not None:
        linear.bias.copy_(bias)


def _check_heads(d_out: int, num_heads: int) -> None:
    if num_heads < 1 or d_out % num_heads:
        raise ValueError(f"num_heads ({num_heads}) must divide d_out ({d_out})")


def _check_length(T: int, context_length: int) -> None:
    if T > context_length:
        raise ValueError(
            f"sequence of {T} tokens is longer than the context length {context_length}"
        )
