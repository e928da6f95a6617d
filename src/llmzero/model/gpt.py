"""One GPT for every stage: the GPT-2 architecture in one readable file.

token + position embeddings -> N pre-LayerNorm blocks (causal multi-head attention, GELU MLP) -> LayerNorm ->
output layer (optionally tied to the token embeddings). Attention goes through PyTorch's fused
``scaled_dot_product_attention``; a slower path that materialises the attention weights exists for teaching
(``return_attention=True``). A ``KVCache`` lets generation reuse the keys and values of earlier positions.
Every matrix product goes through ``Linear``: ``nn.Linear`` plus faster roads for inference on a CPU. When one
sequence gets one new token, ``GPT.step_in_c`` can run the whole forward pass in one call to decode.c: the
same arithmetic as ``GPT.forward`` and ``Block.forward`` below, which stay the reference (see cpu_kernel.py).
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.hooks import RemovableHandle

from llmzero.model import cpu_kernel
from llmzero.model.config import GPTConfig


def _onednn_linear_exists() -> bool:
    try:
        return torch.backends.mkldnn.is_available() and callable(torch.ops.mkldnn._linear_pointwise)
    except (AttributeError, RuntimeError):
        return False


# The fast roads of Linear at inference; the benchmark switches them off one by one to show what each gives.
USE_KERNEL = True  # decode.c's product for one row (LLMZERO_KERNEL=0 turns decode.c off)
USE_DECODE_STEP = True  # decode.c's whole decode step for one new token of one sequence
USE_ONEDNN = _onednn_linear_exists() and os.environ.get("LLMZERO_ONEDNN", "1") != "0"


class Linear(nn.Linear):
    """``nn.Linear`` (y = x @ Wᵀ + b, same parameters, same state-dict names) with faster roads for inference.

    Generating text multiplies a few rows (one per sequence in the batch) by every weight matrix, once per new
    token, so its speed is how fast the weights come out of memory. PyTorch's default CPU road for that (a BLAS
    matrix-vector or few-row product) reads them well below the memory's speed on some processors (on this
    project's AMD test machine: 12 GB/s of 23). So, when no gradient is wanted and x is float32 on the CPU:

    - one row (one sequence, one new token): our own AVX2 kernel in decode.c (see cpu_kernel.py), when it could
      be built here; it reads the weights as fast as the fastest plain read of memory we have (see decode.c);
    - a few rows or more: oneDNN's kernels, which PyTorch ships and runs on its own threads (2x or more the
      default for 8 rows).

    Training, bfloat16 and GPUs keep ``F.linear``. All roads agree to float32 rounding (about 1e-6 relative).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight
        cpu_float32 = x.dtype is torch.float32 and w.dtype is torch.float32 and x.device.type == "cpu"
        if cpu_float32 and not torch.is_grad_enabled():
            if USE_KERNEL and x.numel() == w.size(1) and cpu_kernel.available() and w.is_contiguous():
                return cpu_kernel.gemv(x, w, self.bias)
            if USE_ONEDNN:
                return torch.ops.mkldnn._linear_pointwise(x.contiguous(), w, self.bias, "none", [], "")
        return F.linear(x, w, self.bias)


