"""What each modern change to the GPT-2 block buys: GPT-2 -> +RoPE -> +RMSNorm -> +SwiGLU -> +GQA
-> +QK-norm, one change at a time and cumulatively (the last one is the block of Llama 3 and Qwen3,
at the size of a toy).

Every variant trains from scratch on the same data (the shipped corpus, character tokenizer, the
same train/validation split), for the same number of training tokens, with the same seeds, under
the same wall-time budget per run: a run that exceeds the budget stops early, and the report says
so. Per variant: validation loss (mean ± standard deviation over the seeds), parameters, training
tokens per second, and the inference KV-cache bytes per token (2 · layers · kv_heads · head_dim ·
bytes per element). The reading calls a difference "clear" only when it exceeds twice its standard
error over the seeds; anything smaller is seed noise, and the report says so.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch

from llmzero.data import TokenWindows, WindowBatches
from llmzero.errors import t
from llmzero.lab.core import (
    BENCH_METRIC,
    BENCH_TASK,
    ExperimentResult,
    LabContext,
    bench_note,
    bench_score,
    chunk_split,
    experiment,
    md_table,
    save_plot,
)
from llmzero.model import GPT, GPTConfig
from llmzero.plots import figure
from llmzero.training import TrainConfig, Trainer
from llmzero.training.trainer import clipped_step, make_optimizer

NAME = "architectures"
BYTES_PER_ELEMENT = 4  # the KV cache in float32, the dtype these models train and run in


@dataclass(frozen=True)
class ArchitectureSettings:
    """The shape every variant shares, and the training every run gets."""

    n_layer: int
    n_head: int
    n_embd: int
    context: int
    batch: int
    steps: int  # the token budget: steps · batch · context training tokens per run
    lr: float
    seeds: int  # runs per variant: ctx.seed, ctx.seed + 1, ...
    # seconds per run; a run still training then stops early. The Trainer's learning-rate schedule
    # follows elapsed time too when it runs ahead of the steps: keep the budget well above a run's
    # usual time, so that the steps drive the schedule
    time_budget: float
    probe_rounds: int = 5  # the speed probe: rounds of probe_steps training steps per variant
    probe_steps: int = 5
    chunk: int = 512  # the train/validation split cuts the corpus into chunks of this many tokens
    val_fraction: float = 0.1

    @property
    def tokens(self) -> int:
        return self.steps * self.batch * self.context


ARCHITECTURES = {  # quick -> its settings, full -> its own
    True: ArchitectureSettings(
        n_layer=2, n_head=4, n_embd=32, context=64, batch=8, steps=40, lr=3e-3, seeds=2,
        time_budget=20.0, probe_rounds=3, probe_steps=3,
    ),
    False: ArchitectureSettings(
        n_layer=3, n_head=4, n_embd=64, context=128, batch=8, steps=300, lr=3e-3, seeds=3,
        time_budget=30.0,
    ),
}  # fmt: skip


def swiglu_hidden(n_embd: int, multiple: int = 8) -> int:
    """SwiGLU's inner width: 2/3 of GELU's 4·d, rounded to a multiple of 8. Its three d × h
    matrices then hold about as many numbers as GELU's two of d × 4d (3 · 8d/3 = 8d)."""
    return max(multiple, multiple * round(2 * 4 * n_embd / 3 / multiple))


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    changes: dict  # the config fields this step sets, on top of the previous variant
    config: GPTConfig


# What each step is for, whatever a small run shows (pt, en).
PURPOSE = {
    "gpt2": (
        "o ponto de partida: posições aprendidas, LayerNorm, MLP GELU, atenção multi-cabeça",
        "the starting point: learned positions, LayerNorm, GELU MLP, multi-head attention",
    ),
    "rope": (
        "posições como rotações de consultas e chaves: posição relativa, sem tabela de posições",
        "positions as rotations of queries and keys: relative position, no position table",
    ),
    "rmsnorm": (
        "normaliza só a escala (sem média, sem viés): um pouco menos de conta",
        "normalises only the scale (no mean, no bias): slightly less arithmetic",
    ),
    "swiglu": (
        "MLP com portão (silu(gate) · up), largura ajustada para o mesmo número de parâmetros",
        "a gated MLP (silu(gate) · up), its width sized for the same number of parameters",
    ),
    "gqa": (
        "metade das cabeças de chave/valor: o cache KV da inferência cai pela metade",
        "half the key/value heads: the inference KV cache halves",
    ),
    "qk-norm": (
        "RMSNorm em consultas e chaves: logits de atenção limitados, treino estável em escala",
        "RMSNorm on queries and keys: bounded attention logits, stable training at scale",
    ),
}


