"""Int8 weight-only quantization: a model four times smaller on disk, and faster on a CPU.

Every matrix of the GPT's linear layers (and, by default, the token-embedding matrix, which is also
the output layer when the two are tied) is stored as 8-bit integers plus one float scale per output
row ("per-output-channel symmetric" quantization):

    scale[r] = max_c |W[r, c]| / 127        q[r, c] = round(W[r, c] / scale[r])  in [-127, 127]
    W[r, c] ≈ q[r, c] · scale[r]

A row keeps its own scale, so a row of small weights is not crushed by a row of large ones; the
error of one weight is at most half a step, scale[r] / 2. Biases, LayerNorms and position embeddings
stay in float: they are small, and the model is sensitive to them.

At run time a ``QuantLinear`` computes ``x @ Wᵀ`` in one of two ways:

- "exact": ``(x @ qᵀ) · scale``, q turned into x's dtype for the product; the reference, any device,
  slow;
- "fast" (CPU, the default): PyTorch's int8 kernels. For float32 inputs,
  ``quantized::linear_dynamic`` (fbgemm) also rounds the input to int8 on the fly, with one scale
  for the whole input tensor — a little more error than "exact", and the rows of a batch share that
  scale; for bfloat16 inputs, ``_weight_int8pack_mm`` keeps the inputs as they are. Reading a
  quarter of the bytes is what makes it fast: generating one token is limited by how fast the
  weights come out of memory (benchmarks/RESULTS.md has the figures).

"auto" picks "fast" where it exists; LLMZERO_INT8_MODE=exact chooses the reference when loading a
checkpoint.

A quantized checkpoint is an ordinary llmzero folder whose config.json says ``"kind": "lm-int8"``;
the weights stay safetensors (int8 tensors + float scales), and ``load_checkpoint`` returns a model
that ``generate``, ``chat`` and the evaluations use like any other GPT.
"""

from __future__ import annotations

import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig

KIND = "lm-int8"
SCHEME = "int8-per-channel-symmetric"
MODES = ("auto", "fast", "exact")


