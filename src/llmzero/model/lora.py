"""LoRA (low-rank adaptation), from scratch.

Fine-tuning changes a weight matrix W (out × in) by some ΔW. LoRA bets that ΔW has low rank and
writes it as B @ A, with A (r × in) and B (out × r) for a small rank r. The pre-trained W stays
frozen; only A and B learn:

    y = x W^T + (alpha / r) · x A^T B^T

B starts at zero, so at step 0 the model is exactly the pre-trained one. After training, B @ A ·
alpha/r can be folded into W (``merge_lora``) and the model is a plain GPT again, with no extra cost
at inference.

    apply_lora(model, rank=8, alpha=16)      # wrap the attention and MLP Linears, freeze everything
    else ... train ... save_lora(model, "out/adapter")          # adapter.safetensors +
    adapter.json: a few hundred KB merge_lora(model)                        # plain nn.Linear again
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn as nn
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from llmzero.errors import UserError
from llmzero.fileio import atomic_dir, write_json_atomic

DEFAULT_TARGETS = ("attn.qkv", "attn.proj", "mlp.fc", "mlp.proj")
ADAPTER_WEIGHTS, ADAPTER_CONFIG = "adapter.safetensors", "adapter.json"
ADAPTER_FORMAT = "llmzero-lora"


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update: base(x) + scale · (x @ A^T @
    B^T)."""

    def __init__(
        self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0, target: str = ""
    ):
        super().__init__()
        if rank < 1:
            raise UserError(
                f"o posto (rank) da LoRA precisa ser positivo (recebeu {rank}).",
                f"the LoRA rank must be positive (got {rank}).",
            )
        self.base = base
        self.base.weight.requires_grad_(False)
        if self.base.bias is not None:
            self.base.bias.requires_grad_(False)
        self.rank, self.alpha = rank, alpha
        self.scale = alpha / rank
        self.target = target  # which of apply_lora's targets this layer matched (for adapter.json)
        w = base.weight
        self.lora_A = nn.Parameter(
            torch.empty(rank, base.in_features, device=w.device, dtype=w.dtype)
        )
        self.lora_B = nn.Parameter(
            torch.zeros(base.out_features, rank, device=w.device, dtype=w.dtype)
        )
        # the same init nn.Linear gives its weights
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def delta_weight(self) -> torch.Tensor:
        """The update ΔW = scale · B @ A, shaped like the base weight (out × in)."""
        return self.scale * (self.lora_B @ self.lora_A)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scale * (self.dropout(x) @ self.lora_A.T @ self.lora_B.T)

    def extra_repr(self) -> str:
        return f"rank={self.rank}, alpha={self.alpha}"


def _match(name: str, targets) -> str | None:
    return next((t for t in targets if name == t or name.endswith("." + t)), None)


def _set_module(model: nn.Module, name: str, module: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, child, module)


def lora_modules(model: nn.Module) -> dict[str, LoRALinear]:
    return {name: m for name, m in model.named_modules() if isinstance(m, LoRALinear)}


def apply_lora(
    model: nn.Module,
    rank: int = 8,
    alpha: float = 16.0,
    targets=DEFAULT_TARGETS,
    dropout: float = 0.0,
    keep_trainable=("head",),
) -> nn.Module:
    """Wrap every ``nn.Linear`` whose name ends with one of ``targets`` in a ``LoRALinear``, in
    place.

    Afterwards only the LoRA matrices train, plus the top-level modules named in ``keep_trainable``
    (a classifier's ``head``, which starts from random and must learn). Returns the model.
    """
    targets = tuple(targets)
    found = {
        name: _match(name, targets) for name, m in model.named_modules() if isinstance(m, nn.Linear)
    }
    found = {name: target for name, target in found.items() if target is not None}
    if not found:
        raise UserError(
            f"nenhuma camada do modelo corresponde aos alvos da LoRA {list(targets)}.",
            f"no layer of the model matches the LoRA targets {list(targets)}.",
        )
    model.requires_grad_(False)
    for name, target in found.items():
        _set_module(
            model, name, LoRALinear(model.get_submodule(name), rank, alpha, dropout, target)
        )
    for name in keep_trainable:
        if hasattr(model, name):
            getattr(model, name).requires_grad_(True)
    return model


def lora_parameter_count(model: nn.Module) -> int:
    """How many numbers the LoRA matrices hold: r · (in + out) per wrapped layer."""
    return sum(m.lora_A.numel() + m.lora_B.numel() for m in lora_modules(model).values())


@torch.no_grad()
def merge_lora(model: nn.Module) -> nn.Module:
    """Fold each B @ A · scale into its base weight and put the plain ``nn.Linear`` back. Returns
    the model."""
    for name, m in lora_modules(model).items():
        m.base.weight += m.delta_weight().to(m.base.weight.dtype)
        _set_module(model, name, m.base)
    return model


