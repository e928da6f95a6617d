"""Alignment, measured: the instruction-tuned model (SFT) beside SFT + DPO and SFT + RL, and what
goes wrong when a policy chases a learned reward.

Every policy starts from the same SFT model:

- **SFT + DPO**: DPO on the shipped preference pairs (their train split);
- **SFT + RL**: a short *cold start* (instruction tuning on worked sums of the training split, see
  ``align.arithmetic.warm_start``), then GRPO against the exact arithmetic checker;
- **RL against a reward model**, the cautionary tale: the same cold start, then GRPO against a
  reward model trained on the same preference pairs. The reward model is a *proxy* of what people
  prefer; the exact checker, watching from the side, says whether the answers got any better.

Every number of the report is measured on held-out data: the test split of the preference pairs and
sums the policies never practised.
"""

from __future__ import annotations

import json
import math
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from llmzero.align.arithmetic import (
    arithmetic_prompts,
    cold_start_split,
    is_correct,
    question_pool,
    warm_start,
)
from llmzero.align.dpo import align_dpo, reference_logprobs
from llmzero.align.pairs import JudgeScorer
from llmzero.align.preferences import (
    default_preferences_path,
    encode_pairs,
    read_preferences,
    split_preferences,
)
from llmzero.align.reward import load_reward_model, train_reward
from llmzero.align.rl import ALIGNED_STAGES, align_rl
from llmzero.checkpoint import load_checkpoint, resolve_dir
from llmzero.errors import UserError, t
from llmzero.fileio import write_json_atomic
from llmzero.finetune.instruct import answer_batch, finetune_instruct, pad_id
from llmzero.finetune.templates import DEFAULT_TEMPLATE, get_template
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    experiment,
    fmt,
    md_table,
    quote,
    save_plot,
)
from llmzero.plots import figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NAME = "alignment"
SFT_DIR = {True: "_sft_quick", False: "_sft"}  # the lab's own SFT model, beside its _model
JUDGE_ENV = ("LLMZERO_JUDGE_URL", "LLMZERO_JUDGE_MODEL", "LLMZERO_JUDGE_API_KEY")
MAX_ANSWER = 20  # the sums of the RL rung: every number from 0 to 20


@dataclass(frozen=True)
class AlignmentSettings:
    """Steps and sizes of every run of the experiment."""

    sft_steps: int  # instruction tuning, only for a model that is not instruction-tuned yet
    dpo_steps: int
    dpo_lr: float
    beta: float
    reward_steps: int
    eval_every: int  # DPO and reward model
    warm_steps: int  # the cold start before RL
    warm_share: float  # the part of the training sums given worked examples
    warm_general: int  # shipped instructions mixed into the cold start
    rl_steps: int
    rl_eval_every: int
    group_size: int
    prompts_per_step: int
    temperature: float
    rl_lr: float
    kl_coef: float
    hack_steps: int  # RL against the reward model
    hack_max_new_tokens: int  # room for the answers to grow
    pairs: int  # held-out preference pairs (and their prompts) measured
    questions: int  # held-out sums measured
    practised: int  # training sums measured, with and without worked examples
    max_new_tokens: int  # answers to the preference prompts
    samples: int  # rows of the side-by-side table


ALIGNMENT = {  # quick -> its settings, full -> its own
    True: AlignmentSettings(
        sft_steps=100,
        dpo_steps=30,
        dpo_lr=5e-4,
        beta=0.1,
        reward_steps=30,
        eval_every=10,
        warm_steps=150,
        warm_share=0.5,
        warm_general=40,
        rl_steps=10,
        rl_eval_every=5,
        group_size=4,
        prompts_per_step=4,
        temperature=1.0,
        rl_lr=2e-4,
        kl_coef=0.02,
        hack_steps=10,
        hack_max_new_tokens=24,
        pairs=12,
        questions=24,
        practised=16,
        max_new_tokens=32,
        samples=3,
    ),
    False: AlignmentSettings(
        sft_steps=600,
        dpo_steps=100,
        dpo_lr=2e-4,
        beta=0.1,
        reward_steps=100,
        eval_every=25,
        warm_steps=1000,
        warm_share=0.5,
        warm_general=50,
        rl_steps=150,
        rl_eval_every=25,
        group_size=8,
        prompts_per_step=8,
        temperature=0.8,
        rl_lr=1e-4,
        kl_coef=0.02,
        hack_steps=100,
        hack_max_new_tokens=32,
        pairs=72,
        questions=214,
        practised=200,
        max_new_tokens=64,
        samples=4,
    ),
}

QUIET = dict(progress=False, device="cpu", checkpoint_every=10**9)


def _log_nothing(msg: str) -> None:
    pass


def history(folder: Path) -> list[dict]:
    """The rows of folder/metrics.jsonl (the Trainer's log of a run)."""
    path = folder / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------