# --------------------------------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------------------------------
def quantize_tensor(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A float matrix (rows, cols) -> (int8 matrix, float32 scale per row) with w ≈ q · scale[:,
    None]."""
    w = w.detach().float()
    scale = w.abs().amax(dim=1) / 127.0
    scale = torch.where(
        scale > 0, scale, torch.ones_like(scale)
    )  # an all-zero row stays zero with any scale
    q = torch.round(w / scale[:, None]).clamp_(-127, 127).to(torch.int8)
    return q, scale


def dequantize_tensor(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.float() * scale.float()[:, None]


def _fast_kernels() -> bool:
    """Does this PyTorch have the CPU int8 kernels (fbgemm/x86 engine)?"""
    return hasattr(torch.ops, "quantized") and any(
        e in torch.backends.quantized.supported_engines for e in ("x86", "fbgemm")
    )


# --------------------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------------------
class QuantLinear(nn.Module):
    """A Linear layer whose weight is int8 with one scale per output row. State: weight (int8),
    scale, bias."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        mode: str = "auto",
        device=None,
    ):
        super().__init__()
        self.in_features, self.out_features, self.mode = in_features, out_features, mode
        self.register_buffer(
            "weight", torch.zeros(out_features, in_features, dtype=torch.int8, device=device)
        )
        self.register_buffer("scale", torch.ones(out_features, device=device))
        self.bias = (
            nn.Parameter(torch.zeros(out_features, device=device), requires_grad=False)
            if bias
            else None
        )
        self._packed = None  # (version key, fbgemm packed weight), built on first use

    @classmethod
    def from_linear(cls, linear: nn.Linear, mode: str = "auto") -> "QuantLinear":
        layer = cls(
            linear.in_features,
            linear.out_features,
            linear.bias is not None,
            mode,
            device=linear.weight.device,
        )
        layer.weight, layer.scale = quantize_tensor(linear.weight)
        if linear.bias is not None:
            layer.bias.data.copy_(linear.bias.detach())
        return layer

    def dequantized(self) -> torch.Tensor:
        return dequantize_tensor(self.weight, self.scale)

    def _use_fast(self, x: torch.Tensor) -> bool:
        if self.mode == "exact" or x.device.type != "cpu" or x.requires_grad:
            return False
        return x.dtype == torch.bfloat16 or (x.dtype == torch.float32 and _fast_kernels())

    def _packed_weight(self):
        # The packed copy follows the int8 buffer: rebuilt when load_state_dict (or anything)
        # rewrites it.
        key = tuple(
            (
                t.data_ptr(),
                None if t.is_inference() else t._version,
            )  # inference tensors keep no version
            for t in (self.weight, self.scale, self.bias)
            if t is not None
        )
        if self._packed is None or self._packed[0] != key:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore"
                )  # PyTorch marks its quantized-tensor constructors as deprecated
                qw = torch._make_per_channel_quantized_tensor(
                    self.weight,
                    self.scale.double(),
                    torch.zeros(self.out_features, dtype=torch.long),
                    0,
                )
                bias = None if self.bias is None else self.bias.detach().float()
                self._packed = (key, torch.ops.quantized.linear_prepack(qw, bias))
        return self._packed[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._use_fast(x):
            if x.dtype == torch.float32:
                # int8 × int8 with the input quantized per call; reduce_range=True avoids an
                # overflow of AVX2's 8-bit multiply-add on x86, which would otherwise cost far more
                # precision than the 7th bit.
                return torch.ops.quantized.linear_dynamic(x, self._packed_weight(), True)
            y = torch._weight_int8pack_mm(
                x.reshape(-1, self.in_features), self.weight, self.scale.to(x.dtype)
            )
            y = y.view(*x.shape[:-1], self.out_features)
        else:
            y = F.linear(x, self.weight.to(x.dtype)) * self.scale.to(x.dtype)
        return y if self.bias is None else y + self.bias.to(y.dtype)

    def extra_repr(self) -> str:
        shape = f"in_features={self.in_features}, out_features={self.out_features}"
        return f"{shape}, int8, mode={self.mode}"


class QuantEmbedding(nn.Module):
    """An embedding table stored as int8 rows with one scale per row (per token)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, device=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.register_buffer(
            "weight", torch.zeros(num_embeddings, embedding_dim, dtype=torch.int8, device=device)
        )
        self.register_buffer("scale", torch.ones(num_embeddings, device=device))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.weight[idx].to(self.scale.dtype) * self.scale[idx].unsqueeze(-1)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, int8"


def _set(model: nn.Module, name: str, module: nn.Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, child, module)


def quantizable(model: GPT, embeddings: bool) -> list[str]:
    """Names of the Linear layers to quantize: all of them, except the output layer when embeddings
    stay float."""
    return [
        name
        for name, m in model.named_modules()
        if isinstance(m, nn.Linear) and (embeddings or name != "lm_head")
    ]


class Int8GPT(GPT):
    """The same GPT with int8 Linear layers (and embedding). Build empty, then load weights or use
    from_float."""

    def __init__(self, config: GPTConfig, embeddings: bool = True, mode: str = "auto"):
        with torch.device(
            "meta"
        ):  # skip allocating and initialising float weights that are replaced anyway
            super().__init__(config)
        self.quantized_embeddings = embeddings
        for name in quantizable(self, embeddings):
            old = self.get_submodule(name)
            _set(
                self,
                name,
                QuantLinear(
                    old.in_features, old.out_features, old.bias is not None, mode, device="cpu"
                ),
            )
        if embeddings:
            self.tok_emb = QuantEmbedding(config.vocab_size, config.n_embd, device="cpu")
        self.to_empty(device="cpu")
        for m in (
            self.modules()
        ):  # float leftovers (norms, pos_emb, biases) start defined, not as garbage
            if isinstance(m, (nn.LayerNorm, nn.RMSNorm)):
                nn.init.ones_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, QuantLinear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        if self.pos_emb is not None:
            nn.init.zeros_(self.pos_emb.weight)
        self._tie()
        self.set_mode(mode)

    def _tie(self) -> None:
        """to_empty gives every module its own tensors; share the token table with the output layer
        again."""
        if not self.config.tie_weights:
            return
        if self.quantized_embeddings:
            self.lm_head.weight, self.lm_head.scale = self.tok_emb.weight, self.tok_emb.scale
        else:
            self.lm_head.weight = self.tok_emb.weight

    def _apply(self, fn, recurse=True):
        out = super()._apply(
            fn, recurse
        )  # .to(device/dtype) converts each module's tensors on its own
        self._tie()
        return out

    @classmethod
    def from_float(cls, model: GPT, embeddings: bool = True, mode: str = "auto") -> "Int8GPT":
        """Quantize a float GPT (on the CPU) into a new Int8GPT; the float model is left
        unchanged."""
        qmodel = cls(model.config, embeddings, mode)
        state = {k: v.detach().to("cpu") for k, v in model.state_dict().items()}
        shared = (
            embeddings and model.config.tie_weights
        )  # the output layer is the token table: done below
        for name in quantizable(model, embeddings):
            if not (shared and name == "lm_head"):
                state[f"{name}.weight"], state[f"{name}.scale"] = quantize_tensor(
                    state[f"{name}.weight"]
                )
        if embeddings:
            state["tok_emb.weight"], state["tok_emb.scale"] = quantize_tensor(
                state["tok_emb.weight"]
            )
            if shared:
                state["lm_head.weight"], state["lm_head.scale"] = (
                    state["tok_emb.weight"],
                    state["tok_emb.scale"],
                )
        qmodel.load_state_dict(state, strict=True)
        return qmodel.to(next(model.parameters()).device)

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Distinct weights, int8 ones included (a tied matrix counts once)."""
        seen, n = set(), 0
        for name, t in list(self.named_parameters()) + [
            (k, b) for k, b in self.named_buffers() if b.dtype == torch.int8
        ]:
            if t.data_ptr() not in seen:
                seen.add(t.data_ptr())
                n += t.numel()
        positions = self.pos_emb.weight.numel() if self.pos_emb is not None else 0
        return n - (positions if non_embedding else 0)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise UserError(
                f"modo desconhecido: {mode!r} (use {', '.join(MODES)}).",
                f"unknown mode: {mode!r} (use {', '.join(MODES)}).",
            )
        for m in self.modules():
            if isinstance(m, QuantLinear):
                m.mode = mode

    def param_groups(self, weight_decay: float) -> list[dict]:
        raise UserError(
            "um modelo int8 serve para inferência; treine o modelo float e quantize depois.",
            "an int8 model is for inference; train the float model and quantize it afterwards.",
        )


def build_int8(config: GPTConfig, meta: dict) -> Int8GPT:
    """The empty Int8GPT that a checkpoint of kind KIND describes (its weights are loaded next)."""
    q = meta.get("quantization") or {}
    if q.get("scheme", SCHEME) != SCHEME:
        raise UserError(
            f"esquema de quantização desconhecido: {q.get('scheme')!r}.",
            f"unknown quantization scheme: {q.get('scheme')!r}.",
        )
    return Int8GPT(
        config,
        embeddings=bool(q.get("embeddings", True)),
        mode=os.environ.get("LLMZERO_INT8_MODE", "auto"),
    )
