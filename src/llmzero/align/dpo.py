"""DPO (Direct Preference Optimization): an instruction-tuned GPT learns to prefer the chosen
response of each pair over the rejected one, with no reward model and no sampling.

For a pair (x, y_w chosen, y_l rejected), the *policy* π (being trained) and the frozen
*reference* π_ref (the SFT model it starts from) each give log p(y | x), the sum of the response
tokens' log-probabilities. DPO's implicit reward of a response is how much more likely the policy
makes it than the reference did, scaled by β:

    r(y) = β · (log π(y | x) − log π_ref(y | x))
    loss = −log σ(r(y_w) − r(y_l))

The loss pushes the chosen response up and the rejected one down, *relative to where the SFT model
had them*, so the policy is held near the reference (β small: it may move further). At step 0 the
policy is the reference: both rewards are 0 and the loss is log 2.

    align_dpo("runs/instrucoes", out="runs/dpo")         # the shipped pt-BR preference pairs
    align_dpo("runs/instrucoes", "pares.jsonl", "runs/dpo", beta=0.2, lora={"rank": 8})
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from llmzero.align.preferences import (
    DEFAULT_SPLIT,
    EncodedPair,
    PairBatches,
    batch_logprobs,
    load_pair_splits,
)
from llmzero.checkpoint import damaged_state, load_checkpoint, require_checkpoint
from llmzero.errors import UserError, t
from llmzero.finetune.common import open_base, save_merged_lora
from llmzero.finetune.instruct import pad_id
from llmzero.model.gpt import CausalSelfAttention
from llmzero.model.lora import apply_lora, lora_settings
from llmzero.plots import figure, save_figure
from llmzero.training.distributed import make_trainer
from llmzero.training.trainer import TrainConfig, check_batch_size, pick_device

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_BETA = 0.1
# Few steps and a gentle learning rate: DPO nudges a model that already answers, and large steps
# push the log-probs of both responses down (the chosen one too) while the margin still grows.
DPO_TRAINING = TrainConfig(max_steps=150, lr=2e-4, warmup_steps=10, eval_every=25, eval_batches=20)
MIN_TRAIN_PAIRS = 2


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, chosen_rewards, rejected_rewards) for per-pair summed log-probs.

    rewards = beta · (policy − reference), detached (they are for reporting);
    loss = mean(−log σ(chosen_rewards − rejected_rewards)).
    """
    chosen = beta * (policy_chosen - ref_chosen)
    rejected = beta * (policy_rejected - ref_rejected)
    loss = -F.logsigmoid(chosen - rejected).mean()
    return loss, chosen.detach(), rejected.detach()


@torch.no_grad()
def reference_logprobs(
    model: nn.Module, pairs: Sequence[EncodedPair], pad: int = 0, batch_size: int = 16
) -> torch.Tensor:
    """(len(pairs), 2): log π_ref(chosen), log π_ref(rejected) of every pair, computed once.

    Cached per pair rather than per batch: the reference never changes, so one pass replaces a
    second forward at every step and no frozen copy of the model stays in memory while training.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    table = torch.zeros(len(pairs), 2)
    for batch in PairBatches(pairs, batch_size, pad, shuffle=False).iterate():
        logps = batch_logprobs(model, tuple(b.to(device) for b in batch)).float().cpu()
        index = batch[2][0::2]
        table[index, 0], table[index, 1] = logps[0::2], logps[1::2]
    model.train(was_training)
    return table


def dpo_loss_fn(ref: torch.Tensor, beta: float) -> Callable[[nn.Module, tuple], torch.Tensor]:
    """The Trainer's loss: DPO on a PairBatches batch, the reference read from the cached table."""

    def loss_fn(model: nn.Module, batch: tuple) -> torch.Tensor:
        logps = batch_logprobs(model, batch)
        refs = ref.to(logps.device)[batch[2][0::2]]
        return dpo_loss(logps[0::2], logps[1::2], refs[:, 0], refs[:, 1], beta)[0]

    return loss_fn


