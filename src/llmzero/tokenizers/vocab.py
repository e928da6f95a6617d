"""A tokenizer whose vocabulary is a table of pieces (characters or words): char and word share it.

Both lay out their ids the same way: 0 = ``<unk>``, then the special tokens, then the pieces. A
subclass says how a text cuts into pieces (``units``) and in which order the learned pieces are
kept (``choose``); training, encoding with ``<unk>`` and the JSON form are written once, here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from llmzero.errors import UserError
from llmzero.tokenizers.base import FORMAT_VERSION, UNK, Tokenizer, check_specials, text_pieces


class VocabTokenizer(Tokenizer):
    """Text <-> ids through a table of pieces; a piece unseen in training is ``<unk>`` (id 0)."""

    vocab_field = ""  # the JSON key of the pieces ("chars", "words")
    piece_kind = ""  # what a valid piece is, for the message of a corrupt file

    def __init__(
        self, pieces: list[str] | None = None, special_tokens: list[str] | tuple[str, ...] = ()
    ):
        super().__init__()
        self._set_specials(special_tokens)
        self._set_vocab(pieces or [])

    # --- what a subclass fills in -------------------------------------------------------------
    def units(self, text: str) -> Iterable[str]:
        """The pieces of a text without special tokens."""
        raise NotImplementedError

    def choose(self, counts: Counter[str], vocab_size: int | None) -> list[str]:
        """The learned pieces in id order: most frequent first (see ``most_frequent``)."""
        return self.most_frequent(counts, vocab_size)

    def take_options(self, opts: dict[str, Any]) -> None:
        """Pop this tokenizer's own training options from ``opts``."""

    def settings(self) -> dict:
        """This tokenizer's own settings, as they go into its JSON form."""
        return {}

    @classmethod
    def settings_from_dict(cls, d: dict) -> dict:
        """The constructor arguments for the settings of a JSON form."""
        return {}

    @classmethod
    def is_piece(cls, piece: Any) -> bool:
        raise NotImplementedError

    # --- the vocabulary table -----------------------------------------------------------------
    def _set_specials(self, special_tokens) -> None:
        specials = check_specials(special_tokens)
        self.special_tokens = {s: 1 + i for i, s in enumerate(specials)}
        self._special_re = None

    def _set_vocab(self, pieces: list[str]) -> None:
        self.vocab = list(pieces)
        offset = 1 + len(self.special_tokens)
        self.stoi = {p: offset + i for i, p in enumerate(self.vocab)}
        self.itos = [UNK, *self.special_tokens, *self.vocab]

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def most_frequent(self, counts: Counter[str], vocab_size: int | None) -> list[str]:
        """The pieces, most frequent first (ties by code point, never by dict order); with
        ``vocab_size``, only as many as fit beside ``<unk>`` and the special tokens."""
        pieces = sorted(counts, key=lambda p: (-counts[p], p))
        if vocab_size is None:
            return pieces
        room = vocab_size - 1 - len(self.special_tokens)
        if room < 1:
            raise UserError(
                f"vocab_size={vocab_size} é pequeno demais: <unk> e os tokens especiais já ocupam "
                f"{1 + len(self.special_tokens)} ids",
                f"vocab_size={vocab_size} is too small: <unk> and the special tokens already take "
                f"{1 + len(self.special_tokens)} ids",
            )
        return pieces[:room]

    # --- the Tokenizer interface --------------------------------------------------------------
    def train(
        self, text: str | Iterable[str], vocab_size: int | None = None, **opts: Any
    ) -> VocabTokenizer:
        """Learn the pieces of ``text`` (a string or its pieces); with ``vocab_size``, keep only
        the most frequent ones. Options: special_tokens, and the subclass's own (see its
        ``take_options``)."""
        if "special_tokens" in opts:
            self._set_specials(opts.pop("special_tokens"))
        self.take_options(opts)
        if opts:
            raise UserError(
                f"opções desconhecidas: {sorted(opts)}", f"unknown options: {sorted(opts)}"
            )
        counts: Counter[str] = Counter()
        for chunk in text_pieces(text):
            for piece, is_special in self.split_special(chunk):
                if not is_special:
                    counts.update(self.units(piece))
        self._set_vocab(self.choose(counts, vocab_size))
        return self

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        get = self.stoi.get
        for piece, is_special in self.split_special(text):
            if is_special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(map(get, self.units(piece), repeat(0)))  # unknown: 0
        return ids

    def token_text(self, token_id: int) -> str:
        self.check_ids([token_id])
        return self.itos[token_id]

    def to_dict(self) -> dict:
        return {
            "type": self.kind,
            "version": FORMAT_VERSION,
            **self.settings(),
            "special_tokens": list(self.special_tokens),
            self.vocab_field: self.vocab,
        }

    @classmethod
    def from_dict(cls, d: dict) -> VocabTokenizer:
        pieces = d[cls.vocab_field]
        if not all(cls.is_piece(p) for p in pieces) or len(set(pieces)) != len(pieces):
            raise ValueError(f"{cls.vocab_field} must be distinct {cls.piece_kind}")
        return cls(pieces, special_tokens=d.get("special_tokens", []), **cls.settings_from_dict(d))
