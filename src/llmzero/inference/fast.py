"""The CPU fast path, put on a GPT from outside: ``accelerate(model)``.

The model file knows nothing of this. ``accelerate`` gives an existing model, in place:

- ``FastLinear`` in the place of each plain ``nn.Linear`` (same parameters, same state-dict names):
  when no gradient is wanted and x is float32 on the CPU, one row goes through decode.c's product
  and a few rows through oneDNN; one bfloat16 row goes through decode.c's bfloat16 product;
  everything else stays ``F.linear``;
- large weights on whole 2 MB pages (kernel.huge_page_empty), and KV caches made there too;
- a forward pass that sends one new token of one sequence through decode.c's whole decode step
  (``step_in_c``; float32 or bfloat16 weights), and ``c_steps`` for a generation loop that wants the
  same without looking at the model at every token.

The model's class becomes a subclass made here (as ``torch.nn.utils.parametrize`` does), so
``isinstance(model, GPT)`` still holds and ``GPT.forward`` stays the reference for every number.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.function import once_differentiable
from torch.utils.hooks import RemovableHandle

from llmzero.inference import kernel
from llmzero.model.gpt import GPT, MLP, Block, CausalSelfAttention, GPTOutput, KVCache


def _onednn_linear_exists() -> bool:
    try:
        return torch.backends.mkldnn.is_available() and callable(torch.ops.mkldnn._linear_pointwise)
    except (AttributeError, RuntimeError):
        return False


# The fast roads; the benchmark switches them off one by one to show what each gives.
USE_KERNEL = True  # decode.c's product for one row (LLMZERO_KERNEL=0 turns decode.c off)
USE_DECODE_STEP = True  # decode.c's whole decode step for one new token of one sequence
USE_BF16_STEP = True  # the same for a bfloat16 model (activations in float32 between operations)
USE_ONEDNN = _onednn_linear_exists() and os.environ.get("LLMZERO_ONEDNN", "1") != "0"
# Threads for decode.c's steps: None lets each generation measure and choose (FastestThreads), a
# number forces it (benchmarks/bench_contention.py compares the two).
DECODE_THREADS: int | None = None


class FastLinear(nn.Linear):
    """``nn.Linear`` with faster roads for inference on a CPU.

    Generating text multiplies a few rows (one per sequence) by every weight matrix, once per new
    token, so its speed is how fast the weights come out of memory, and PyTorch's default road for
    so few rows reads them well below the memory's speed on some processors. Without gradients, for
    float32 on the CPU: one row goes through decode.c's product (when it could be built here), more
    rows through oneDNN's kernels; one bfloat16 row goes through decode.c's bfloat16 product (half
    the bytes to read). All roads agree with ``F.linear`` to rounding.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight
        cpu_float32 = (
            x.dtype is torch.float32 and w.dtype is torch.float32 and x.device.type == "cpu"
        )
        if cpu_float32 and not torch.is_grad_enabled():
            if USE_KERNEL and x.numel() == w.size(1) and kernel.available() and w.is_contiguous():
                return kernel.gemv(x, w, self.bias)
            if USE_ONEDNN:
                return torch.ops.mkldnn._linear_pointwise(
                    x.contiguous(), w, self.bias, "none", [], ""
                )
        elif USE_KERNEL and not torch.is_grad_enabled() and kernel.gemv_bf16_fits(x, w, self.bias):
            return kernel.gemv_bf16(x, w, self.bias)
        return F.linear(x, w, self.bias)


