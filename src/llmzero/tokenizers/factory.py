"""Making and loading a tokenizer of any kind.

``load_tokenizer`` reads any saved form; ``build_tokenizer`` makes one from a short spec ("char",
"word", "bpe" or a path). This is the one module that knows every kind, so the kinds need not
know each other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmzero.errors import UserError
from llmzero.tokenizers.base import Tokenizer
from llmzero.tokenizers.bpe import BPETokenizer
from llmzero.tokenizers.char import CharTokenizer
from llmzero.tokenizers.hf import is_hf_tokenizer, load_hf_tokenizer
from llmzero.tokenizers.word import WordTokenizer


def tokenizer_classes() -> dict[str, type[Tokenizer]]:
    return {"char": CharTokenizer, "word": WordTokenizer, "bpe": BPETokenizer}


def tokenizer_from_dict(d: Any, source: str = "") -> Tokenizer:
    """Rebuild a tokenizer from its JSON form (dispatch on "type")."""
    where = f" ({source})" if source else ""
    classes = tokenizer_classes()
    if not isinstance(d, dict) or d.get("type") not in classes:
        kinds = sorted(classes)
        raise UserError(
            f'este JSON não é um tokenizador do llmzero{where}: falta um "type" entre {kinds}',
            f'this JSON is not an llmzero tokenizer{where}: it lacks a "type" among {kinds}',
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
    """Load a tokenizer from a JSON file we saved, a GPT-2 folder (encoder.json + vocab.bpe), a
    folder holding tokenizer.json (a checkpoint), or a Hugging Face tokenizer.json (see ``hf``)."""
    path = Path(path)
    if path.is_dir():
        if (path / "encoder.json").is_file() and (path / "vocab.bpe").is_file():
            return BPETokenizer.from_gpt2(path)
        if (path / "tokenizer.json").is_file():
            return load_tokenizer(path / "tokenizer.json")
        raise UserError(
            f"a pasta {path} não tem tokenizer.json nem encoder.json + vocab.bpe",
            f"the folder {path} holds neither tokenizer.json nor encoder.json + vocab.bpe",
        )
    if not path.is_file():
        raise UserError(
            f"arquivo de tokenizador não encontrado: {path}", f"tokenizer file not found: {path}"
        )
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(
            f"o arquivo {path} não é um JSON válido ({e})",
            f"the file {path} is not valid JSON ({e})",
        ) from None
    if is_hf_tokenizer(d):
        return load_hf_tokenizer(path, d)
    return tokenizer_from_dict(d, str(path))


def build_tokenizer(
    spec: str, text: str | Iterable[str] | None = None, vocab_size: int | None = None
) -> Tokenizer:
    """Make a tokenizer: "char" | "word" | "bpe" (trained on ``text``, whole or in pieces) or a
    path (loaded)."""
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
        f"tokenizador desconhecido: {spec!r} "
        f"(use char, word, bpe ou o caminho de um arquivo salvo)",
        f"unknown tokenizer: {spec!r} (use char, word, bpe or the path of a saved file)",
    )
