"""Word-level tokenizer: one id per word or punctuation mark, ``<unk>`` for unknown words.

This is the tokenizer of the series' first chapters: split with a regular expression, number the
distinct pieces by frequency, and glue them back with spaces when decoding (so decoding is lossy:
the original spacing is not kept).
"""

from __future__ import annotations

from typing import Any

import regex

from llmzero.tokenizers.base import EOT
from llmzero.tokenizers.vocab import VocabTokenizer

# A word is a run of Unicode letters/digits/marks ("ação", "2024"), possibly joined by an inner
# hyphen or apostrophe ("guarda-chuva", "d'água"); "--" and "..." stay whole; any other symbol is a
# token alone.
WORD_PATTERN = r"\w+(?:[-'’]\w+)*|--|\.\.\.|[^\w\s]"

# When decoding: no space before closing punctuation, none after opening punctuation.
_SPACE_BEFORE = regex.compile(r" ([,.;:!?)\]}»%…]|\.\.\.)")
_SPACE_AFTER = regex.compile(r"([(\[{«¿¡]) ")


class WordTokenizer(VocabTokenizer):
    """Words numbered most frequent first (ties in code-point order); with ``vocab_size``, only
    the most frequent ones are kept. Training option: special_tokens."""

    kind = "word"
    vocab_field = "words"
    piece_kind = "non-empty strings"

    def __init__(
        self,
        words: list[str] | None = None,
        special_tokens: list[str] | tuple[str, ...] = (EOT,),
        pattern: str = WORD_PATTERN,
    ):
        self.pattern = pattern
        self._pattern = regex.compile(pattern)
        super().__init__(words, special_tokens)

    @property
    def words(self) -> list[str]:
        return self.vocab

    def split(self, text: str) -> list[str]:
        """The pieces (words and punctuation) of a text without special tokens."""
        return self._pattern.findall(text)

    def units(self, text: str) -> list[str]:
        return self.split(text)

    def decode(self, ids: list[int]) -> str:
        self.check_ids(ids)
        text = " ".join(self.itos[i] for i in ids)
        return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))

    def settings(self) -> dict:
        return {"pattern": self.pattern}

    @classmethod
    def settings_from_dict(cls, d: dict) -> dict:
        return {"pattern": d.get("pattern", WORD_PATTERN)}

    @classmethod
    def is_piece(cls, piece: Any) -> bool:
        return isinstance(piece, str) and bool(piece)
