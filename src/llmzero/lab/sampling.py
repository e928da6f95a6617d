"""Sampling: how temperature trades repetition for diversity, and what the next-token distribution
looks like."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from llmzero.errors import UserError, t
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    answer,
    distinct_n,
    experiment,
    fmt,
    load_data,
    md_table,
    quote,
    repetition_rate,
    save_plot,
)
from llmzero.plots import figure, save_figure


# --------------------------------------------------------------------------------------------------
# 4. Temperature
# --------------------------------------------------------------------------------------------------
def temperature_sweep(
    lm,
    prompts: Sequence[str],
    temperatures: Sequence[float],
    *,
    samples: int = 1,
    max_new_tokens: int = 60,
    seed: int = 0,
) -> list[dict]:
    """For each temperature: samples of every prompt and their diversity, repetition and perplexity.

    distinct-1/2: different token uni/bigrams over all samples; repetition: share of token 4-grams
    already seen in the same sample (tokens, not words, so that a loop of blank lines counts too);
    perplexity: exp(mean −log p) of the sampled tokens under the model at temperature 1 (how
    surprising the samples are to the model itself). Same seeds at every temperature.
    """
    rows = []
    for temp in temperatures:
        texts, token_lists, logps = [], [], []
        for i, prompt in enumerate(prompts):
            for s in range(samples):
                a = answer(
                    lm,
                    prompt,
                    max_new_tokens=max_new_tokens,
                    temperature=temp,
                    seed=seed + 1000 * i + s,
                    stop=[],
                )
                texts.append(a.text)
                token_lists.append(a.token_ids)
                logps += [math.log(max(p, 1e-12)) for p in a.token_probs]
        rows.append(
            {
                "temperature": temp,
                "distinct_1": distinct_n(token_lists, 1),
                "distinct_2": distinct_n(token_lists, 2),
                "repetition": repetition_rate(token_lists, 4),
                "perplexity": math.exp(-float(np.mean(logps))),
                "samples": texts,
            }
        )
    return rows


@experiment("temperature", "Temperatura", "Temperature")
def temperature(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    data = load_data("prompts_ptbr.json")["temperature"]
    rows = temperature_sweep(
        lm,
        data["prompts"],
        data["temperatures"],
        samples=ctx.pick(1, 2),
        max_new_tokens=ctx.pick(48, 80),
        seed=ctx.seed,
    )
    m = {"rows": rows, "prompts": data["prompts"]}

    fig, (ax1, ax2) = figure(1, 2, figsize=(11, 4))
    temps = [r["temperature"] for r in rows]
    ax1.plot(temps, [r["distinct_1"] for r in rows], "o-", label="distinct-1")
    ax1.plot(temps, [r["distinct_2"] for r in rows], "s-", label="distinct-2")
    ax1.plot(
        temps,
        [r["repetition"] for r in rows],
        "^-",
        label=t("repetição (4-gramas)", "repetition (4-grams)"),
    )
    ax1.set_xlabel(t("temperatura", "temperature"))
    ax1.set_ylim(0, 1.02)
    ax1.legend()
    ax1.set_title(t("Diversidade × repetição", "Diversity vs repetition"))
    ax2.plot(temps, [r["perplexity"] for r in rows], "o-", color="tab:purple")
    ax2.set_yscale("log")
    ax2.set_xlabel(t("temperatura", "temperature"))
    ax2.set_ylabel(t("perplexidade das amostras (log)", "perplexity of the samples (log)"))
    ax2.set_title(
        t(
            "Quão estranhas as amostras são para o próprio modelo",
            "How surprising the samples are to the model",
        )
    )
    plot = save_plot(fig, ctx, "temperature", "temperature.png")

    table = md_table(
        [
            t("temperatura", "temperature"),
            "distinct-1",
            "distinct-2",
            t("repetição", "repetition"),
            t("perplexidade", "perplexity"),
            t(f'amostra para "{data["prompts"][0]}"', f'sample for "{data["prompts"][0]}"'),
        ],
        [
            [
                r["temperature"],
                fmt(r["distinct_1"], 2),
                fmt(r["distinct_2"], 2),
                fmt(r["repetition"], 2),
                fmt(r["perplexity"], 1),
                quote(r["samples"][0], 120),
            ]
            for r in rows
        ],
    )
    body = (
        t(
            "Mesmos prompts e mesmas sementes em cada temperatura (0 = gulosa); sem top-k nem "
            "top-p. Métricas sobre os "
            "tokens gerados: distinct-n = n-gramas diferentes / todos; repetição = parte dos "
            "4-gramas que já tinham aparecido "
            "na mesma amostra; perplexidade = exp(−média de log p) dos tokens sorteados segundo "
            "o próprio modelo (T=1).",
            "Same prompts and seeds at every temperature (0 = greedy); no top-k or top-p. Metrics "
            "over the generated "
            "tokens: distinct-n = different n-grams / all; repetition = share of 4-grams already "
            "seen in the same sample; "
            "perplexity = exp(−mean log p) of the drawn tokens under the model itself (T=1).",
        )
        + "\n\n"
        + table
    )
    lo, hi = rows[0], rows[-1]
    verb_pt, verb_en = ("sobe", "rises") if hi["distinct_2"] > lo["distinct_2"] else ("vai", "goes")
    return ExperimentResult(
        "temperature",
        m,
        [plot],
        body,
        f"Com temperatura {hi['temperature']} a diversidade distinct-2 {verb_pt} de "
        f"{lo['distinct_2']:.2f} (T={lo['temperature']}) "
        f"para {hi['distinct_2']:.2f}, a repetição cai de {lo['repetition']:.2f} para "
        f"{hi['repetition']:.2f} e a perplexidade "
        f"das amostras sobe de {lo['perplexity']:.1f} para {hi['perplexity']:.1f}: mais "
        "variedade, menos coerência.",
        f"At temperature {hi['temperature']} the distinct-2 diversity {verb_en} from "
        f"{lo['distinct_2']:.2f} (T={lo['temperature']}) "
        f"to {hi['distinct_2']:.2f}, repetition falls from {lo['repetition']:.2f} to "
        f"{hi['repetition']:.2f} and the samples' "
        f"perplexity rises from {lo['perplexity']:.1f} to {hi['perplexity']:.1f}: more variety, "
        "less coherence.",
    )


# --------------------------------------------------------------------------------------------------
# 7. Next-token distribution
# --------------------------------------------------------------------------------------------------
def token_label(tokenizer, token_id: int) -> str:
    """A token as a readable label: spaces as '␣', line breaks as '⏎'."""
    try:
        text = tokenizer.token_text(token_id)
    except Exception:
        text = tokenizer.decode([token_id])
    return text.replace(" ", "␣").replace("\n", "⏎") or "∅"


@dataclass
class NextTokenDistribution:
    prompt: str
    token_ids: list[int]  # the top_k tokens at temperature 1, most probable first
    labels: list[str]
    probs: dict[float, list[float]]  # temperature -> probability of each of those tokens
    entropy_bits: dict[float, float]  # temperature -> entropy of the whole distribution
    # temperature -> probability of the most probable token
    top1: dict[float, float] = field(default_factory=dict)
    figure: object = None  # the matplotlib figure when no path was given
    path: Path | None = None

    def _repr_png_(self) -> bytes | None:
        """In a notebook the distribution shows as its figure (when it has one)."""
        show = getattr(self.figure, "_repr_png_", None)
        return show() if show is not None else None


@torch.no_grad()
def next_token_distribution(
    model, tokenizer, prompt: str, temperatures: Sequence[float] = (0.5, 1.0, 1.5), top_k: int = 10
) -> NextTokenDistribution:
    """The model's probabilities for the token after ``prompt``, at several temperatures."""
    ids = tokenizer.encode(prompt)
    if not ids:
        raise UserError("o prompt está vazio.", "the prompt is empty.")
    if any(temp <= 0 for temp in temperatures):
        raise UserError(
            "as temperaturas precisam ser positivas.", "the temperatures must be positive."
        )
    ids = ids[-model.config.context_length :]
    was_training = model.training
    model.eval()
    logits = model(torch.tensor([ids]), logits_last_only=True).logits[0, -1].float()
    model.train(was_training)
    base = torch.softmax(logits, -1)
    top = torch.topk(base, min(top_k, base.numel())).indices.tolist()
    probs, entropy, top1 = {}, {}, {}
    for temp in temperatures:
        p = torch.softmax(logits / temp, -1)
        probs[temp] = [float(p[i]) for i in top]
        entropy[temp] = float(-(p * torch.log2(p.clamp_min(1e-30))).sum())
        top1[temp] = float(p.max())
    return NextTokenDistribution(
        prompt, top, [token_label(tokenizer, i) for i in top], probs, entropy, top1
    )


