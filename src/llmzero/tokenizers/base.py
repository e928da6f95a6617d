"""The common shape of every tokenizer and its JSON save.

A tokenizer turns text into a list of integer ids and back. Each variant (characters, words,
byte-level BPE) is a small subclass of ``Tokenizer`` with ``train / encode / decode`` and a JSON
form (``to_dict / from_dict``). Making and loading one of any kind is ``factory``'s job.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import regex

from llmzero.errors import UserError
from llmzero.fileio import write_json_atomic

EOT = "<|endoftext|>"
UNK = "<unk>"
FORMAT_VERSION = 1


def text_pieces(text: str | Iterable[str]) -> Iterable[str]:
    """A training text given whole or as pieces (a big file read piece by piece, each cut at a line
    break or before a word): training counts piece by piece, so both give the same tokenizer."""
    return (text,) if isinstance(text, str) else text


class Tokenizer:
    """Base class: text <-> ids. Subclasses fill in the methods below."""

    kind: str = ""

    def __init__(self, special_tokens: dict[str, int] | None = None):
        self.special_tokens: dict[str, int] = dict(special_tokens or {})
        self._special_re: regex.Pattern | None = None

    # --- the interface every tokenizer implements -------------------------------------------------
    def train(
        self, text: str | Iterable[str], vocab_size: int | None = None, **opts: Any
    ) -> "Tokenizer":
        raise NotImplementedError

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def decode(self, ids: list[int]) -> str:
        raise NotImplementedError

    @property
    def vocab_size(self) -> int:
        raise NotImplementedError

    def token_text(self, token_id: int) -> str:
        """A printable text for one token (used by the coloured view)."""
        raise NotImplementedError

    def to_dict(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, d: dict) -> "Tokenizer":
        raise NotImplementedError

    # --- shared helpers ---------------------------------------------------------------------------
    @property
    def eot_id(self) -> int | None:
        """The id of ``<|endoftext|>``, or None when this tokenizer has no such token."""
        return self.special_tokens.get(EOT)

    def split_special(self, text: str) -> list[tuple[str, bool]]:
        """Cut ``text`` around literal special tokens: [(piece, is_special), ...], empty pieces
        dropped."""
        if not self.special_tokens:
            return [(text, False)] if text else []
        if self._special_re is None:
            # Longest first, so a special token that contains another one wins.
            alts = sorted(self.special_tokens, key=len, reverse=True)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in alts) + ")")
        parts = self._special_re.split(text)
        # split() with one group alternates: text, special, text, special, ..., text
        return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]

    def check_ids(self, ids: list[int]) -> None:
        n = self.vocab_size
        for i in ids:
            if not (isinstance(i, int) and 0 <= i < n):
                raise UserError(
                    f"id de token inválido: {i!r} (o vocabulário tem {n} tokens)",
                    f"invalid token id: {i!r} (the vocabulary has {n} tokens)",
                )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the tokenizer as JSON, atomically (temp file in the same folder, then
        os.replace)."""
        path = Path(path)
        write_json_atomic(path, self.to_dict(), indent=None)
        return path

    def __repr__(self) -> str:
        return f"{type(self).__name__}(vocab_size={self.vocab_size})"


def check_specials(special_tokens: Any) -> list[str]:
    """Validate a list of special-token strings given by the user."""
    if special_tokens is None:
        return []
    if isinstance(special_tokens, str):
        special_tokens = [special_tokens]
    out: list[str] = []
    for s in special_tokens:
        if not isinstance(s, str) or not s:
            raise UserError(f"token especial inválido: {s!r}", f"invalid special token: {s!r}")
        if s not in out:
            out.append(s)
    return out
