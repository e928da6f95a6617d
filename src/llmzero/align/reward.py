"""A reward model: the GPT body plus a one-number head that scores how good a response is.

It learns from the same preference pairs as DPO. With scores s_w (chosen) and s_l (rejected), the
Bradley–Terry model says P(chosen preferred) = σ(s_w − s_l); training maximises that probability:

    loss = −log σ(s_w − s_l)

Only differences of scores matter, so a score means something only beside another score for the
same prompt. The score is read at the last real token of prompt + response ("last" pooling: under
causal attention that position has seen everything), or averaged over every token ("mean").

    train_reward("runs/instrucoes", out="runs/recompensa")
    scorer = load_reward_model("runs/recompensa")
    scorer.score([{"instruction": "Diga oi.", "input": ""}], ["Olá! Tudo bem?"])   # [1.7]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from llmzero.align.preferences import (
    DEFAULT_SPLIT,
    PairBatches,
    load_pair_splits,
)
from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, t
from llmzero.finetune.common import open_base
from llmzero.finetune.instruct import pad_id
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template
from llmzero.model.classifier import GPTClassifier, check_pooling
from llmzero.tokenizers.base import EOT
from llmzero.training.distributed import make_trainer
from llmzero.training.trainer import TrainConfig, check_batch_size

# A reward model starts from a trained GPT, its head from scratch; past a few epochs of a small
# preference set it memorises the training pairs.
REWARD_TRAINING = TrainConfig(
    max_steps=150, lr=3e-4, warmup_steps=10, eval_every=25, eval_batches=20
)
MIN_TRAIN_PAIRS = 2


def bradley_terry_loss(chosen_scores: torch.Tensor, rejected_scores: torch.Tensor) -> torch.Tensor:
    """mean(−log σ(chosen − rejected)): the Bradley–Terry negative log-likelihood of the
    preferences."""
    return -F.logsigmoid(chosen_scores - rejected_scores).mean()


def pair_scores(model: GPTClassifier, batch: tuple) -> torch.Tensor:
    """One score per row of a PairBatches batch, read at each row's last real token (or pooled)."""
    inputs, _, _, lengths = batch
    return model(inputs, lengths).squeeze(-1).float()


def reward_loss(model: GPTClassifier, batch: tuple) -> torch.Tensor:
    """The Trainer's loss: Bradley–Terry on a PairBatches batch (chosen rows 2i, rejected 2i+1)."""
    scores = pair_scores(model, batch)
    return bradley_terry_loss(scores[0::2], scores[1::2])