def plot_next_token_distribution(
    model,
    tokenizer,
    prompt: str,
    path: str | Path | None = None,
    *,
    temperatures: float | Sequence[float] = (0.5, 1.0, 1.5),
    top_k: int = 10,
) -> NextTokenDistribution:
    """Bar chart of the ``top_k`` most probable next tokens after ``prompt``, one panel per
    temperature.

    The same tokens (the top_k at temperature 1) appear in every panel, so the panels show how
    temperature moves probability: low temperature piles it on the favourite, high temperature
    spreads it out. Saves a PNG when ``path`` is given; otherwise the figure is returned in
    ``.figure`` (for a notebook).
    """
    temps = (
        [float(temperatures)]
        if isinstance(temperatures, (int, float))
        else [float(x) for x in temperatures]
    )
    dist = next_token_distribution(model, tokenizer, prompt, temps, top_k)
    fig, axes = figure(
        1,
        len(temps),
        figsize=(3.6 * len(temps) + 1, 0.32 * len(dist.labels) + 2),
        sharey=True,
        squeeze=False,
    )
    y = np.arange(len(dist.labels))
    for ax, temp in zip(axes[0], temps):
        ax.barh(y, dist.probs[temp], color="tab:blue")
        for yi, p in zip(y, dist.probs[temp]):
            ax.text(p, yi, f" {p:.2f}", va="center", fontsize=8)
        ax.set_xlim(0, 1.15)
        ax.set_title(f"T = {temp:g} · H = {dist.entropy_bits[temp]:.2f} bits", fontsize=10)
        ax.set_xlabel(t("probabilidade", "probability"))
    axes[0][0].set_yticks(y, dist.labels)
    axes[0][0].invert_yaxis()
    fig.suptitle(
        t(
            f'Próximo token depois de: "{quote(prompt, 60)}"',
            f'Next token after: "{quote(prompt, 60)}"',
        )
    )
    if path is not None:
        dist.path = save_figure(fig, path)
    else:
        dist.figure = fig
    return dist


