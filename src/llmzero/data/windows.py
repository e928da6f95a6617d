"""Token ids -> training batches.

A corpus becomes one long 1-D array of token ids (in memory, or memory-mapped from a file written by
``prepare_token_file``). ``TokenWindows`` cuts it into overlapping input/target windows: the target
is the input shifted by one token, because the model learns to predict the next token at every
position. ``WindowBatches`` turns windows into batches whose order depends only on (seed, batch
index), so a resumed run sees exactly the batches an uninterrupted run would. A text file is
read and encoded piece by piece, so memory stays flat as the corpus grows.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch

from llmzero.data.files import os_error, read_user_text
from llmzero.errors import UserError
from llmzero.fileio import atomic_path, write_json_atomic


class TokenWindows:
    """Windows ``ids[s : s+T]`` (input) and ``ids[s+1 : s+T+1]`` (target) for s = 0, stride,
    2·stride, ..."""

    def __init__(
        self, ids: np.ndarray | Sequence[int], context_length: int, stride: int | None = None
    ):
        self.ids = ids if isinstance(ids, np.ndarray) else np.asarray(ids, dtype=np.int64)
        self.context_length = context_length
        self.stride = stride or context_length
        if self.stride < 1 or context_length < 1:
            raise UserError(
                "contexto e passo (stride) precisam ser positivos.",
                "context and stride must be positive.",
            )

    def __len__(self) -> int:
        usable = len(self.ids) - self.context_length - 1
        return 0 if usable < 0 else usable // self.stride + 1

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        s = i * self.stride
        chunk = torch.from_numpy(
            np.asarray(self.ids[s : s + self.context_length + 1], dtype=np.int64)
        )
        return chunk[:-1], chunk[1:]

    def stack(self, indices: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        T, starts = self.context_length, np.asarray(indices, dtype=np.int64) * self.stride
        rows = np.stack([np.asarray(self.ids[s : s + T + 1], dtype=np.int64) for s in starts])
        rows = torch.from_numpy(rows)
        return rows[:, :-1], rows[:, 1:]


def batch_ranges(n_items: int, batch_size: int, max_batches: int | None = None) -> Iterator[range]:
    """The index ranges of batches that cover items 0..n_items-1 in order (the last one may be
    smaller), at most ``max_batches`` of them: what every evaluation pass walks through."""
    n = -(-n_items // batch_size)
    for k in range(n if max_batches is None else min(n, max_batches)):
        yield range(k * batch_size, min((k + 1) * batch_size, n_items))


class WindowBatches:
    """Batches of windows. Training order: a fresh shuffle every epoch, seeded by (seed, epoch)."""

    def __init__(self, windows: TokenWindows, batch_size: int, seed: int = 0, shuffle: bool = True):
        if len(windows) == 0:
            raise UserError(
                "o texto é curto demais para uma única janela de contexto.",
                "the text is shorter than one context window.",
            )
        self.windows = windows
        self.batch_size = min(batch_size, len(windows))
        self.seed = seed
        self.shuffle = shuffle
        self.per_epoch = len(windows) // self.batch_size
        self._perm_epoch, self._perm = -1, None

    def _order(self, epoch: int) -> np.ndarray:
        if epoch != self._perm_epoch:
            if self.shuffle:
                g = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
                self._perm = torch.randperm(len(self.windows), generator=g).numpy()
            else:
                self._perm = np.arange(len(self.windows))
            self._perm_epoch = epoch
        return self._perm

    def batch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The index-th training batch (index counts micro-batches from the start of training)."""
        epoch, k = divmod(index, self.per_epoch)
        order = self._order(epoch)
        return self.windows.stack(order[k * self.batch_size : (k + 1) * self.batch_size])

    def iterate(
        self, max_batches: int | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches in file order, for evaluation (always the same batches)."""
        for idx in batch_ranges(len(self.windows), self.batch_size, max_batches):
            yield self.windows.stack(list(idx))

    @property
    def tokens_per_batch(self) -> int:
        return self.batch_size * self.windows.context_length


def split_ids(ids: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Train on the first part of the token stream, validate on the last ``val_fraction`` of it."""
    if not 0.0 <= val_fraction < 1.0:
        raise UserError(
            "a fração de validação precisa estar entre 0 e 1.",
            "the validation fraction must be between 0 and 1.",
        )
    cut = int(len(ids) * (1.0 - val_fraction))
    return ids[:cut], ids[cut:]


# -- token files: a corpus tokenized once, then memory-mapped --------------------------------------


def _dtype_for(vocab_size: int) -> np.dtype:
    return np.dtype(np.uint16) if vocab_size <= 65536 else np.dtype(np.uint32)


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 corpus, with user-facing errors for a missing, non-UTF-8 or empty file."""
    text = read_user_text(path, what=("texto", "text"))
    if not text.strip():
        raise UserError(f"o corpus {path} está vazio.", f"the corpus {path} is empty.")
    return text


def _before_a_word(text: str) -> int:
    """Where to cut a long line: before its last space that starts a word (" word"), so that every
    tokenizer here, GPT-2's pattern included, gives the same tokens as on the whole line; 0 when
    there is none yet."""
    cut = text.rfind(" ")
    while cut > 0 and (cut + 1 >= len(text) or text[cut + 1].isspace()):
        cut = text.rfind(" ", 0, cut)
    return max(cut, 0)


def iter_text_chunks(path: str | os.PathLike, chunk_chars: int = 1 << 20) -> Iterator[str]:
    """Read a big UTF-8 file in pieces that end at a line break, so tokenization never cuts a
    word. A line longer than a piece is cut before a word instead (see _before_a_word), so that
    memory stays bounded by the piece size. A byte-order mark at the start
    (Windows editors write one) is dropped, as read_user_text does, so it never becomes a token.
    Bytes that are not UTF-8 end the reading in a UserError, at whatever piece they fall."""
    pending = ""
    with open(path, encoding="utf-8-sig") as f:
        while True:
            try:
                block = f.read(chunk_chars)
            except UnicodeDecodeError:  # wherever it lies: the reader stops with one sentence
                raise UserError(f"{path} não está em UTF-8.", f"{path} is not UTF-8.") from None
            if not block:
                break
            pending += block
            cut = pending.rfind("\n") + 1
            if not cut and len(pending) >= chunk_chars:
                cut = _before_a_word(pending)
            if cut:
                yield pending[:cut]
                pending = pending[cut:]
    if pending:
        yield pending


def prepare_token_file(text_path, tokenizer, out_path) -> dict:
    """Tokenize a corpus once into ``out_path`` (raw ids) + ``out_path.json`` (dtype, count,
    tokenizer).

    The text is read and encoded piece by piece, and the ids are appended to a temporary file that
    replaces the target only when complete, so a corpus larger than memory works and an interrupted
    run leaves nothing.
    """
    text_path, out_path = Path(text_path), Path(out_path)
    read_text_head(text_path)
    if not out_path.name or out_path.is_dir():
        raise UserError(
            f"{out_path} é uma pasta; dê o nome do arquivo de tokens (ex.: {out_path}/tokens.bin).",
            f"{out_path} is a folder; give the token file's name (e.g. {out_path}/tokens.bin).",
        )
    try:
        return _write_token_file(text_path, tokenizer, out_path)
    except OSError as exc:  # named after the token file, not its temporary sibling
        raise os_error(exc, text_path if exc.filename == str(text_path) else out_path) from None


def _encode_into(f, text_path: Path, tokenizer, dtype: np.dtype) -> int:
    """Append the ids of the text file to the binary file ``f``, piece by piece; the count."""
    count = 0
    for piece in iter_text_chunks(text_path):
        ids = np.asarray(tokenizer.encode(piece), dtype=dtype)
        f.write(ids.tobytes())
        count += len(ids)
    return count


def encode_text_file(text_path, tokenizer, scratch_dir=None) -> np.ndarray:
    """The ids of a UTF-8 text file, encoded piece by piece into a nameless temporary file in
    ``scratch_dir`` and memory-mapped: memory stays flat however big the corpus, and a killed run
    leaves no file behind (the system drops it with its last handle)."""
    text_path = Path(text_path)
    dtype = _dtype_for(tokenizer.vocab_size)
    try:
        with tempfile.TemporaryFile(dir=scratch_dir) as f:
            count = _encode_into(f, text_path, tokenizer, dtype)
            f.flush()
            if count == 0:
                return np.zeros(0, dtype=dtype)
            return np.memmap(f, dtype=dtype, mode="r", shape=(count,))
    except OSError as exc:
        raise os_error(exc, text_path if exc.filename == str(text_path) else scratch_dir) from None


def _write_token_file(text_path: Path, tokenizer, out_path: Path) -> dict:
    dtype = _dtype_for(tokenizer.vocab_size)
    with atomic_path(out_path) as tmp:
        with open(tmp, "wb") as f:
            count = _encode_into(f, text_path, tokenizer, dtype)
        meta = {
            "format": "llmzero-tokens",
            "version": 1,
            "dtype": dtype.name,
            "count": count,
            "vocab_size": tokenizer.vocab_size,
            "tokenizer": tokenizer.to_dict(),
            "source": str(text_path),
        }
        write_json_atomic(out_path.with_name(out_path.name + ".json"), meta)
    return meta


def read_text_head(path: Path) -> None:
    """Check a text file exists and holds a word, reading only as far as its first word."""
    if not path.exists():
        raise UserError(f"arquivo não encontrado: {path}", f"file not found: {path}")
    if path.is_dir():
        raise UserError(
            f"{path} é uma pasta, não um arquivo de texto.", f"{path} is a folder, not a text file."
        )
    # the first piece with a word is enough; bytes that are not UTF-8 further on stop the reader
    # that meets them (iter_text_chunks), before anything it writes is kept
    if not any(piece.strip() for piece in iter_text_chunks(path)):
        raise UserError(f"o corpus {path} está vazio.", f"the corpus {path} is empty.")


def load_token_file(path) -> tuple[np.ndarray, dict]:
    """Memory-map a token file written by ``prepare_token_file``; returns (ids, metadata)."""
    path = Path(path)
    meta_path = path.with_name(path.name + ".json")
    if not path.is_file() or not meta_path.is_file():
        raise UserError(
            f"arquivo de tokens não encontrado: {path} (e {meta_path.name}); crie-o com `llmzero "
            "prepare`.",
            f"token file not found: {path} (and {meta_path.name}); make it with `llmzero prepare`.",
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        dtype = np.dtype(meta["dtype"])
        count = int(meta["count"])
        assert meta.get("format") == "llmzero-tokens"
    except Exception:
        raise UserError(
            f"{meta_path} não é um índice de tokens do llmzero.",
            f"{meta_path} is not an llmzero token index.",
        ) from None
    if path.stat().st_size != count * dtype.itemsize:
        raise UserError(
            f"{path} tem tamanho diferente do esperado ({count} tokens): arquivo corrompido ou "
            "incompleto.",
            f"{path} does not have the expected size ({count} tokens): corrupt or incomplete file.",
        )
    if count == 0:
        raise UserError(f"{path} não tem nenhum token.", f"{path} holds no tokens.")
    return np.memmap(path, dtype=dtype, mode="r", shape=(count,)), meta
