"""`llmzero data shard`: documents -> a tokenizer + memory-mapped token shards for `train`.

Input: the folders a `data clean`/`dedup` step writes (datatrove JSONL, ``*.jsonl.gz``, one
document a line), loose ``.jsonl`` files, or plain ``.txt``/``.md`` files (each file one document).

1. The tokenizer is trained on a bounded sample (an equal share of ``sample_mb`` from the start of
   every input file), or loaded from a file, a tokenizer folder or a model folder.
2. Tokenization runs on datatrove's LocalPipelineExecutor: one task per input file, ``workers`` of
   them at a time, each task a block of ours (``ShardTokens``) that encodes its file document by
   document, puts the separator (the end-of-text token) after each document and appends the ids
   to its own shard files, at most ``shard_tokens`` ids each. Memory stays bounded by one
   document (a .txt file is read piece by piece) and a write buffer.
3. The shards, in input order, make one token stream; its last ``val_fraction`` (cut at the start
   of a document when one is near) becomes the validation shards. Each shard gets the header
   ``prepare`` writes and the folder gets ``shards.json``. Because tasks follow the input files,
   the shards are the same whatever the number of workers.

Everything is written in a temporary sibling folder that replaces the output only when complete.
The same block runs on a cluster through datatrove's other executors (Slurm, Ray): one task per
file, then ``finish_shards`` on the folder they wrote.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep

from llmzero.checkpoint import resolve_dir
from llmzero.data import iter_text_chunks
from llmzero.data.files import os_error
from llmzero.data.shards import FORMAT, MANIFEST, TOKENIZER_FILE, VERSION, tokenizer_sha256
from llmzero.errors import UserError, t
from llmzero.fileio import atomic_dir, write_json_atomic
from llmzero.tokenizers import Tokenizer, build_tokenizer, load_tokenizer

JSONL_SUFFIXES = (".jsonl.gz", ".jsonl", ".json.gz")
TEXT_SUFFIXES = (".txt", ".md")
DEFAULT_SHARD_TOKENS = 50_000_000
DEFAULT_SAMPLE_MB = 8.0
WRITE_BUFFER = 1 << 20  # ids held before they go to the shard file


# -- input -----------------------------------------------------------------------------------------


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def find_inputs(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The document files to read, in order: files as given, a folder's own files (not its
    sub-folders, where a clean step keeps what it removed) sorted by name."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _kind(p))
            if not found:
                raise UserError(
                    f"a pasta {path} não tem documentos (.jsonl.gz, .jsonl, .txt ou .md).",
                    f"the folder {path} holds no documents (.jsonl.gz, .jsonl, .txt or .md).",
                )
            files += found
        elif path.is_file():
            if not _kind(path):
                raise UserError(
                    f"{path} não é um arquivo de documentos (.jsonl.gz, .jsonl, .txt ou .md).",
                    f"{path} is not a document file (.jsonl.gz, .jsonl, .txt or .md).",
                )
            files.append(path)
        else:
            raise UserError(f"não encontrado: {path}", f"not found: {path}")
    return files


def _open_jsonl(path: Path):
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    return opener(path, "rt", encoding="utf-8")


def iter_documents(path: Path, text_key: str = "text") -> Iterator[Iterable[str]]:
    """The documents of one file, each as its text in pieces: a JSONL line's text (one piece), or
    a whole .txt/.md file (pieces cut at line breaks, so memory stays bounded)."""
    if _kind(path) == "text":
        yield iter_text_chunks(path)
        return
    try:
        with _open_jsonl(path) as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    text = json.loads(line)[text_key]
                    assert isinstance(text, str)
                except (ValueError, KeyError, TypeError, AssertionError):
                    raise UserError(
                        f"{path}:{number}: a linha não é um objeto JSON com o texto em "
                        f'"{text_key}" (escolha a chave com --text-key).',
                        f"{path}:{number}: the line is not a JSON object with its text in "
                        f'"{text_key}" (choose the key with --text-key).',
                    ) from None
                yield (text,)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path} não pôde ser lido como JSONL em UTF-8 ({exc}).",
            f"{path} could not be read as UTF-8 JSONL ({exc}).",
        ) from None


def sample_text(files: list[Path], budget_bytes: int, text_key: str = "text") -> list[str]:
    """A bounded training sample for the tokenizer: an equal share of ``budget_bytes`` of text
    from the start of every file, so every part of the corpus has its say."""
    share = max(budget_bytes // max(len(files), 1), 1)
    pieces: list[str] = []
    for path in files:
        taken = 0
        for doc in iter_documents(path, text_key):
            for piece in doc:
                piece = piece[: share - taken]
                pieces.append(piece)
                taken += len(piece)
                if taken >= share:
                    break
            if taken >= share:
                break
    if not any(p.strip() for p in pieces):
        raise UserError("os documentos estão vazios.", "the documents are empty.")
    return pieces


def resolve_tokenizer(
    spec: str, files: list[Path], vocab_size: int | None, sample_mb: float, text_key: str, log
) -> Tokenizer:
    """char | word | bpe (trained on a sample of the documents), or a tokenizer file, a tokenizer
    folder, a shard folder or a model folder (its tokenizer)."""
    if spec in ("char", "word", "bpe"):
        sample = sample_text(files, int(sample_mb * 1_000_000), text_key)
        size = sum(len(p) for p in sample)
        log(
            t(
                f"Treinando o tokenizador '{spec}' numa amostra de {size:,} caracteres...",
                f"Training the '{spec}' tokenizer on a sample of {size:,} characters...",
            )
        )
        return build_tokenizer(spec, sample, vocab_size)
    path = Path(spec)
    if path.is_dir() and not (path / TOKENIZER_FILE).is_file():
        inner = resolve_dir(path)
        if (inner / TOKENIZER_FILE).is_file():
            return load_tokenizer(inner / TOKENIZER_FILE)
    return build_tokenizer(spec)


def separator_id(tokenizer: Tokenizer) -> int:
    """The token put after each document: the tokenizer's end-of-text token."""
    sep = tokenizer.eot_id
    if sep is None:
        raise UserError(
            "o tokenizador não tem um token de fim de texto para separar os documentos.",
            "the tokenizer has no end-of-text token to separate the documents.",
        )
    return int(sep)


