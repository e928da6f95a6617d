"""Pre-training: teach a GPT to predict the next token of a corpus. The library call behind `llmzero
train`."""

from __future__ import annotations

import random
import signal
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from llmzero.checkpoint import damaged_state, load_checkpoint, require_checkpoint, resolve_dir
from llmzero.data import (
    ShardSet,
    TokenWindows,
    WindowBatches,
    encode_text_file,
    iter_text_chunks,
    load_shards,
    load_token_file,
    read_text_head,
    split_ids,
)
from llmzero.datasets import corpus_path
from llmzero.errors import UserError, t
from llmzero.fileio import clean_stale
from llmzero.generation import generate
from llmzero.model import GPT
from llmzero.model import preset as preset_config
from llmzero.model.config import preset_training
from llmzero.sampling import sampling_preset
from llmzero.tokenizers import Tokenizer, build_tokenizer, tokenizer_from_dict
from llmzero.training import distributed
from llmzero.training.distributed import make_trainer
from llmzero.training.trainer import RUN_FILES, TrainConfig, check_batch_size

DEFAULT_OUT = "runs/llmzero"


def load_corpus_ids(
    data: str | Path | None, tokenizer_spec, vocab_size, log, scratch_dir: Path | None = None
) -> tuple[np.ndarray, object, str]:
    """Token ids of the training data and the tokenizer that made them.

    data: None (the shipped pt-BR corpus), a UTF-8 text file, a token file from `llmzero
    prepare`, or a shard folder from `llmzero data shard` (then a ``ShardSet`` stands for the ids).
    tokenizer_spec: "char" (also None) | "word" | "bpe" | a path, or an already built tokenizer
    (resume). A text file is read piece by piece, both to train the tokenizer and to encode it
    into a memory-mapped scratch file in ``scratch_dir``, so memory does not grow with the corpus.
    """
    if data is not None and Path(data).is_dir():
        return load_shard_folder(data, tokenizer_spec)
    if data is not None and Path(str(data) + ".json").is_file() and not str(data).endswith(".txt"):
        ids, meta = load_token_file(data)
        return ids, tokenizer_from_dict(meta["tokenizer"], str(data)), str(data)
    if data is None:
        data = corpus_path()
    path = Path(data)
    read_text_head(path)
    if tokenizer_spec is None:
        tokenizer_spec = "char"
    if isinstance(tokenizer_spec, str):
        log(
            t(
                f"Treinando o tokenizador '{tokenizer_spec}' em {path.stat().st_size:,} bytes de "
                "texto...",
                f"Training the '{tokenizer_spec}' tokenizer on {path.stat().st_size:,} bytes of "
                "text...",
            )
        )
        tokenizer = build_tokenizer(tokenizer_spec, iter_text_chunks(path), vocab_size)
    else:
        tokenizer = tokenizer_spec
    return encode_text_file(path, tokenizer, scratch_dir), tokenizer, str(data)


def load_shard_folder(folder: str | Path, tokenizer_spec) -> tuple[ShardSet, object, str]:
    """A shard folder, memory-mapped, and its tokenizer; refused when ``tokenizer_spec`` (a
    model's tokenizer, a path, or a kind other than the shards') is another tokenizer."""
    shards = load_shards(folder)
    saved = tokenizer_from_dict(shards.tokenizer_dict, str(Path(folder) / "tokenizer.json"))
    if isinstance(tokenizer_spec, Tokenizer):
        shards.check_tokenizer(tokenizer_spec.to_dict(), ("o do modelo", "the model's"))
    elif tokenizer_spec in ("char", "word", "bpe"):
        if tokenizer_spec != shards.manifest["tokenizer"]["type"]:
            shards.check_tokenizer({}, (f"'{tokenizer_spec}'", f"'{tokenizer_spec}'"))
    elif tokenizer_spec is not None:
        spec = Path(tokenizer_spec)
        other = build_tokenizer(str(resolve_dir(spec) if spec.is_dir() else spec))
        shards.check_tokenizer(other.to_dict(), (str(tokenizer_spec), str(tokenizer_spec)))
    return shards, saved, str(folder)


