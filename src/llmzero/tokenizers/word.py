"""Word-level tokenizer: one id per word or punctuation mark, ``<unk>`` for unknown words.

This is the tokenizer of the series' first chapters: split with a regular expression, number the
distinct pieces by frequency, and glue them back with spaces when decoding (so decoding is lossy: the
original spacing is not kept).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import regex

from llmzero.errors import UserError
from llmzero.tokenizers.base import EOT, FORMAT_VERSION, UNK, Tokenizer, check_specials

# A word is a run of Unicode letters/digits/marks ("ação", "2024"), possibly joined by an inner hyphen or
# apostrophe ("guarda-chuva", "d'água"); "--" and "..." stay whole; any other symbol is a token alone.
WORD_PATTERN = r"\w+(?:[-'’]\w+)*|--|\.\.\.|[^\w\s]"

# When decoding: no space before closing punctuation, none after opening punctuation.
_SPACE_BEFORE = regex.compile(r" ([,.;:!?)\]}»%…]|\.\.\.)")
_SPACE_AFTER = regex.compile(r"([(\[{«¿¡]) ")


class WordTokenizer(Tokenizer):
    kind = "word"

    def __init__(
        self,
        words: list[str] | None = None,
        special_tokens: list[str] | tuple[str, ...] = (EOT,),
        pattern: str = WORD_PATTERN,
    ):
        specials = check_specials(special_tokens)
        super().__init__({s: 1 + i for i, s in enumerate(specials)})
        self.pattern = pattern
        self._pattern = regex.compile(pattern)
        self._set_words(words or [])

    def _set_words(self, words: list[str]) -> None:
        self.words = list(words)
        offset = 1 + len(self.special_tokens)
        self.stoi = {w: offset + i for i, w in enumerate(self.words)}
        self.itos = [UNK, *self.special_tokens, *self.words]

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def split(self, text: str) -> list[str]:
        """The pieces (words and punctuation) of a text without special tokens."""
        return self._pattern.findall(text)

    def train(self, text: str, vocab_size: int | None = None, **opts: Any) -> "WordTokenizer":
        """Number the distinct pieces of ``text``, most frequent first (ties in alphabetical order).
        With ``vocab_size``, keep only the most frequent ones. Option: special_tokens."""
        if "special_tokens" in opts:
            specials = check_specials(opts.pop("special_tokens"))
            self.special_tokens = {s: 1 + i for i, s in enumerate(specials)}
            self._special_re = None
        if opts:
            raise UserError(f"opções desconhecidas: {sorted(opts)}", f"unknown options: {sorted(opts)}")
        counts: Counter[str] = Counter()
        for piece, is_special in self.split_special(text):
            if not is_special:
                counts.update(self.split(piece))
        words = sorted(counts, key=lambda w: (-counts[w], w))
        if vocab_size is not None:
            room = vocab_size - 1 - len(self.special_tokens)
            if room < 1:
                raise UserError(
                    f"vocab_size={vocab_size} é pequeno demais: <unk> e os tokens especiais já ocupam "
                    f"{1 + len(self.special_tokens)} ids",
                    f"vocab_size={vocab_size} is too small: <unk> and the special tokens already take "
                    f"{1 + len(self.special_tokens)} ids",
                )
            words = words[:room]
        self._set_words(words)
        return self

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        get = self.stoi.get
        for piece, is_special in self.split_special(text):
            if is_special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(get(w, 0) for w in self.split(piece))
        return ids

    def decode(self, ids: list[int]) -> str:
        self.check_ids(ids)
        text = " ".join(self.itos[i] for i in ids)
        return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))

    def token_text(self, token_id: int) -> str:
        self.check_ids([token_id])
        return self.itos[token_id]

    def to_dict(self) -> dict:
        return {
            "type": self.kind,
            "version": FORMAT_VERSION,
            "pattern": self.pattern,
            "special_tokens": list(self.special_tokens),
            "words": self.words,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "WordTokenizer":
        words = d["words"]
        if not all(isinstance(w, str) and w for w in words) or len(set(words)) != len(words):
            raise ValueError("words must be distinct non-empty strings")
        return cls(words=words, special_tokens=d.get("special_tokens", []), pattern=d.get("pattern", WORD_PATTERN))
