"""Download a file over HTTP(S): resumable, checked, and never a half-written file in place.

Each file goes to ``NAME.part`` first. A broken connection leaves the ``.part`` behind, and the next
attempt (or the next run) asks the server only for the missing bytes with an HTTP ``Range`` header.
When the file is complete its SHA-256 (and any other sum the source publishes, such as the SHA-1
and MD5 of Wikimedia's dumps) is compared with the expected one; only a file that matches is
renamed to its final name (one ``os.replace``). A mismatch deletes the ``.part`` and stops with an
error. An expected sum that is not known (``None``) is not checked: the computed SHA-256 is
reported so a caller can record it.

Used by ``llmzero.interop.download`` (GPT-2's pinned files) and ``llmzero.dataprep.fetch``.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from llmzero.errors import UserError


def is_loopback(host: str | None) -> bool:
    """Does ``host`` (a name or an address, IPv6 with or without brackets) stay on this computer?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False


CHUNK = 1 << 20  # bytes read per step
TIMEOUT = 60.0  # seconds without data before an attempt counts as failed
ATTEMPTS = 4
RETRY_WAIT = 2.0  # seconds, multiplied by the attempt number
ALGORITHMS = ("sha256", "sha1", "md5")


@dataclass(frozen=True)
class RemoteFile:
    """One file to fetch. ``sha256=None``: not pinned (size checked when known, computed sum
    reported). ``sums``: other published sums that must match too, as (algorithm, hex) pairs."""

    name: str
    size: int | None = None
    sha256: str | None = None
    sums: tuple[tuple[str, str], ...] = ()


@dataclass
class FileReport:
    name: str
    path: Path
    size: int
    sha256: str
    pinned: bool  # the SHA-256 was checked against an expected one (False: reported only)
    fetched: bool  # downloaded now (False: already there)
    sums: dict[str, str] = field(default_factory=dict)  # the other sums that were checked


def hashes_of(path: str | os.PathLike, algorithms=("sha256",)) -> dict[str, str]:
    """The hex digests of a file, for each algorithm, in one pass over it."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            for h in hashers.values():
                h.update(block)
    return {a: h.hexdigest() for a, h in hashers.items()}


def sha256_of(path: str | os.PathLike) -> str:
    return hashes_of(path)["sha256"]


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def progress_bar(total: int | None, initial: int, name: str, enabled: bool):
    """A byte progress bar on stderr (tqdm); ``enabled=False`` shows nothing."""
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


def _check_sums(expected: RemoteFile) -> None:
    for algorithm, _ in expected.sums:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def _matches(path: Path, expected: RemoteFile) -> tuple[bool, dict[str, str]]:
    """Whether a finished file has the expected sums; its digests (sha256 and the others)."""
    wanted = ["sha256", *(a for a, _ in expected.sums if a != "sha256")]
    digests = hashes_of(path, wanted)
    ok = expected.sha256 in (None, digests["sha256"])
    ok = ok and all(digests[a] == value.lower() for a, value in expected.sums)
    return ok, digests


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
                f"{expected.size}; o arquivo não é o esperado.",
                f"the server offers {expected.name} with {total} bytes, but {expected.size} are "
                "expected; it is not the expected file.",
            )
        with open(part, mode) as f, progress_bar(total, have, expected.name, progress) as bar:
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
    rename. A ``dest`` already there with the expected sums is kept and not fetched again."""
    _check_sums(expected)
    attempts = ATTEMPTS if attempts is None else attempts
    retry_wait = RETRY_WAIT if retry_wait is None else retry_wait
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    checked = expected.sha256 is not None or bool(expected.sums)
    if dest.is_file():
        size = dest.stat().st_size
        if not checked and expected.size in (None, size):
            return FileReport(expected.name, dest, size, sha256_of(dest), False, False)
        if checked and expected.size in (None, size):
            ok, digests = _matches(dest, expected)
            if ok:
                pinned = expected.sha256 is not None
                return FileReport(expected.name, dest, size, digests.pop("sha256"), pinned, False,
                                  digests)  # fmt: skip
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
        reason = getattr(error, "reason", None) or error
        raise UserError(
            f"o download de {url} falhou depois de {attempts} tentativas ({reason}); "
            f"{human_size(kept)} ficaram em {part.name}: rode de novo para continuar de onde "
            "parou.",
            f"downloading {url} failed after {attempts} attempts ({reason}); "
            f"{human_size(kept)} are kept in {part.name}: run again to resume where it stopped.",
        )
    if not part.exists():  # e.g. an empty answer to a first request
        part.touch()
    size = part.stat().st_size
    ok, digests = _matches(part, expected)
    wrong_size = expected.size is not None and size != expected.size
    if wrong_size or not ok:
        part.unlink()
        bad = next(
            (a.upper() for a, v in (("sha256", expected.sha256), *expected.sums)
             if v is not None and digests[a] != v.lower()),
            "SHA-256",
        )  # fmt: skip
        bad = {"SHA256": "SHA-256", "SHA1": "SHA-1"}.get(bad, bad)
        what_pt = (
            f"tamanho {size}, esperado {expected.size}"
            if wrong_size
            else f"o {bad} não confere com o esperado"
        )
        what_en = (
            f"size {size}, expected {expected.size}"
            if wrong_size
            else f"its {bad} does not match the expected one"
        )
        raise UserError(
            f"{expected.name} baixado está errado ({what_pt}); foi apagado, nada foi instalado.",
            f"the downloaded {expected.name} is wrong ({what_en}); it was deleted, "
            "nothing was installed.",
        )
    os.replace(part, dest)
    sha256 = digests.pop("sha256")
    return FileReport(expected.name, dest, size, sha256, expected.sha256 is not None, True, digests)


def download_files(
    base_url: str, files: tuple[RemoteFile, ...] | list[RemoteFile], out_dir, **opts
) -> list[FileReport]:
    """Fetch each file from ``base_url/NAME`` into ``out_dir`` (see ``download_file``)."""
    out = Path(out_dir)
    return [
        download_file(f"{base_url.rstrip('/')}/{f.name}", out / f.name, f, **opts) for f in files
    ]