def scratch_dir(out: Path) -> Path:
    """Where a run's scratch token file goes: its own folder, or the nearest one that exists (the
    run folder is only made once the data is known to be good)."""
    return next(p for p in (out, *out.resolve().parents) if p.is_dir())


def sample_prompts(val_ids: np.ndarray, tokenizer, n: int, seed: int) -> list[str]:
    """A few prompts taken from the start of lines of the validation text, so any corpus works."""
    text = tokenizer.decode([int(i) for i in val_ids[:20000]])
    lines = [ln.strip() for ln in text.splitlines() if len(ln.split()) >= 6]
    rng = random.Random(seed)
    picks = rng.sample(lines, min(n, len(lines))) if lines else []
    return [" ".join(line.split()[:4]) for line in picks]


def pretrain(
    data: str | Path | None = None,
    out: str | Path = DEFAULT_OUT,
    *,
    tokenizer: str | Tokenizer | None = None,
    vocab_size: int | None = None,
    preset: str = "tiny",
    model_overrides: dict | None = None,
    batch_size: int = 16,
    stride: int | None = None,
    val_fraction: float = 0.1,
    resume: bool = False,
    overwrite: bool = False,
    samples: int = 3,
    on_sample: Callable[[str, str], None] | None = None,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Train a GPT from scratch (or resume one) and return a summary.

    tokenizer: "char" | "word" | "bpe" (trained on the data), a saved tokenizer's path, or a
    tokenizer already built (``build_tokenizer``), used as it is; None: "char", or the shards' own
    for a shard folder (``data``), which any other tokenizer is refused for.
    training: TrainConfig fields to set (max_steps, lr, time_budget, seed, ...), as fine-tuning
    takes them; on resume they change the saved ones (None keeps a field). Returns {"val_loss",
    "train_loss", "steps", "tokens_per_second", "params", "out", "samples", ...}.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if not distributed.is_main():  # under torchrun, rank 0 speaks for all
        log, on_sample = (lambda msg: None), None
    out = Path(out)
    if distributed.is_main():  # what a killed run left behind goes first
        clean_stale(out, RUN_FILES)
    existing = resolve_dir(out) / "config.json"
    if resume:
        require_checkpoint(out)
        ckpt = load_checkpoint(out, with_trainer_state=True)
        if ckpt.trainer_state is None:
            raise UserError(
                f"{out} não tem estado de treino para retomar.",
                f"{out} holds no training state to resume.",
            )
        meta = ckpt.meta
        if meta.get("kind", "lm") != "lm":
            raise UserError(
                f"{out} não é um modelo de linguagem pré-treinado.",
                f"{out} is not a pre-trained language model.",
            )
        config = ckpt.config
        data = data if data is not None else meta["data"]["source"]
        if (
            meta["data"].get("shipped")
            and data == meta["data"]["source"]
            and not Path(data).exists()
        ):
            data = None
        ids, tok, source = load_corpus_ids(data, ckpt.tokenizer, None, log, scratch_dir(out))
        batch_size, stride, val_fraction = (
            meta["data"]["batch_size"],
            meta["data"]["stride"],
            meta["data"]["val_fraction"],
        )
        try:
            saved_cfg = TrainConfig.from_dict(ckpt.trainer_state["train_config"])
        except (KeyError, TypeError, AttributeError):
            raise damaged_state(ckpt.path) from None
        train_cfg = saved_cfg.updated(**training)
    else:
        if existing.is_file() and not overwrite:
            raise UserError(
                f"{out} já tem um checkpoint; use --resume para continuar o treino ou --overwrite "
                "para recomeçar.",
                f"{out} already holds a checkpoint; use --resume to continue training or "
                "--overwrite to start over.",
            )
        ids, tok, source = load_corpus_ids(data, tokenizer, vocab_size, log, scratch_dir(out))
        overrides = {k: v for k, v in (model_overrides or {}).items() if v is not None}
        config = preset_config(preset, vocab_size=tok.vocab_size, **overrides)
        train_cfg = TrainConfig(**preset_training(preset)).updated(**training)
    check_batch_size(batch_size)
    T = config.context_length
    if isinstance(ids, ShardSet):  # a shard folder holds its own validation shards
        val_fraction = ids.val_fraction
        train_ids, val_ids = ids.train, ids.val
    else:
        train_ids, val_ids = split_ids(ids, val_fraction)
    need = int((T + 2) / max(val_fraction, 1e-9)) if val_fraction > 0 else T + 2
    if len(train_ids) < T + 1 or (val_fraction > 0 and len(val_ids) < T + 1):
        raise UserError(
            f"o corpus tem {len(ids):,} tokens, menos que uma janela de contexto de {T} tokens "
            "para treino e validação "
            f"(são precisos ao menos {need:,}); use um texto maior ou --context menor.",
            f"the corpus has {len(ids):,} tokens, shorter than one context window of {T} tokens "
            "for training and "
            f"validation (at least {need:,} are needed); use a longer text or a smaller --context.",
        )
    if isinstance(ids, ShardSet):  # windows drawn across the memory-mapped shards
        train_batches, val_batches = ids.batches(T, batch_size, stride or T, train_cfg.seed)
    else:
        train_batches = WindowBatches(
            TokenWindows(train_ids, T, stride or T), batch_size, seed=train_cfg.seed
        )
        val_batches = (
            WindowBatches(TokenWindows(val_ids, T, T), batch_size, shuffle=False)
            if val_fraction > 0
            else None
        )

    torch.manual_seed(train_cfg.seed)
    model = GPT(config)
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "data": {
            "source": source,
            "shipped": data is None,
            "tokens": int(len(ids)),
            "batch_size": batch_size,
            "stride": stride or T,
            "val_fraction": val_fraction,
        },
    }
    n_params = model.num_parameters()
    log(
        t(
            f"Modelo: {config.n_layer} camadas, {config.n_head} cabeças, dimensão {config.n_embd}, "
            f"contexto {T}, "
            f"vocabulário {config.vocab_size}: {n_params:,} parâmetros. Dados: {len(train_ids):,} "
            "tokens de treino, "
            f"{len(val_ids):,} de validação.",
            f"Model: {config.n_layer} layers, {config.n_head} heads, dimension {config.n_embd}, "
            f"context {T}, "
            f"vocabulary {config.vocab_size}: {n_params:,} parameters. Data: {len(train_ids):,} "
            "training tokens, "
            f"{len(val_ids):,} validation tokens.",
        )
    )
    trainer = make_trainer(
        model, train_batches, val_batches, train_cfg, out, tokenizer=tok, meta=meta, log=log
    )
    result = trainer.fit(resume=resume)
    summary = {
        "val_loss": result.val_loss,
        "train_loss": result.train_loss,
        "steps": result.steps,
        "tokens_per_second": round(result.tokens_per_second, 1),
        "params": n_params,
        "out": str(out),
        "stopped_by": result.stopped_by,
        "elapsed": round(result.elapsed, 2),
        "compile_seconds": result.compile_seconds,  # None without --compile; not in "elapsed"
    }
    # a SIGTERM asks the process to end soon: no samples then
    want_samples = samples and distributed.is_main() and trainer.stop_signal != signal.SIGTERM
    summary["samples"] = (
        write_samples(
            trainer.model,
            tok,
            sample_prompts(val_ids, tok, samples, train_cfg.seed),
            train_cfg.seed,
            on_sample,
        )
        if want_samples
        else []
    )
    return summary


def write_samples(
    model: GPT, tokenizer, prompts: list[str], seed: int, on_sample=None, max_new_tokens: int = 60
):
    """Continue each prompt with the trained model, so the learner sees what it learned."""
    model.eval()
    outs = []
    for i, prompt in enumerate(prompts):
        cfg = sampling_preset("samples", max_new_tokens=max_new_tokens, seed=seed + i)
        text = generate(model, tokenizer, prompt, cfg).text
        outs.append({"prompt": prompt, "text": text})
        if on_sample:
            on_sample(prompt, text)
    return outs
