"""Original Brazilian Portuguese data shipped with llmzero.

The pre-training corpus comes in parts (``corpus/*.txt``), written for this project. The default
mix (``CORPUS_PARTS``) holds only handwritten prose; the template-generated part
(``TEMPLATE_PARTS``) stays shipped but is used only when asked for by name. Tools that want one
file get it from :func:`corpus_path`, which joins the parts once into a cache folder::

    from llmzero.datasets import corpus_path, corpus_text, corpus_stats

    path = corpus_path()                  # ~/.cache/llmzero/corpus/<hash>/corpus_ptbr.txt
    text = corpus_text()                  # the same content as a string
    corpus_stats()["total"]               # {"bytes": ..., "words": ..., "sha256": ...}
    corpus_text(["gerado.txt"])           # the template part alone, by name
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from llmzero.errors import UserError

# The package folder on disk (llmzero is installed as plain files, so __file__ is a real path).
DATASETS_DIR = Path(__file__).resolve().parent
CORPUS_DIR = DATASETS_DIR / "corpus"
# The default pre-training mix: handwritten prose only, in this order (missing parts are skipped).
CORPUS_PARTS = (
    "ciencia_tecnologia.txt",
    "narrativas.txt",
    "contos.txt",
    "noticias.txt",
    "guias.txt",
    "dialogos.txt",
)
# Shipped parts made from sentence templates: out of the default mix, available by name.
TEMPLATE_PARTS = ("gerado.txt",)
CORPUS_FILENAME = "corpus_ptbr.txt"
PART_SEPARATOR = "\n\n"


def dataset_path(name: str) -> Path:
    """Path of a file shipped in ``llmzero/datasets`` (e.g. ``"corpus/gerado.txt"``); it must
    exist."""
    path = DATASETS_DIR / name
    if not path.is_file():
        raise UserError(
            f"o arquivo de dados {name!r} não existe em {DATASETS_DIR}",
            f"the data file {name!r} does not exist in {DATASETS_DIR}",
        )
    return path


def part_kind(name: str) -> str:
    """``"template"`` for a part in ``TEMPLATE_PARTS``, else ``"handwritten"``."""
    return "template" if name in TEMPLATE_PARTS else "handwritten"


def corpus_part_paths(parts: Sequence[str] | None = None) -> list[Path]:
    """The corpus parts on disk.

    With ``parts=None``: the default mix, ``CORPUS_PARTS`` in order, skipping missing parts (but at
    least one must exist); template parts are never included. Parts named explicitly (any shipped
    part, e.g. ``["gerado.txt"]``) must all exist and come in the order given.
    """
    if parts is None:
        found = [CORPUS_DIR / name for name in CORPUS_PARTS if (CORPUS_DIR / name).is_file()]
        if not found:
            raise UserError(
                f"nenhuma parte do corpus foi encontrada em {CORPUS_DIR}",
                f"no corpus part was found in {CORPUS_DIR}",
            )
        return found
    if not parts:
        raise UserError("escolha pelo menos uma parte do corpus", "choose at least one corpus part")
    for name in parts:
        if not (CORPUS_DIR / name).is_file():
            raise UserError(
                f"a parte do corpus {name!r} não existe em {CORPUS_DIR}",
                f"the corpus part {name!r} does not exist in {CORPUS_DIR}",
            )
    return [CORPUS_DIR / name for name in parts]


def _read_part(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise UserError(
            f"{path} não é um texto UTF-8 válido (byte {e.start})",
            f"{path} is not valid UTF-8 text (byte {e.start})",
        ) from None


def _join(texts: Sequence[str]) -> str:
    # Each part loses its leading/trailing blank lines so that exactly one blank line separates
    # parts.
    return PART_SEPARATOR.join(t.strip("\r\n") for t in texts) + "\n"


def corpus_text(parts: Sequence[str] | None = None) -> str:
    """All (existing) corpus parts joined by a blank line, ending in one newline."""
    return _join([_read_part(p) for p in corpus_part_paths(parts)])


def text_stats(text: str) -> dict:
    """Size of a text: UTF-8 bytes, characters, whitespace-separated words, lines, and its
    SHA-256."""
    data = text.encode("utf-8")
    return {
        "bytes": len(data),
        "characters": len(text),
        "words": len(text.split()),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def corpus_stats(parts: Sequence[str] | None = None) -> dict:
    """Stats of every part (as stored on disk, with its ``kind``) and of the combined text, plus
    the default parts that are missing."""
    paths = corpus_part_paths(parts)
    texts = {p.name: _read_part(p) for p in paths}
    return {
        "parts": {
            name: {**text_stats(text), "kind": part_kind(name)} for name, text in texts.items()
        },
        "missing": [name for name in CORPUS_PARTS if parts is None and name not in texts],
        "total": text_stats(_join(list(texts.values()))),
    }


def cache_dir() -> Path:
    """Where llmzero keeps files it can rebuild: $LLMZERO_CACHE, else $XDG_CACHE_HOME/llmzero, else
    ~/.cache/llmzero."""
    env = os.environ.get("LLMZERO_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "llmzero"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def corpus_path(parts: Sequence[str] | None = None) -> Path:
    """Path of one file holding :func:`corpus_text`, built in the cache only when its content
    changed.

    The folder is named by the SHA-256 of the content, so edited parts give a new file and an
    unchanged corpus is never rewritten.
    """
    data = corpus_text(parts).encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    path = cache_dir() / "corpus" / digest[:16] / CORPUS_FILENAME
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
        _write_atomic(path, data)
    except OSError as e:
        raise UserError(
            f"não foi possível gravar o corpus em {path.parent} ({e.strerror}); "
            "defina LLMZERO_CACHE com uma pasta gravável",
            f"could not write the corpus to {path.parent} ({e.strerror}); "
            "set LLMZERO_CACHE to a writable folder",
        ) from None
    return path


__all__ = [
    "DATASETS_DIR",
    "CORPUS_DIR",
    "CORPUS_PARTS",
    "TEMPLATE_PARTS",
    "CORPUS_FILENAME",
    "dataset_path",
    "part_kind",
    "corpus_part_paths",
    "corpus_text",
    "text_stats",
    "corpus_stats",
    "cache_dir",
    "corpus_path",
]
