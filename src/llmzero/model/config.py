"""The model's shape as a dataclass, and named presets from a tiny CPU model to GPT-2's sizes.

The defaults are GPT-2's; named options switch on the parts of Llama and Qwen (RoPE, RMSNorm,
SwiGLU, grouped-query attention, RMSNorm on queries and keys).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from llmzero.errors import UserError

# The options with a fixed set of values, each listed with its values (the first is GPT-2's).
CHOICES = {
    "positions": ("learned", "rope"),
    "norm": ("layernorm", "rmsnorm"),
    "mlp": ("gelu", "swiglu"),
}
# RoPE scalings the model computes (rope_type in a Hugging Face config), and the keys each needs.
ROPE_SCALINGS = {
    "llama3": ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")
}


def check_rope_scaling(scaling) -> None:
    """Refuse a rope_scaling the model does not compute, naming the supported ones."""
    if scaling is None:
        return
    kind = scaling.get("rope_type", scaling.get("type")) if isinstance(scaling, dict) else None
    if kind not in ROPE_SCALINGS:
        raise UserError(
            f"rope_scaling {kind or scaling!r} não é suportado; os suportados são: "
            f"{', '.join(ROPE_SCALINGS)}.",
            f"rope_scaling {kind or scaling!r} is not supported; the supported ones are: "
            f"{', '.join(ROPE_SCALINGS)}.",
        )
    missing = [k for k in ROPE_SCALINGS[kind] if not isinstance(scaling.get(k), (int, float))]
    if missing:
        raise UserError(
            f"rope_scaling {kind} precisa de {', '.join(missing)}.",
            f"rope_scaling {kind} needs {', '.join(missing)}.",
        )


@dataclass
class GPTConfig:
    """Everything that decides the shape of a GPT. Saved as config.json in every checkpoint."""

    vocab_size: int = 50257
    context_length: int = 1024
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True  # GPT-2 has biases in every Linear and LayerNorm
    tie_weights: bool = True  # the output layer reuses the token-embedding matrix
    layer_norm_eps: float = 1e-5
    # free-form notes (e.g. which preset), ignored by the model
    extra: dict = field(default_factory=dict)
    # Options beyond GPT-2 (Llama, Qwen); the defaults are GPT-2's, so old config.json files load.
    positions: str = "learned"  # "learned" (a pos_emb table) or "rope" (rotary, HF Llama style)
    rope_theta: float = 10000.0
    rope_scaling: dict | None = None  # None, or {"rope_type": "llama3", ...} as in Llama 3.1
    norm: str = "layernorm"  # or "rmsnorm" (no mean, no bias); eps is layer_norm_eps
    mlp: str = "gelu"  # or "swiglu": mlp.fc gives [gate; up], the block uses silu(gate) * up
    mlp_hidden: int | None = None  # the MLP's inner width; None: 4 * n_embd
    n_kv_head: int | None = None  # key/value heads (grouped-query attention); None: n_head
    head_size: int | None = None  # None: n_embd // n_head
    qk_norm: bool = False  # RMSNorm on each head's queries and keys, before RoPE (Qwen3)
    qkv_bias: bool | None = None  # bias of the q/k/v projection; None: same as bias

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for name in ("vocab_size", "context_length", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UserError(
                    f"a configuração do modelo precisa de {name} inteiro e positivo (recebeu "
                    f"{value!r}).",
                    f"the model configuration needs a positive whole {name} (got {value!r}).",
                )
        for name in ("mlp_hidden", "n_kv_head", "head_size"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                raise UserError(
                    f"{name} precisa ser um inteiro positivo ou null (recebeu {value!r}).",
                    f"{name} must be a positive whole number or null (got {value!r}).",
                )
        if self.head_size is None and self.n_embd % self.n_head:
            raise UserError(
                f"o número de cabeças ({self.n_head}) precisa dividir a dimensão ({self.n_embd}).",
                f"the number of heads ({self.n_head}) must divide the dimension ({self.n_embd}).",
            )
        if self.n_head % self.kv_heads:
            raise UserError(
                f"n_kv_head ({self.kv_heads}) precisa dividir n_head ({self.n_head}).",
                f"n_kv_head ({self.kv_heads}) must divide n_head ({self.n_head}).",
            )
        if not 0.0 <= self.dropout < 1.0:
            raise UserError(
                f"dropout precisa estar entre 0 e 1 (recebeu {self.dropout}).",
                f"dropout must be between 0 and 1 (got {self.dropout}).",
            )
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UserError(
                    f"{name} precisa ser {' ou '.join(map(repr, allowed))} (recebeu "
                    f"{getattr(self, name)!r}).",
                    f"{name} must be {' or '.join(map(repr, allowed))} (got "
                    f"{getattr(self, name)!r}).",
                )
        for name in ("bias", "tie_weights", "qk_norm", "qkv_bias"):
            value = getattr(self, name)
            if not isinstance(value, bool) and not (name == "qkv_bias" and value is None):
                raise UserError(
                    f"{name} precisa ser true ou false (recebeu {value!r}).",
                    f"{name} must be true or false (got {value!r}).",
                )
        numbers = (("rope_theta", self.rope_theta), ("layer_norm_eps", self.layer_norm_eps))
        for name, value in numbers:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise UserError(
                    f"{name} precisa ser um número positivo (recebeu {value!r}).",
                    f"{name} must be a positive number (got {value!r}).",
                )
        if self.positions == "rope" and self.head_dim % 2:
            raise UserError(
                f"RoPE precisa de head_dim par (recebeu {self.head_dim}).",
                f"RoPE needs an even head_dim (got {self.head_dim}).",
            )
        check_rope_scaling(self.rope_scaling)

    @property
    def head_dim(self) -> int:
        """Width of one attention head: head_size, or n_embd // n_head."""
        return self.head_size if self.head_size is not None else self.n_embd // self.n_head

    @property
    def kv_heads(self) -> int:
        """How many key/value heads there are (n_kv_head, or n_head without grouping)."""
        return self.n_kv_head if self.n_kv_head is not None else self.n_head

    @property
    def mlp_dim(self) -> int:
        """The MLP's inner width (mlp_hidden, or 4 * n_embd)."""
        return self.mlp_hidden if self.mlp_hidden is not None else 4 * self.n_embd

    @property
    def has_qkv_bias(self) -> bool:
        return self.bias if self.qkv_bias is None else self.qkv_bias

    def options_beyond_gpt2(self) -> list[str]:
        """The fields whose values leave GPT-2's architecture (empty for a GPT-2)."""
        gpt2 = {
            "positions": self.positions == "learned",
            "norm": self.norm == "layernorm",
            "mlp": self.mlp == "gelu",
            "mlp_hidden": self.mlp_dim == 4 * self.n_embd,
            "n_kv_head": self.kv_heads == self.n_head,
            "head_size": self.head_dim * self.n_head == self.n_embd,
            "qk_norm": not self.qk_norm,
            "qkv_bias": self.has_qkv_bias == self.bias,
        }
        return [name for name, same in gpt2.items() if not same]

    @property
    def gpt2_layout(self) -> bool:
        """Is this exactly GPT-2's architecture (what decode.c, GGUF and GPT-2 export know)?"""
        return not self.options_beyond_gpt2()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "GPTConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise UserError(
                f"config.json tem campos desconhecidos: {', '.join(unknown)}.",
                f"config.json has unknown fields: {', '.join(unknown)}.",
            )
        return cls(**data)


