"""Download GPT-2's released weights: pinned checksums, resumable, and never a half-written file in
place.

The transfer itself (``NAME.part``, HTTP ``Range`` to resume, the sums checked before one
``os.replace``) is ``llmzero.data.download``; this module keeps what is GPT-2's own: the releases,
their pinned sums and the check that the downloaded config describes the expected model.

About the pins. ``vocab.json`` and ``merges.txt`` are the same bytes for all four sizes (they are
OpenAI's ``encoder.json`` and ``vocab.bpe``; their sums match those of ../shared/data). For the 124M
model the sums of config.json and model.safetensors are the ones published for the
openai-community/gpt2 repository. For the other sizes the sums of config.json and model.safetensors
are not known here: their entries carry ``sha256=None``, which means "check the size when it is
known, and print the computed sum" so a user can compare it with the one the hub shows (and a
maintainer can pin it). Whatever is downloaded is also checked when it is imported: the model's
config must have the expected shape and every tensor must have the right name and shape.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from llmzero.data import download as _transfer
from llmzero.data.download import (  # noqa: F401  (re-exported: the names this module always had)
    ATTEMPTS,
    CHUNK,
    TIMEOUT,
    FileReport,
    RemoteFile,
    download_file,
    download_files,
    sha256_of,
)
from llmzero.errors import UserError

DEFAULT_BASE_URL = "https://huggingface.co/{repo}/resolve/main"
RETRY_WAIT = _transfer.RETRY_WAIT  # seconds, multiplied by the attempt number (GPT-2 downloads)


@dataclass(frozen=True)
class Release:
    repo: str  # the Hugging Face repository, for the default URL
    n_layer: int
    n_head: int
    n_embd: int
    files: tuple[RemoteFile, ...]


VOCAB = RemoteFile(
    "vocab.json", 1042301, "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
)
MERGES = RemoteFile(
    "merges.txt", 456318, "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"
)


def _unpinned(repo: str, n_layer: int, n_head: int, n_embd: int) -> Release:
    return Release(
        repo,
        n_layer,
        n_head,
        n_embd,
        (RemoteFile("config.json"), VOCAB, MERGES, RemoteFile("model.safetensors")),
    )


GPT2_RELEASES: dict[str, Release] = {
    "124M": Release(
        "openai-community/gpt2",
        12,
        12,
        768,
        (
            RemoteFile(
                "config.json",
                665,
                "0daed7749b4f02b8f76240d5444551d7b08712dab4d0adb8239c56ba823bb7b4",
            ),
            VOCAB,
            MERGES,
            RemoteFile(
                "model.safetensors",
                548105171,
                "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707",
            ),
        ),
    ),
    "355M": _unpinned("openai-community/gpt2-medium", 24, 16, 1024),
    "774M": _unpinned("openai-community/gpt2-large", 36, 20, 1280),
    "1558M": _unpinned("openai-community/gpt2-xl", 48, 25, 1600),
}


def default_cache_dir(size: str) -> Path:
    """Where raw downloads are kept: $LLMZERO_CACHE, else $XDG_CACHE_HOME/llmzero, else
    ~/.cache/llmzero."""
    root = (
        os.environ.get("LLMZERO_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llmzero"
    )
    return Path(root) / f"gpt2-{size}"


def download_gpt2(
    size: str = "124M", out_dir=None, base_url: str | None = None, **opts
) -> list[FileReport]:
    """Fetch GPT-2 of one size (124M, 355M, 774M, 1558M) as a Hugging Face folder that
    ``import_gpt2`` reads.

    ``base_url``: where the files are (default: the Hugging Face repository of that size);
    ``out_dir``: where they go (default: ``default_cache_dir(size)``). Options go to
    ``download_file`` (progress, attempts...).
    """
    release = GPT2_RELEASES.get(size.upper() if size else size)
    if release is None:
        raise UserError(
            f"tamanho desconhecido: {size!r} (use {', '.join(GPT2_RELEASES)}).",
            f"unknown size: {size!r} (use {', '.join(GPT2_RELEASES)}).",
        )
    out = Path(out_dir) if out_dir is not None else default_cache_dir(size.upper())
    base = base_url or DEFAULT_BASE_URL.format(repo=release.repo)
    opts.setdefault("retry_wait", RETRY_WAIT)
    reports = download_files(base, release.files, out, **opts)
    config_path = out / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        shape = (config.get("n_layer"), config.get("n_head"), config.get("n_embd"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        shape = None
    if shape != (release.n_layer, release.n_head, release.n_embd):
        config_path.unlink(missing_ok=True)
        raise UserError(
            f"o config.json baixado não descreve o GPT-2 {size}; foi apagado.",
            f"the downloaded config.json does not describe GPT-2 {size}; it was deleted.",
        )
    return reports
