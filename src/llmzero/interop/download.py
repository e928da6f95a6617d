"""Download GPT-2's released weights: pinned checksums, resumable, and never a half-written file in
place.

Each file goes to ``NAME.part`` first. A broken connection leaves the ``.part`` behind, and the next
attempt (or the next run) asks the server only for the missing bytes with an HTTP ``Range`` header.
When the file is complete its SHA-256 is compared with the pinned sum in the tables below; only a
file that matches is renamed to its final name (one ``os.replace``). A mismatch deletes the
``.part`` and stops with an error.

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

import hashlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from llmzero.errors import UserError

DEFAULT_BASE_URL = "https://huggingface.co/{repo}/resolve/main"
CHUNK = 1 << 20  # bytes read per step
TIMEOUT = 60.0  # seconds without data before an attempt counts as failed
ATTEMPTS = 4
RETRY_WAIT = 2.0  # seconds, multiplied by the attempt number


@dataclass(frozen=True)
class RemoteFile:
    """One file to fetch. ``sha256=None``: not pinned (size checked when known, computed sum
    reported)."""

    name: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Release:
    repo: str  # the Hugging Face repository, for the default URL
    n_layer: int
    n_head: int
    n_embd: int
    files: tuple[RemoteFile, ...]


@dataclass
class FileReport:
    name: str
    path: Path
    size: int
    sha256: str
    pinned: bool  # the sum was checked against a pin (False: reported only)
    fetched: bool  # downloaded now (False: already there)


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


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _progress(total: int | None, initial: int, name: str, enabled: bool):
    return tqdm(
        total=total,
        initial=initial,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=name,
        disable=not enabled,
        leave=False,
    )


def _fetch_once(url: str, part: Path, expected: RemoteFile, progress: bool) -> None:
    """One attempt: continue ``part`` from where it stops. Raises on a broken or refused
    transfer."""
    have = part.stat().st_size if part.exists() else 0
    if expected.size is not None and have > expected.size:
        part.unlink()  # longer than the real file: it cannot be a prefix of it
        have = 0
    headers = {"User-Agent": "llmzero", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # nothing after byte `have`: the .part is already whole
            return
        raise
    with response:
        if response.status == 206:
            match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != have:
                part.unlink()  # the server answered another range than the one asked: start over
                raise ConnectionError("unexpected Content-Range")
            total = int(match.group(2)) if match.group(2) != "*" else None
            mode = "ab"
        else:  # 200: the server sends the whole file (it may ignore Range)
            have, mode = 0, "wb"
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        if total is not None and expected.size is not None and total != expected.size:
            part.unlink(missing_ok=True)
            raise UserError(
                f"o servidor oferece {expected.name} com {total} bytes, mas o esperado é "
                f"{expected.size}; "
                "o arquivo não é o pinado.",
                f"the server offers {expected.name} with {total} bytes, but {expected.size} are "
                "expected; "
                "it is not the pinned file.",
            )
        with open(part, mode) as f, _progress(total, have, expected.name, progress) as bar:
            while block := response.read(CHUNK):
                f.write(block)
                bar.update(len(block))
                have += len(block)
        if total is not None and have < total:
            raise http.client.IncompleteRead(b"", total - have)


def download_file(
    url: str,
    dest: str | os.PathLike,
    expected: RemoteFile,
    *,
    progress: bool = True,
    attempts: int | None = None,
    retry_wait: float | None = None,
) -> FileReport:
    """Fetch ``url`` into ``dest``, resuming a ``dest.part`` left by an earlier try; verify;
    rename."""
    attempts = ATTEMPTS if attempts is None else attempts
    retry_wait = RETRY_WAIT if retry_wait is None else retry_wait
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    if dest.is_file():
        size = dest.stat().st_size
        if expected.sha256 is None and expected.size in (None, size):
            return FileReport(expected.name, dest, size, sha256_of(dest), False, False)
        if expected.sha256 is not None and sha256_of(dest) == expected.sha256:
            return FileReport(expected.name, dest, size, expected.sha256, True, False)
        # a file that fails its check is fetched again (it is replaced only once the new one passes)
    dest.parent.mkdir(parents=True, exist_ok=True)
    error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            _fetch_once(url, part, expected, progress)
            error = None
            break
        except urllib.error.HTTPError as e:
            if 400 <= e.code < 500:
                raise UserError(
                    f"o servidor recusou {url} (HTTP {e.code}).",
                    f"the server refused {url} (HTTP {e.code}).",
                ) from None
            error = e
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
            OSError,
        ) as e:
            error = e
        if attempt < attempts:
            time.sleep(retry_wait * attempt)
    if error is not None:
        kept = part.stat().st_size if part.exists() else 0
        raise UserError(
            f"o download de {expected.name} falhou depois de {attempts} tentativas ({error}); "
            f"{_human(kept)} ficaram em {part.name}: rode de novo para continuar de onde parou.",
            f"downloading {expected.name} failed after {attempts} attempts ({error}); "
            f"{_human(kept)} are kept in {part.name}: run again to resume where it stopped.",
        )
    if not part.exists():  # e.g. an empty answer to a first request
        part.touch()
    size = part.stat().st_size
    digest = sha256_of(part)
    wrong_size = expected.size is not None and size != expected.size
    if wrong_size or (expected.sha256 is not None and digest != expected.sha256):
        part.unlink()
        what_pt = (
            f"tamanho {size}, esperado {expected.size}"
            if wrong_size
            else "o SHA-256 não confere com o pinado"
        )
        what_en = (
            f"size {size}, expected {expected.size}"
            if wrong_size
            else "its SHA-256 does not match the pin"
        )
        raise UserError(
            f"{expected.name} baixado está errado ({what_pt}); foi apagado, nada foi instalado.",
            f"the downloaded {expected.name} is wrong ({what_en}); it was deleted, "
            "nothing was installed.",
        )
    os.replace(part, dest)
    return FileReport(expected.name, dest, size, digest, expected.sha256 is not None, True)


def download_files(
    base_url: str, files: tuple[RemoteFile, ...] | list[RemoteFile], out_dir, **opts
) -> list[FileReport]:
    """Fetch each file from ``base_url/NAME`` into ``out_dir`` (see ``download_file``)."""
    out = Path(out_dir)
    return [
        download_file(f"{base_url.rstrip('/')}/{f.name}", out / f.name, f, **opts) for f in files
    ]


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