@torch.no_grad()
def reward_metrics(model: GPTClassifier, batches: PairBatches) -> dict:
    """Pair accuracy (share of pairs where the chosen response scores higher) and mean margin."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    chosen, rejected = [], []
    for batch in batches.iterate():
        scores = pair_scores(model, tuple(b.to(device) for b in batch)).cpu()
        chosen.append(scores[0::2])
        rejected.append(scores[1::2])
    model.train(was_training)
    chosen, rejected = torch.cat(chosen), torch.cat(rejected)
    return {
        "accuracy": float((chosen > rejected).float().mean()),
        "margin": float((chosen - rejected).mean()),
        "loss": float(bradley_terry_loss(chosen, rejected)),
        "pairs": len(chosen),
    }


def train_reward(
    base: str | Path,
    data: str | Path | None = None,
    out: str | Path = "runs/reward",
    *,
    batch_size: int = 8,
    too_long: str | None = None,
    split: Sequence[float] = DEFAULT_SPLIT,
    pooling: str = "last",
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Train a reward model from the "lm" checkpoint ``base`` on preference pairs ``data``
    (default: the shipped pt-BR pairs); every weight learns.

    pooling: "last" | "mean"; too_long: "error" | "truncate" | "skip" (default: skip in the
    shipped pairs, error in a file of yours); training: TrainConfig fields (max_steps, lr, ...).
    Writes out/checkpoint (kind "reward"), out/metrics.jsonl and out/loss.png; returns the
    validation and test pair accuracy.
    """
    started = time.perf_counter()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    check_pooling(pooling)
    cfg = REWARD_TRAINING.updated(**training)
    check_batch_size(batch_size)
    base_ckpt = open_base(base, out, overwrite)
    tok, config = base_ckpt.tokenizer, base_ckpt.config
    pairs = load_pair_splits(
        data,
        tok,
        base_ckpt.meta,
        config.context_length,
        seed=cfg.seed,
        split=split,
        too_long=too_long,
        min_train=MIN_TRAIN_PAIRS,
        who=("o modelo de recompensa", "the reward model"),
    )
    tpl, system, too_long = pairs.template, pairs.system, pairs.too_long
    train_enc, val_enc, test_enc = pairs.train, pairs.val, pairs.test

    torch.manual_seed(cfg.seed)
    model = GPTClassifier(config, 1, pooling, gpt=base_ckpt.model)
    model.requires_grad_(True)
    pad = pad_id(tok)
    train_b = PairBatches(train_enc, batch_size, pad, seed=cfg.seed, shuffle=True)
    val_b = PairBatches(val_enc, batch_size, pad, shuffle=False)
    test_b = PairBatches(test_enc, batch_size, pad, shuffle=False) if test_enc else None
    before = reward_metrics(model, val_b)
    n_long = pairs.long
    total = sum(p.numel() for p in model.parameters())
    meta = {
        "kind": "reward",
        "model": config.to_dict(),
        "pooling": pooling,
        "template": tpl.name,
        "system_prompt": system,
        "base": str(base_ckpt.path),
        "data": {
            "source": str(pairs.source),
            "shipped": data is None,
            "train": len(train_enc),
            "validation": len(val_enc),
            "test": len(test_enc),
            "seed": cfg.seed,
            "split": list(split),
            "too_long": too_long,
            "long_pairs": n_long,
            "batch_size": batch_size,
        },
    }
    long_pt = f" ({n_long} longos demais: {too_long})" if n_long else ""
    long_en = f" ({n_long} too long: {too_long})" if n_long else ""
    log(
        t(
            f"Modelo de recompensa (pooling {pooling}, formato '{tpl.name}'). Pares: "
            f"{len(train_enc)} treino, {len(val_enc)} validação, {len(test_enc)} teste{long_pt}. "
            f"Treinando {total:,} parâmetros.",
            f"Reward model (pooling {pooling}, template '{tpl.name}'). Pairs: {len(train_enc)} "
            f"training, {len(val_enc)} validation, {len(test_enc)} test{long_en}. "
            f"Training {total:,} parameters.",
        )
    )

    def val_metrics(m: nn.Module) -> dict:
        found = reward_metrics(m, val_b)
        return {"val_pair_accuracy": found["accuracy"], "val_margin": found["margin"]}

    trainer = make_trainer(
        model,
        train_b,
        val_b,
        cfg,
        out,
        tokenizer=tok,
        meta=meta,
        loss_fn=reward_loss,
        extra_eval=val_metrics,
        log=log,
    )
    result = trainer.fit()
    model = trainer.model
    after = reward_metrics(model, val_b)
    test = reward_metrics(model, test_b) if test_b is not None else None
    return {
        "val_accuracy_before": before["accuracy"],
        "val_accuracy": after["accuracy"],
        "val_margin": after["margin"],
        "test_accuracy": test["accuracy"] if test else None,
        "test_margin": test["margin"] if test else None,
        "validation": after,
        "test": test,
        "train_loss": result.train_loss,
        "val_loss": result.val_loss,
        "steps": result.steps,
        "elapsed": round(result.elapsed, 2),
        "wall_time": round(time.perf_counter() - started, 2),
        "stopped_by": result.stopped_by,
        "pooling": pooling,
        "template": tpl.name,
        "train_pairs": len(train_enc),
        "val_pairs": len(val_enc),
        "test_pairs": len(test_enc),
        "long_pairs": n_long,
        "total_parameters": total,
        "out": str(out),
        "checkpoint": str(out / "checkpoint"),
        "metrics": str(out / "metrics.jsonl"),
        "loss_plot": str(out / "loss.png"),
    }


# -- scoring ---------------------------------------------------------------------------------------


def _prompt_example(prompt) -> dict:
    """A prompt as the template reads it: a dict {"instruction", "input"?}, a Preference-like
    object, or a plain instruction."""
    if isinstance(prompt, str):
        return {"instruction": prompt, "input": ""}
    if isinstance(prompt, Mapping):
        return {"instruction": prompt.get("instruction") or "", "input": prompt.get("input") or ""}
    return {
        "instruction": getattr(prompt, "instruction", "") or "",
        "input": getattr(prompt, "input", "") or "",
    }


class RewardScorer:
    """A trained reward model ready to score (prompt, response) pairs, formatted exactly as in
    training."""

    def __init__(
        self,
        model: GPTClassifier,
        tokenizer,
        template: Template,
        system: str | None = None,
        path: str | Path | None = None,
    ):
        self.model, self.tokenizer, self.template = model.eval(), tokenizer, template
        self.system, self.path = system, path
        self.pad = pad_id(tokenizer)

    @property
    def context_length(self) -> int:
        return self.model.config.context_length

    def encode(self, prompt, response: str) -> list[int]:
        """prompt + response + end marker as token ids, the prompt and response tokenized apart
        (as in training); cut to the context, keeping the beginning (as --truncate does)."""
        example = _prompt_example(prompt)
        if self.system:
            example["system"] = self.system
        ids = self.tokenizer.encode(self.template.format_prompt(example))
        ids += self.tokenizer.encode(self.template.format_response({"output": response}))
        return ids[: self.context_length]

    @torch.no_grad()
    def score(
        self, prompts: Sequence, responses: Sequence[str], batch_size: int = 16
    ) -> list[float]:
        """One score per (prompt, response); prompts are dicts {"instruction", "input"} or plain
        instruction texts. Higher is better; compare scores of the same prompt."""
        if len(prompts) != len(responses):
            raise UserError(
                f"{len(prompts)} prompts e {len(responses)} respostas: é preciso um de cada.",
                f"{len(prompts)} prompts and {len(responses)} responses: one of each is needed.",
            )
        device = next(self.model.parameters()).device
        encoded = [self.encode(p, r) for p, r in zip(prompts, responses)]
        scores: list[float] = []
        for start in range(0, len(encoded), batch_size):
            chunk = encoded[start : start + batch_size]
            width = max(len(ids) for ids in chunk)
            idx = torch.full((len(chunk), width), self.pad, dtype=torch.long)
            for row, ids in enumerate(chunk):
                idx[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            lengths = torch.tensor([len(ids) for ids in chunk], dtype=torch.long)
            out = self.model(idx.to(device), lengths.to(device)).squeeze(-1).float()
            scores += out.cpu().tolist()
        return scores


def load_reward_model(path: str | Path, device: str | torch.device = "cpu") -> RewardScorer:
    """The reward model saved by ``train_reward`` in ``path``, ready to score."""
    ckpt = load_checkpoint(path, kinds=("reward",), device=device)
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    template = get_template(ckpt.meta.get("template") or DEFAULT_TEMPLATE, ckpt.tokenizer)
    return RewardScorer(
        ckpt.model, ckpt.tokenizer, template, ckpt.meta.get("system_prompt"), ckpt.path
    )


# Texts both tokenizers must cut the same way: accents, digits, punctuation, markers, end of text.
PROBES = (
    "### comando:\nExplique a fotossíntese.\n\n### resposta:\n",
    "Olá! Ação, coração e 1234 pães às 7h.",
    "<|user|>\nHello, world?" + EOT,
)


def check_compatible(scorer: RewardScorer, tokenizer) -> None:
    """Refuse a reward model whose tokenizer is not the policy's ``tokenizer`` (the scores would
    be of other token ids)."""
    mine, theirs = scorer.tokenizer.vocab_size, tokenizer.vocab_size
    same = mine == theirs and all(
        scorer.tokenizer.encode(text) == tokenizer.encode(text) for text in PROBES
    )
    if not same:
        where = scorer.path or t("o modelo de recompensa", "the reward model")
        raise UserError(
            f"{where} usa outro tokenizador que a política (vocabulários de {mine} e {theirs} "
            "tokens, ou textos cortados de outro jeito); treine o modelo de recompensa a partir "
            "do mesmo modelo base.",
            f"{where} uses another tokenizer than the policy (vocabularies of {mine} and "
            f"{theirs} tokens, or texts cut differently); train the reward model from the same "
            "base model.",
        )