@torch.no_grad()
def preference_metrics(
    model: nn.Module, batches: PairBatches, ref: torch.Tensor, beta: float
) -> dict:
    """How the policy ranks every pair of ``batches``: DPO loss, mean rewards, reward margin,
    reward accuracy (chosen reward > rejected), mean log-probs, and the log-prob accuracy
    (log π(chosen) > log π(rejected): the model's own preference, with no reference)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    pc, pr = [], []
    for batch in batches.iterate():
        logps = batch_logprobs(model, tuple(b.to(device) for b in batch)).float().cpu()
        pc.append(logps[0::2])
        pr.append(logps[1::2])
    model.train(was_training)
    pc, pr = torch.cat(pc), torch.cat(pr)
    first = batches.first_index
    refs = ref[first : first + len(batches)]
    loss, chosen, rejected = dpo_loss(pc, pr, refs[:, 0], refs[:, 1], beta)
    return {
        "dpo_loss": float(loss),
        "chosen_reward": float(chosen.mean()),
        "rejected_reward": float(rejected.mean()),
        "margin": float((chosen - rejected).mean()),
        "accuracy": float((chosen > rejected).float().mean()),
        "chosen_logp": float(pc.mean()),
        "rejected_logp": float(pr.mean()),
        "logp_accuracy": float((pc > pr).float().mean()),
        "logp_margin": float((pc - pr).mean()),
        "pairs": len(pc),
    }


def reference_metrics(batches: PairBatches, ref: torch.Tensor, beta: float) -> dict:
    """preference_metrics of the reference itself (the policy before DPO), from the table alone:
    rewards and margin are 0 by definition, accuracy counts no ties, the log-prob accuracy is the
    SFT model's implicit preference."""
    first = batches.first_index
    refs = ref[first : first + len(batches)]
    pc, pr = refs[:, 0], refs[:, 1]
    return {
        "dpo_loss": math.log(2.0),
        "chosen_reward": 0.0,
        "rejected_reward": 0.0,
        "margin": 0.0,
        "accuracy": 0.0,
        "chosen_logp": float(pc.mean()),
        "rejected_logp": float(pr.mean()),
        "logp_accuracy": float((pc > pr).float().mean()),
        "logp_margin": float((pc - pr).mean()),
        "pairs": len(pc),
    }


def disable_dropout(model: nn.Module) -> nn.Module:
    """Dropout off: the policy's log-probs must be comparable with the reference's, which were
    computed without it (the saved config keeps its dropout for later training)."""
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
        elif isinstance(m, CausalSelfAttention):
            m.dropout = 0.0
    return model


def plot_dpo(history: list[dict], before_accuracy: float | None = None) -> Figure:
    """The picture in dpo.png: the validation reward margin and preference accuracy against
    steps."""
    fig, (left, right) = figure(1, 2, figsize=(11, 4))
    rows = [r for r in history if r.get("val_margin") is not None]
    steps = [r["step"] for r in rows]
    # at step 0 the policy is the reference: the margin is 0 (the reward accuracy, all ties, is
    # left out; the dotted line gives the SFT model's own preference instead)
    left.plot(
        [0] + steps,
        [0.0] + [r["val_margin"] for r in rows],
        marker="o",
        markersize=3,
        color="tab:green",
    )
    left.axhline(0.0, color="grey", linewidth=0.8)
    left.set_xlabel(t("passo", "step"))
    left.set_ylabel(t("margem de recompensa (escolhida − rejeitada)", "reward margin"))
    left.set_title(t("Margem de recompensa (validação)", "Reward margin (validation)"))
    right.plot(
        steps,
        [r["val_pref_accuracy"] for r in rows],
        marker="o",
        markersize=3,
        label=t("recompensa: escolhida > rejeitada", "reward: chosen > rejected"),
    )
    right.plot(
        steps,
        [r["val_logp_accuracy"] for r in rows],
        marker="s",
        markersize=3,
        linestyle="--",
        label=t("log-prob: escolhida > rejeitada", "log-prob: chosen > rejected"),
    )
    if before_accuracy is not None:
        right.axhline(
            before_accuracy,
            color="grey",
            linestyle=":",
            label=t("log-prob antes do DPO (SFT)", "log-prob before DPO (SFT)"),
        )
    right.set_ylim(-0.02, 1.02)
    right.set_xlabel(t("passo", "step"))
    right.set_ylabel(t("acurácia de preferência", "preference accuracy"))
    right.set_title(t("Acurácia de preferência (validação)", "Preference accuracy (validation)"))
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return fig


