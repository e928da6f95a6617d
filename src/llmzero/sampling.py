"""How to generate: the sampling settings (SamplingConfig) and their named presets, defined once.

Kept apart from generation.py, which needs PyTorch, so the command line can show the defaults
quickly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from llmzero.errors import UserError


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class SamplingConfig:
    """How to generate: how many tokens, how to pick each one, and when to stop."""

    max_new_tokens: int = 100
    temperature: float = 1.0  # 0 means greedy: always the most probable token
    top_k: int | None = None  # keep only the k most probable tokens
    top_p: float | None = None  # keep the smallest set of tokens whose mass is >= top_p
    stop: list[str] = field(
        default_factory=list
    )  # stop when one of these strings appears in the new text
    seed: int | None = None  # same seed, same model, same prompt -> same text
    use_cache: bool = True  # reuse keys/values of earlier positions (much faster, same result)
    eos_id: int | None = None  # stop when this token is generated (e.g. the tokenizer's eot_id)
    return_top: int = (
        0  # with n > 0, each GenStep carries the n most probable tokens of its distribution
    )

    def __post_init__(self) -> None:
        if isinstance(self.stop, str):
            self.stop = [self.stop]
        elif self.stop is None:
            self.stop = []
        else:
            self.stop = list(self.stop)
        self.validate()

    def validate(self) -> None:
        """Raise UserError for values that make no sense (called on creation and again before
        generating)."""
        if not _is_int(self.max_new_tokens) or self.max_new_tokens < 0:
            raise UserError(
                "max_new_tokens precisa ser um inteiro maior ou igual a 0 (recebeu "
                f"{self.max_new_tokens!r}).",
                "max_new_tokens must be a whole number of at least 0 (got "
                f"{self.max_new_tokens!r}).",
            )
        temp = self.temperature
        if (
            isinstance(temp, bool)
            or not isinstance(temp, (int, float))
            or not math.isfinite(temp)
            or temp < 0
        ):
            raise UserError(
                "a temperatura precisa ser um número maior ou igual a 0, e 0 quer dizer guloso "
                f"(recebeu {temp!r}).",
                "the temperature must be a number of at least 0, and 0 means greedy (got "
                f"{temp!r}).",
            )
        if self.top_k is not None and (not _is_int(self.top_k) or self.top_k < 1):
            raise UserError(
                f"top_k precisa ser um inteiro maior ou igual a 1 (recebeu {self.top_k!r}).",
                f"top_k must be a whole number of at least 1 (got {self.top_k!r}).",
            )
        p = self.top_p
        if p is not None and (
            isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1
        ):
            raise UserError(
                "top_p precisa estar no intervalo (0, 1], maior que 0 e no máximo 1 (recebeu "
                f"{p!r}).",
                f"top_p must be in the range (0, 1], above 0 and at most 1 (got {p!r}).",
            )
        for s in self.stop:
            if not isinstance(s, str) or not s:
                raise UserError(
                    f"cada sequência de parada precisa ser um texto não vazio (recebeu {s!r}).",
                    f"every stop sequence must be a non-empty string (got {s!r}).",
                )
        if self.seed is not None and not _is_int(self.seed):
            raise UserError(
                f"a semente precisa ser um número inteiro (recebeu {self.seed!r}).",
                f"the seed must be a whole number (got {self.seed!r}).",
            )
        if self.eos_id is not None and (not _is_int(self.eos_id) or self.eos_id < 0):
            raise UserError(
                "eos_id precisa ser o id (inteiro, a partir de 0) de um token (recebeu "
                f"{self.eos_id!r}).",
                f"eos_id must be the id (a whole number from 0) of a token (got {self.eos_id!r}).",
            )
        if not _is_int(self.return_top) or self.return_top < 0:
            raise UserError(
                "return_top precisa ser um inteiro maior ou igual a 0 (recebeu "
                f"{self.return_top!r}).",
                f"return_top must be a whole number of at least 0 (got {self.return_top!r}).",
            )

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


# Named sampling settings, defined once: the CLI, the studio, chat, the journey and the lab take
# theirs here.
SAMPLING_PRESETS: dict[str, dict] = {
    "greedy": {"temperature": 0.0},  # always the most probable token: answers, evaluations, tests
    "model": {"temperature": 1.0},  # the model's own distribution, as it was learned
    "varied": {"temperature": 0.8},  # `generate` and the studio: varied text that stays on topic
    "samples": {
        "temperature": 0.8,
        "top_k": 40,
    },  # what pre-training shows of the model as it learns
    "chat": {"temperature": 0.7, "top_k": 40, "max_new_tokens": 150},  # the assistant's replies
}


def sampling_preset(preset: str, **overrides) -> SamplingConfig:
    """The SamplingConfig of a named preset (see SAMPLING_PRESETS), with any field overridden."""
    if preset not in SAMPLING_PRESETS:
        names = ", ".join(SAMPLING_PRESETS)
        raise UserError(
            f"predefinição de amostragem desconhecida: {preset!r} (use {names}).",
            f"unknown sampling preset: {preset!r} (use {names}).",
        )
    return SamplingConfig(**{**SAMPLING_PRESETS[preset], **overrides})