class _GELU(torch.autograd.Function):
    """GELU (tanh form) through decode.c in both directions (float32, contiguous, CPU)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return kernel.gelu(x)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return kernel.gelu_backward(x, grad.contiguous())


class FastGELU(nn.GELU):
    """``nn.GELU(approximate="tanh")`` whose float32 CPU work, forward and backward, goes through
    decode.c: one exp per value where PyTorch's kernels compute a tanh each way. Same numbers to
    rounding; anything else (another dtype or device, torch.compile) stays ``F.gelu``."""

    def forward(self, x):
        if torch.compiler.is_compiling() or self.approximate != "tanh" or not kernel.gelu_fits(x):
            return super().forward(x)
        if x.requires_grad and torch.is_grad_enabled():
            return _GELU.apply(x)
        return kernel.gelu(x)


def fast_activations(model: nn.Module) -> nn.Module:
    """Put ``FastGELU`` in the place of each tanh ``nn.GELU`` of ``model`` (in place; no parameters
    change). What a training step on the CPU takes from the fast path."""
    for m in model.modules():
        if type(m) is nn.GELU and m.approximate == "tanh":
            m.__class__ = FastGELU
    return model


class _Accelerated:
    """What ``accelerate`` adds to a GPT class (see the module's docstring)."""

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None, **options
    ) -> GPTOutput:
        cache = options.get("kv_cache")
        if (
            cache is not None
            and idx.shape == (1, 1)
            and targets is None
            and all(options.get(k) is None for k in ("attention_mask", "position_ids"))
            and not any(options.get(k) for k in ("return_attention", "return_hidden"))
            and not torch.is_grad_enabled()
            and idx.device.type == "cpu"
        ):
            stepped = step_in_c(self, idx.item(), cache)
            if stepped is not None:  # (a bfloat16 model's logits in bfloat16, as its blocks give)
                return GPTOutput(logits=stepped[0].to(self.lm_head.weight.dtype))
        return super().forward(idx, targets, **options)

    def new_kv_cache(self, batch_size: int, max_len: int | None = None) -> KVCache:
        p = next(self.parameters())
        if p.device.type != "cpu":
            return super().new_kv_cache(batch_size, max_len)
        # (read at every step: on 2 MB pages)
        return KVCache(
            self.config, batch_size, max_len, dtype=p.dtype, empty=kernel.huge_page_empty
        )

    def _apply(self, fn, recurse=True):
        _C_STEPS.pop(self, None)  # .to(), .float(), .bfloat16()... give the parameters new memory
        out = super()._apply(fn, recurse)
        _onto_huge_pages(self)
        return out


_CLASSES: dict[type, type] = {}


def _accelerated_class(cls: type) -> type:
    if cls not in _CLASSES:
        _CLASSES[cls] = type(cls.__name__, (_Accelerated, cls), {"__module__": cls.__module__})
    return _CLASSES[cls]


def accelerate(model: nn.Module) -> nn.Module:
    """Put the CPU fast path on a GPT, in place, and return it; anything else is returned as it is.

    Idempotent and cheap once done. Linear layers added later keep ``F.linear`` but do not stop
    decode.c's decode step, which runs any plain float32 or bfloat16 GPT (every layout of
    GPTConfig).
    """
    if not isinstance(model, GPT) or isinstance(model, _Accelerated):
        return model
    for m in model.modules():
        if type(m) is nn.Linear:
            m.__class__ = FastLinear
    fast_activations(model)
    model.__class__ = _accelerated_class(type(model))
    _onto_huge_pages(model)
    return model


def _onto_huge_pages(model: nn.Module) -> None:
    """Give each large CPU parameter memory that lies wholly on 2 MB pages: generating a token reads
    every weight once, and part of that time goes to address translation. Shared-memory tensors stay
    put."""
    if kernel.huge_pages_why_not() is not None:
        return
    with torch.no_grad():
        for p in model.parameters():
            if (
                p.device.type == "cpu"
                and p.nbytes >= kernel.HUGE_PAGE
                and not p.is_shared()
                and not kernel.huge_page_aligned(p)
            ):
                p.data = kernel.huge_page_empty(p.shape, p.dtype).copy_(p)


# -- decode.c's whole step -------------------------------------------------------------------------
Stepped = tuple[torch.Tensor, tuple[int, float] | None]


def step_in_c(model: GPT, token: int, kv_cache: KVCache) -> Stepped | None:
    """Token id ``token`` as the next token of one sequence, through decode.c in one call.

    Returns (its logits (1, 1, vocab), the most probable next token with its probability) with the
    same arithmetic as ``GPT.forward`` (a bfloat16 model's: with float32 activations, so closer to
    exact than its blocks, and float32 logits), its keys and values stored in the cache; or None,
    having done nothing, where that road is closed (training, not on a CPU, LoRA or int8 layers,
    hooks, a full cache, no compiler...): then call the model.
    """
    plan = _c_plan(model)
    stepped = None
    if plan is not None:
        stepped = plan.step.run_if_fits(token, kv_cache.k, kv_cache.v, kv_cache.pos)
    if (
        stepped is not None
    ):  # (None for a full cache or a token out of range: the Python road says so)
        kv_cache.advance(1)
    return stepped


def c_steps(model: GPT, kv_cache: KVCache) -> Callable[[int], Stepped | None] | None:
    """``step_in_c`` for the tokens of one generation: ``c_step(token)``, or None where the road is
    closed.

    The model is looked at here, once, so the function runs the model as it was found: new values in
    the same tensors are seen at once, but a module or parameter replaced meanwhile is not (the
    function keeps the old memory alive). A hook registered meanwhile, training mode, the road
    switched off, another cache or a full one make ``c_step`` return None, having done nothing. The
    logits come in a buffer that the next call overwrites.
    """
    plan = _c_plan(model)
    counts = thread_counts()
    steps = {} if plan is None else {n: plan.step.bind(kv_cache.k, kv_cache.v, n) for n in counts}
    if not steps or None in steps.values():
        return None
    k, v = kv_cache.k, kv_cache.v
    threads = FastestThreads(counts)

    def c_step(token: int) -> Stepped | None:
        if (
            not _c_road_open(model)
            or RemovableHandle.next_id != plan.hooks_seen
            or kv_cache.k is not k
            or kv_cache.v is not v
        ):
            return None
        n = threads.pick()
        start = time.perf_counter()
        stepped = steps[n](token, kv_cache.pos)
        if stepped is not None:
            threads.record(n, time.perf_counter() - start)
            kv_cache.advance(1)
        return stepped

    return c_step