def _saved_run(out: Path) -> tuple[dict, TrainConfig]:
    """The settings (beta, lora, base, data) and training config of the DPO run in ``out``, to
    resume it."""
    require_checkpoint(out)
    ckpt = load_checkpoint(out, kinds=("lm",), with_trainer_state=True)
    if ckpt.meta.get("stage") != "dpo" or ckpt.trainer_state is None:
        raise UserError(
            f"{out} não tem um treino DPO para retomar.", f"{out} holds no DPO run to resume."
        )
    try:
        meta, data = ckpt.meta, ckpt.meta["data"]
        settings = {
            "beta": float(meta["beta"]),
            "lora": meta.get("lora"),
            "base": str(meta["base"]),
            "batch_size": int(data["batch_size"]),
            "too_long": str(data["too_long"]),
            "split": tuple(data["split"]),
            "data": None if data.get("shipped") else str(data["source"]),
        }
        return settings, TrainConfig.from_dict(ckpt.trainer_state["train_config"])
    except (KeyError, TypeError, ValueError):
        raise damaged_state(ckpt.path) from None


def align_dpo(
    base: str | Path,
    data: str | Path | None = None,
    out: str | Path = "runs/dpo",
    *,
    beta: float = DEFAULT_BETA,
    lora: dict | None = None,
    batch_size: int = 8,
    too_long: str | None = None,
    split: Sequence[float] = DEFAULT_SPLIT,
    resume: bool = False,
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Align the instruction-tuned "lm" checkpoint ``base`` with DPO on preference pairs ``data``
    (default: the shipped pt-BR pairs).

    beta: how far the policy may move from the reference (smaller: further); lora: {"rank",
    "alpha", "targets"?, "dropout"?} trains adapters instead of every weight; too_long: "error" |
    "truncate" | "skip" (default: skip in the shipped pairs, error in a file of yours); resume:
    continue the run in ``out`` (its settings are kept; training fields given here change them);
    training: TrainConfig fields (max_steps, lr, seed, ...).
    Writes out/checkpoint (kind "lm", stage "dpo"), out/metrics.jsonl, out/loss.png, out/dpo.png
    and, with LoRA, out/adapter/.
    """
    started = time.perf_counter()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    cfg = DPO_TRAINING.updated(**training)
    if resume:
        saved, saved_cfg = _saved_run(out)
        cfg = saved_cfg.updated(**training)
        beta, lora_meta, batch_size = saved["beta"], saved["lora"], saved["batch_size"]
        too_long, split = saved["too_long"], saved["split"]
        data = data if data is not None else saved["data"]
    else:
        lora_meta = lora_settings(lora)
    check_batch_size(batch_size)
    if not beta > 0:
        raise UserError(
            f"beta precisa ser positivo (recebeu {beta}).", f"beta must be positive (got {beta})."
        )
    base_ckpt = open_base(base, out, overwrite or resume)
    if resume and base_ckpt.path.resolve() != Path(saved["base"]).resolve():
        raise UserError(
            f"{out} foi treinado a partir de {saved['base']}, não de {base_ckpt.path}; "
            "retome com o mesmo modelo base.",
            f"{out} was trained from {saved['base']}, not {base_ckpt.path}; resume with the "
            "same base model.",
        )
    tok, config, model = base_ckpt.tokenizer, base_ckpt.config, base_ckpt.model
    base_meta = base_ckpt.meta
    if base_meta.get("stage") != "instruct":
        log(
            t(
                f"Aviso: {base_ckpt.path} não passou por ajuste de instruções (stage "
                f"{base_meta.get('stage')!r}); o DPO funciona melhor a partir de um modelo que já "
                "responde a comandos.",
                f"Warning: {base_ckpt.path} is not instruction-tuned (stage "
                f"{base_meta.get('stage')!r}); DPO works best from a model that already answers "
                "instructions.",
            )
        )
    pairs = load_pair_splits(
        data,
        tok,
        base_meta,
        config.context_length,
        seed=cfg.seed,
        split=split,
        too_long=too_long,
        min_train=MIN_TRAIN_PAIRS,
        who=("o DPO", "DPO"),
    )
    tpl, system, too_long = pairs.template, pairs.system, pairs.too_long
    train_enc, val_enc, test_enc = pairs.train, pairs.val, pairs.test

    pad = pad_id(tok)
    n_train, n_val = len(train_enc), len(val_enc)
    all_pairs = train_enc + val_enc + test_enc
    log(
        t(
            f"Calculando uma vez as log-probabilidades de referência de {len(all_pairs)} pares.",
            f"Computing the reference log-probabilities of {len(all_pairs)} pairs, once.",
        )
    )
    model.to(pick_device(cfg.device))  # where the Trainer will put it
    ref = reference_logprobs(model, all_pairs, pad, max(batch_size, 16))
    train_b = PairBatches(train_enc, batch_size, pad, seed=cfg.seed, shuffle=True)
    val_b = PairBatches(val_enc, batch_size, pad, shuffle=False, first_index=n_train)
    test_b = (
        PairBatches(test_enc, batch_size, pad, shuffle=False, first_index=n_train + n_val)
        if test_enc
        else None
    )
    before = reference_metrics(val_b, ref, beta)

    torch.manual_seed(cfg.seed)
    disable_dropout(model)
    if lora_meta:
        apply_lora(
            model,
            lora_meta["rank"],
            lora_meta["alpha"],
            lora_meta["targets"],
            lora_meta["dropout"],
            keep_trainable=(),
        )
    else:
        model.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    n_long = pairs.long
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "stage": "dpo",
        "template": tpl.name,
        "system_prompt": system,
        "beta": beta,
        "base": str(base_ckpt.path),
        "lora": lora_meta,
        "data": {
            "source": str(pairs.source),
            "shipped": data is None,
            "train": n_train,
            "validation": n_val,
            "test": len(test_enc),
            "seed": cfg.seed,
            "split": list(split),
            "split_from": pairs.split_from,
            "too_long": too_long,
            "long_pairs": n_long,
            "batch_size": batch_size,
        },
    }
    what = f"LoRA r={lora_meta['rank']}" if lora_meta else t("todos os pesos", "all weights")
    long_pt = f" ({n_long} longos demais: {too_long})" if n_long else ""
    long_en = f" ({n_long} too long: {too_long})" if n_long else ""
    log(
        t(
            f"DPO com beta={beta}, formato '{tpl.name}'. Pares: {n_train} treino, {n_val} "
            f"validação, {len(test_enc)} teste{long_pt}. Antes do DPO o modelo já prefere a "
            f"resposta escolhida em {before['logp_accuracy']:.0%} dos pares de validação. "
            f"Treinando {trainable:,} de {total:,} parâmetros ({what}).",
            f"DPO with beta={beta}, template '{tpl.name}'. Pairs: {n_train} training, {n_val} "
            f"validation, {len(test_enc)} test{long_en}. Before DPO the model already prefers the "
            f"chosen response in {before['logp_accuracy']:.0%} of the validation pairs. "
            f"Training {trainable:,} of {total:,} parameters ({what}).",
        )
    )

    def val_metrics(m: nn.Module) -> dict:
        found = preference_metrics(m, val_b, ref, beta)
        return {
            "val_dpo_loss": found["dpo_loss"],
            "val_chosen_reward": found["chosen_reward"],
            "val_rejected_reward": found["rejected_reward"],
            "val_margin": found["margin"],
            "val_pref_accuracy": found["accuracy"],
            "val_chosen_logp": found["chosen_logp"],
            "val_rejected_logp": found["rejected_logp"],
            "val_logp_accuracy": found["logp_accuracy"],
        }

    trainer = make_trainer(
        model,
        train_b,
        val_b,
        cfg,
        out,
        tokenizer=tok,
        meta=meta,
        loss_fn=dpo_loss_fn(ref, beta),
        extra_eval=val_metrics,
        log=log,
    )
    result = trainer.fit(resume=resume)
    model = trainer.model
    if lora_meta:
        save_merged_lora(
            model,
            out,
            tok,
            meta,
            base=base_ckpt.path,
            extra={"template": tpl.name, "stage": "dpo", "beta": beta},
            steps=result.steps,
        )
    after = preference_metrics(model, val_b, ref, beta)
    test = preference_metrics(model, test_b, ref, beta) if test_b is not None else None
    save_figure(plot_dpo(result.history, before["logp_accuracy"]), out / "dpo.png")
    return {
        "beta": beta,
        "before": before,
        "after": after,
        "test": test,
        "val_accuracy_before": before["logp_accuracy"],
        "val_accuracy_after": after["accuracy"],
        "val_logp_accuracy_after": after["logp_accuracy"],
        "val_margin_after": after["margin"],
        "train_loss": result.train_loss,
        "val_loss": result.val_loss,
        "steps": result.steps,
        "elapsed": round(result.elapsed, 2),
        "wall_time": round(time.perf_counter() - started, 2),
        "stopped_by": result.stopped_by,
        "template": tpl.name,
        "train_pairs": n_train,
        "val_pairs": n_val,
        "test_pairs": len(test_enc),
        "long_pairs": n_long,
        "trainable_parameters": trainable,
        "total_parameters": total,
        "out": str(out),
        "checkpoint": str(out / "checkpoint"),
        "metrics": str(out / "metrics.jsonl"),
        "loss_plot": str(out / "loss.png"),
        "dpo_plot": str(out / "dpo.png"),
        "adapter": str(out / "adapter") if lora_meta else None,
    }
