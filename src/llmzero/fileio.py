"""Writing files so that an interrupted program never leaves a half-written one behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# A temporary file or folder beside ``name`` is called ``.name.<pid>.<8 random chars>.tmp``: the pid
# tells a later run whether its writer is still alive. Older versions left out the pid.
_RANDOM = r"[a-z0-9_]{8}"
# A temporary whose writer cannot be checked (no pid, or a live pid of another process) is stale
# once nothing in it has changed for this long.
STALE_AFTER = 15 * 60  # seconds
_writing: set[Path] = set()  # temporaries this process is writing right now


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    _writing.add(tmp)
    try:
        yield tmp
        # mkstemp makes owner-only files; give the usual permissions
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _writing.discard(tmp)


def write_text_atomic(path: str | os.PathLike, text: str, newline: str | None = None) -> None:
    """Write UTF-8 text atomically; ``newline="\\n"`` writes the same bytes on every system."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline=newline)


def write_json_atomic(path: str | os.PathLike, data, indent: int | None = 2) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=indent) + "\n")


@contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Build a folder in a temporary sibling; on success swap it into ``path``.

    The previous folder is renamed aside first and removed only after the new one is in place, so at
    every instant either the old or the new complete folder exists (``recover_dir`` brings back the
    old one if a crash fell between the two renames).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent, [path.name])
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp"))
    _writing.add(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = path.with_name(path.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        _writing.discard(tmp)


def recover_dir(path: str | os.PathLike) -> Path:
    """If a swap by ``atomic_dir`` was cut between its two renames, put the previous folder back."""
    path = Path(path)
    old = path.with_name(path.name + ".old")
    if not path.exists() and old.is_dir():
        os.replace(old, path)
    return path


def _pid_alive(pid: int) -> bool | None:
    """Whether process ``pid`` exists; None where that cannot be asked safely (Windows)."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) would send a Ctrl-C there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return None
    return True


def _last_change(path: Path) -> float:
    """The newest modification time of ``path`` and, for a folder, of what it holds."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except OSError:
                pass
    return newest


def _is_stale(entry: Path, pid: int | None, now: float) -> bool:
    if entry in _writing:
        return False
    if pid == os.getpid():  # a pid reused after a restart (containers): not one of ours in progress
        return True
    if pid is not None and _pid_alive(pid) is False:
        return True
    return now - _last_change(entry) > STALE_AFTER


def clean_stale(folder: str | os.PathLike, names) -> list[Path]:
    """Remove the temporaries that a killed ``atomic_dir`` / ``atomic_path`` left beside ``names``.

    Only our own naming is matched (``.name.<pid>.<random>.tmp``, or ``.name.<random>.tmp`` from
    older versions), and only stale ones: their writer is gone, or nothing in them changed for
    ``STALE_AFTER`` seconds. A ``name.old`` folder beside a complete ``name`` (a swap killed after
    its second rename) goes too. Returns what was removed.
    """
    folder = Path(folder)
    patterns = [re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?{_RANDOM}\.tmp") for name in names]
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:  # no folder yet, or not readable: nothing of ours to clean
        return removed
    now = time.time()
    for entry in entries:
        match = next((m for p in patterns if (m := p.fullmatch(entry.name))), None)
        if match is None:
            continue
        try:
            if not _is_stale(entry, int(match[1]) if match[1] else None, now):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:  # vanished meanwhile, or not ours to remove: leave it
            continue
        removed.append(entry)
    for name in names:
        old = folder / (name + ".old")
        if old.is_dir() and (folder / name).is_dir():
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed
