"""Reinforcement learning from a reward: a small GRPO loop on the one Trainer.

Instruction tuning shows the model good answers; reinforcement learning lets it try, scores what it
wrote, and makes the better tries more likely. One step of GRPO (group relative policy
optimisation, the recipe of DeepSeekMath and nanochat's RL stage):

1. **rollouts**: for each of ``prompts_per_step`` prompts, sample ``group_size`` answers from the
   current model (the *policy*) at ``temperature``, until the end marker or ``max_new_tokens``;
2. **rewards**: score every answer (the arithmetic checker, a reward model, any ``.score``);
3. **advantages**: each reward minus the mean of its own group (divided by the group's spread with
   ``normalize``): an answer is good *compared with the other tries at the same prompt*, so no
   value network is needed;
4. **loss**: the PPO clipped surrogate on every answer token, ``-min(ratio·A, clip(ratio)·A)`` with
   ``ratio = p_now / p_at_sampling``, plus ``kl_coef`` times a per-token KL estimate to the
   *reference* (the starting model), which keeps the policy from drifting into gibberish that
   happens to score.

Here each batch of rollouts gets one gradient step, so at that step the policy *is* the sampling
policy: the ratio is 1 and the clip never binds (standard GRPO with one inner step; the clip matters
only with several steps per batch). The loss value then mostly shows the KL term: watch the reward,
not the loss. The reference is a frozen copy of the starting weights kept in memory, fine for the
small models this workbench trains. Dropout is off while learning, so the ratio compares the same
function.

    align_rl("runs/instrucoes", out="runs/rl")            # the arithmetic reward, pt-BR sums
    align_rl("runs/instrucoes", reward="runs/recompensa")  # a reward model's scores

Writes out/checkpoint (stage "rl"), metrics.jsonl, loss.png, rl.png (reward and KL per step) and
samples.jsonl (greedy answers to a few held-out prompts at every evaluation).
"""

from __future__ import annotations

import copy
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import torch

from llmzero.align.arithmetic import (
    ArithmeticScorer,
    arithmetic_prompts,
    is_correct,
    question_pool,
)
from llmzero.checkpoint import resolve_dir
from llmzero.data.files import bad_record, json_records, read_user_text
from llmzero.errors import UserError, t
from llmzero.fileio import write_text_atomic
from llmzero.finetune.common import open_base
from llmzero.finetune.instruct import (
    answer_batch,
    default_data_path,
    pad_id,
    read_instructions,
    split_examples,
)
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template, stop_strings
from llmzero.generation import TextStream, generate_batch
from llmzero.plots import figure, save_figure
from llmzero.sampling import SamplingConfig
from llmzero.training.distributed import env as dist_env
from llmzero.training.trainer import TrainConfig, Trainer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Few steps, a gentle learning rate and no weight decay: RL nudges a model that already answers,
# and decay would pull every weight toward zero, away from the reference, for no reward.
RL_TRAINING = TrainConfig(
    max_steps=200,
    lr=1e-4,
    warmup_steps=10,
    weight_decay=0.0,
    eval_every=25,
    eval_batches=1,
    checkpoint_every=100,
)
SAMPLES_FILE, PLOT_FILE = "samples.jsonl", "rl.png"
SAMPLES_PER_EVAL = 4  # held-out prompts whose greedy answers go to samples.jsonl
ALIGNED_STAGES = ("instruct", "dpo", "rl")  # a base that already answers requests


# -- the formulas ----------------------------------------------------------------------------------


def group_advantages(
    rewards: Sequence[float] | torch.Tensor,
    group_size: int,
    normalize: bool = True,
    eps: float = 1e-6,
) -> torch.Tensor:
    """Each reward minus the mean of its group (consecutive runs of ``group_size``).

    With ``normalize`` the difference is divided by the group's standard deviation (population,
    ``+ eps``); a group whose rewards are all equal gets zeros: it teaches nothing.
    """
    r = torch.as_tensor(rewards, dtype=torch.float32)
    if r.dim() != 1 or group_size < 1 or r.numel() % group_size:
        raise ValueError(f"{r.numel()} rewards do not split into groups of {group_size}")
    groups = r.view(-1, group_size)
    adv = groups - groups.mean(dim=1, keepdim=True)
    if normalize:
        adv = adv / (groups.std(dim=1, unbiased=False, keepdim=True) + eps)
    return adv.reshape(-1)