class KVCache:
    """Keys and values of every layer for the positions seen so far, preallocated up to ``max_len``."""

    def __init__(self, config: GPTConfig, batch_size: int, max_len: int | None = None, device=None, dtype=None):
        self.max_len = max_len or config.context_length
        shape = (config.n_layer, batch_size, config.n_head, self.max_len, config.head_dim)
        dtype = dtype or torch.float32
        if device is None or torch.device(device).type == "cpu":  # (read at every step: on 2 MB pages, see GPT)
            self.k, self.v = (cpu_kernel.huge_page_empty(shape, dtype).zero_() for _ in range(2))
        else:
            self.k, self.v = (torch.zeros(shape, device=device, dtype=dtype) for _ in range(2))
        self.pos = 0  # how many positions are stored

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new positions' keys/values of one layer; return all keys/values so far."""
        end = self.pos + k.size(2)
        if end > self.max_len:
            raise ValueError(f"KV cache is full ({self.max_len} positions)")
        self.k[layer, :, :, self.pos:end] = k
        self.v[layer, :, :, self.pos:end] = v
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
        self.qkv = Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # queries, keys, values at once
        self.proj = Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x, kv_cache: KVCache | None = None, mask: torch.Tensor | None = None, return_attention=False):
        B, T, C = x.shape
        # (B, T, 3·C) -> three tensors of shape (B, heads, T, head_dim)
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        if kv_cache is not None:
            k, v = kv_cache.update(self.layer_idx, k, v)
        dropout_p = self.dropout if self.training else 0.0
        weights = None
        if return_attention:
            # The textbook path: scores, mask, softmax, weighted sum. Same numbers as the fused kernel.
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
        self.fc = Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.proj = Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
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
    """Boolean (q_len, k_len) mask: query i (the last q_len of k_len positions) sees keys 0..its own position."""
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
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_weights:
            self.lm_head.weight = self.tok_emb.weight
        self.apply(self._init_weights)
        # GPT-2: the projections that write into the residual stream start smaller, one factor per layer.
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        self._onto_huge_pages()

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    # -- facts about the model -------------------------------------------------------------------------------
    def num_parameters(self, non_embedding: bool = False) -> int:
        """Distinct parameters (a tied matrix counts once); without position embeddings if non_embedding."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.pos_emb.weight.numel()
        return n

    def flops_per_token(self, training: bool = True) -> int:
        """Approximate floating-point operations per token at full context.

        Forward: 2 per weight (a multiply and an add) plus attention's 2·2·T·d per layer (scores and the
        weighted sum). Training adds the backward pass, twice the forward: 6N + 12·L·T·d.
        """
        c = self.config
        n = self.num_parameters(non_embedding=True)
        forward = 2 * n + 4 * c.n_layer * c.context_length * c.n_embd
        return 3 * forward if training else forward

    # -- the forward pass ------------------------------------------------------------------------------------
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
        attention_mask: (batch, all positions so far) with 1 for real tokens and 0 for padding (left padding
            for batched generation); padded keys are never attended to.
        position_ids: (batch, T) positions; by default the cache offset + 0..T-1.
        """
        B, T = idx.shape
        past = kv_cache.pos if kv_cache is not None else 0
        if past + T > self.config.context_length:
            raise ValueError(
                f"sequence of {past + T} tokens is longer than the context length {self.config.context_length}"
            )
        if (B == 1 and T == 1 and kv_cache is not None and targets is None and attention_mask is None
                and position_ids is None and not return_attention and not return_hidden
                and not torch.is_grad_enabled() and idx.device.type == "cpu"):
            stepped = self.step_in_c(idx.item(), kv_cache)
            if stepped is not None:
                return GPTOutput(logits=stepped[0])
        if position_ids is None:
            position_ids = torch.arange(past, past + T, device=idx.device).unsqueeze(0)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(position_ids))

        mask = None
        if attention_mask is not None or (past > 0 and T > 1) or return_attention:
            mask = _causal_mask(T, past + T, idx.device)  # (T, past+T)
            if attention_mask is not None:
                keep = attention_mask[:, : past + T].bool()[:, None, None, :]  # (B, 1, 1, past+T)
                mask = mask[None, None] & keep
                # A fully padded query row would give NaN; let it attend to itself (its output is ignored).
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
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=-100)
        return GPTOutput(logits=logits, loss=loss, attentions=attentions, hidden=hidden)

    def step_in_c(self, token: int, kv_cache: KVCache) -> tuple[torch.Tensor, tuple[int, float] | None] | None:
        """Token id ``token`` as the next token of one sequence, through decode.c in one call: (its logits
        (1, 1, vocab), the most probable next token with its probability, see DecodeStep), with the same arithmetic
        as forward() (see cpu_kernel.py), its keys and values stored in the cache. For generation: nothing is
        recorded for gradients. None, having done nothing, where that road is closed: training, not float32 on a
        CPU, LoRA or int8 layers, hooks on a module, a full cache, no compiler... (then call the model)."""
        plan = self._c_plan()
        stepped = None if plan is None else plan.step.run_if_fits(token, kv_cache.k, kv_cache.v, kv_cache.pos)
        if stepped is not None:  # (None for e.g. a full cache or a token id out of range: the Python road says so)
            kv_cache.advance(1)
        return stepped

    def c_steps(self, kv_cache: KVCache) -> Callable[[int], tuple | None] | None:
        """step_in_c for the tokens of one generation: a function ``c_step(token)`` that does what
        ``step_in_c(token, kv_cache)`` does, or None where that road is closed now. The model's modules and
        parameters are looked at here, once (for GPT-2 that look is ~0.3 ms, with the caches cold as they are
        after every token), so for as long as the function is used it runs the model as it was found: new
        values in the same tensors (an optimizer's step, load_state_dict) are seen at once, but a module or
        parameter replaced, removed or given other memory meanwhile is not (the function keeps the old memory
        alive: it is never read after being freed); call step_in_c, or c_steps again, to see such changes. A
        hook registered meanwhile, training mode or the road switched off close it (c_step returns None, having
        done nothing), and so does a full cache, as for step_in_c. The logits come in a buffer that the next
        call overwrites."""
        plan = self._c_plan()
        step = None if plan is None else plan.step.bind(kv_cache.k, kv_cache.v)
        if step is None:
            return None
        k, v = kv_cache.k, kv_cache.v

        def c_step(token: int) -> tuple[torch.Tensor, tuple[int, float] | None] | None:
            if (not self._c_road_open() or RemovableHandle.next_id != plan.hooks_seen or kv_cache.k is not k
                    or kv_cache.v is not v):
                return None
            stepped = step(token, kv_cache.pos)
            if stepped is not None:
                kv_cache.advance(1)
            return stepped

        return c_step

    def _c_road_open(self) -> bool:
        """Could decode.c take a step of this model, as far as cheap flags tell (see _CStepPlan for the rest)?"""
        return not (self.training or not (USE_DECODE_STEP and USE_KERNEL) or nn.modules.module._global_forward_hooks
                    or nn.modules.module._global_forward_pre_hooks)

    def _c_plan(self) -> _CStepPlan | None:
        """The model's plan for decode.c, checked to still hold (or made again), or None where the road is closed."""
        if not self._c_road_open():
            return None
        plan = _C_STEPS.get(self)
        if plan is None or not plan.still_holds():
            plan = self._new_c_step_plan()
        return plan

    def _new_c_step_plan(self) -> _CStepPlan | None:
        head = getattr(self.lm_head, "weight", None)  # (a cheap first look: bfloat16 or GPU models never get a plan)
        if not (isinstance(head, torch.Tensor) and head.dtype is torch.float32 and head.device.type == "cpu"
                and cpu_kernel.available()):
            return None
        plan = _CStepPlan.of(self)
        if plan is not None:
            _C_STEPS[self] = plan
        return plan

    def _apply(self, fn, recurse=True):
        _C_STEPS.pop(self, None)  # .to(), .float(), .bfloat16()... give the parameters new memory
        out = super()._apply(fn, recurse)
        self._onto_huge_pages()
        return out

    def _onto_huge_pages(self) -> None:
        """Give each large CPU parameter memory that lies wholly on 2 MB pages (cpu_kernel.huge_page_empty):
        generating a token reads every weight once, and with PyTorch's placement ~5 % of that time went to
        address translation. Shared-memory tensors (share_memory()) stay where they are."""
        if cpu_kernel.huge_pages_why_not() is not None:
            return
        with torch.no_grad():
            for p in self.parameters():
                if (p.device.type == "cpu" and p.nbytes >= cpu_kernel.HUGE_PAGE and not p.is_shared()
                        and not cpu_kernel.huge_page_aligned(p)):
                    p.data = cpu_kernel.huge_page_empty(p.shape, p.dtype).copy_(p)

    def new_kv_cache(self, batch_size: int, max_len: int | None = None) -> KVCache:
        p = next(self.parameters())
        return KVCache(self.config, batch_size, max_len, device=p.device, dtype=p.dtype)

    # -- optimisation ----------------------------------------------------------------------------------------
    def param_groups(self, weight_decay: float) -> list[dict]:
        """AdamW groups: decay on matrices (Linear and embedding weights), none on biases and norms."""
        decay, no_decay = [], []
        for p in self.parameters():  # parameters() yields a tied matrix once
            if not p.requires_grad:
                continue
            (decay if p.dim() >= 2 else no_decay).append(p)
        return [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]