def thread_counts() -> list[int]:
    """The thread counts a generation's steps choose from: PyTorch's number, and 1."""
    if DECODE_THREADS is not None:
        return [DECODE_THREADS]
    return sorted({1, torch.get_num_threads()})


class FastestThreads:
    """Which thread count decode.c's next step should use: the one whose steps were fastest.

    More threads read the weights faster, unless the step is too small to share or another process
    holds the cores: OpenMP threads waiting at a barrier for a thread that has no core stall every
    step. Neither can be known in advance, so each count is timed on a few steps at the start, and
    the slower one again now and then (a neighbour may start or stop): the slower it was, the
    longer until it is tried again, so that probing it costs little.
    """

    TRIES = 2  # steps per count when comparing
    PROBE_EVERY = 32  # steps between comparisons, times how much slower the other count was
    MAX_WAIT = 2048

    def __init__(self, counts: list[int]):
        self.counts = counts
        self.best = counts[-1]
        self.times: dict[int, float] = dict.fromkeys(counts, 0.0)
        self.queue = self._comparison()
        self.wait = 0

    def _comparison(self) -> list[int]:
        return [c for _ in range(self.TRIES) for c in self.counts] if len(self.counts) > 1 else []

    def pick(self) -> int:
        if not self.queue and self.wait <= 0 and len(self.counts) > 1:
            self.queue = self._comparison()
            self.times = dict.fromkeys(self.counts, 0.0)
        return self.queue[0] if self.queue else self.best

    def record(self, count: int, seconds: float) -> None:
        if not self.queue:
            self.wait -= 1
            return
        self.queue.pop(0)
        self.times[count] += seconds
        if not self.queue:  # a comparison ended: keep the faster, try again later
            self.best = min(self.counts, key=self.times.__getitem__)
            slowest = max(self.times.values())
            ratio = slowest / max(self.times[self.best], 1e-9)
            self.wait = min(self.MAX_WAIT, round(self.PROBE_EVERY * ratio))


def _c_road_open(model: GPT) -> bool:
    """Could decode.c take a step of this model, as far as cheap flags tell (_CStepPlan checks the
    rest)?"""
    hooks = nn.modules.module
    return not (
        model.training
        or not (USE_DECODE_STEP and USE_KERNEL)
        or hooks._global_forward_hooks
        or hooks._global_forward_pre_hooks
    )


def _c_plan(model: GPT) -> _CStepPlan | None:
    """The model's plan for decode.c, checked to still hold (or made again), or None."""
    if not isinstance(model, GPT) or not _c_road_open(model):
        return None
    plan = _C_STEPS.get(model)
    if plan is not None and plan.still_holds():
        return plan if USE_BF16_STEP or plan.step.dtype is torch.float32 else None
    head = getattr(model.lm_head, "weight", None)  # (a cheap first look: no plan for GPUs)
    if not (
        isinstance(head, torch.Tensor)
        and (head.dtype is torch.float32 or (head.dtype is torch.bfloat16 and USE_BF16_STEP))
        and head.device.type == "cpu"
        and kernel.available()
    ):
        return None
    plan = _CStepPlan.of(model)
    if plan is not None:
        _C_STEPS[model] = plan
    return plan


_LINEARS = (nn.Linear, FastLinear)


