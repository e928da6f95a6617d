"""Reading the files a user hands us: clear errors for the usual mistakes, and `file:line` for bad
records."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Iterator

from llmzero.errors import UserError


def bad_record(where: str, pt: str, en: str) -> UserError:
    """An error about one line or record of a file, prefixed by where it is (``file:line``)."""
    return UserError(f"{where}: {pt}", f"{where}: {en}")


# What the usual file-system refusals mean, in both languages (other ones keep the system's words).
_OS_REASONS = {
    errno.ENOENT: (
        "ele, ou uma pasta no caminho, não existe",
        "it, or a folder on its path, does not exist",
    ),
    errno.EACCES: ("sem permissão", "permission denied"),
    errno.EPERM: ("sem permissão", "permission denied"),
    errno.ENOTDIR: (
        "parte do caminho é um arquivo, não uma pasta",
        "part of the path is a file, not a folder",
    ),
    errno.EISDIR: ("é uma pasta", "it is a folder"),
    errno.EEXIST: ("já existe um arquivo com esse nome", "a file of that name already exists"),
    errno.ENOSPC: ("o disco está cheio", "the disk is full"),
    errno.EROFS: ("o sistema de arquivos é só de leitura", "the file system is read-only"),
}


def os_error(exc: OSError, path: str | os.PathLike | None = None) -> UserError:
    """A file-system error as one sentence naming the file: ``path``, else the one the error
    names."""
    name = path if path is not None else (exc.filename2 or exc.filename)
    pt, en = _OS_REASONS.get(exc.errno, (exc.strerror or str(exc),) * 2)
    if name is None:
        return UserError(f"o sistema recusou: {pt}.", f"the system refused: {en}.")
    temp = Path(os.fsdecode(name))
    if path is None and temp.name.startswith(".") and temp.name.endswith(".tmp"):
        # a hidden temporary file written beside the real one (fileio): name the folder instead
        folder = temp.parent
        return UserError(
            f"não consegui escrever na pasta {folder}: {pt}.",
            f"could not write in the folder {folder}: {en}.",
        )
    return UserError(f"não consegui usar {name}: {pt}.", f"could not use {name}: {en}.")


def read_user_text(
    path: str | os.PathLike, allow_empty: bool = True, what: tuple[str, str] = ("texto", "text")
) -> str:
    """The whole of a UTF-8 file (a BOM is dropped); missing file, folder or bad encoding ->
    UserError."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"arquivo não encontrado: {p}", f"file not found: {p}")
    if p.is_dir():
        raise UserError(
            f"{p} é uma pasta, não um arquivo de {what[0]}.",
            f"{p} is a folder, not a {what[1]} file.",
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{p} não está em UTF-8 (byte inválido na posição {exc.start}).",
            f"{p} is not UTF-8 (invalid byte at position {exc.start}).",
        ) from None
    if not allow_empty and not text.strip():
        raise UserError(f"o arquivo {p} está vazio.", f"the file {p} is empty.")
    return text


def json_records(
    path: Path, text: str, expected: tuple[str, str], json_list: bool | None = None
) -> Iterator[tuple[object, str]]:
    """(record, where) for a JSON list or a JSONL file (one object a line).

    json_list: True/False forces the format; None decides by content (a file starting with "[" that
    is not .jsonl/.ndjson is a JSON list). ``expected`` (pt, en) says what a good line holds, for
    the error.
    """
    if json_list is None:
        json_list = path.suffix.lower() not in (".jsonl", ".ndjson") and text.lstrip().startswith(
            "["
        )
    if json_list:
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise bad_record(
                f"{path}:{exc.lineno}", f"JSON inválido ({exc.msg})", f"invalid JSON ({exc.msg})"
            ) from None
        if not isinstance(items, list):
            raise bad_record(str(path), "esperava uma lista JSON", "expected a JSON list")
        for i, item in enumerate(items, 1):
            yield item, f"{path}: record {i}"
        return
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028
        if not line.strip():
            continue
        try:
            yield json.loads(line), f"{path}:{n}"
        except json.JSONDecodeError as exc:
            raise bad_record(
                f"{path}:{n}", f"{expected[0]} ({exc.msg})", f"{expected[1]} ({exc.msg})"
            ) from None
