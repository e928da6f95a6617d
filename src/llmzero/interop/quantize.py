"""Convert a float checkpoint into an int8 one (the layers: llmzero.inference.int8), and measure the
cost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from llmzero.checkpoint import WEIGHTS_FILE, load_checkpoint, save_checkpoint
from llmzero.datasets import corpus_text
from llmzero.errors import UserError
from llmzero.inference.int8 import (
    KIND,
    SCHEME,
    Int8GPT,
    QuantLinear,
    dequantize_tensor,
    quantizable,
)
from llmzero.model import GPT


# --------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------
@dataclass
class QuantizeResult:
    path: Path
    bytes_before: int  # model.safetensors of the source
    bytes_after: int
    linear_bytes_before: int  # only the matrices that became int8 (float32 in the source)
    linear_bytes_after: int  # their int8 values + scales
    max_weight_error: float  # largest |w - dequantized w| over every quantized weight
    max_logit_diff: float  # largest |logit difference| on a probe text (exact mode)
    top1_agreement: (
        float  # fraction of probe positions where both models predict the same next token
    )

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


@torch.inference_mode()
def compare_logits(
    float_model: GPT, qmodel: Int8GPT, ids: torch.Tensor, mode: str = "exact"
) -> tuple[float, float]:
    """(max |logit difference|, top-1 agreement) of the two models on token ids of shape (batch,
    T)."""
    old = [m.mode for m in qmodel.modules() if isinstance(m, QuantLinear)]
    qmodel.set_mode(mode)
    try:
        a, b = float_model.eval()(ids).logits.float(), qmodel.eval()(ids).logits.float()
    finally:
        for m, o in zip((m for m in qmodel.modules() if isinstance(m, QuantLinear)), old):
            m.mode = o
    return float((a - b).abs().max()), float((a.argmax(-1) == b.argmax(-1)).float().mean())


def _probe_ids(ckpt, n: int = 128) -> torch.Tensor:
    """A probe text in the model's own tokens (the shipped corpus), or fixed random ids without a
    tokenizer."""
    T = min(n, ckpt.config.context_length)
    if ckpt.tokenizer is not None:
        ids = [
            i for i in ckpt.tokenizer.encode(corpus_text()[:4000]) if i < ckpt.config.vocab_size
        ][:T]
        if len(ids) >= 2:
            return torch.tensor([ids])
    return torch.randint(
        0, ckpt.config.vocab_size, (1, T), generator=torch.Generator().manual_seed(0)
    )


def quantize(
    ckpt_dir, out_dir, *, embeddings: bool = True, overwrite: bool = False
) -> QuantizeResult:
    """Write an int8 copy of the language model in ``ckpt_dir`` to ``out_dir`` (a checkpoint of kind
    lm-int8)."""
    ckpt = load_checkpoint(ckpt_dir, device="cpu", kinds=("lm",))
    out = Path(out_dir)
    if out.resolve() == ckpt.path.resolve():
        raise UserError(
            "a pasta de saída não pode ser a do modelo original.",
            "the output folder cannot be the source model's folder.",
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise UserError(
            f"{out} já existe; escolha outra pasta ou use --overwrite.",
            f"{out} already exists; choose another folder or use --overwrite.",
        )
    model = ckpt.model.float().eval()
    qmodel = Int8GPT.from_float(model, embeddings=embeddings)
    names = quantizable(model, embeddings) + (["tok_emb"] if embeddings else [])
    seen, lin_before, lin_after, max_err = set(), 0, 0, 0.0
    for name in names:
        w = model.get_submodule(name).weight
        if w.data_ptr() in seen:  # the tied output layer: counted with the embedding
            continue
        seen.add(w.data_ptr())
        qm = qmodel.get_submodule(name)
        lin_before += w.numel() * 4
        lin_after += qm.weight.numel() + qm.scale.numel() * 4
        max_err = max(
            max_err,
            float((dequantize_tensor(qm.weight, qm.scale) - w.detach().float()).abs().max()),
        )
    diff, agree = compare_logits(model, qmodel, _probe_ids(ckpt))
    meta = {
        k: v for k, v in ckpt.meta.items() if k not in ("format", "version", "kind", "quantization")
    }
    meta.update(
        kind=KIND,
        quantization={
            "scheme": SCHEME,
            "embeddings": embeddings,
            "source": str(ckpt.path),
            "max_weight_error": max_err,
            "max_logit_diff": diff,
        },
    )
    save_checkpoint(out, qmodel, ckpt.tokenizer, meta)
    return QuantizeResult(
        path=out,
        bytes_before=(ckpt.path / WEIGHTS_FILE).stat().st_size,
        bytes_after=(out / WEIGHTS_FILE).stat().st_size,
        linear_bytes_before=lin_before,
        linear_bytes_after=lin_after,
        max_weight_error=max_err,
        max_logit_diff=diff,
        top1_agreement=agree,
    )