class _CStepPlan:
    """What decode.c needs to run a model, found once per model instead of once per token, with what
    it takes to tell that it still holds: every module and parameter still where it was found and in
    the same memory, no block added, and no hook registered since."""

    def __init__(self, links: list, step: kernel.DecodeStep, tensors: list):
        self.step = step
        self.where, self.names, self.held = (list(column) for column in zip(*links))
        self.ids = [
            id(m) for m in self.held
        ]  # (held: while the plan stands, no new object takes these ids)
        # A parameter can also be given other memory in place (``param.data = other``).
        self.tensors = [t for t in tensors if t is not None]
        self.addresses = [t.data_ptr() for t in self.tensors]
        # Every hook PyTorch registers takes the next number of this counter: if it has not moved,
        # no module has gained a hook since the plan found none (cheaper than looking at every hook
        # dictionary).
        self.hooks_seen = RemovableHandle.next_id

    def still_holds(self) -> bool:
        # C loops (map, list ==) over flat lists: this runs right after the weights streamed through
        # the caches, so everything it reads comes from memory.
        return (
            RemovableHandle.next_id == self.hooks_seen
            and list(map(id, map(dict.get, self.where, self.names))) == self.ids
            and list(map(torch.Tensor.data_ptr, self.tensors)) == self.addresses
        )

    @classmethod
    def of(cls, model: GPT) -> _CStepPlan | None:
        """The plan for ``model``, or None if some part of it is not the plain float32 or bfloat16
        GPT that decode.c runs (LoRA or int8 layers, float16, hooks on a module...). Every option of
        GPTConfig is run (RoPE, RMSNorm, SwiGLU, grouped heads, a head width of its own, QK-norm,
        biases or none, tied or separate output layer)."""
        c = model.config
        links = []
        norms = (nn.RMSNorm,) if c.norm == "rmsnorm" else (nn.LayerNorm,)

        def module(parent: nn.Module, name: str, kinds) -> nn.Module | None:
            m = parent._modules.get(name)
            links.append((parent._modules, name, m))
            return m if type(m) in kinds else None

        def params(m: nn.Module) -> list:
            found = [m._parameters.get("weight"), m._parameters.get("bias")]
            links.extend((m._parameters, name, p) for name, p in zip(("weight", "bias"), found))
            return found

        def norm(parent: nn.Module, name: str, kinds=norms) -> list | None:
            """A norm's weight and bias, if it is the config's kind with the config's eps."""
            m = module(parent, name, kinds)
            return None if m is None or m.eps != c.layer_norm_eps else params(m)

        def buffer(name: str) -> torch.Tensor | None:
            t = model._buffers.get(name)
            links.append((model._buffers, name, t))
            return t

        tok = module(model, "tok_emb", (nn.Embedding,))
        learned = model._modules.get("pos_emb") is not None  # (as GPT.forward decides)
        pos = module(model, "pos_emb", (nn.Embedding,)) if learned else None
        module(model, "drop", (nn.Dropout,))
        blocks = module(model, "blocks", (nn.ModuleList,))
        if (
            tok is None
            or tok.max_norm is not None
            or (learned and (pos is None or pos.max_norm is not None))
            or blocks is None
            or len(blocks) != c.n_layer
        ):
            return None
        links.append((blocks._modules, str(len(blocks)), None))  # a block appended later shows here
        rope = [None, None] if learned else [buffer("rope_cos"), buffer("rope_sin")]
        if not learned and None in rope:
            return None
        tensors = [params(tok)[0], params(pos)[0] if learned else None] + rope
        for i in range(len(blocks)):
            b = module(blocks, str(i), (Block,))
            if b is None:
                return None
            attn = module(b, "attn", (CausalSelfAttention,))
            mlp = module(b, "mlp", (MLP,))
            if (  # (block i gets the cache's layer i)
                attn is None
                or mlp is None
                or attn.layer_idx != i
                or (attn.n_head, attn.n_kv_head, attn.head_dim)
                != (c.n_head, c.kv_heads, c.head_dim)
            ):
                return None
            qkv, proj = module(attn, "qkv", _LINEARS), module(attn, "proj", _LINEARS)
            fc, fc2 = module(mlp, "fc", _LINEARS), module(mlp, "proj", _LINEARS)
            ln1, ln2 = norm(b, "ln1"), norm(b, "ln2")
            qk = [[None], [None]]
            if attn.qk_norm:
                qk = [norm(attn, "q_norm", (nn.RMSNorm,)), norm(attn, "k_norm", (nn.RMSNorm,))]
            if None in (qkv, proj, fc, fc2, ln1, ln2, *qk) or mlp.swiglu != (c.mlp == "swiglu"):
                return None
            tensors += ln1 + params(qkv) + [qk[0][0], qk[1][0]] + params(proj)
            tensors += ln2 + params(fc) + params(fc2)
        ln_f = norm(model, "ln_f")
        head = module(model, "lm_head", _LINEARS)
        if ln_f is None or head is None:
            return None
        tensors += ln_f + params(head)
        if any(
            isinstance(m, nn.Module) and (m._forward_hooks or m._forward_pre_hooks)
            for _, _, m in links
        ):
            return None  # someone watches a module (e.g. to read activations): let it run in Python
        # (refused: another shape than the config's, another dtype, widths bf16 cannot take)
        try:
            step = kernel.DecodeStep(
                tensors, c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps, kernel.Layout.of(c)
            )
        except ValueError:
            return None
        return cls(links, step, tensors)


# GPT -> _CStepPlan, kept out of the model so that copying a model never meets ctypes pointers
_C_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