def variants(vocab_size: int, s: ArchitectureSettings) -> list[Variant]:
    """The six configs, each the previous one plus one change (GPT-2's biases and tied embeddings
    everywhere, so only the intended options move)."""
    config = GPTConfig(
        vocab_size=vocab_size,
        context_length=s.context,
        n_layer=s.n_layer,
        n_head=s.n_head,
        n_embd=s.n_embd,
        dropout=0.0,
    )
    steps = [
        ("gpt2", "GPT-2", {}),
        ("rope", "+RoPE", {"positions": "rope"}),
        ("rmsnorm", "+RMSNorm", {"norm": "rmsnorm"}),
        ("swiglu", "+SwiGLU", {"mlp": "swiglu", "mlp_hidden": swiglu_hidden(s.n_embd)}),
        ("gqa", "+GQA", {"n_kv_head": s.n_head // 2}),
        ("qk-norm", "+QK-norm", {"qk_norm": True}),
    ]
    out = []
    for key, label, changes in steps:
        config = replace(config, **changes)
        out.append(Variant(key, label, changes, config))
    return out


def kv_bytes_per_token(config: GPTConfig, bytes_per_element: int = BYTES_PER_ELEMENT) -> int:
    """What one more token of context costs the KV cache: keys and values of every layer."""
    return 2 * config.n_layer * config.kv_heads * config.head_dim * bytes_per_element


def train_run(
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    config: GPTConfig,
    s: ArchitectureSettings,
    seed,
    bench=None,
) -> dict:
    """Train one fresh model for ``s.tokens`` tokens (or until ``s.time_budget`` seconds); return
    its numbers. The validation loss is over the whole validation split; ``bench(model)``, when
    given, adds the benchmark score (a dict, or None)."""
    torch.manual_seed(seed)
    model = GPT(config)
    T = config.context_length
    train = WindowBatches(TokenWindows(train_ids, T, T), s.batch, seed=seed)
    val = WindowBatches(TokenWindows(val_ids, T, T), s.batch, shuffle=False)
    cfg = TrainConfig(
        max_steps=s.steps,
        lr=s.lr,
        warmup_steps=max(1, s.steps // 20),
        eval_every=s.steps,  # once, at the end (or when the budget stops the run)
        eval_batches=len(val.windows),  # more than enough: every validation window
        checkpoint_every=10**9,
        time_budget=s.time_budget,
        seed=seed,
        progress=False,
        device="cpu",
    )
    with tempfile.TemporaryDirectory(prefix="llmzero-lab-") as tmp:
        trainer = Trainer(
            model, train, val, cfg, tmp, meta={"kind": "lm", "model": config.to_dict()},
            log=lambda msg: None,
        )  # fmt: skip
        result = trainer.fit()
    return {
        "seed": seed,
        "val_loss": float(result.val_loss),
        "train_loss": float(result.train_loss),
        "steps": result.steps,
        "tokens": result.tokens,
        "tokens_per_second": float(result.tokens_per_second),
        "seconds": float(result.elapsed),
        "stopped_by_budget": result.stopped_by == "time_budget",
        "params": model.num_parameters(),
        "bench": bench(model.eval()) if bench is not None else None,
    }


def speed_probe(train_ids: np.ndarray, configs: list[GPTConfig], s: ArchitectureSettings, seed):
    """Training tokens per second of each config, the same step as the Trainer's (forward,
    backward, clipping, AdamW) on one fixed batch. The configs take turns, round after round, so
    that a busy neighbour on a shared CPU slows them alike; each keeps its best round (the least
    disturbed). Returns one {"best", "median"} per config."""
    torch.manual_seed(seed)
    T = s.context
    x, y = WindowBatches(TokenWindows(train_ids, T, T), s.batch, seed=seed).batch(0)
    cfg = TrainConfig(lr=s.lr)
    models = [GPT(c) for c in configs]
    opts = [make_optimizer(m, cfg, torch.device("cpu")) for m in models]

    def step(model, opt) -> None:
        model(x, y).loss.backward()
        clipped_step(opt, model.parameters(), cfg.grad_clip)
        opt.zero_grad(set_to_none=True)

    times: list[list[float]] = [[] for _ in models]
    for m, opt in zip(models, opts):
        step(m, opt)  # warm-up: the first step allocates the optimizer state
    for _ in range(s.probe_rounds):
        for i, (m, opt) in enumerate(zip(models, opts)):
            t0 = time.perf_counter()
            for _ in range(s.probe_steps):
                step(m, opt)
            times[i].append((time.perf_counter() - t0) / s.probe_steps)
    tokens = s.batch * T
    return [
        {"best": tokens / min(ts), "median": tokens / float(np.median(ts)), "rounds": len(ts)}
        for ts in times
    ]


def _stats(values) -> dict:
    a = np.asarray(values, dtype=float)
    sd = float(a.std(ddof=1)) if len(a) > 1 else None
    return {"mean": float(a.mean()), "sd": sd, "min": float(a.min()), "max": float(a.max())}


def pooled_sd(rows: list[dict]) -> float | None:
    """The seed-to-seed standard deviation of the validation loss, pooled over the variants (one
    noise level for all: two or three seeds alone give a shaky, sometimes near-zero, estimate)."""
    groups = [[r["val_loss"] for r in row["runs"]] for row in rows]
    dof = sum(len(g) - 1 for g in groups)
    if dof < 1:
        return None
    return math.sqrt(sum(float(np.var(g, ddof=0)) * len(g) for g in groups) / dof)


def compare(prev: dict, cur: dict, sd: float | None) -> dict:
    """The change of the mean validation loss from ``prev`` to ``cur``, and whether it stands out
    of the seed noise: "clear" when larger than twice its standard error (from the pooled
    ``sd``)."""
    delta = cur["val_loss"]["mean"] - prev["val_loss"]["mean"]
    if sd is None:
        return {"delta": delta, "se": None, "verdict": "unknown"}
    se = sd * math.sqrt(1 / len(prev["runs"]) + 1 / len(cur["runs"]))
    if abs(delta) <= 2 * se:
        verdict = "noise"
    else:
        verdict = "better" if delta < 0 else "worse"
    return {"delta": delta, "se": se, "verdict": verdict}


VERDICT = {
    "better": ("ganho claro", "clear gain"),
    "worse": ("perda clara", "clear loss"),
    "noise": ("dentro do ruído entre sementes", "within the seed noise"),
    "unknown": ("uma semente só: ruído desconhecido", "one seed only: noise unknown"),
}


def loss_text(v: dict) -> str:
    s = v["val_loss"]
    return f"{s['mean']:.3f} ± {s['sd']:.3f}" if s["sd"] is not None else f"{s['mean']:.3f}"


def change_reading(prev: dict, cur: dict) -> tuple[str, str]:
    """A benchmark-free verdict on one step: what it is for, then what it changed here (loss
    against the noise, parameters, speed, KV cache)."""
    c = cur["vs_previous"]
    pt_v, en_v = VERDICT[c["verdict"]]
    dp = cur["params"] - prev["params"]
    speed = cur["train_tokens_per_second"]["best"] / prev["train_tokens_per_second"]["best"]
    kv = cur["kv_bytes_per_token"] / prev["kv_bytes_per_token"]
    se = f", 2·EP {2 * c['se']:.3f}" if c["se"] is not None else ""
    se_en = f", 2·SE {2 * c['se']:.3f}" if c["se"] is not None else ""
    pt_purpose, en_purpose = PURPOSE[cur["key"]]
    return (
        f"{pt_purpose}. Aqui: perda {c['delta']:+.3f} ({pt_v}{se}), parâmetros {dp:+,}, "
        f"tokens/s ×{speed:.2f}, cache KV ×{kv:g}.",
        f"{en_purpose}. Here: loss {c['delta']:+.3f} ({en_v}{se_en}), parameters {dp:+,}, "
        f"tokens/s ×{speed:.2f}, KV cache ×{kv:g}.",
    )


def architecture_runs(ctx: LabContext, **overrides) -> tuple[list[dict], dict]:
    """Train every variant with every seed; (one dict per variant, the shared settings)."""
    s = replace(ARCHITECTURES[ctx.quick], **overrides)
    tok = ctx.tokenizer("char")
    ids = np.asarray(tok.encode(ctx.corpus()), dtype=np.int64)
    train_chunks, val = chunk_split(ids, s.chunk, s.val_fraction, ctx.seed)
    train = np.concatenate(train_chunks)
    seeds = [ctx.seed + i for i in range(s.seeds)]
    vs = variants(tok.vocab_size, s)

    def bench(model):
        return bench_score(model, tok, ctx)

    ctx.log(t(f"[{NAME}] medindo a velocidade", f"[{NAME}] measuring the speed"))
    speeds = speed_probe(train, [v.config for v in vs], s, ctx.seed)
    runs: dict[str, list[dict]] = {v.key: [] for v in vs}
    # seed by seed, every variant in turn: a slower spell of the machine falls on all of them
    for seed in seeds:
        for v in vs:
            ctx.log(t(f"[{NAME}] {v.label}, semente {seed}", f"[{NAME}] {v.label}, seed {seed}"))
            runs[v.key].append(train_run(train, val, v.config, s, seed, bench))
    out = []
    for v, speed in zip(vs, speeds):
        rs = runs[v.key]
        out.append(
            {
                "key": v.key,
                "label": v.label,
                "changes": v.changes,
                "config": v.config.to_dict(),
                "params": rs[0]["params"],
                "kv_bytes_per_token": kv_bytes_per_token(v.config),
                "val_loss": _stats([r["val_loss"] for r in rs]),
                "train_tokens_per_second": speed,  # the speed probe
                "tokens_per_second": _stats([r["tokens_per_second"] for r in rs]),  # whole runs
                "tokens": _stats([r["tokens"] for r in rs]),
                "stopped_by_budget": sum(r["stopped_by_budget"] for r in rs),
                "bench": _stats([r["bench"]["value"] for r in rs]) if rs[0]["bench"] else None,
                "runs": rs,
            }
        )
    sd = pooled_sd(out)
    for prev, row in zip([None, *out], out):
        if prev is None:
            row["reading_pt"], row["reading_en"] = (p + "." for p in PURPOSE[row["key"]])
        else:
            row["vs_previous"] = compare(prev, row, sd)
            row["reading_pt"], row["reading_en"] = change_reading(prev, row)
    settings = {
        **asdict(s),
        "tokens_per_run": s.tokens,
        "seed_list": seeds,
        "tokenizer": "char",
        "vocab_size": tok.vocab_size,
        "train_tokens": int(len(train)),
        "val_tokens": int(len(val)),
        "kv_bytes_per_element": BYTES_PER_ELEMENT,
        "swiglu_hidden": swiglu_hidden(s.n_embd),
        "pooled_sd": sd,
        "bench": {
            "task": BENCH_TASK,
            "metric": BENCH_METRIC,
            "documents": out[0]["runs"][0]["bench"]["documents"] if out[0]["bench"] else None,
            "chance": out[0]["runs"][0]["bench"]["chance"] if out[0]["bench"] else None,
        },
    }
    return out, settings


def _plot(ctx: LabContext, rows: list[dict], s: dict) -> str:
    fig, (ax1, ax2) = figure(1, 2, figsize=(12, 4.2))
    x = np.arange(len(rows))
    labels = [r["label"] for r in rows]
    means = [r["val_loss"]["mean"] for r in rows]
    sds = [r["val_loss"]["sd"] or 0.0 for r in rows]
    ax1.errorbar(x, means, yerr=sds, fmt="o-", capsize=5, label=t("média ± dp", "mean ± sd"))
    for i, r in enumerate(rows):
        seeds = [run["val_loss"] for run in r["runs"]]
        ax1.plot([i] * len(seeds), seeds, "x", color="gray", alpha=0.7)
    ax1.plot([], [], "x", color="gray", label=t("cada semente", "each seed"))
    ax1.set_xticks(x, labels, rotation=20)
    ax1.set_ylabel(t("perda de validação", "validation loss"))
    ax1.set_title(
        t(
            f"{s['tokens_per_run']:,} tokens de treino, {s['seeds']} semente(s)",
            f"{s['tokens_per_run']:,} training tokens, {s['seeds']} seed(s)",
        )
    )
    ax1.legend(fontsize=8)

    kv = [r["kv_bytes_per_token"] for r in rows]
    ax2.bar(x, kv, color="tab:orange", alpha=0.7)
    ax2.set_xticks(x, labels, rotation=20)
    ax2.set_ylabel(
        t("bytes de cache KV por token (fp32)", "KV-cache bytes per token (fp32)"),
        color="tab:orange",
    )
    ax2.set_title(t("Custo de inferência e velocidade de treino", "Inference cost, training speed"))
    speed = ax2.twinx()
    best = [r["train_tokens_per_second"]["best"] for r in rows]
    median = [r["train_tokens_per_second"]["median"] for r in rows]
    speed.plot(x, best, "s-", color="tab:blue", label=t("melhor rodada", "best round"))
    speed.plot(x, median, "x", color="tab:blue", label=t("mediana", "median"))
    speed.legend(fontsize=8, loc="lower left")
    speed.set_ylabel(
        t("tokens de treino por segundo", "training tokens per second"), color="tab:blue"
    )
    speed.set_ylim(bottom=0)
    return save_plot(fig, ctx, NAME, "architectures.png")


@experiment(
    NAME,
    "Arquiteturas: o que cada mudança compra",
    "Architectures: what each change buys",
    needs_model=False,
)
def architectures(ctx: LabContext) -> ExperimentResult:
    rows, s = architecture_runs(ctx)
    plot = _plot(ctx, rows, s)
    n_runs = len(rows) * s["seeds"]
    stopped = sum(r["stopped_by_budget"] for r in rows)
    m = {"settings": s, "variants": rows, "runs_stopped_by_budget": stopped}

    def delta_cell(r) -> str:
        if "vs_previous" not in r:
            return "—"
        c = r["vs_previous"]
        return f"{c['delta']:+.3f} ({t(*VERDICT[c['verdict']])})"

    def tokens_cell(r) -> str:
        if not r["stopped_by_budget"]:
            return f"{r['tokens']['mean']:,.0f}"
        return t(
            f"{r['tokens']['min']:,.0f}–{r['tokens']['max']:,.0f} ({r['stopped_by_budget']} "
            "parada(s) pelo tempo)",
            f"{r['tokens']['min']:,.0f}–{r['tokens']['max']:,.0f} ({r['stopped_by_budget']} "
            "stopped by time)",
        )

    def bench_cell(r) -> str:
        b = r["bench"]
        if b is None:
            return "—"
        spread = f" ± {100 * b['sd']:.1f}" if b["sd"] is not None else ""
        return f"{100 * b['mean']:.1f} %{spread}"

    table = md_table(
        [
            t("variante", "variant"),
            t("parâmetros", "parameters"),
            t("perda de validação", "validation loss"),
            t("Δ vs anterior", "Δ vs previous"),
            f"{BENCH_TASK} {BENCH_METRIC}",
            "tokens/s",
            t("bytes KV/token", "KV bytes/token"),
            t("tokens de treino", "training tokens"),
        ],
        [
            [
                f"**{r['label']}**",
                f"{r['params']:,}",
                loss_text(r),
                delta_cell(r),
                bench_cell(r),
                f"{r['train_tokens_per_second']['best']:,.0f}",
                f"{r['kv_bytes_per_token']:,}",
                tokens_cell(r),
            ]
            for r in rows
        ],
    )
    budget_pt = (
        f"nenhum dos {n_runs} treinos estourou o orçamento de tempo"
        if not stopped
        else f"{stopped} de {n_runs} treinos pararam pelo orçamento de tempo, antes dos tokens"
    )
    budget_en = (
        f"none of the {n_runs} runs exceeded the time budget"
        if not stopped
        else f"{stopped} of {n_runs} runs were stopped by the time budget, short of the tokens"
    )
    sd = s["pooled_sd"]
    pooled_pt = f"{sd:.3f}" if sd is not None else "desconhecido, uma semente só"
    pooled_en = f"{sd:.3f}" if sd is not None else "unknown, one seed only"
    setup = t(
        f"Cada variante é a anterior mais uma mudança. Forma comum: {s['n_layer']} camadas, "
        f"{s['n_head']} cabeças, dimensão {s['n_embd']}, contexto {s['context']}, viés e "
        "embeddings amarrados como no GPT-2; SwiGLU com largura interna "
        f"{s['swiglu_hidden']} (2/3 de 4·d, múltiplo de 8), GQA com {s['n_head'] // 2} cabeças "
        "de chave/valor. Dados: o corpus embarcado, tokenizador de caracteres "
        f"({s['vocab_size']} símbolos), {s['train_tokens']:,} tokens de treino e "
        f"{s['val_tokens']:,} de validação (a mesma divisão para todos). "
        f"Treino: {s['steps']} passos × {s['batch']} × {s['context']} = {s['tokens_per_run']:,} "
        f"tokens por treino, lr {s['lr']}, sementes {s['seed_list']}, orçamento de "
        f"{s['time_budget']:g} s por treino ({budget_pt}). A perda de validação é sobre toda a "
        "validação; ± é o desvio-padrão entre sementes; um Δ é claro só se passa de 2 "
        f"erros-padrão (dp entre sementes agrupado de todas as variantes: {pooled_pt}). "
        "tokens/s: o passo de treino (forward, backward, AdamW) num lote fixo, "
        f"{s['probe_rounds']} rodadas de {s['probe_steps']} passos com as variantes se "
        "revezando, a melhor rodada de cada (num CPU compartilhado a velocidade oscila; a "
        "média dos treinos inteiros está em metrics.json). bytes KV/token = "
        f"2 · camadas · cabeças KV · dim. da cabeça · {BYTES_PER_ELEMENT} (fp32).",
        f"Each variant is the previous one plus one change. Shared shape: {s['n_layer']} layers, "
        f"{s['n_head']} heads, dimension {s['n_embd']}, context {s['context']}, biases and tied "
        f"embeddings as in GPT-2; SwiGLU with inner width {s['swiglu_hidden']} (2/3 of 4·d, a "
        f"multiple of 8), GQA with {s['n_head'] // 2} key/value heads. Data: the shipped corpus, "
        f"character tokenizer ({s['vocab_size']} symbols), {s['train_tokens']:,} training and "
        f"{s['val_tokens']:,} validation tokens (the same split for all). Training: {s['steps']} "
        f"steps × {s['batch']} × {s['context']} = {s['tokens_per_run']:,} tokens per run, lr "
        f"{s['lr']}, seeds {s['seed_list']}, a budget of {s['time_budget']:g} s per run "
        f"({budget_en}). The validation loss is over the whole validation split; ± is the standard "
        "deviation over seeds; a Δ is clear only beyond 2 standard errors (seed sd pooled over "
        f"all variants: {pooled_en}). tokens/s: the training step (forward, backward, AdamW) on a "
        f"fixed batch, {s['probe_rounds']} rounds of {s['probe_steps']} steps with the variants "
        "taking turns, the best round of each (on a shared CPU the speed swings; the whole runs' "
        "average is in metrics.json). KV bytes/token = 2 · layers · KV heads · "
        f"head dim · {BYTES_PER_ELEMENT} (fp32).",
    )
    bought = "\n".join(f"- **{r['label']}**: {t(r['reading_pt'], r['reading_en'])}" for r in rows)
    b = s["bench"]
    note = " " + bench_note(
        b["documents"], b["chance"], ("média ± dp entre sementes", "mean ± sd over seeds")
    )
    body = (
        setup
        + note
        + "\n\n"
        + table
        + "\n\n"
        + t("**O que cada mudança comprou:**", "**What each change bought:**")
        + "\n\n"
        + bought
    )
    reading_pt, reading_en = overall_reading(rows, s, budget_pt, budget_en)
    if ctx.quick:
        reading_pt = "(Modo rápido: treinos curtos demais para conclusões.) " + reading_pt
        reading_en = "(Quick mode: runs too short for conclusions.) " + reading_en
    return ExperimentResult(NAME, m, [plot], body, reading_pt, reading_en)


def overall_reading(rows: list[dict], s: dict, budget_pt: str, budget_en: str) -> tuple[str, str]:
    """The reading: the whole way from GPT-2 to the last variant, honest about the noise."""
    first, last = rows[0], rows[-1]
    gqa = next(r for r in rows if r["key"] == "gqa")
    before_gqa = rows[rows.index(gqa) - 1]
    sd, n = s["pooled_sd"], s["seeds"]
    whole = compare(first, last, sd)
    total_pt, total_en = (f"{whole['delta']:+.3f}, {v}" for v in VERDICT[whole["verdict"]])
    clear = [r for r in rows[1:] if r["vs_previous"]["verdict"] in ("better", "worse")]
    named_pt = ", ".join(f"{r['label']} ({VERDICT[r['vs_previous']['verdict']][0]})" for r in clear)
    named_en = ", ".join(f"{r['label']} ({VERDICT[r['vs_previous']['verdict']][1]})" for r in clear)
    if sd is None:
        noise_pt = "com uma semente só, não há como separar as diferenças do ruído"
        noise_en = "with one seed only, the differences cannot be told from noise"
    elif not clear:
        noise_pt = (
            f"nenhum passo sozinho sai do ruído entre sementes (dp {sd:.3f}): neste tamanho, as "
            "diferenças de perda de cada passo não são conclusivas"
        )
        noise_en = (
            f"no single step stands out of the seed noise (sd {sd:.3f}): at this size the loss "
            "differences of the single steps are not conclusive"
        )
    elif len(clear) == len(rows) - 1:
        noise_pt = f"todos os passos saem do ruído entre sementes (dp {sd:.3f}): {named_pt}"
        noise_en = f"every step stands out of the seed noise (sd {sd:.3f}): {named_en}"
    else:
        one = len(clear) == 1
        noise_pt = (
            f"{'sai' if one else 'saem'} do ruído entre sementes (dp {sd:.3f}) só {named_pt}; os "
            "demais passos ficam dentro dele"
        )
        noise_en = (
            f"only {named_en} {'stands' if one else 'stand'} out of the seed noise (sd "
            f"{sd:.3f}); the other steps stay within it"
        )
    return (
        f"De GPT-2 a {last['label']} (o bloco do Llama/Qwen3), a perda de validação vai de "
        f"{loss_text(first)} a {loss_text(last)} ({total_pt}) com os mesmos "
        f"{s['tokens_per_run']:,} tokens e {n} semente(s); {noise_pt}. O ganho que não depende de "
        f"ruído é de memória: GQA corta o cache KV de {before_gqa['kv_bytes_per_token']:,} para "
        f"{gqa['kv_bytes_per_token']:,} bytes por token; parâmetros {first['params']:,} → "
        f"{last['params']:,}; {budget_pt}.",
        f"From GPT-2 to {last['label']} (the Llama/Qwen3 block), the validation loss goes from "
        f"{loss_text(first)} to {loss_text(last)} ({total_en}) on the same "
        f"{s['tokens_per_run']:,} tokens and {n} seed(s); {noise_en}. The gain that does not hang "
        f"on noise is memory: GQA cuts the KV cache from {before_gqa['kv_bytes_per_token']:,} to "
        f"{gqa['kv_bytes_per_token']:,} bytes per token; parameters {first['params']:,} → "
        f"{last['params']:,}; {budget_en}.",
    )