_LLAMA_TINY = dict(
    n_layer=4, n_head=4, n_kv_head=2, n_embd=128, mlp_hidden=352, context_length=128, dropout=0.0,
    positions="rope", norm="rmsnorm", mlp="swiglu", bias=False, tie_weights=False,
    layer_norm_eps=1e-6,
)  # fmt: skip
# Named shapes. The CPU presets are small enough to train in minutes on a laptop; the gpt2-* presets
# are the four published GPT-2 sizes (vocabulary 50,257, context 1,024).
PRESETS: dict[str, dict] = {
    "nano": dict(n_layer=2, n_head=2, n_embd=64, context_length=64, dropout=0.0),
    "tiny": dict(n_layer=4, n_head=4, n_embd=128, context_length=128, dropout=0.0),
    "mini": dict(n_layer=6, n_head=6, n_embd=192, context_length=256, dropout=0.1),
    "small": dict(n_layer=8, n_head=8, n_embd=384, context_length=256, dropout=0.1),
    "gpt2": dict(
        n_layer=12, n_head=12, n_embd=768, context_length=1024, vocab_size=50257, dropout=0.1
    ),
    "gpt2-medium": dict(
        n_layer=24, n_head=16, n_embd=1024, context_length=1024, vocab_size=50257, dropout=0.1
    ),
    "gpt2-large": dict(
        n_layer=36, n_head=20, n_embd=1280, context_length=1024, vocab_size=50257, dropout=0.1
    ),
    "gpt2-xl": dict(
        n_layer=48, n_head=25, n_embd=1600, context_length=1024, vocab_size=50257, dropout=0.1
    ),
    # The size of "tiny" in the Llama layout (RoPE, RMSNorm, SwiGLU, 2 key/value heads, no biases),
    # and in Qwen3's (the same, plus RMSNorm on queries and keys, and tied embeddings).
    "llama-tiny": _LLAMA_TINY,
    "qwen3-tiny": dict(_LLAMA_TINY, qk_norm=True, tie_weights=True, rope_theta=1000000.0),
}
# Pre-training settings of a preset that differ from TrainConfig's defaults. TrainConfig's are
# the ones benchmarks/bench_train_sweep.py chose for nano and tiny; the presets it did not cover
# keep the learning rate they had before it.
PRESET_TRAINING: dict[str, dict] = {
    name: {"lr": 1e-3} for name in PRESETS if name not in ("nano", "tiny")
}
PRESET_ALIASES = {
    "gpt2-124m": "gpt2",
    "gpt2-355m": "gpt2-medium",
    "gpt2-774m": "gpt2-large",
    "gpt2-1558m": "gpt2-xl",
}


def preset_training(name: str) -> dict:
    """The pre-training settings (TrainConfig fields) a preset sets apart from the defaults."""
    return dict(PRESET_TRAINING.get(PRESET_ALIASES.get(name.lower(), name.lower()), {}))


def preset(name: str, **overrides) -> GPTConfig:
    """A GPTConfig from a preset name; keyword arguments that are not None override the preset."""
    key = PRESET_ALIASES.get(name.lower(), name.lower())
    if key not in PRESETS:
        names = ", ".join(PRESETS)
        raise UserError(
            f"preset desconhecido: {name!r}. Os presets são: {names}.",
            f"unknown preset: {name!r}. The presets are: {names}.",
        )
    values = dict(PRESETS[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.setdefault("extra", {})
    values["extra"] = dict(values["extra"], preset=key)
    return GPTConfig(**values)
