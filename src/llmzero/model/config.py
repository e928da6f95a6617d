"""The model's shape as a dataclass, and named presets from a tiny CPU model to GPT-2's sizes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from llmzero.errors import UserError


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
        if self.n_embd % self.n_head:
            raise UserError(
                f"o número de cabeças ({self.n_head}) precisa dividir a dimensão ({self.n_embd}).",
                f"the number of heads ({self.n_head}) must divide the dimension ({self.n_embd}).",
            )
        if not 0.0 <= self.dropout < 1.0:
            raise UserError(
                f"dropout precisa estar entre 0 e 1 (recebeu {self.dropout}).",
                f"dropout must be between 0 and 1 (got {self.dropout}).",
            )

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

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
}
PRESET_ALIASES = {
    "gpt2-124m": "gpt2",
    "gpt2-355m": "gpt2-medium",
    "gpt2-774m": "gpt2-large",
    "gpt2-1558m": "gpt2-xl",
}


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
