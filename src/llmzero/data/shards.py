"""A folder of token shards (made by `llmzero data shard`), read and streamed for training.

The folder holds ``shards.json`` (the manifest), ``tokenizer.json`` and token files in the format
``prepare`` writes (raw ids + a ``.json`` header each, so ``load_token_file`` reads any one of
them). The manifest lists the training shards and the held-out validation shards in order: their
concatenation is the whole corpus, each document followed by a separator token.

Training never loads a shard: every shard is memory-mapped, and each batch draws its windows at
random among all the windows of all training shards (so a shard weighs as much as its size), from a
generator seeded by (seed, batch index). What stays resident is the manifest and the batch itself,
whatever the corpus size, and a resumed run draws the same batches an uninterrupted one would.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from llmzero.errors import UserError

MANIFEST = "shards.json"
TOKENIZER_FILE = "tokenizer.json"
FORMAT = "llmzero-shards"
VERSION = 1


def tokenizer_sha256(tokenizer_dict: dict) -> str:
    """A tokenizer's identity: the sha256 of its JSON form, keys sorted."""
    text = json.dumps(tokenizer_dict, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_shard_dir(path: str | os.PathLike | None) -> bool:
    """Whether ``path`` names a folder (a shard folder, or one that should have been)."""
    return path is not None and Path(path).is_dir()


class ShardStream:
    """Several token files read as one stream (len and slices), each memory-mapped.

    ``window`` reads a few ids of one shard with a plain read where the system has one (os.pread)
    instead of touching the map: a touched map stays in the process's resident memory (the kernel
    maps a large block around each page read), a read only in the system's page cache, so a long
    run's resident memory does not grow with the corpus.
    """

    def __init__(self, arrays: list[np.ndarray]):
        self.arrays = arrays
        self.lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self._files: dict[int, int] = {}

    def window(self, k: int, start: int, n: int) -> np.ndarray:
        """``n`` ids of shard ``k`` from ``start`` on, as int64."""
        a = self.arrays[k]
        name = getattr(a, "filename", None)
        if name is None or not hasattr(os, "pread"):
            return np.asarray(a[start : start + n], dtype=np.int64)
        if k not in self._files:
            self._files[k] = os.open(name, os.O_RDONLY)
        size = a.dtype.itemsize
        raw = os.pread(self._files[k], n * size, (a.offset // size + start) * size)
        return np.frombuffer(raw, dtype=a.dtype).astype(np.int64)

    def __del__(self):
        for fd in getattr(self, "_files", {}).values():
            try:
                os.close(fd)
            except OSError:
                pass

    def __getstate__(self):  # file descriptors do not travel to another process
        return {**self.__dict__, "_files": {}}

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("a ShardStream is read by contiguous slices")
        start, stop, _ = key.indices(len(self))
        parts, pos = [], start
        while pos < stop:
            k = int(np.searchsorted(self.offsets, pos, side="right")) - 1
            local = pos - int(self.offsets[k])
            take = min(stop - pos, int(self.lengths[k]) - local)
            parts.append(np.asarray(self.arrays[k][local : local + take], dtype=np.int64))
            pos += take
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


class ShardSet:
    """A shard folder, checked and memory-mapped: ``train`` and ``val`` streams, the manifest,
    and the tokenizer's JSON form (``tokenizer_dict``)."""

    def __init__(self, folder: Path, manifest: dict, train: ShardStream, val: ShardStream):
        self.folder, self.manifest, self.train, self.val = folder, manifest, train, val

    def __len__(self) -> int:
        return len(self.train) + len(self.val)

    @property
    def val_fraction(self) -> float:
        """The share held out for validation (0 when the folder has no validation shard)."""
        return len(self.val) / len(self) if len(self.val) else 0.0

    @property
    def tokenizer_dict(self) -> dict:
        path = self.folder / TOKENIZER_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise UserError(
                f"{path} falta ou não é um JSON válido: a pasta de fragmentos está incompleta.",
                f"{path} is missing or not valid JSON: the shard folder is incomplete.",
            ) from None

    def check_tokenizer(self, tokenizer_dict: dict, what: tuple[str, str]) -> None:
        """Refuse a tokenizer other than the one the shards were made with (``what`` names the
        other one, pt and en)."""
        if tokenizer_sha256(tokenizer_dict) != self.manifest["tokenizer"]["sha256"]:
            raise UserError(
                f"os fragmentos em {self.folder} foram feitos com outro tokenizador que "
                f"{what[0]}; refaça-os com `llmzero data shard --tokenizer` desse tokenizador.",
                f"the shards in {self.folder} were made with another tokenizer than {what[1]}; "
                "make them again with `llmzero data shard --tokenizer` set to that tokenizer.",
            )

    def batches(self, context_length: int, batch_size: int, stride: int, seed: int):
        """(training batches, validation batches or None) over the shards."""
        train = ShardBatches(self.train, context_length, batch_size, seed=seed, stride=stride)
        val = ShardBatches(self.val, context_length, batch_size) if len(self.val) else None
        return train, val


def _bad(folder: Path, pt: str, en: str) -> UserError:
    return UserError(f"{folder}: {pt}", f"{folder}: {en}")


def load_shards(folder: str | os.PathLike) -> ShardSet:
    """Check a shard folder against its manifest and memory-map its shards."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UserError(
            f"a pasta {folder} não tem {MANIFEST}: não é uma pasta de fragmentos de `llmzero data "
            "shard`.",
            f"the folder {folder} has no {MANIFEST}: it is not a shard folder from `llmzero data "
            "shard`.",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        assert manifest.get("format") == FORMAT
        dtype = np.dtype(manifest["dtype"])
        assert manifest["tokenizer"]["sha256"]
        entries = {part: list(manifest[part]) for part in ("train", "val")}
        for entry in entries["train"] + entries["val"]:
            assert isinstance(entry["file"], str) and int(entry["tokens"]) >= 0
    except Exception:
        raise _bad(
            folder,
            f"{MANIFEST} não é um manifesto de fragmentos do llmzero.",
            f"{MANIFEST} is not an llmzero shard manifest.",
        ) from None
    streams = {}
    for part, items in entries.items():
        arrays = []
        for entry in items:
            path, count = folder / entry["file"], int(entry["tokens"])
            size = path.stat().st_size if path.is_file() else None
            if size != count * dtype.itemsize:
                raise _bad(
                    folder,
                    f"o fragmento {entry['file']} tem {size or 0:,} bytes, mas o manifesto diz "
                    f"{count:,} tokens: pasta corrompida ou incompleta; refaça-a.",
                    f"the shard {entry['file']} holds {size or 0:,} bytes but the manifest says "
                    f"{count:,} tokens: a corrupt or incomplete folder; make it again.",
                )
            if count:
                arrays.append(np.memmap(path, dtype=dtype, mode="r", shape=(count,)))
        streams[part] = ShardStream(arrays)
    if not len(streams["train"]):
        raise _bad(folder, "não há tokens de treino.", "there are no training tokens.")
    return ShardSet(folder, manifest, streams["train"], streams["val"])


class ShardBatches:
    """Batches of windows from a ``ShardStream``; a window never crosses a shard's end.

    ``batch(i)`` (training) draws ``batch_size`` windows at random among all the windows of all
    shards, from a generator seeded by (seed, i). ``iterate`` (evaluation) walks windows in order,
    or, when capped, windows spread evenly over the whole stream, always the same ones.
    """

    def __init__(
        self,
        stream: ShardStream,
        context_length: int,
        batch_size: int,
        seed: int = 0,
        stride: int | None = None,
    ):
        self.stream, self.context_length, self.seed = stream, context_length, seed
        self.stride = stride or context_length
        if self.stride < 1 or context_length < 1:
            raise UserError(
                "contexto e passo (stride) precisam ser positivos.",
                "context and stride must be positive.",
            )
        usable = np.maximum(stream.lengths - context_length - 1, -1)
        self.windows = np.where(usable < 0, 0, usable // self.stride + 1).astype(np.int64)
        self.cum = np.concatenate([[0], np.cumsum(self.windows)]).astype(np.int64)
        if self.cum[-1] == 0:
            raise UserError(
                "os fragmentos são curtos demais para uma única janela de contexto.",
                "the shards are shorter than one context window.",
            )
        self.batch_size = min(batch_size, int(self.cum[-1]))

    def __len__(self) -> int:
        return int(self.cum[-1])

    def _stack(self, window_ids: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        T = self.context_length
        shard = np.searchsorted(self.cum, window_ids, side="right") - 1
        starts = (window_ids - self.cum[shard]) * self.stride
        rows = np.stack(
            [self.stream.window(k, s, T + 1) for k, s in zip(shard.tolist(), starts.tolist())]
        )
        rows = torch.from_numpy(rows)
        return rows[:, :-1], rows[:, 1:]

    def batch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The index-th training batch (index counts micro-batches from the start of training)."""
        rng = np.random.default_rng([self.seed, index])
        return self._stack(rng.integers(0, len(self), size=self.batch_size, dtype=np.int64))

    def iterate(
        self, max_batches: int | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Evaluation batches: always the same ones."""
        n, B = len(self), self.batch_size
        if max_batches is None or max_batches * B >= n:
            picks = np.arange(n, dtype=np.int64)
        else:
            picks = np.linspace(0, n - 1, max_batches * B).round().astype(np.int64)
        for k in range(0, len(picks), B):
            yield self._stack(picks[k : k + B])

    @property
    def tokens_per_batch(self) -> int:
        return self.batch_size * self.context_length
