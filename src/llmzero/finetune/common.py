"""What every fine-tuning stage (classification, instructions, DPO) shares: open the base before
training, and after a LoRA run keep the adapter and save the merged model."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from llmzero.checkpoint import Checkpoint, load_checkpoint, resolve_dir, save_checkpoint
from llmzero.errors import UserError
from llmzero.model.lora import lora_parameter_count, merge_lora, save_lora


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


def save_merged_lora(
    model: nn.Module,
    out: Path,
    tokenizer,
    meta: dict,
    *,
    base: Path,
    extra: dict,
    steps: int,
) -> None:
    """After a LoRA run: the adapter alone in out/adapter (``extra`` goes into its adapter.json),
    then the adapters merged into the weights and out/checkpoint saved again, so the checkpoint
    loads as a plain model. ``meta["lora"]`` records the merge and the adapter's size."""
    save_lora(model, out / "adapter", base=str(base), extra=extra)
    lora_params = lora_parameter_count(model)
    merge_lora(model)
    meta["lora"] = dict(meta["lora"], merged=True, parameters=lora_params)
    save_checkpoint(
        out / "checkpoint",
        model,
        tokenizer,
        dict(meta, step=steps),
        metrics_file=out / "metrics.jsonl",
    )