def dtype_for(vocab_size: int) -> np.dtype:
    """The id type `prepare` uses: 2 bytes while the vocabulary fits, else 4."""
    return np.dtype(np.uint16) if vocab_size <= 65536 else np.dtype(np.uint32)


# -- the datatrove block: one input file -> its own shard files ------------------------------------


class _PartWriter:
    """Appends ids to ``part_<task>_<k>.bin`` files of at most ``limit`` ids each."""

    def __init__(self, folder: Path, task: int, limit: int, dtype: np.dtype, sep: int):
        self.folder, self.task, self.limit, self.dtype, self.sep = folder, task, limit, dtype, sep
        self.parts: list[dict] = []
        self.buffer: list[np.ndarray] = []
        self.buffered = 0
        self.file = None

    def _open(self) -> None:
        name = f"part_{self.task:05d}_{len(self.parts):04d}.bin"
        self.file = open(self.folder / name, "wb")
        self.parts.append({"file": name, "tokens": 0, "documents": 0})

    def add(self, ids: np.ndarray) -> None:
        while len(ids):
            if self.file is None or self.parts[-1]["tokens"] + self.buffered >= self.limit:
                self._flush()
                if self.file is not None:
                    self.file.close()
                self._open()
            room = self.limit - self.parts[-1]["tokens"] - self.buffered
            head, ids = ids[:room], ids[room:]
            self.buffer.append(head)
            self.buffered += len(head)
            self.parts[-1]["documents"] += int(np.count_nonzero(head == self.sep))
            if self.buffered >= WRITE_BUFFER:
                self._flush()

    def _flush(self) -> None:
        if self.buffered:
            self.file.write(np.concatenate(self.buffer).tobytes())
            self.parts[-1]["tokens"] += self.buffered
            self.buffer, self.buffered = [], 0

    def close(self) -> list[dict]:
        self._flush()
        if self.file is not None:
            self.file.close()
        return self.parts


_TOKENIZERS: dict[str, Tokenizer] = {}


class ShardTokens(PipelineStep):
    """Task ``rank`` tokenizes input file ``rank`` into its own part files and lists them in
    ``part_<rank>.json``; datatrove counts its documents and tokens."""

    name = "llmzero shard"
    type = "🔢 - TOKENIZER"

    def __init__(self, files: list[str], folder: str, shard_tokens: int, text_key: str = "text"):
        super().__init__()
        self.files, self.folder = files, folder
        self.shard_tokens, self.text_key = shard_tokens, text_key

    def tokenizer(self) -> Tokenizer:
        path = str(Path(self.folder) / TOKENIZER_FILE)
        if path not in _TOKENIZERS:  # one load per worker process, not per task
            _TOKENIZERS[path] = load_tokenizer(path)
        return _TOKENIZERS[path]

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        tok = self.tokenizer()
        sep, dtype, folder = separator_id(tok), dtype_for(tok.vocab_size), Path(self.folder)
        writer = _PartWriter(folder, rank, self.shard_tokens, dtype, sep)
        listing: dict = {"source": self.files[rank]}
        try:
            for doc in iter_documents(Path(self.files[rank]), self.text_key):
                n = 0
                for piece in doc:
                    ids = np.asarray(tok.encode(piece), dtype=dtype)
                    writer.add(ids)
                    n += len(ids)
                if n:  # an empty document adds nothing, not even a separator
                    writer.add(np.array([sep], dtype=dtype))
                    self.stat_update("documents")
                    self.stat_update("tokens", value=n + 1)
        except UserError as exc:  # handed to the parent whole (pickling keeps one language)
            listing["error"] = {"pt": exc.pt, "en": exc.en}
        finally:
            listing["parts"] = writer.close()
        write_json_atomic(folder / f"part_{rank:05d}.json", listing)
        if data:
            yield from data


