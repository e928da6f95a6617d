"""Character-level tokenizer: one id per character.

The smallest useful tokenizer. Optional normalization (lowercase, strip accents) shrinks the
vocabulary; characters never seen in training map to ``<unk>``, and ``oov_report`` tells which ones.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

from llmzero.tokenizers.base import EOT
from llmzero.tokenizers.vocab import VocabTokenizer


def normalize_text(text: str, lowercase: bool = False, strip_accents: bool = False) -> str:
    """Lowercase and/or strip accents ("ação" -> "acao"): NFD, drop combining marks, recompose."""
    if lowercase:
        text = text.lower()
    if strip_accents:
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
        text = unicodedata.normalize("NFC", text)
    return text


class CharTokenizer(VocabTokenizer):
    """Training options: lowercase, strip_accents, special_tokens. With ``vocab_size``, only the
    most frequent characters are kept; the kept characters are numbered in code-point order."""

    kind = "char"
    vocab_field = "chars"
    piece_kind = "single characters"

    def __init__(
        self,
        chars: list[str] | None = None,
        special_tokens: list[str] | tuple[str, ...] = (EOT,),
        lowercase: bool = False,
        strip_accents: bool = False,
    ):
        # ids: 0 = <unk>, then the special tokens, then the characters.
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        super().__init__(chars, special_tokens)

    @property
    def chars(self) -> list[str]:
        return self.vocab

    def normalize(self, text: str) -> str:
        return normalize_text(text, self.lowercase, self.strip_accents)

    def units(self, text: str) -> str:
        return self.normalize(text)

    def choose(self, counts: Counter[str], vocab_size: int | None) -> list[str]:
        return sorted(self.most_frequent(counts, vocab_size))

    def take_options(self, opts: dict[str, Any]) -> None:
        self.lowercase = bool(opts.pop("lowercase", self.lowercase))
        self.strip_accents = bool(opts.pop("strip_accents", self.strip_accents))

    def decode(self, ids: list[int]) -> str:
        self.check_ids(ids)
        return "".join(self.itos[i] for i in ids)

    def oov_report(self, text: str) -> dict[str, int]:
        """Characters of ``text`` (after normalization) outside the vocabulary, with counts, most
        frequent first."""
        counts: Counter[str] = Counter()
        for piece, is_special in self.split_special(text):
            if not is_special:
                counts.update(c for c in self.normalize(piece) if c not in self.stoi)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def settings(self) -> dict:
        return {"lowercase": self.lowercase, "strip_accents": self.strip_accents}

    @classmethod
    def settings_from_dict(cls, d: dict) -> dict:
        return {
            "lowercase": bool(d.get("lowercase", False)),
            "strip_accents": bool(d.get("strip_accents", False)),
        }

    @classmethod
    def is_piece(cls, piece: Any) -> bool:
        return isinstance(piece, str) and len(piece) == 1