def kl_penalty(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Per-token KL estimate to the reference (Schulman's k3): exp(d) - d - 1 with d = ref - logp.

    Never negative, 0 exactly where the two log-probabilities agree, and unbiased for KL(policy ||
    reference) when the tokens were sampled from the policy.
    """
    d = ref_logp - logp
    return torch.exp(d) - d - 1.0


def policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip: float = 0.2,
    kl_coef: float = 0.05,
) -> tuple[torch.Tensor, dict]:
    """The GRPO loss and its statistics {"kl", "clip_fraction"}.

    logp, old_logp, ref_logp, mask: (samples, tokens), the log-probability of each answer token
    now, at sampling time and under the reference; mask is 1 on answer tokens and 0 on prompt and
    padding. advantages: (samples,). Per token: -min(ratio·A, clip(ratio, 1-clip, 1+clip)·A) +
    kl_coef·kl; averaged over each sample's answer tokens, then over the samples that have any.
    """
    keep = mask.bool()
    ratio = torch.exp(logp - old_logp)
    adv = advantages.to(logp.dtype).unsqueeze(1)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1.0 - clip, 1.0 + clip) * adv)
    kl = kl_penalty(logp, ref_logp)
    per_token = torch.where(keep, -surrogate + kl_coef * kl, torch.zeros_like(logp))
    counts = keep.sum(dim=1)
    has = counts > 0
    per_sample = per_token.sum(dim=1) / counts.clamp(min=1)
    loss = per_sample[has].mean() if bool(has.any()) else per_token.sum() * 0.0
    with torch.no_grad():
        kl_sample = torch.where(keep, kl, torch.zeros_like(kl)).sum(1) / counts.clamp(min=1)
        clipped = keep & ((ratio - 1.0).abs() > clip)
        stats = {
            "kl": float(kl_sample[has].mean()) if bool(has.any()) else 0.0,
            "clip_fraction": float(clipped.sum()) / max(int(counts.sum()), 1),
        }
    return loss, stats


def token_logprobs(model: torch.nn.Module, seqs: torch.Tensor) -> torch.Tensor:
    """log p(seqs[:, j + 1] | seqs[:, :j + 1]) for every j: shape (batch, length - 1)."""
    logits = model(seqs).logits[:, :-1].float()
    return torch.log_softmax(logits, dim=-1).gather(-1, seqs[:, 1:, None]).squeeze(-1)


def _logprobs_eval(model: torch.nn.Module, seqs: torch.Tensor) -> torch.Tensor:
    """token_logprobs with dropout off (eval mode), the model's mode restored after."""
    was_training = model.training
    model.eval()
    try:
        return token_logprobs(model, seqs)
    finally:
        model.train(was_training)


# -- sampling --------------------------------------------------------------------------------------


@dataclass
class Sampled:
    """One sampled answer: the tokens the model chose (the end token or stop marker included) and
    its text (cut before any stop marker, stripped)."""

    prompt: object
    prompt_ids: list[int]
    response_ids: list[int]
    text: str
    ended: str  # "eos" | "stop" | "length"


def as_prompt(prompt) -> dict:
    """{"instruction", "input"} of a dict, an object with those fields, or a plain string."""
    if isinstance(prompt, str):
        return {"instruction": prompt, "input": ""}
    get = prompt.get if isinstance(prompt, dict) else (lambda k, d=None: getattr(prompt, k, d))
    return {"instruction": get("instruction", "") or "", "input": get("input", "") or ""}


def sample_responses(
    model: torch.nn.Module,
    tokenizer,
    template: Template,
    prompts: Sequence,
    n: int,
    *,
    max_new_tokens: int,
    temperature: float,
    seed: int,
) -> list[Sampled]:
    """``n`` sampled answers to each prompt, the n of one prompt next to each other, in one batch.

    A prompt longer than the context allows is cut from the left (its end holds the answer marker).
    """
    ctx = model.config.context_length
    room = ctx - max_new_tokens
    if room < 1:
        raise UserError(
            f"max_new_tokens ({max_new_tokens}) precisa ser menor que o contexto do modelo "
            f"({ctx}).",
            f"max_new_tokens ({max_new_tokens}) must be smaller than the model's context ({ctx}).",
        )
    eos = getattr(tokenizer, "eot_id", None)
    stops = stop_strings(template, tokenizer)
    if eos is None and template.end.strip() == "" and template.end:
        stops.append(template.end)  # a newline-ended template: the newline ends the answer
    cfg = SamplingConfig(
        max_new_tokens=max_new_tokens, temperature=temperature, seed=seed, eos_id=eos
    )
    encoded = [
        tokenizer.encode(template.format_prompt(p))[-room:] or [pad_id(tokenizer)] for p in prompts
    ]
    rows = [(p, ids) for p, ids in zip(prompts, encoded) for _ in range(n)]
    news = generate_batch(model, [ids for _, ids in rows], cfg)
    out = []
    for (prompt, ids), new in zip(rows, news):
        stream, kept, ended = TextStream(tokenizer, stops, context_ids=ids[-4:]), [], "length"
        for token in new:
            kept.append(token)
            if token == eos:
                ended = "eos"
                break
            stream.push(token)
            if stream.stopped:
                ended = "stop"
                break
        stream.finish()
        out.append(Sampled(prompt, ids, kept, stream.text.strip(), ended))
    return out


def pack(samples: Sequence[Sampled], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(sequences, answer mask): prompt + answer per row, padded on the right; mask[i, j] = 1 when
    token j + 1 of row i is an answer token (the positions ``token_logprobs`` scores)."""
    width = max(len(s.prompt_ids) + len(s.response_ids) for s in samples)
    seqs = torch.full((len(samples), width), pad, dtype=torch.long)
    mask = torch.zeros(len(samples), max(width - 1, 1))
    for i, s in enumerate(samples):
        ids = s.prompt_ids + s.response_ids
        seqs[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        start = len(s.prompt_ids) - 1
        mask[i, start : start + len(s.response_ids)] = 1.0
    return seqs, mask


# -- the pieces the Trainer runs -------------------------------------------------------------------


class RLStats:
    """What the rollouts and the loss saw since the last evaluation (the Trainer logs only the loss
    by itself)."""

    def __init__(self):
        self.rows: dict[str, list[float]] = {}

    def add(self, **values: float) -> None:
        for name, value in values.items():
            self.rows.setdefault(name, []).append(float(value))

    def flush(self) -> dict:
        out = {name: sum(v) / len(v) for name, v in self.rows.items() if v}
        self.rows = {}
        return out


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class RolloutBatches:
    """A BatchSource whose ``batch(index)`` samples a fresh group of rollouts from the policy.

    The policy is the very model object the Trainer trains, so each batch comes from the current
    weights; which prompts and which random numbers it uses depend only on (seed, index), so a
    resumed run, given its restored weights, samples the same rollouts. A batch is (sequences,
    answer mask, old log-probs, reference log-probs, advantages, rewards).
    """

    def __init__(
        self,
        policy: torch.nn.Module,
        reference: torch.nn.Module,
        tokenizer,
        template: Template,
        prompts: Sequence,
        scorer,
        *,
        prompts_per_step: int = 4,
        group_size: int = 4,
        max_new_tokens: int = 16,
        temperature: float = 1.0,
        normalize: bool = True,
        seed: int = 0,
        stats: RLStats | None = None,
        correct: Callable[[object, str], bool] | None = None,
    ):
        if not prompts:
            raise UserError("não há prompts para o RL.", "there are no prompts for RL.")
        self.policy, self.reference = policy, reference.eval().requires_grad_(False)
        self.tokenizer, self.template, self.prompts = tokenizer, template, list(prompts)
        self.scorer, self.correct = scorer, correct
        self.prompts_per_step, self.group_size = prompts_per_step, group_size
        self.max_new_tokens, self.temperature = max_new_tokens, temperature
        self.normalize, self.seed = normalize, seed
        self.stats = stats if stats is not None else RLStats()
        self.pad = pad_id(tokenizer)
        self.last: list[tuple[Sampled, float]] = []  # the latest rollouts and their rewards
        lengths = [len(tokenizer.encode(template.format_prompt(p))) for p in self.prompts[:64]]
        self.tokens_per_batch = (
            prompts_per_step * group_size * round(sum(lengths) / len(lengths) + max_new_tokens)
        )

    def _seed(self, index: int) -> int:
        return (self.seed * 1_000_003 + index) % (2**63)

    def batch(self, index: int) -> tuple[torch.Tensor, ...]:
        rng = random.Random(self._seed(index))
        k = self.prompts_per_step
        chosen = (
            rng.sample(self.prompts, k)
            if k <= len(self.prompts)
            else rng.choices(self.prompts, k=k)
        )
        samples = sample_responses(
            self.policy,
            self.tokenizer,
            self.template,
            chosen,
            self.group_size,
            max_new_tokens=self.max_new_tokens,
            temperature=self.temperature,
            seed=self._seed(index),
        )
        texts = [s.text for s in samples]
        raw = list(self.scorer.score([as_prompt(s.prompt) for s in samples], texts))
        rewards = [float(r) if _is_number(r) else math.nan for r in raw]
        if len(rewards) != len(samples) or not all(math.isfinite(r) for r in rewards):
            raise UserError(
                "a recompensa devolveu notas faltando ou que não são números finitos.",
                "the reward gave missing or non-finite scores.",
            )
        advantages = group_advantages(rewards, self.group_size, self.normalize)
        seqs, mask = pack(samples, self.pad)
        device = next(self.policy.parameters()).device
        seqs, mask = seqs.to(device), mask.to(device)
        if next(self.reference.parameters()).device != device:
            self.reference.to(device)
        with torch.no_grad():
            old_logp = _logprobs_eval(self.policy, seqs)
            ref_logp = token_logprobs(self.reference, seqs)
        self.last = list(zip(samples, rewards))
        lengths = [len(s.response_ids) for s in samples]
        row = {
            "reward": sum(rewards) / len(rewards),
            "response_length": sum(lengths) / len(lengths),
        }
        if self.correct is not None:
            right = [self.correct(s.prompt, s.text) for s in samples]
            row["accuracy"] = sum(right) / len(right)
        self.stats.add(**row)
        rewards_t = torch.tensor(rewards, dtype=torch.float32, device=device)
        return seqs, mask, old_logp, ref_logp, advantages.to(device), rewards_t

    def iterate(self, max_batches: int | None = None):
        for index in range(max_batches or 1):
            yield self.batch(index)


class GRPOLoss:
    """loss_fn(model, batch) for the Trainer: ``policy_loss`` on a RolloutBatches batch."""

    def __init__(self, clip: float = 0.2, kl_coef: float = 0.05, stats: RLStats | None = None):
        self.clip, self.kl_coef = clip, kl_coef
        self.stats = stats if stats is not None else RLStats()

    def __call__(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        seqs, mask, old_logp, ref_logp, advantages = batch[:5]
        logp = _logprobs_eval(model, seqs)  # with gradients; eval mode only turns dropout off
        loss, stats = policy_loss(
            logp, old_logp, ref_logp, advantages, mask, self.clip, self.kl_coef
        )
        self.stats.add(**stats)
        return loss


class HeldOut:
    """extra_eval: greedy answers to held-out prompts, scored; plus the training statistics since
    the last evaluation. Writes the first answers to samples.jsonl at every evaluation."""

    def __init__(
        self,
        tokenizer,
        template: Template,
        prompts: Sequence,
        scorer,
        stats: RLStats,
        *,
        max_new_tokens: int,
        samples_path: Path | None = None,
        correct: Callable[[object, str], bool] | None = None,
    ):
        self.tokenizer, self.template, self.prompts = tokenizer, template, list(prompts)
        self.scorer, self.stats, self.correct = scorer, stats, correct
        self.max_new_tokens, self.samples_path = max_new_tokens, samples_path
        self.step: Callable[[], int] = lambda: 0
        self.sample_rows: list[dict] = []

    def measure(self, model: torch.nn.Module, record: bool = True) -> dict:
        answers = answer_batch(
            model, self.tokenizer, self.template, self.prompts, self.max_new_tokens
        )
        scores = self.scorer.score([as_prompt(p) for p in self.prompts], answers)
        good = [float(x) for x in scores if _is_number(x)]  # a judge may fail to grade some
        out = {"eval_reward": sum(good) / len(good) if good else None}
        if self.correct is not None:
            right = [self.correct(p, a) for p, a in zip(self.prompts, answers)]
            out["eval_accuracy"] = sum(right) / len(right)
        if not record:
            return out
        step = self.step()
        for p, a, s in list(zip(self.prompts, answers, scores))[:SAMPLES_PER_EVAL]:
            self.sample_rows.append({"step": step, **as_prompt(p), "response": a, "reward": s})
        if self.samples_path is not None:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.sample_rows)
            write_text_atomic(self.samples_path, text)
        return out

    def __call__(self, model: torch.nn.Module) -> dict:
        train = {
            f"train_{k}" if k in ("reward", "accuracy") else k: v
            for k, v in self.stats.flush().items()
        }
        return {**train, **self.measure(model)}


# -- prompts ---------------------------------------------------------------------------------------

PROMPTS_PT = 'esperava um texto ou um objeto JSON com "instruction" (e, opcionalmente, "input")'
PROMPTS_EN = 'expected a string or a JSON object with "instruction" (and, optionally, "input")'


def read_prompts(path: str | Path) -> list[dict]:
    """Prompts from a file: a JSON list or JSONL of {"instruction", "input"?} (other fields are
    ignored) or strings; a .txt file holds one instruction per line."""
    path = Path(path)
    text = read_user_text(path, allow_empty=False, what=("prompts", "prompts"))
    if path.suffix.lower() == ".txt":
        out = [{"instruction": line.strip(), "input": ""} for line in text.splitlines()]
        out = [p for p in out if p["instruction"]]
    else:
        out = []
        for record, where in json_records(path, text, (PROMPTS_PT, PROMPTS_EN)):
            if isinstance(record, str) and record.strip():
                out.append({"instruction": record.strip(), "input": ""})
                continue
            ok = isinstance(record, dict) and isinstance(record.get("instruction"), str)
            if not ok or not record["instruction"].strip():
                raise bad_record(where, PROMPTS_PT, PROMPTS_EN)
            if not isinstance(record.get("input") or "", str):
                raise bad_record(where, PROMPTS_PT, PROMPTS_EN)
            out.append(
                {"instruction": record["instruction"].strip(), "input": (record.get("input") or "")}
            )
    if not out:
        raise UserError(
            f"o arquivo {path} não tem nenhum prompt.", f"the file {path} holds no prompts."
        )
    return out


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _samples_so_far(out: Path) -> list[dict]:
    """The rows of samples.jsonl up to the step of the checkpoint a resume continues from."""
    path = out / SAMPLES_FILE
    try:
        step = json.loads((resolve_dir(out) / "config.json").read_text("utf-8"))["step"]
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [r for r in rows if isinstance(r, dict) and r.get("step", 0) <= step]


def _load_scorer(reward, tokenizer):
    """(scorer, its name for the checkpoint) for "arithmetic", a reward-model folder or an object
    with ``.score``."""
    if hasattr(reward, "score"):
        return reward, type(reward).__name__
    if str(reward) == "arithmetic":
        return None, "arithmetic"
    if not Path(reward).exists():
        raise UserError(
            f"recompensa desconhecida: {str(reward)!r} (use arithmetic ou a pasta de um modelo de "
            "recompensa).",
            f"unknown reward: {str(reward)!r} (use arithmetic or a reward model's folder).",
        )
    from llmzero.align.reward import check_compatible, load_reward_model

    scorer = load_reward_model(reward)
    check_compatible(scorer, tokenizer)
    return scorer, str(reward)


def plot_rl(history: list[dict]) -> Figure | None:
    """The picture in rl.png: the rewards (rollouts and held-out) and the KL to the reference,
    against steps; None when the history holds no reward yet."""
    rows = [r for r in history if "eval_reward" in r or "reward" in r or "train_reward" in r]
    if not rows:
        return None
    fig, (top, bottom) = figure(2, 1, figsize=(7, 6), sharex=True)
    for key, label in (
        ("train_reward", t("recompensa das amostras", "rollout reward")),
        ("eval_reward", t("recompensa (guloso, separadas)", "reward (greedy, held out)")),
        ("eval_accuracy", t("acerto (guloso, separadas)", "accuracy (greedy, held out)")),
    ):
        points = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
        if points:
            top.plot(*zip(*points), label=label, marker="o", markersize=3)
    top.set_ylabel(t("recompensa", "reward"))
    top.set_title(t("Aprendizado por reforço (GRPO)", "Reinforcement learning (GRPO)"))
    top.grid(alpha=0.3)
    top.legend()
    kl = [(r["step"], r["kl"]) for r in rows if r.get("kl") is not None]
    if kl:
        bottom.plot(*zip(*kl), color="tab:red", marker="o", markersize=3)
    bottom.set_xlabel(t("passo", "step"))
    bottom.set_ylabel(t("KL até a referência", "KL to the reference"))
    bottom.grid(alpha=0.3)
    return fig


# -- the stage -------------------------------------------------------------------------------------


def align_rl(
    base: str | Path,
    out: str | Path = "runs/rl",
    *,
    reward="arithmetic",
    prompts: str | Path | Sequence | None = None,
    group_size: int = 4,
    prompts_per_step: int = 4,
    max_new_tokens: int = 16,
    temperature: float = 1.0,
    kl_coef: float = 0.05,
    clip: float = 0.2,
    normalize: bool = True,
    partial_credit: float = 0.0,
    max_answer: int = 20,
    eval_prompts: int = 100,
    overwrite: bool = False,
    resume: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Reinforce the "lm" checkpoint ``base`` (instruction-tuned) with GRPO against ``reward``.

    reward: "arithmetic" (pt-BR sums up to ``max_answer``, checked exactly; ``partial_credit``
    rewards wrong numbers by closeness), a reward-model folder, or any object with
    ``score(prompts, responses)``. prompts: a file or a list of instructions for a reward model
    (default: the shipped pt-BR instructions; the arithmetic reward makes its own questions).
    training: TrainConfig fields. Returns a summary with the held-out reward (and accuracy) before
    and after.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    cfg = RL_TRAINING.updated(**training)
    checks = [
        (group_size >= 2, "group_size (>= 2: a group of one has no one to compare with)"),
        (prompts_per_step >= 1, "prompts_per_step"),
        (max_new_tokens >= 1, "max_new_tokens"),
        (temperature > 0, "temperature (> 0: greedy answers in a group are all the same)"),
        (kl_coef >= 0, "kl_coef"),
        (clip > 0, "clip"),
        (eval_prompts >= 1, "eval_prompts"),
        (0 <= partial_credit < 1, "partial_credit"),
        (1 <= max_answer <= 20, "max_answer (1 to 20)"),
    ]
    for ok, name in checks:
        if not ok:
            raise UserError(f"valor inválido para {name}.", f"invalid value for {name}.")
    if dist_env().active:
        raise UserError(
            "o RL roda num processo só; rode sem torchrun.",
            "RL runs in a single process; run it without torchrun.",
        )
    base_ckpt = open_base(base, out, overwrite or resume)
    tok, config, model = base_ckpt.tokenizer, base_ckpt.config, base_ckpt.model
    stage = base_ckpt.meta.get("stage")
    if stage not in ALIGNED_STAGES:
        log(
            t(
                f"Aviso: {base_ckpt.path} não passou por ajuste de instruções (etapa "
                f"{stage or 'pré-treino'}); o RL funciona melhor num modelo que já responde.",
                f"Warning: {base_ckpt.path} was not instruction-tuned (stage "
                f"{stage or 'pre-training'}); RL works best on a model that already answers.",
            )
        )
    tpl = get_template(base_ckpt.meta.get("template") or DEFAULT_TEMPLATE, tok)
    system = base_ckpt.meta.get("system_prompt")
    scorer, reward_name = _load_scorer(reward, tok)
    correct = None
    if scorer is None:  # the arithmetic reward
        if prompts is not None:
            raise UserError(
                "a recompensa aritmética faz as próprias perguntas; não passe prompts.",
                "the arithmetic reward makes its own questions; give no prompts.",
            )
        scorer, correct = ArithmeticScorer(partial_credit), is_correct
        train_prompts = question_pool("train", max_answer)
        # the same questions for every run (up to eval_prompts distinct ones)
        test_pool = question_pool("test", max_answer)
        eval_set = arithmetic_prompts(min(eval_prompts, len(test_pool)), 0, "test", max_answer)
    else:
        if prompts is None:
            pool = [as_prompt(e) for e in read_instructions(default_data_path())]
        elif isinstance(prompts, (str, Path)):
            pool = read_prompts(prompts)
        else:
            pool = [as_prompt(p) for p in prompts]
        if not pool:
            raise UserError("não há prompts para o RL.", "there are no prompts for RL.")
        train_prompts, _, test = split_examples(pool, cfg.seed)
        eval_set = (test or train_prompts)[:eval_prompts]
    if system:
        train_prompts = [dict(as_prompt(p), system=system) for p in train_prompts]
        eval_set = [dict(as_prompt(p), system=system) for p in eval_set]

    torch.manual_seed(cfg.seed)
    model.requires_grad_(True)
    reference = copy.deepcopy(model).eval().requires_grad_(False)
    stats = RLStats()
    batches = RolloutBatches(
        model,
        reference,
        tok,
        tpl,
        train_prompts,
        scorer,
        prompts_per_step=prompts_per_step,
        group_size=group_size,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        normalize=normalize,
        seed=cfg.seed,
        stats=stats,
        correct=correct,
    )
    out.mkdir(parents=True, exist_ok=True)
    held_out = HeldOut(
        tok,
        tpl,
        eval_set,
        scorer,
        stats,
        max_new_tokens=max_new_tokens,
        samples_path=out / SAMPLES_FILE,
        correct=correct,
    )
    settings = {
        "group_size": group_size,
        "prompts_per_step": prompts_per_step,
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "kl_coef": kl_coef,
        "clip": clip,
        "normalize": normalize,
        "partial_credit": partial_credit,
        "max_answer": max_answer,
        "eval_prompts": len(eval_set),
        "train_prompts": len(train_prompts),
        "seed": cfg.seed,
    }
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "stage": "rl",
        "template": tpl.name,
        "system_prompt": system,
        "base": str(base_ckpt.path),
        "reward": reward_name,
        "rl": settings,
    }
    start = time.perf_counter()
    before = held_out.measure(model, record=not resume)
    if resume:
        held_out.sample_rows = _samples_so_far(out)
    log(
        t(
            f"RL (GRPO) com a recompensa {reward_name}: {prompts_per_step} prompts × "
            f"{group_size} respostas por passo, {len(train_prompts)} prompts de treino, "
            f"{len(eval_set)} separados. Antes: recompensa {_fmt(before['eval_reward'])}.",
            f"RL (GRPO) with the {reward_name} reward: {prompts_per_step} prompts × "
            f"{group_size} answers per step, {len(train_prompts)} training prompts, "
            f"{len(eval_set)} held out. Before: reward {_fmt(before['eval_reward'])}.",
        )
    )
    trainer = Trainer(
        model,
        batches,
        None,
        cfg,
        out,
        tokenizer=tok,
        meta=meta,
        loss_fn=GRPOLoss(clip, kl_coef, stats),
        extra_eval=held_out,
        log=log,
    )
    held_out.step = lambda: trainer.step
    result = trainer.fit(resume=resume)
    history = [{"step": 0, "kl": 0.0, **before}] + list(result.history)  # the start: KL 0
    picture = plot_rl(history)
    plot = save_figure(picture, out / PLOT_FILE) if picture is not None else None
    rows = [r for r in result.history if "train_reward" in r]
    last = result.history[-1] if result.history else {}
    summary = {
        "steps": result.steps,
        "elapsed": round(time.perf_counter() - start, 2),
        "train_elapsed": round(result.elapsed, 2),
        "stopped_by": result.stopped_by,
        "reward": reward_name,
        "eval_reward_before": before["eval_reward"],
        "eval_reward_after": last.get("eval_reward"),
        "reward_curve": [(r["step"], round(r["train_reward"], 4)) for r in rows],
        "train_reward_first": rows[0]["train_reward"] if rows else None,
        "train_reward_last": rows[-1]["train_reward"] if rows else None,
        "kl_final": last.get("kl"),
        "response_length_final": last.get("response_length"),
        "train_loss": result.train_loss,
        "out": str(out),
        "checkpoint": str(out / "checkpoint"),
        "samples": str(out / SAMPLES_FILE),
        "plot": str(plot) if plot else None,
    }
    if correct is not None:
        summary["accuracy_before"] = before.get("eval_accuracy")
        summary["accuracy_after"] = last.get("eval_accuracy")
    return summary