def _start_method() -> str:
    """How worker processes start: forked on Linux (nothing to import again, and it works when
    the main program has no file, as under `python -` where a forkserver's workers would fail);
    datatrove's default, forkserver, elsewhere."""
    return "fork" if sys.platform.startswith("linux") else "forkserver"


class _QuietExecutor(LocalPipelineExecutor):
    """datatrove's local executor, its tasks printing only errors (their full logs go to
    ``logs/``)."""

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        return super()._run_for_rank(rank, local_rank=1, node_rank=node_rank)


# -- after the tasks: order, validation split, headers, manifest -----------------------------------


def _split_point(parts: list[dict], folder: Path, dtype: np.dtype, sep: int, val_fraction: float):
    """(part index, offset) where validation starts: the last ``val_fraction`` of the stream,
    moved forward to the start of a document when one starts soon after."""
    total = sum(p["tokens"] for p in parts)
    target = total - round(total * val_fraction)
    if val_fraction <= 0 or target >= total:
        return len(parts), 0
    pos = 0
    for k, part in enumerate(parts):
        if pos + part["tokens"] > target:
            local = target - pos
            ids = np.memmap(folder / part["file"], dtype=dtype, mode="r")
            reach = min(len(ids), local + max(int(total * val_fraction) // 2, 1))
            for start in range(local, reach, WRITE_BUFFER):
                hits = np.flatnonzero(ids[start : min(start + WRITE_BUFFER, reach)] == sep)
                if len(hits):
                    local = start + int(hits[0]) + 1
                    break
            del ids
            if local >= part["tokens"]:  # the next part starts a document
                local = target - pos if k + 1 == len(parts) else local
                return (k + 1, 0) if k + 1 < len(parts) else (k, local)
            return k, local
        pos += part["tokens"]
    return len(parts), 0


def _cut_part(folder: Path, part: dict, at: int, dtype: np.dtype, sep: int) -> dict:
    """Move the ids of ``part`` from ``at`` on into a new part file; return the new part."""
    src = folder / part["file"]
    tail = {"file": part["file"].replace(".bin", "_val.bin"), "tokens": part["tokens"] - at}
    ids = np.memmap(src, dtype=dtype, mode="r")
    docs = 0
    with open(folder / tail["file"], "wb") as f:
        for start in range(at, len(ids), WRITE_BUFFER):
            chunk = np.asarray(ids[start : start + WRITE_BUFFER])
            docs += int(np.count_nonzero(chunk == sep))
            f.write(chunk.tobytes())
    del ids
    os.truncate(src, at * dtype.itemsize)
    tail["documents"] = docs
    part["tokens"], part["documents"] = at, part["documents"] - docs
    return tail


def finish_shards(folder: Path, val_fraction: float, extra: dict) -> dict:
    """Turn the part files the tasks wrote into named shards with headers and a manifest."""
    tok = load_tokenizer(folder / TOKENIZER_FILE)
    tok_dict, sep, dtype = tok.to_dict(), separator_id(tok), dtype_for(tok.vocab_size)
    listings = [
        json.loads(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("part_*.json"))
    ]
    for listing in listings:
        if "error" in listing:
            raise UserError(listing["error"]["pt"], listing["error"]["en"])
    parts = []
    for part in (p for listing in listings for p in listing["parts"]):
        if part["tokens"]:
            parts.append(part)
        else:
            (folder / part["file"]).unlink()
    k, at = _split_point(parts, folder, dtype, sep, val_fraction)
    if 0 < at < parts[k]["tokens"]:
        parts.insert(k + 1, _cut_part(folder, parts[k], at, dtype, sep))
        k += 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "dtype": dtype.name,
        "vocab_size": tok.vocab_size,
        "tokenizer": {
            "file": TOKENIZER_FILE,
            "type": tok_dict.get("type"),
            "sha256": tokenizer_sha256(tok_dict),
        },  # fmt: skip
        "separator": {"id": sep, "text": tok.decode([sep])},
        "tokens": sum(p["tokens"] for p in parts),
        "documents": sum(p["documents"] for p in parts),
        "val_fraction": val_fraction,
        **extra,
        "train": [],
        "val": [],
    }
    for i, part in enumerate(parts):
        split = "train" if i < k else "val"
        name = f"{split}_{len(manifest[split]):05d}.bin"
        os.replace(folder / part["file"], folder / name)
        header = {"format": "llmzero-tokens", "version": 1, "dtype": dtype.name,
                  "count": part["tokens"], "vocab_size": tok.vocab_size, "tokenizer": tok_dict,
                  "source": MANIFEST}  # fmt: skip
        write_json_atomic(folder / (name + ".json"), header, indent=None)
        manifest[split].append({"file": name, "tokens": part["tokens"],
                                "documents": part["documents"]})  # fmt: skip
    for listing in folder.glob("part_*.json"):
        listing.unlink()
    if not manifest["train"]:
        raise UserError(
            "os documentos não deram nenhum token de treino.",
            "the documents gave no training tokens.",
        )
    write_json_atomic(folder / MANIFEST, manifest)
    return manifest


def make_shards(
    inputs: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    tokenizer: str | Tokenizer = "char",
    vocab_size: int | None = None,
    workers: int | None = None,
    shard_tokens: int = DEFAULT_SHARD_TOKENS,
    val_fraction: float = 0.01,
    sample_mb: float = DEFAULT_SAMPLE_MB,
    text_key: str = "text",
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Tokenize documents into a shard folder ``out``; returns its manifest."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    if not 0.0 <= val_fraction < 1.0:
        raise UserError(
            "a fração de validação precisa estar entre 0 e 1.",
            "the validation fraction must be between 0 and 1.",
        )
    if shard_tokens < 1:
        raise UserError("--shard-tokens precisa ser positivo.", "--shard-tokens must be positive.")
    if not sample_mb > 0:
        raise UserError("--sample-mb precisa ser positivo.", "--sample-mb must be positive.")
    if out.exists() and not overwrite:
        raise UserError(
            f"{out} já existe; use --overwrite para substituí-lo.",
            f"{out} already exists; use --overwrite to replace it.",
        )
    files = find_inputs(inputs)
    if out.resolve() in {f.resolve().parent for f in files}:
        raise UserError(
            f"a saída {out} é uma das pastas de entrada; escolha outra.",
            f"the output {out} is one of the input folders; choose another one.",
        )
    tok = (
        tokenizer
        if isinstance(tokenizer, Tokenizer)
        else resolve_tokenizer(tokenizer, files, vocab_size, sample_mb, text_key, log)
    )
    separator_id(tok)
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    try:
        manifest, seconds = _write_shards(out, tok, files, workers, shard_tokens, text_key,
                                          val_fraction, log)  # fmt: skip
    except OSError as exc:  # a folder that cannot be written, a full disk: one sentence
        raise os_error(exc) from None
    log(
        t(
            f"{manifest['documents']:,} documentos, {manifest['tokens']:,} tokens em "
            f"{len(manifest['train'])} fragmento(s) de treino e {len(manifest['val'])} de "
            f"validação, em {seconds:.1f} s: {out}",
            f"{manifest['documents']:,} documents, {manifest['tokens']:,} tokens in "
            f"{len(manifest['train'])} training and {len(manifest['val'])} validation shard(s), "
            f"in {seconds:.1f} s: {out}",
        )
    )
    return manifest


def _write_shards(out, tok, files, workers, shard_tokens, text_key, val_fraction, log):
    start = time.perf_counter()
    with atomic_dir(out) as tmp:
        tok.save(tmp / TOKENIZER_FILE)
        log(
            t(
                f"Tokenizando {len(files)} arquivo(s) com {workers} processo(s)...",
                f"Tokenizing {len(files)} file(s) with {workers} worker(s)...",
            )
        )
        block = ShardTokens([str(f) for f in files], str(tmp), shard_tokens, text_key)
        executor = _QuietExecutor(
            [block],
            tasks=len(files),
            workers=workers,
            logging_dir=str(tmp / "logs"),
            skip_completed=False,
            start_method=_start_method(),
        )
        from loguru import logger

        logger.disable("datatrove.executor")  # its summary: our own log says what matters
        try:
            executor.run()
        finally:
            logger.enable("datatrove.executor")
        extra = {"sources": [str(f) for f in files], "workers": workers}
        manifest = finish_shards(tmp, val_fraction, extra)
    return manifest, time.perf_counter() - start
