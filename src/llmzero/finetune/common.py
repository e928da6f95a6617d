"""What both fine-tunings (classification, instructions) do before training: open the pre-trained
base."""

from __future__ import annotations

from pathlib import Path

from llmzero.checkpoint import Checkpoint, load_checkpoint, resolve_dir
from llmzero.errors import UserError


def open_base(base: str | Path, out: Path, overwrite: bool) -> Checkpoint:
    """The pre-trained language model to start from, after checking that ``out`` may be written."""
    base_ckpt = load_checkpoint(base, kinds=("lm",))
    if (
        resolve_dir(out).resolve() == base_ckpt.path.resolve()
        or out.resolve() == Path(base).resolve()
    ):
        raise UserError(
            "--out não pode ser a pasta do modelo base.", "--out cannot be the base model's folder."
        )
    if (resolve_dir(out) / "config.json").is_file() and not overwrite:
        raise UserError(
            f"{out} já tem um checkpoint; use --overwrite para substituí-lo.",
            f"{out} already holds a checkpoint; use --overwrite to replace it.",
        )
    if base_ckpt.tokenizer is None:
        raise UserError(
            f"{base_ckpt.path} não tem tokenizer.json.", f"{base_ckpt.path} has no tokenizer.json."
        )
    return base_ckpt
