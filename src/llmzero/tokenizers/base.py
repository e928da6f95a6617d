"""The common shape of every tokenizer, JSON save/load, and the two entry points.

A tokenizer turns text into a list of integer ids and back. Each variant (characters, words, byte-level
BPE) is a small subclass of ``Tokenizer`` with ``train / encode / decode`` and a JSON form
(``to_dict / from_dict``). ``load_tokenizer`` reads any saved form; ``build_tokenizer`` makes one from a
short spec ("char", "word", "bpe" or a path).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import regex

from llmzero.errors import UserError
from llmzero.fileio import write_json_atomic

EOT = "<|endoftext|>"
UNK = "<unk>"
FORMAT_VERSION = 1


class Tokenizer:
    """Base class: text <-> ids. Subclasses fill in the methods below."""

    kind: str = ""

    def __init__(self, special_tokens: dict[str, int] | None = None):
        self.special_tokens: dict[str, int] = dict(special_tokens or {})
        self._special_re: regex.Pattern | None = None

    # --- the interface every tokenizer implements -------------------------------------------------
    def train(self, text: str, vocab_size: int | None = None, **opts: Any) -> "Tokenizer":
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

    # --- shared helpers -----------------------------------------------------------------------------
    @property
    def eot_id(self) -> int | None:
        """The id of ``<|endoftext|>``, or None when this tokenizer has no such token."""
        return self.special_tokens.get(EOT)

    def split_special(self, text: str) -> list[tuple[str, bool]]:
        """Cut ``text`` around literal special tokens: [(piece, is_special), ...], empty pieces dropped."""
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
        """Write the tokenizer as JSON, atomically (temp file in the same folder, then os.replace)."""
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


def tokenizer_classes() -> dict[str, type[Tokenizer]]:
    from llmzero.tokenizers.bpe import BPETokenizer
    from llmzero.tokenizers.char import CharTokenizer
    from llmzero.tokenizers.word import WordTokenizer

    return {"char": CharTokenizer, "word": WordTokenizer, "bpe": BPETokenizer}


def tokenizer_from_dict(d: Any, source: str = "") -> Tokenizer:
    """Rebuild a tokenizer from its JSON form (dispatch on "type")."""
    where = f" ({source})" if source else ""
    classes = tokenizer_classes()
    if not isinstance(d, dict) or d.get("type") not in classes:
        raise UserError(
            f"este JSON não é um tokenizador do llmzero{where}: falta um \"type\" entre {sorted(classes)}",
            f"this JSON is not an llmzero tokenizer{where}: it lacks a \"type\" among {sorted(classes)}",
        )
    try:
        return classes[d["type"]].from_dict(d)
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise UserError(
            f"tokenizador {d['type']} corrompido{where}: {e!r}",
            f"corrupted {d['type']} tokenizer{where}: {e!r}",
        ) from None


def load_tokenizer(path: str | os.PathLike) -> Tokenizer:
    """Load a tokenizer from a JSON file we saved, a GPT-2 folder (encoder.json + vocab.bpe), or a folder
    holding tokenizer.json (a checkpoint)."""
    path = Path(path)
    if path.is_dir():
        if (path / "encoder.json").is_file() and (path / "vocab.bpe").is_file():
            from llmzero.tokenizers.bpe import BPETokenizer

            return BPETokenizer.from_gpt2(path)
        if (path / "tokenizer.json").is_file():
            return load_tokenizer(path / "tokenizer.json")
        raise UserError(
            f"a pasta {path} não tem tokenizer.json nem encoder.json + vocab.bpe",
            f"the folder {path} holds neither tokenizer.json nor encoder.json + vocab.bpe",
        )
    if not path.is_file():
        raise UserError(f"arquivo de tokenizador não encontrado: {path}", f"tokenizer file not found: {path}")
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(
            f"o arquivo {path} não é um JSON válido ({e})", f"the file {path} is not valid JSON ({e})"
        ) from None
    return tokenizer_from_dict(d, str(path))


def build_tokenizer(spec: str, text: str | None = None, vocab_size: int | None = None) -> Tokenizer:
    """Make a tokenizer: "char" | "word" | "bpe" (trained on ``text``) or a path (loaded)."""
    classes = tokenizer_classes()
    if spec in classes:
        if text is None or not text:
            raise UserError(
                f"para criar um tokenizador {spec} é preciso um texto de treino",
                f"a training text is needed to build a {spec} tokenizer",
            )
        return classes[spec]().train(text, vocab_size=vocab_size)
    if spec and (Path(spec).exists() or any(c in spec for c in "/\\.")):
        return load_tokenizer(spec)
    raise UserError(
        f"tokenizador desconhecido: {spec!r} (use char, word, bpe ou o caminho de um arquivo salvo)",
        f"unknown tokenizer: {spec!r} (use char, word, bpe or the path of a saved file)",
    )