def lora_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """Everything fine-tuning changed: the LoRA matrices and any other trainable parameter (e.g. a
    head)."""
    names = {f"{name}.{p}" for name in lora_modules(model) for p in ("lora_A", "lora_B")}
    return {
        name: p.detach().to("cpu").contiguous()
        for name, p in model.named_parameters()
        if name in names or p.requires_grad
    }


def lora_config(model: nn.Module) -> dict:
    """rank, alpha and targets of the LoRA layers in ``model`` (they all share one setting)."""
    mods = lora_modules(model)
    if not mods:
        raise UserError("o modelo não tem camadas LoRA.", "the model has no LoRA layers.")
    first = next(iter(mods.values()))
    targets = sorted({m.target or name for name, m in mods.items()})
    dropout = first.dropout.p if isinstance(first.dropout, nn.Dropout) else 0.0
    return {"rank": first.rank, "alpha": first.alpha, "targets": targets, "dropout": dropout}


def lora_settings(lora: dict | None) -> dict | None:
    """The LoRA settings a fine-tuned checkpoint records, from {"rank", "alpha"?, "targets"?,
    "dropout"?} with the defaults filled in (alpha: twice the rank); None without LoRA."""
    if not lora:
        return None
    rank = int(lora["rank"])
    alpha = lora.get("alpha")
    return {
        "rank": rank,
        "alpha": float(2 * rank if alpha is None else alpha),
        "targets": list(lora.get("targets") or DEFAULT_TARGETS),
        "dropout": float(lora.get("dropout", 0.0)),
        "merged": False,
    }


def save_lora(
    model: nn.Module, path: str | Path, base: str | None = None, extra: dict | None = None
) -> Path:
    """Write the adapter alone: adapter.safetensors (see ``lora_state_dict``) + adapter.json (its
    settings)."""
    path = Path(path)
    tensors = lora_state_dict(model)
    info = {
        "format": ADAPTER_FORMAT,
        "version": 1,
        **lora_config(model),
        "base": base,
        "lora_parameters": lora_parameter_count(model),
        "other_parameters": sorted(n for n in tensors if not n.endswith((".lora_A", ".lora_B"))),
        **(extra or {}),
    }
    with atomic_dir(path) as tmp:
        save_file(tensors, str(tmp / ADAPTER_WEIGHTS), metadata={"format": "pt"})
        write_json_atomic(tmp / ADAPTER_CONFIG, info)
    return path


def read_adapter_config(path: str | Path) -> dict:
    file = Path(path) / ADAPTER_CONFIG
    try:
        info = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"{path} não é um adaptador LoRA (falta {ADAPTER_CONFIG}).",
            f"{path} is not a LoRA adapter ({ADAPTER_CONFIG} is missing).",
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(
            f"{file} está corrompido (JSON inválido).", f"{file} is corrupt (invalid JSON)."
        ) from None
    if not isinstance(info, dict) or info.get("format") != ADAPTER_FORMAT:
        raise UserError(
            f"{file} não é um adaptador LoRA do llmzero.", f"{file} is not an llmzero LoRA adapter."
        )
    return info


def load_lora(model: nn.Module, path: str | Path) -> dict:
    """Add the adapter saved in ``path`` to ``model`` (wrapping its layers first if needed); returns
    adapter.json."""
    path = Path(path)
    info = read_adapter_config(path)
    if not lora_modules(model):
        apply_lora(model, info["rank"], info["alpha"], info["targets"], info.get("dropout", 0.0))
    try:
        tensors = load_file(str(path / ADAPTER_WEIGHTS), device="cpu")
    except FileNotFoundError:
        raise UserError(
            f"falta {path / ADAPTER_WEIGHTS}.", f"{path / ADAPTER_WEIGHTS} is missing."
        ) from None
    except (SafetensorError, OSError, ValueError) as exc:
        raise UserError(
            f"{path / ADAPTER_WEIGHTS} está corrompido ({exc}).",
            f"{path / ADAPTER_WEIGHTS} is corrupt ({exc}).",
        ) from None
    params = dict(model.named_parameters())
    expected = {f"{name}.{p}" for name in lora_modules(model) for p in ("lora_A", "lora_B")}
    missing, unexpected = sorted(expected - set(tensors)), sorted(set(tensors) - set(params))
    bad = [
        n for n, t in tensors.items() if n in params and tuple(t.shape) != tuple(params[n].shape)
    ]
    if missing or unexpected or bad:
        what = missing[:2] or unexpected[:2] or bad[:2]
        raise UserError(
            f"o adaptador em {path} não combina com este modelo ({what}).",
            f"the adapter in {path} does not fit this model ({what}).",
        )
    with torch.no_grad():
        for name, tensor in tensors.items():
            params[name].copy_(tensor)
    return info