# The SFT model every policy starts from
# --------------------------------------------------------------------------------------------------
def sft_checkpoint(ctx: LabContext, s: AlignmentSettings) -> tuple[Path, bool]:
    """(the instruction-tuned model, whether the lab tuned it here).

    The context's model when it already answers requests (stage instruct, dpo or rl); otherwise
    the lab instruction-tunes it on the shipped instructions, once: the lab's own model in
    DIR/_sft (DIR/_sft_quick), a given pre-trained one in DIR/alignment/runs/sft.
    """
    lm = ctx.lm()
    if lm.meta.get("stage") in ALIGNED_STAGES:
        return Path(lm.path), False
    folder = (
        ctx.out / SFT_DIR[ctx.quick] if lm.trained_by_lab else ctx.exp_dir(NAME) / "runs" / "sft"
    )
    recipe = {"base": str(lm.path), "steps": s.sft_steps, "seed": ctx.seed}
    marker = folder / "lab.json"
    ready = marker.is_file() and (resolve_dir(folder) / "config.json").is_file()
    if not ready or json.loads(marker.read_text(encoding="utf-8")) != recipe:
        ctx.log(
            t(
                f"  o modelo não foi ajustado por instruções: ajustando ({s.sft_steps} passos) "
                f"em {folder}...",
                f"  the model is not instruction-tuned: tuning it ({s.sft_steps} steps) in "
                f"{folder}...",
            )
        )
        marker.unlink(missing_ok=True)
        finetune_instruct(
            lm.path,
            None,
            folder,
            too_long="skip",
            test_limit=0,
            overwrite=True,
            log=_log_nothing,
            max_steps=s.sft_steps,
            seed=ctx.seed,
            eval_every=max(1, s.sft_steps // 3),
            eval_batches=5,
            **QUIET,
        )
        write_json_atomic(marker, recipe)
    return folder, True


# --------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------
class TruthTap:
    """A reward model's scores for RL and, on the side, what the exact checker says of the same
    answers: the proxy the policy climbs and the truth it should serve, batch by batch.

    A batch of rollouts holds ``group_size`` tries of each prompt side by side; anything else (the
    held-out answers RL scores at each evaluation) is passed through and not recorded.
    """

    def __init__(self, scorer, group_size: int):
        self.scorer, self.group_size = scorer, group_size
        self.rows: list[dict] = []  # per batch of rollouts: proxy, accuracy, chars

    def score(self, prompts, responses) -> list[float]:
        scores = list(self.scorer.score(prompts, responses))
        g, n = self.group_size, len(prompts)
        rollout = n >= g and n % g == 0 and all(prompts[i] == prompts[i - i % g] for i in range(n))
        if rollout:
            self.rows.append(
                {
                    "proxy": float(np.mean(scores)),
                    "accuracy": float(
                        np.mean([is_correct(p, r) for p, r in zip(prompts, responses)])
                    ),
                    "chars": float(np.mean([len(r) for r in responses])),
                }
            )
        return scores

    def windows(self, every: int) -> list[dict]:
        """The rows averaged over consecutive windows of ``every`` steps, each at its last step."""
        out = []
        for end in range(every, len(self.rows) + every, every):
            chunk = self.rows[end - every : end]
            if chunk:
                out.append(
                    {"step": end - every + len(chunk)}
                    | {k: float(np.mean([r[k] for r in chunk])) for k in chunk[0]}
                )
        return out


@torch.no_grad()
def token_kl(policy, reference, tokenizer, template, prompts, answers) -> float:
    """Mean per-token KL(policy ‖ reference) over the tokens of ``answers`` (the policy's own),
    summed exactly over the vocabulary at each position: how far the policy's next-token
    distributions moved where it actually writes."""
    ctx = policy.config.context_length
    total, count = 0.0, 0
    for prompt, text in zip(prompts, answers):
        p_ids = tokenizer.encode(template.format_prompt(prompt))
        a_ids = tokenizer.encode(template.format_response({"output": text}))
        ids = (p_ids + a_ids)[-ctx:]
        n_answer = min(len(a_ids), len(ids) - 1)
        if n_answer < 1:
            continue
        x = torch.tensor([ids])
        logp = torch.log_softmax(policy(x).logits[0, -n_answer - 1 : -1].float(), -1)
        logq = torch.log_softmax(reference(x).logits[0, -n_answer - 1 : -1].float(), -1)
        total += float((logp.exp() * (logp - logq)).sum())
        count += n_answer
    return total / count if count else 0.0


@dataclass
class HeldOut:
    """What every policy is measured on, and the SFT model's numbers to compare with."""

    tokenizer: object
    template: object
    prompts: list[dict]  # test-split preference prompts (with the chosen answer as reference)
    pairs: list  # the same pairs, encoded
    questions: list  # held-out sums
    practised: dict  # "worked" / "reward_only": training sums with and without worked examples
    reward_model: object
    sft: torch.nn.Module
    sft_logps: torch.Tensor
    max_new_tokens: int

    def answers(self, model) -> list[str]:
        return answer_batch(model, self.tokenizer, self.template, self.prompts, self.max_new_tokens)

    def sums(self, model, questions=None) -> list[str]:
        questions = self.questions if questions is None else questions
        return answer_batch(model, self.tokenizer, self.template, questions, 16)

    def accuracy(self, model, questions) -> float:
        answers = self.sums(model, questions)
        return float(np.mean([is_correct(q, a) for q, a in zip(questions, answers)]))

    def measure(self, model, answers: list[str], sums: list[str]) -> dict:
        logps = reference_logprobs(model, self.pairs, pad_id(self.tokenizer))
        moved = (logps[:, 0] - self.sft_logps[:, 0]) - (logps[:, 1] - self.sft_logps[:, 1])
        wins = torch.where(moved.abs() < 1e-4, 0.5, (moved > 0).float())  # ties count half
        return {
            "reward_model_score": float(np.mean(self.reward_model.score(self.prompts, answers))),
            "logp_accuracy": float((logps[:, 0] > logps[:, 1]).float().mean()),
            "reward_accuracy": float(wins.mean()),
            "kl_to_sft": token_kl(
                model, self.sft, self.tokenizer, self.template, self.prompts, answers
            ),
            "answer_chars": float(np.mean([len(a) for a in answers])),
            "arithmetic_accuracy": float(
                np.mean([is_correct(q, a) for q, a in zip(self.questions, sums)])
            ),
            **{f"{k}_accuracy": self.accuracy(model, qs) for k, qs in self.practised.items()},
        }


def judge_from_env() -> JudgeScorer | None:
    """An OpenAI-compatible judge when LLMZERO_JUDGE_URL and LLMZERO_JUDGE_MODEL are set."""
    url, model, key = (os.environ.get(name) for name in JUDGE_ENV)
    return JudgeScorer(url, model, api_key=key) if url and model else None


def judge_win_rates(judge, prompts, answers: dict[str, list[str]]) -> dict:
    """Each policy's judge score and how often it beats SFT's answer to the same prompt (a tie
    counts half; prompts the judge could not grade are left out)."""
    scores = {name: judge.score(prompts, texts) for name, texts in answers.items()}
    out = {}
    for name, mine in scores.items():
        duels = [
            1.0 if a > b else 0.5 if a == b else 0.0
            for a, b in zip(mine, scores["sft"])
            if a is not None and b is not None
        ]
        graded = [x for x in mine if x is not None]
        out[name] = {
            "judge_score": float(np.mean(graded)) if graded else None,
            "judge_win_rate": float(np.mean(duels)) if duels and name != "sft" else None,
        }
    return out


# --------------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------------
def _series(rows: list[dict], key: str) -> tuple[list, list]:
    pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
    return ([p[0] for p in pts], [p[1] for p in pts]) if pts else ([], [])


def plot_training(dpo_rows, rl_rows, rl_start: dict, sft_preference: float) -> Figure:
    """DPO's margin and preference accuracy, and RL's accuracy and KL, against steps."""
    fig, axes = figure(2, 2, figsize=(12, 8))
    (margin, pref), (reward, kl) = axes
    x, y = _series(dpo_rows, "val_margin")
    margin.plot([0] + x, [0.0] + y, marker="o", markersize=3, color="tab:green")
    margin.axhline(0.0, color="grey", linewidth=0.8)
    margin.set_title(t("DPO: margem de recompensa (validação)", "DPO: reward margin (validation)"))
    margin.set_ylabel(t("β·(Δ escolhida − Δ rejeitada)", "β·(Δ chosen − Δ rejected)"))
    for key, label, style in (
        ("val_pref_accuracy", t("recompensa implícita", "implicit reward"), "-"),
        ("val_logp_accuracy", t("log-prob do modelo", "model log-prob"), "--"),
    ):
        x, y = _series(dpo_rows, key)
        pref.plot(x, y, marker="o", markersize=3, linestyle=style, label=label)
    pref.axhline(
        sft_preference,
        color="grey",
        linestyle=":",
        label=t("log-prob do SFT (antes)", "SFT log-prob (before)"),
    )
    pref.set_ylim(-0.02, 1.02)
    pref.set_title(
        t("DPO: acurácia de preferência (validação)", "DPO: preference accuracy (validation)")
    )
    pref.set_ylabel(t("escolhida > rejeitada", "chosen > rejected"))
    pref.legend(fontsize=8)
    rows = [rl_start] + rl_rows
    for key, label in (
        ("train_accuracy", t("amostras de treino (T>0)", "training samples (T>0)")),
        ("eval_accuracy", t("contas separadas (guloso)", "held-out sums (greedy)")),
    ):
        x, y = _series(rows, key)
        reward.plot(x, y, marker="o", markersize=3, label=label)
    reward.set_ylim(-0.02, 1.02)
    reward.set_title(
        t("RL (GRPO) com o verificador exato: acerto", "RL (GRPO) with the exact checker: accuracy")
    )
    reward.set_ylabel(t("recompensa = acerto", "reward = accuracy"))
    reward.legend(fontsize=8)
    x, y = _series(rows, "kl")
    kl.plot(x, y, marker="o", markersize=3, color="tab:red")
    kl.set_title(t("RL: KL até o ponto de partida", "RL: KL to the starting point"))
    kl.set_ylabel("KL")
    for ax in axes.flat:
        ax.set_xlabel(t("passo", "step"))
        ax.grid(alpha=0.3)
    return fig


def plot_hacking(exact_rows, hack_rows, tap: list[dict]) -> Figure:
    """The failure picture: the proxy climbs while the truth does not follow."""
    fig, axes = figure(1, 4, figsize=(18, 4))
    proxy, truth, kl, length = axes
    x, y = _series(hack_rows, "train_reward")
    proxy.plot(x, y, marker="o", markersize=3, color="tab:purple", label=t("amostras", "samples"))
    x, y = _series(hack_rows, "eval_reward")
    proxy.plot(
        x,
        y,
        marker="s",
        markersize=3,
        linestyle="--",
        color="tab:purple",
        label=t("guloso, prompts separados", "greedy, held-out prompts"),
    )
    proxy.set_title(t("Recompensa aprendida (proxy)", "Learned reward (proxy)"))
    proxy.set_ylabel(t("nota do modelo de recompensa", "reward-model score"))
    proxy.legend(fontsize=8)
    runs = (
        (t("RL: verificador exato", "RL: exact checker"), "tab:blue", exact_rows),
        (t("RL: modelo de recompensa", "RL: reward model"), "tab:purple", hack_rows),
    )
    x, y = _series(exact_rows, "train_accuracy")
    truth.plot(x, y, marker="o", markersize=3, label=runs[0][0])
    x, y = _series(tap, "accuracy")
    truth.plot(x, y, marker="o", markersize=3, color="tab:purple", label=runs[1][0])
    truth.set_ylim(-0.02, 1.02)
    truth.set_title(
        t("A verdade: acerto exato das amostras", "The truth: exact accuracy of samples")
    )
    truth.set_ylabel(t("acerto", "accuracy"))
    truth.legend(fontsize=8)
    for label, color, rows in runs:
        x, y = _series(rows, "kl")
        kl.plot([0] + x, [0.0] + y, marker="o", markersize=3, color=color, label=label)
        x, y = _series(rows, "response_length")
        length.plot(x, y, marker="o", markersize=3, color=color, label=label)
    kl.set_title(t("KL até a partida a frio", "KL to the cold start"))
    length.set_title(t("Tamanho das respostas", "Answer length"))
    length.set_ylabel(t("tokens por resposta", "tokens per answer"))
    for ax in axes:
        ax.set_xlabel(t("passo", "step"))
        ax.grid(alpha=0.3)
    kl.legend(fontsize=8)
    return fig


POLICY_LABELS = {
    "sft": ("SFT", "SFT"),
    "dpo": ("SFT + DPO", "SFT + DPO"),
    "cold_start": ("SFT + partida a frio", "SFT + cold start"),
    "rl": ("SFT + RL", "SFT + RL"),
    "rl_reward_model": ("RL no modelo de recompensa", "RL on the reward model"),
}


def _label(name: str) -> str:
    return t(*POLICY_LABELS[name])


SUM_SETS = (  # metric key, label
    ("worked_accuracy", ("contas com exemplo resolvido", "sums with worked examples")),
    ("reward_only_accuracy", ("contas só com recompensa", "sums with the reward only")),
    ("arithmetic_accuracy", ("contas separadas (teste)", "held-out sums (test)")),
)


def plot_policies(policies: dict) -> Figure:
    """Every policy side by side: reward-model score, preference, KL, length and sums solved."""
    panels = (
        ("reward_model_score", t("nota do modelo de recompensa", "reward-model score")),
        ("logp_accuracy", t("prefere a escolhida (log-prob)", "prefers chosen (log-prob)")),
        ("kl_to_sft", t("KL até o SFT (por token)", "KL to SFT (per token)")),
        ("answer_chars", t("tamanho da resposta (caracteres)", "answer length (characters)")),
    )
    fig, axes = figure(1, len(panels) + 1, figsize=(4 * len(panels) + 6, 4.5))
    names = list(policies)
    labels = [_label(n) for n in names]
    colors = ["tab:grey", "tab:green", "tab:orange", "tab:blue", "tab:purple"][: len(names)]
    for ax, (key, title) in zip(axes, panels):
        values = [policies[n][key] for n in names]
        ax.bar(range(len(names)), values, color=colors)
        for i, v in enumerate(values):
            ax.text(i, v, fmt(v, 2), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(names)), labels, rotation=30, ha="right")
        ax.set_title(title, fontsize=10)
    ax = axes[-1]
    width = 0.8 / len(SUM_SETS)
    for j, (key, label) in enumerate(SUM_SETS):
        x = np.arange(len(names)) + (j - (len(SUM_SETS) - 1) / 2) * width
        ax.bar(x, [policies[n][key] for n in names], width, label=t(*label))
    ax.set_xticks(range(len(names)), labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(t("Acerto exato nas contas (guloso)", "Exact accuracy on sums (greedy)"))
    ax.legend(fontsize=7)
    return fig


# --------------------------------------------------------------------------------------------------
# Words from numbers
# --------------------------------------------------------------------------------------------------
def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def _change(before: float, after: float, show) -> tuple[str, str]:
    """How a number changed, in words (pt, en), judged on the numbers as shown."""
    a, b = show(before), show(after)
    if a == b or not (math.isfinite(before) and math.isfinite(after)):
        return f"ficou em {b}", f"stayed at {b}"
    if after > before:
        return f"subiu de {a} para {b}", f"rose from {a} to {b}"
    return f"caiu de {a} para {b}", f"fell from {a} to {b}"


# --------------------------------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------------------------------
@experiment(NAME, "Alinhamento: SFT, DPO e RL", "Alignment: SFT, DPO and RL")
def alignment(ctx: LabContext) -> ExperimentResult:
    s = ALIGNMENT[ctx.quick]
    work = ctx.exp_dir(NAME) / "runs"
    sft_path, tuned_here = sft_checkpoint(ctx, s)
    sft_ckpt = load_checkpoint(sft_path, kinds=("lm",))
    tok, sft = sft_ckpt.tokenizer, sft_ckpt.model.eval()
    tpl = get_template(sft_ckpt.meta.get("template") or DEFAULT_TEMPLATE, tok)
    system = sft_ckpt.meta.get("system_prompt")
    train_opts = dict(overwrite=True, log=_log_nothing, seed=ctx.seed, **QUIET)

    # 1. DPO and the reward model, both on the shipped pairs (the file's own train split)
    ctx.log(t(f"  DPO ({s.dpo_steps} passos)...", f"  DPO ({s.dpo_steps} steps)..."))
    dpo = align_dpo(
        sft_path,
        None,
        work / "dpo",
        beta=s.beta,
        too_long="truncate",
        max_steps=s.dpo_steps,
        lr=s.dpo_lr,
        eval_every=s.eval_every,
        eval_batches=10,
        **train_opts,
    )
    ctx.log(
        t(
            f"  modelo de recompensa ({s.reward_steps} passos)...",
            f"  reward model ({s.reward_steps} steps)...",
        )
    )
    reward = train_reward(
        sft_path,
        None,
        work / "reward",
        too_long="truncate",
        max_steps=s.reward_steps,
        eval_every=s.eval_every,
        eval_batches=10,
        **train_opts,
    )
    reward_model = load_reward_model(work / "reward")

    # 2. the verifiable task: cold start, then RL on the exact checker and on the reward model
    ctx.log(
        t(
            f"  partida a frio ({s.warm_steps} passos) e RL ({s.rl_steps} passos)...",
            f"  cold start ({s.warm_steps} steps) and RL ({s.rl_steps} steps)...",
        )
    )
    warm = warm_start(
        sft_path,
        work / "cold-start",
        steps=s.warm_steps,
        share=s.warm_share,
        general=s.warm_general,
        max_answer=MAX_ANSWER,
        eval_every=max(1, s.warm_steps // 4),
        eval_batches=5,
        **train_opts,
    )
    n_questions = min(s.questions, len(question_pool("test", MAX_ANSWER)))
    rl_opts = dict(
        group_size=s.group_size,
        prompts_per_step=s.prompts_per_step,
        temperature=s.temperature,
        kl_coef=s.kl_coef,
        lr=s.rl_lr,
        **train_opts,
    )
    rl = align_rl(
        work / "cold-start",
        work / "rl",
        reward="arithmetic",
        max_answer=MAX_ANSWER,
        eval_prompts=n_questions,
        max_steps=s.rl_steps,
        eval_every=s.rl_eval_every,
        **rl_opts,
    )
    ctx.log(
        t(
            f"  RL contra o modelo de recompensa ({s.hack_steps} passos)...",
            f"  RL against the reward model ({s.hack_steps} steps)...",
        )
    )
    tap = TruthTap(reward_model, s.group_size)
    hack = align_rl(
        work / "cold-start",
        work / "rl-reward-model",
        reward=tap,
        prompts=[q.to_dict() for q in question_pool("train", MAX_ANSWER)],
        max_new_tokens=s.hack_max_new_tokens,
        eval_prompts=n_questions,
        max_steps=s.hack_steps,
        eval_every=s.rl_eval_every,
        **rl_opts,
    )

    # 3. every policy on the same held-out data
    ctx.log(t("  medindo as políticas...", "  measuring the policies..."))
    _, _, test_prefs = split_preferences(read_preferences(default_preferences_path()), ctx.seed)
    test_prefs = test_prefs[: s.pairs]
    pairs, _ = encode_pairs(tok, tpl, test_prefs, sft.config.context_length, "truncate", system)
    if not pairs:
        raise UserError(
            "nenhum par de teste cabe no contexto do modelo.",
            "no test pair fits the model's context.",
        )
    kept = {e.where for e in pairs}
    test_prefs = [p for p in test_prefs if p.where in kept]
    prompts = [
        dict(p.prompt_example(), reference=p.chosen, **({"system": system} if system else {}))
        for p in test_prefs
    ]
    questions = arithmetic_prompts(n_questions, 0, "test", MAX_ANSWER)
    worked, reward_only = cold_start_split(s.warm_share, ctx.seed, MAX_ANSWER)
    practised = {
        "worked": random.Random(ctx.seed).sample(worked, min(s.practised, len(worked))),
        "reward_only": random.Random(ctx.seed).sample(
            reward_only, min(s.practised, len(reward_only))
        ),
    }
    if system:  # the template puts it before every question, as in training

        def with_system(qs):
            return [dict(q.to_dict(), answer=q.answer, system=system) for q in qs]

        questions = with_system(questions)
        practised = {k: with_system(v) for k, v in practised.items()}
    held = HeldOut(
        tok,
        tpl,
        prompts,
        pairs,
        questions,
        practised,
        reward_model,
        sft,
        reference_logprobs(sft, pairs, pad_id(tok)),
        s.max_new_tokens,
    )
    folders = {
        "sft": sft_path,
        "dpo": work / "dpo",
        "cold_start": work / "cold-start",
        "rl": work / "rl",
        "rl_reward_model": work / "rl-reward-model",
    }
    policies, answers, sums = {}, {}, {}
    for name, folder in folders.items():
        model = sft if name == "sft" else load_checkpoint(folder, kinds=("lm",)).model.eval()
        answers[name], sums[name] = held.answers(model), held.sums(model)
        policies[name] = held.measure(model, answers[name], sums[name])
    judge = judge_from_env()
    judge_note = None
    if judge is not None:
        ctx.log(t("  pedindo notas ao juiz...", "  asking the judge for grades..."))
        try:
            for name, found in judge_win_rates(judge, prompts, answers).items():
                policies[name].update(found)
        except UserError as err:
            judge_note = str(err)
    dpo_rows, rl_rows, hack_rows = (history(work / n) for n in ("dpo", "rl", "rl-reward-model"))
    tap_rows = tap.windows(s.rl_eval_every)
    start = {"step": 0, "kl": 0.0, "eval_accuracy": rl["accuracy_before"]}
    m = {
        "settings": asdict(s),
        "sft": {"path": str(sft_path), "tuned_by_lab": tuned_here},
        "dpo": {
            "steps": dpo["steps"],
            "beta": s.beta,
            "val_logp_accuracy_before": dpo["val_accuracy_before"],
            "val_reward_accuracy_after": dpo["val_accuracy_after"],
            "val_margin_after": dpo["val_margin_after"],
            "seconds": dpo["wall_time"],
            "curve": [
                (r["step"], r["val_margin"], r["val_pref_accuracy"])
                for r in dpo_rows
                if r.get("val_margin") is not None
            ],
        },
        "reward_model": {
            "steps": reward["steps"],
            "test_accuracy": reward["test_accuracy"],
            "val_accuracy": reward["val_accuracy"],
            "seconds": reward["wall_time"],
        },
        "cold_start": {"steps": warm["steps"], "examples": warm["examples"]},
        "rl": {
            "steps": rl["steps"],
            "accuracy_before": rl["accuracy_before"],
            "accuracy_after": rl["accuracy_after"],
            "reward_curve": rl["reward_curve"],
            "kl_final": rl["kl_final"],
            "seconds": rl["elapsed"],
        },
        "rl_reward_model": {
            "steps": hack["steps"],
            "proxy_curve": [
                (r["step"], r["train_reward"]) for r in hack_rows if "train_reward" in r
            ],
            "truth_curve": [(r["step"], r["accuracy"]) for r in tap_rows],
            "chars_curve": [(r["step"], r["chars"]) for r in tap_rows],
            "kl_final": hack["kl_final"],
            "seconds": hack["elapsed"],
        },
        "policies": policies,
        "held_out": {"pairs": len(pairs), "questions": len(questions)},
        "judge": judge is not None and judge_note is None,
        "judge_note": judge_note,
    }

    plots = [
        save_plot(plot_policies(policies), ctx, NAME, "policies.png"),
        save_plot(
            plot_training(dpo_rows, rl_rows, start, dpo["val_accuracy_before"]),
            ctx,
            NAME,
            "training.png",
        ),
        save_plot(plot_hacking(rl_rows, hack_rows, tap_rows), ctx, NAME, "reward_hacking.png"),
    ]
    body, reading_pt, reading_en = _write_up(m, s, answers, sums, prompts, questions)
    return ExperimentResult(NAME, m, plots, body, reading_pt, reading_en)


def _write_up(m, s, answers, sums, prompts, questions):
    """The report's Markdown and its one-line reading, every claim from the measured numbers."""
    p = m["policies"]
    sft, dpo, cold, rl = (p[n] for n in ("sft", "dpo", "cold_start", "rl"))
    judged = m["judge"]
    header = [
        t("política", "policy"),
        t("nota do modelo de recompensa", "reward-model score"),
        t("prefere a escolhida (log-prob)", "prefers chosen (log-prob)"),
        t("recompensa implícita vs SFT", "implicit reward vs SFT"),
        t("KL até o SFT", "KL to SFT"),
        t("caracteres", "characters"),
    ]
    if judged:
        header += [t("nota do juiz", "judge score"), t("vence o SFT", "beats SFT")]
    rows = []
    for name, r in p.items():
        row = [
            _label(name),
            fmt(r["reward_model_score"]),
            _pct(r["logp_accuracy"]),
            _pct(r["reward_accuracy"]),
            fmt(r["kl_to_sft"], 4),
            fmt(r["answer_chars"], 1),
        ]
        if judged:
            row += [fmt(r.get("judge_score"), 2), _pct(r.get("judge_win_rate"))]
        rows.append(row)
    table = md_table(header, rows)
    sums_table = md_table(
        [t("política", "policy")] + [t(*label) for _, label in SUM_SETS],
        [[_label(n)] + [_pct(r[key]) for key, _ in SUM_SETS] for n, r in p.items()],
    )

    if m["judge"]:
        judge_pt = "As duas últimas colunas vêm do juiz (LLMZERO_JUDGE_URL)."
        judge_en = "The last two columns come from the judge (LLMZERO_JUDGE_URL)."
    elif m["judge_note"]:
        judge_pt = judge_en = m["judge_note"]
    else:
        judge_pt = (
            "Sem juiz: defina LLMZERO_JUDGE_URL e LLMZERO_JUDGE_MODEL (um servidor compatível com "
            "a API da OpenAI, como o Ollama) para ganhar a taxa de vitória de cada política sobre "
            "o SFT."
        )
        judge_en = (
            "No judge: set LLMZERO_JUDGE_URL and LLMZERO_JUDGE_MODEL (an OpenAI-compatible "
            "server, such as Ollama) to add each policy's win rate over SFT."
        )

    k = min(s.samples, len(prompts))
    sample_rows = [
        [quote(x["instruction"] + (f" ({x['input']})" if x.get("input") else ""), 70)]
        + [quote(answers[n][i], 70) for n in ("sft", "dpo", "rl")]
        for i, x in enumerate(prompts[:k])
    ]
    for i, q in enumerate(questions[:2]):
        text = q["instruction"] if isinstance(q, dict) else q.instruction
        sample_rows.append(
            [quote(text, 70)] + [quote(sums[n][i], 70) for n in ("sft", "dpo", "rl")]
        )
    samples = md_table(
        [t("pedido (teste)", "request (test)"), "SFT", "SFT + DPO", "SFT + RL"], sample_rows
    )

    d, r, h = m["dpo"], m["rl"], m["rl_reward_model"]
    fmt3 = lambda x: fmt(x, 3)  # noqa: E731
    chars1 = lambda x: fmt(x, 1)  # noqa: E731
    pref = _change(sft["logp_accuracy"], dpo["logp_accuracy"], _pct)
    first = lambda curve: curve[0][1] if curve else math.nan  # noqa: E731
    last = lambda curve: curve[-1][1] if curve else math.nan  # noqa: E731
    proxy = _change(first(h["proxy_curve"]), last(h["proxy_curve"]), fmt3)
    truth = _change(first(h["truth_curve"]), last(h["truth_curve"]), _pct)
    length = _change(first(h["chars_curve"]), last(h["chars_curve"]), chars1)
    never_right = all(v == 0 for _, v in r["reward_curve"])

    intro = t(
        f"Cinco políticas a partir do mesmo modelo ajustado por instruções (SFT): **SFT + DPO** "
        f"(β = {s.beta}, {d['steps']} passos nos pares de `preferencias_ptbr.json`), **SFT + RL** "
        f"({m['cold_start']['steps']} passos de partida a frio em contas de treino, depois "
        f"{r['steps']} passos de GRPO com o verificador exato; grupos de {s.group_size}, "
        f"temperatura {s.temperature}, lr {s.rl_lr:g}, kl_coef {s.kl_coef}) e o mesmo RL contra "
        f"um **modelo de recompensa** treinado nos mesmos pares ({m['reward_model']['steps']} "
        f"passos; acerta {_pct(m['reward_model']['test_accuracy'])} dos pares de teste). "
        f"Tudo é medido em dados separados: {m['held_out']['pairs']} pares de teste (e seus "
        f"pedidos) e {m['held_out']['questions']} contas que nenhuma política praticou.",
        f"Five policies from the same instruction-tuned model (SFT): **SFT + DPO** (β = "
        f"{s.beta}, {d['steps']} steps on the pairs of `preferencias_ptbr.json`), **SFT + RL** "
        f"({m['cold_start']['steps']} cold-start steps on training sums, then {r['steps']} GRPO "
        f"steps with the exact checker; groups of {s.group_size}, temperature {s.temperature}, "
        f"lr {s.rl_lr:g}, kl_coef {s.kl_coef}) and the same RL against a **reward model** "
        f"trained on the same pairs ({m['reward_model']['steps']} steps; right on "
        f"{_pct(m['reward_model']['test_accuracy'])} of the test pairs). Everything is measured "
        f"on held-out data: {m['held_out']['pairs']} test pairs (and their requests) and "
        f"{m['held_out']['questions']} sums no policy practised.",
    )
    defs = t(
        "Como ler as colunas: *nota do modelo de recompensa* = média das notas que ele dá às "
        "respostas gulosas de cada política aos pedidos de teste; *prefere a escolhida* = parte "
        "dos pares de teste em que a política dá mais probabilidade à resposta escolhida que à "
        "rejeitada; *recompensa implícita vs SFT* = a acurácia de recompensa do DPO: a política "
        "subiu a escolhida mais que a rejeitada, em relação ao SFT (empates contam meio, então o "
        "SFT marca 50 %); *KL até o SFT* = KL(política ‖ SFT) média por token, somada sobre o "
        "vocabulário, nas posições das respostas gulosas da própria política; *caracteres* = "
        "tamanho médio dessas respostas.",
        "How to read the columns: *reward-model score* = the mean score it gives each policy's "
        "greedy answers to the test requests; *prefers chosen* = the share of test pairs where the "
        "policy gives the chosen response more probability than the rejected one; *implicit "
        "reward vs SFT* = DPO's reward accuracy: the policy raised the chosen response more than "
        "the rejected one, relative to SFT (ties count half, so SFT scores 50 %); *KL to SFT* = "
        "KL(policy ‖ SFT) per token, summed over the vocabulary, at the positions of the "
        "policy's own greedy answers; *characters* = their mean length.",
    )
    held_rl = _change(cold["arithmetic_accuracy"], rl["arithmetic_accuracy"], _pct)
    only_rl = _change(cold["reward_only_accuracy"], rl["reward_only_accuracy"], _pct)
    worked_rl = _change(cold["worked_accuracy"], rl["worked_accuracy"], _pct)
    rl_pt = (
        f"Depois do RL, nas contas que ele praticou sem nunca ver uma resposta resolvida (só a "
        f"recompensa), o acerto {only_rl[0]}; nas que tiveram exemplo resolvido, {worked_rl[0]}; "
        f"nas contas separadas, que ninguém praticou, {held_rl[0]}. KL final até a partida a "
        f"frio: {fmt(r['kl_final'], 4)}."
    )
    rl_en = (
        f"After RL, on the sums it practised without ever seeing a worked answer (the reward "
        f"only), accuracy {only_rl[1]}; on those that had worked examples, it {worked_rl[1]}; on "
        f"the held-out sums, which nobody practised, it {held_rl[1]}. Final KL to the cold "
        f"start: {fmt(r['kl_final'], 4)}."
    )
    if never_right:
        rl_pt += (
            " Nenhuma amostra do RL acertou: todas as vantagens de grupo foram zero e o RL não "
            "tinha o que reforçar. O RL só afia o que o modelo já sabe em parte; aqui seria "
            "preciso uma partida a frio mais longa."
        )
        rl_en += (
            " No RL sample was right: every group advantage was zero and RL had nothing to "
            "reinforce. RL only sharpens what the model partly knows; here a longer cold start "
            "would be needed."
        )
    else:
        learned = rl["reward_only_accuracy"] > cold["reward_only_accuracy"] + 0.02
        carried = rl["arithmetic_accuracy"] > cold["arithmetic_accuracy"] + 0.02
        if learned and not carried:
            rl_pt += (
                " O RL aprendeu, só com a recompensa, as contas que praticou, mas isso não passou "
                "para contas que ele nunca praticou: um modelo deste tamanho decora contas em vez "
                "de aprender a somar, e o RL só afia o que o modelo já sabe em parte."
            )
            rl_en += (
                " RL learned, from the reward alone, the sums it practised, but that did not "
                "carry over to sums it never practised: a model this small memorises sums "
                "instead of learning to add, and RL only sharpens what the model partly knows."
            )
        elif learned:
            rl_pt += (
                " O RL aprendeu, só com a recompensa, as contas que praticou, e parte disso "
                "passou para contas que ele nunca viu."
            )
            rl_en += (
                " RL learned, from the reward alone, the sums it practised, and part of it "
                "carried over to sums it never saw."
            )
        else:
            rl_pt += (
                " Em tão poucos passos o RL não chegou a melhorar as contas que praticou; rode "
                "sem --quick."
            )
            rl_en += (
                " In so few steps RL did not improve even the sums it practised; run without "
                "--quick."
            )
    findings = t(
        f"- **DPO**: a preferência pela resposta escolhida nos pares de teste {pref[0]} (SFT → "
        f"DPO); a recompensa implícita acerta {_pct(dpo['reward_accuracy'])}, com KL "
        f"{fmt(dpo['kl_to_sft'], 4)} por token até o SFT. O modelo de recompensa dá "
        f"{fmt(dpo['reward_model_score'])} às respostas do DPO e {fmt(sft['reward_model_score'])} "
        "às do SFT.\n"
        f"- **RL com o verificador exato**: a partida a frio deu exemplos resolvidos de "
        f"{_pct(s.warm_share)} das contas de treino; o acerto nas contas separadas foi de "
        f"{_pct(sft['arithmetic_accuracy'])} (SFT) para {_pct(cold['arithmetic_accuracy'])}. "
        f"{rl_pt}\n"
        f"- **RL contra o modelo de recompensa** (a armadilha; médias das amostras nas primeiras "
        f"e nas últimas {s.rl_eval_every} etapas): a nota do modelo de recompensa {proxy[0]}; o "
        f"acerto exato das mesmas amostras {truth[0]}; o tamanho das respostas {length[0]} "
        f"caracteres; KL final {fmt(h['kl_final'], 4)}.",
        f"- **DPO**: the preference for the chosen response on the test pairs {pref[1]} (SFT → "
        f"DPO); the implicit reward is right on {_pct(dpo['reward_accuracy'])}, at a KL of "
        f"{fmt(dpo['kl_to_sft'], 4)} per token to SFT. The reward model gives DPO's answers "
        f"{fmt(dpo['reward_model_score'])} and SFT's {fmt(sft['reward_model_score'])}.\n"
        f"- **RL with the exact checker**: the cold start gave worked examples of "
        f"{_pct(s.warm_share)} of the training sums; accuracy on the held-out sums went from "
        f"{_pct(sft['arithmetic_accuracy'])} (SFT) to {_pct(cold['arithmetic_accuracy'])}. "
        f"{rl_en}\n"
        f"- **RL against the reward model** (the trap; means of the samples over the first and "
        f"the last {s.rl_eval_every} steps): the reward model's score {proxy[1]}; the exact "
        f"accuracy of the same samples {truth[1]}; the answers' length {length[1]} characters; "
        f"final KL {fmt(h['kl_final'], 4)}.",
    )
    expect = t(
        "O que procurar em `reward_hacking.png`: quando a política otimiza uma recompensa "
        "aprendida, a nota desse *proxy* sobe, a KL cresce e o tamanho das respostas se desloca, "
        "mas a verdade (aqui, o acerto exato) não acompanha: é o *reward hacking*, ou "
        "superotimização. Por isso o RL usa a KL como freio, e uma recompensa verificável, quando "
        "existe, vale mais que uma aprendida.",
        "What to look for in `reward_hacking.png`: when a policy optimises a learned reward, that "
        "*proxy* score rises, the KL grows and the answers' length drifts, but the truth (here, "
        "exact accuracy) does not follow: this is *reward hacking*, or over-optimisation. That "
        "is why RL keeps a KL brake, and a verifiable reward, where there is one, is worth more "
        "than a learned one.",
    )
    p0, p1 = first(h["proxy_curve"]), last(h["proxy_curve"])
    g0, g1 = first(h["truth_curve"]), last(h["truth_curve"])
    if not round(p1, 3) > round(p0, 3):
        verdict = t(
            f"Nesta execução a nota do proxy não subiu em {h['steps']} passos: poucos passos para "
            "ver a armadilha (rode sem --quick).",
            f"In this run the proxy score did not rise in {h['steps']} steps: too few to see the "
            "trap (run without --quick).",
        )
    elif not round(g1, 2) > round(g0, 2):
        verdict = t(
            "Nesta execução foi o que aconteceu: o proxy subiu e o acerto exato não.",
            "In this run that is what happened: the proxy rose and the exact accuracy did not.",
        )
    else:
        verdict = t(
            "Nesta execução o acerto exato também subiu: o modelo de recompensa ainda está "
            "correlacionado com a verdade; com mais passos eles costumam se separar.",
            "In this run the exact accuracy rose too: the reward model is still correlated with "
            "the truth; with more steps the two usually come apart.",
        )
    lesson = expect + " " + verdict
    body = "\n\n".join(
        [
            intro,
            table,
            defs + " " + t(judge_pt, judge_en),
            t(
                "Acerto exato (guloso) nas contas: as que tiveram exemplo resolvido na partida a "
                "frio, as que o RL praticou só com a recompensa, e as separadas, que ninguém "
                "praticou:",
                "Exact (greedy) accuracy on sums: those with worked examples in the cold start, "
                "those RL practised with the reward only, and the held-out ones nobody practised:",
            ),
            sums_table,
            findings,
            lesson,
            t(
                "Respostas lado a lado (gulosas, pedidos e contas de teste):",
                "Answers side by side (greedy, test requests and sums):",
            ),
            samples,
        ]
    )
    reading_pt = (
        f"DPO: preferência nos pares de teste {_pct(sft['logp_accuracy'])} → "
        f"{_pct(dpo['logp_accuracy'])}; RL com verificador exato (partida a frio → RL): contas "
        f"praticadas só com a recompensa {_pct(cold['reward_only_accuracy'])} → "
        f"{_pct(rl['reward_only_accuracy'])}, contas separadas {_pct(cold['arithmetic_accuracy'])}"
        f" → {_pct(rl['arithmetic_accuracy'])}; RL no modelo de recompensa: proxy {fmt(p0)} → "
        f"{fmt(p1)}, acerto exato {_pct(g0)} → {_pct(g1)}."
    )
    reading_en = (
        f"DPO: preference on the test pairs {_pct(sft['logp_accuracy'])} → "
        f"{_pct(dpo['logp_accuracy'])}; RL with the exact checker (cold start → RL): sums "
        f"practised with the reward only {_pct(cold['reward_only_accuracy'])} → "
        f"{_pct(rl['reward_only_accuracy'])}, held-out sums {_pct(cold['arithmetic_accuracy'])}"
        " → "
        f"{_pct(rl['arithmetic_accuracy'])}; RL on the reward model: proxy {fmt(p0)} → "
        f"{fmt(p1)}, exact accuracy {_pct(g0)} → {_pct(g1)}."
    )
    return body, reading_pt, reading_en
