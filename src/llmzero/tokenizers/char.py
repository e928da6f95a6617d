"""Character-level tokenizer: one id per character.

The smallest useful tokenizer. Optional normalization (lowercase, strip accents) shrinks the
vocabulary; characters never seen in training map to ``<unk>``, and ``oov_report`` tells which ones.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

from llmzero.errors import UserError
from llmzero.tokenizers.base import EOT, FORMAT_VERSION, UNK, Tokenizer, check_specials


def normalize_text(text: str, lowercase: bool = False, strip_accents: bool = False) -> str:
    """Lowercase and/or strip accents ("ação" -> "acao"): NFD, drop combining marks, recompose."""
    if lowercase:
        text = text.lower()
    if strip_accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    return text


class CharTokenizer(Tokenizer):
    kind = "char"

    def __init__(
        self,
        chars: list[str] | None = None,
        special_tokens: list[str] | tuple[str, ...] = (EOT,),
        lowercase: bool = False,
        strip_accents: bool = False,
    ):
        # ids: 0 = <unk>, then the special tokens, then the characters.
        specials = check_specials(special_tokens)
        super().__init__({s: 1 + i for i, s in enumerate(specials)})
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self._set_chars(chars or [])

    def _set_chars(self, chars: list[str]) -> None:
        self.chars = list(chars)
        offset = 1 + len(self.special_tokens)
        self.stoi = {c: offset + i for i, c in enumerate(self.chars)}
        self.itos = [UNK, *self.special_tokens, *self.chars]

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def normalize(self, text: str) -> str:
        return normalize_text(text, self.lowercase, self.strip_accents)

    def train(self, text: str, vocab_size: int | None = None, **opts: Any) -> "CharTokenizer":
        """Learn the character set of ``text``. With ``vocab_size``, keep only the most frequent characters.
        Options: lowercase, strip_accents, special_tokens."""
        if "special_tokens" in opts:
            specials = check_specials(opts.pop("special_tokens"))
            self.special_tokens = {s: 1 + i for i, s in enumerate(specials)}
            self._special_re = None
        self.lowercase = bool(opts.pop("lowercase", self.lowercase))
        self.strip_accents = bool(opts.pop("strip_accents", self.strip_accents))
        if opts:
            raise UserError(f"opções desconhecidas: {sorted(opts)}", f"unknown options: {sorted(opts)}")
        counts: Counter[str] = Counter()
        for piece, is_special in self.split_special(text):
            if not is_special:
                counts.update(self.normalize(piece))
        chars = sorted(counts)
        if vocab_size is not None:
            room = vocab_size - 1 - len(self.special_tokens)
            if room < 1:
                raise UserError(
                    f"vocab_size={vocab_size} é pequeno demais: <unk> e os tokens especiais já ocupam "
                    f"{1 + len(self.special_tokens)} ids",
                    f"vocab_size={vocab_size} is too small: <unk> and the special tokens already take "
                    f"{1 + len(self.special_tokens)} ids",
                )
            # Most frequent first; ties by code point so the result never depends on dict order.
            kept = sorted(counts, key=lambda c: (-counts[c], c))[:room]
            chars = sorted(kept)
        self._set_chars(chars)
        return self

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        get = self.stoi.get
        for piece, is_special in self.split_special(text):
            if is_special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(get(c, 0) for c in self.normalize(piece))
        return ids

    def decode(self, ids: list[int]) -> str:
        self.check_ids(ids)
        return "".join(self.itos[i] for i in ids)

    def token_text(self, token_id: int) -> str:
        self.check_ids([token_id])
        return self.itos[token_id]

    def oov_report(self, text: str) -> dict[str, int]:
        """Characters of ``text`` (after normalization) outside the vocabulary, with counts, most frequent
        first."""
        counts: Counter[str] = Counter()
        for piece, is_special in self.split_special(text):
            if not is_special:
                counts.update(c for c in self.normalize(piece) if c not in self.stoi)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict:
        return {
            "type": self.kind,
            "version": FORMAT_VERSION,
            "lowercase": self.lowercase,
            "strip_accents": self.strip_accents,
            "special_tokens": list(self.special_tokens),
            "chars": self.chars,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "CharTokenizer":
        chars = d["chars"]
        if not all(isinstance(c, str) and len(c) == 1 for c in chars) or len(set(chars)) != len(chars):
            raise ValueError("chars must be distinct single characters")
        return cls(
            chars=chars,
            special_tokens=d.get("special_tokens", []),
            lowercase=bool(d.get("lowercase", False)),
            strip_accents=bool(d.get("strip_accents", False)),
        )