class _CStepPlan:
    """What GPT.step_in_c and GPT.c_steps need to run a model in decode.c, found once per model instead of once
    per token (walking the modules and checking ~150 tensors costs more than a small model's whole step), with what it
    takes to tell that it still holds: every module and parameter still where it was found and in the same
    memory, no block added, and no hook registered since."""

    def __init__(self, links: list, step: cpu_kernel.DecodeStep, tensors: list):
        self.step = step
        self.where, self.names, self.held = (list(column) for column in zip(*links))
        self.ids = [id(m) for m in self.held]  # (held: while the plan stands, no new object can take these ids)
        # A parameter can also be given other memory in place (``param.data = other``), which no dictionary shows.
        self.tensors = [t for t in tensors if t is not None]
        self.addresses = [t.data_ptr() for t in self.tensors]
        # Every hook PyTorch registers gets the next number of this counter: if it has not moved, no module has
        # gained a hook since the plan found none (cheaper than looking at ~200 hook dictionaries per token).
        self.hooks_seen = RemovableHandle.next_id

    def still_holds(self) -> bool:
        # Run once per generation (c_steps) and once per step_in_c call (a loop of one-token forward calls: once
        # per token), right after the weights have streamed through the caches, so everything it reads comes from
        # memory: C loops (map, list ==) over flat lists, not a Python loop over the modules.
        return (RemovableHandle.next_id == self.hooks_seen
                and list(map(id, map(dict.get, self.where, self.names))) == self.ids
                and list(map(torch.Tensor.data_ptr, self.tensors)) == self.addresses)

    @classmethod
    def of(cls, model: GPT) -> _CStepPlan | None:
        """The plan for ``model``, or None if some part of it is not the plain float32 GPT that decode.c runs
        (LoRA or int8 layers, bfloat16, hooks on a module...). Missing biases are fine."""
        links = []

        def module(parent: nn.Module, name: str, kind: type) -> nn.Module | None:
            m = parent._modules.get(name)
            links.append((parent._modules, name, m))
            return m if type(m) is kind else None

        def params(m: nn.Module) -> list:
            found = [m._parameters.get("weight"), m._parameters.get("bias")]
            links.extend((m._parameters, name, p) for name, p in zip(("weight", "bias"), found))
            return found

        tok, pos = module(model, "tok_emb", nn.Embedding), module(model, "pos_emb", nn.Embedding)
        module(model, "drop", nn.Dropout)
        blocks = module(model, "blocks", nn.ModuleList)
        if (tok is None or pos is None or tok.max_norm is not None or pos.max_norm is not None or blocks is None
                or len(blocks) != model.config.n_layer):
            return None
        links.append((blocks._modules, str(len(blocks)), None))  # a block appended later would be found here
        tensors = [params(tok)[0], params(pos)[0]]
        for i in range(len(blocks)):
            b = module(blocks, str(i), Block)
            if b is None:
                return None
            attn, mlp = module(b, "attn", CausalSelfAttention), module(b, "mlp", MLP)
            if attn is None or mlp is None or attn.layer_idx != i:  # (decode.c gives block i the cache's layer i)
                return None
            for parent, name, kind in ((b, "ln1", nn.LayerNorm), (attn, "qkv", Linear), (attn, "proj", Linear),
                                       (b, "ln2", nn.LayerNorm), (mlp, "fc", Linear), (mlp, "proj", Linear)):
                m = module(parent, name, kind)
                if m is None:
                    return None
                tensors += params(m)
        ln_f, head = module(model, "ln_f", nn.LayerNorm), module(model, "lm_head", Linear)
        if ln_f is None or head is None:
            return None
        tensors += params(ln_f) + params(head)
        if any(isinstance(m, nn.Module) and (m._forward_hooks or m._forward_pre_hooks) for _, _, m in links):
            return None  # someone watches a module (e.g. to read activations): let it run in Python
        if not cpu_kernel.contiguous_float32_cpu(tensors):
            return None
        c = model.config
        return cls(links, cpu_kernel.DecodeStep(tensors, c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps), tensors)


_C_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # GPT -> _CStepPlan (kept out of the module so
# that copying or pickling a model never meets ctypes pointers)
