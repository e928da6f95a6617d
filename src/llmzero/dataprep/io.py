"""The folder format between the steps of `llmzero data`.

A step folder holds datatrove JSONL files (``*.jsonl.gz``, one document a line:
``{"text", "id", "metadata"}``, as datatrove's JsonlWriter writes them) and ``step.json``, written
last, describing the step::

    {"format": 1, "step": "clean", "created": "...", "inputs": ["/abs/in", ...],
     "options": {...}, "workers": 2, "tasks": 2, "seconds": 3.1,
     "documents_in": N, "bytes_in": B, "documents_out": N2, "bytes_out": B2,
     "blocks": [{"name": "language", "documents_in": .., "documents_out": ..,
                 "documents_removed": .., "bytes_in": .., "bytes_out": .., "bytes_removed": ..,
                 "reasons": {"en": 3}, "cpu_seconds": 1.2}, ...],
     "files": ["00000.jsonl.gz", ...]}

For every block ``documents_in == documents_out + documents_removed`` (and the same for bytes; a
block that rewrites text, such as PII scrubbing, may "remove" a negative number of bytes). Documents
a filter removed are kept for reading in ``removed/<block>/``. Blocks of `clean` record the CPU
seconds they spent (summed over workers, ``cpu_seconds``); those of `dedup` the wall-clock seconds
of all their stages (``seconds``). A step is built in a temporary
sibling folder and renamed into place at the end, so an interrupted step leaves nothing behind.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llmzero.errors import UserError
from llmzero.fileio import atomic_dir, write_json_atomic

FORMAT = 1
STEP_FILE = "step.json"
DOC_SUFFIX = ".jsonl.gz"
REMOVED_DIR = "removed"


def doc_files(folder: str | Path) -> list[Path]:
    """The document files of a step folder (top level only), in name order."""
    return sorted(p for p in Path(folder).glob(f"*{DOC_SUFFIX}") if p.is_file())


def is_step_folder(folder: str | Path) -> bool:
    return (Path(folder) / STEP_FILE).is_file()


def read_step(folder: str | Path) -> dict:
    """The ``step.json`` of a step folder; a folder without one is a user error."""
    path = Path(folder) / STEP_FILE
    if not path.is_file():
        raise UserError(
            f"{folder} não é uma pasta de um passo de `llmzero data` (falta {STEP_FILE})",
            f"{folder} is not a `llmzero data` step folder ({STEP_FILE} is missing)",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{path} não é um JSON legível: {exc}", f"{path} is not readable JSON: {exc}"
        ) from exc


def step_chain(folder: str | Path) -> list[dict]:
    """The steps that made ``folder``, oldest first, following the inputs recorded in step.json.

    Each entry is the step's dict with ``"folder"`` added. Inputs that are not step folders (raw
    files, a dump) end the chain.
    """
    chain: list[dict] = []
    seen: set[str] = set()
    current: Path | None = Path(folder).resolve()
    while current is not None and str(current) not in seen and is_step_folder(current):
        seen.add(str(current))
        step = dict(read_step(current), folder=str(current))
        chain.append(step)
        parents = [Path(p) for p in step.get("inputs", []) if is_step_folder(p)]
        current = parents[0] if len(parents) == 1 else None
    return chain[::-1]


def iter_documents(folder: str | Path) -> Iterator[dict]:
    """Every document (a dict with text, id, metadata) of a step folder, streamed file by file."""
    for path in doc_files(folder):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def refuse_existing(out: str | Path, overwrite: bool) -> None:
    """An existing output folder is refused unless the user said --overwrite."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise UserError(
            f"{out} já existe; use --overwrite para substituí-la",
            f"{out} already exists; use --overwrite to replace it",
        )
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} existe e não é uma pasta", f"{out} exists and is not a folder")


@contextmanager
def step_output(out: str | Path, overwrite: bool) -> Iterator[Path]:
    """A temporary sibling of ``out`` to build the step in, renamed to ``out`` on success."""
    refuse_existing(out, overwrite)
    with atomic_dir(out) as tmp:
        yield tmp


@contextmanager
def scratch_dir(near: str | Path) -> Iterator[Path]:
    """A temporary work folder beside ``near`` (same disk), removed afterwards."""
    parent = Path(near).resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{Path(near).name}.work.", suffix=".tmp"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_step(folder: Path, info: dict) -> dict:
    """Write ``step.json`` (last, after the documents); returns what was written."""
    info = {"format": FORMAT, **info}
    info["files"] = [p.name for p in doc_files(folder)]
    write_json_atomic(folder / STEP_FILE, info)
    return info


def blocks_from_meters(labels: list[str], totals: dict[str, tuple[int, int]]) -> list[dict]:
    """Per-block counts from the meters placed before the first block and after each block.

    ``labels[0]`` is the meter on the input; ``labels[i]`` (i >= 1) is the meter after block i.
    """
    blocks = []
    for before, after in zip(labels, labels[1:]):
        d_in, b_in = totals.get(before, (0, 0))
        d_out, b_out = totals.get(after, (0, 0))
        blocks.append(
            {
                "name": after,
                "documents_in": d_in,
                "documents_out": d_out,
                "documents_removed": d_in - d_out,
                "bytes_in": b_in,
                "bytes_out": b_out,
                "bytes_removed": b_in - b_out,
            }
        )
    return blocks


def count_removed(folder: str | Path) -> dict[str, int]:
    """{block: documents} written to ``removed/<block>/`` of a step folder."""
    out = {}
    root = Path(folder) / REMOVED_DIR
    if not root.is_dir():
        return out
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        n = 0
        for path in sub.glob(f"*{DOC_SUFFIX}"):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                n += sum(1 for line in f if line.strip())
        out[sub.name] = n
    return out