@experiment("next-token", "Distribuição do próximo token", "Next-token distribution")
def next_token(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    data = load_data("prompts_ptbr.json")["next_token"]
    prompt = data["prompt"]
    dist = plot_next_token_distribution(
        lm.model,
        lm.tokenizer,
        prompt,
        ctx.exp_dir("next-token") / "next_token.png",
        temperatures=data["temperatures"],
        top_k=data["top_k"],
    )
    temps = list(dist.probs)
    m = {
        "prompt": prompt,
        "tokens": dist.labels,
        "token_ids": dist.token_ids,
        "probs": {str(k): v for k, v in dist.probs.items()},
        "entropy_bits": {str(k): v for k, v in dist.entropy_bits.items()},
        "top1": {str(k): v for k, v in dist.top1.items()},
        "vocab_size": lm.model.config.vocab_size,
    }
    table = md_table(
        ["token"] + [f"p (T={x:g})" for x in temps],
        [
            [f"`{lab}`"] + [fmt(dist.probs[x][i], 3) for x in temps]
            for i, lab in enumerate(dist.labels)
        ],
    )
    entropies = ", ".join(f"T={x:g}: {dist.entropy_bits[x]:.2f}" for x in temps)
    body = (
        t(
            f"Prompt: `{prompt}`. Os {len(dist.labels)} tokens mais prováveis a T=1 e a sua "
            "probabilidade a cada temperatura "
            f"(p ∝ exp(logit/T)). Entropia da distribuição inteira em bits ({entropies}; o máximo "
            "seria "
            f"{math.log2(lm.model.config.vocab_size):.1f}). A função "
            "`plot_next_token_distribution` (llmzero.lab) faz o gráfico.",
            f"Prompt: `{prompt}`. The {len(dist.labels)} most probable tokens at T=1 and their "
            "probability at each temperature "
            f"(p ∝ exp(logit/T)). Entropy of the whole distribution in bits ({entropies}; the "
            "maximum would be "
            f"{math.log2(lm.model.config.vocab_size):.1f}). The function "
            "`plot_next_token_distribution` (llmzero.lab) draws it.",
        )
        + "\n\n"
        + table
    )
    lo, hi = temps[0], temps[-1]
    fav = dist.labels[0]
    return ExperimentResult(
        "next-token",
        m,
        ["next_token.png"],
        body,
        f'Depois de "{prompt}" o favorito é `{fav}` com '
        f"{dist.top1[1.0] if 1.0 in dist.top1 else dist.top1[lo]:.2f} a T=1; "
        f"a T={lo:g} ele fica com {dist.top1[lo]:.2f} e a T={hi:g} com {dist.top1[hi]:.2f} "
        "(entropia de "
        f"{dist.entropy_bits[lo]:.2f} para {dist.entropy_bits[hi]:.2f} bits): a temperatura só "
        "remodela a mesma distribuição.",
        f'After "{prompt}" the favourite is `{fav}` at '
        f"{dist.top1[1.0] if 1.0 in dist.top1 else dist.top1[lo]:.2f} for T=1; "
        f"at T={lo:g} it holds {dist.top1[lo]:.2f} and at T={hi:g} {dist.top1[hi]:.2f} (entropy "
        "from "
        f"{dist.entropy_bits[lo]:.2f} to {dist.entropy_bits[hi]:.2f} bits): temperature only "
        "reshapes the same distribution.",
    )
