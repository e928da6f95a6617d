"""Experiments that train their own small GPTs: how much data, and how big a model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from llmzero.errors import t
from llmzero.evaluation.harness.bench import score_text
from llmzero.lab.core import (
    BENCH_METRIC,
    BENCH_TASK,
    ExperimentResult,
    LabContext,
    WordGPTRun,
    bench_limit,
    bench_note,
    bench_score,
    chunk_split,
    experiment,
    fmt,
    md_table,
    save_plot,
    train_lm,
)
from llmzero.model import GPTConfig
from llmzero.plots import figure


# Small shapes trained for a fixed number of steps; the quick ones keep `lab all --quick` to a few
# minutes. Dataset size uses word tokens (the 2,000/4,000 most frequent words): a model trained on
# little text has never seen many of the words of the validation text as targets, and it over-fits
# its few thousand tokens, so the ordering "more data, lower validation loss" is clear even after a
# short run (checked over several seeds).
@dataclass(frozen=True)
class DatasetSizeSettings(WordGPTRun):
    """The dataset-size experiment: a word-level GPT trained on growing fractions of the corpus."""

    fractions: tuple[float, ...]
    chunk: int


DATASET_SIZE = {  # quick -> its settings, full -> its own
    True: DatasetSizeSettings(
        fractions=(0.1, 0.25, 0.5, 1.0),
        vocab=2000,
        n_layer=2,
        n_head=2,
        n_embd=64,
        context=32,
        batch=16,
        steps=150,
        lr=3e-3,
        chunk=128,
    ),
    False: DatasetSizeSettings(
        fractions=(0.1, 0.25, 0.5, 1.0),
        vocab=4000,
        n_layer=2,
        n_head=4,
        n_embd=128,
        context=64,
        batch=16,
        steps=400,
        lr=2e-3,
        chunk=128,
    ),
}


@dataclass(frozen=True)
class ScalingSettings:
    """The scaling experiment: shapes tried around a base model, the same training for each."""

    tokenizer: str
    widths: tuple[int, ...]
    contexts: tuple[int, ...]
    depths: tuple[int, ...]
    base: dict
    tokens_per_step: int
    steps: int
    lr: float


SCALING = {  # quick -> its settings, full -> its own
    True: ScalingSettings(
        tokenizer="char",
        widths=(16, 32, 64),
        contexts=(16, 64, 128),
        depths=(1, 2, 3),
        base=dict(n_layer=2, n_head=2, n_embd=64, context_length=64),
        tokens_per_step=512,
        steps=100,
        lr=3e-3,
    ),
    False: ScalingSettings(
        tokenizer="bpe",
        widths=(16, 32, 64, 128),
        contexts=(16, 32, 64, 128),
        depths=(1, 2, 4),
        base=dict(n_layer=2, n_head=2, n_embd=64, context_length=64),
        tokens_per_step=1024,
        steps=500,
        lr=3e-3,
    ),
}


def final_val(history: list[dict]) -> float:
    return next(r["val_loss"] for r in reversed(history) if r.get("val_loss") is not None)


# --------------------------------------------------------------------------------------------------
# 8. Dataset size
# --------------------------------------------------------------------------------------------------
def dataset_size_runs(ctx: LabContext, **overrides) -> tuple[list[dict], dict, int]:
    """Train the same small GPT on growing fractions of the corpus; (runs, settings, validation
    tokens)."""
    s = replace(DATASET_SIZE[ctx.quick], **overrides)
    tok = ctx.word_tokenizer(s.vocab)
    ids = np.asarray(tok.encode(ctx.corpus()), dtype=np.int64)
    train_chunks, val = chunk_split(ids, s.chunk, 0.1, ctx.seed)
    config = GPTConfig(
        vocab_size=tok.vocab_size,
        context_length=s.context,
        n_layer=s.n_layer,
        n_head=s.n_head,
        n_embd=s.n_embd,
        dropout=0.0,
    )
    runs = []
    for frac in s.fractions:
        k = max(1, round(len(train_chunks) * frac))
        train = np.concatenate(train_chunks[:k])  # nested subsets spread over the whole corpus
        _, history = train_lm(
            train,
            val,
            config,
            steps=s.steps,
            batch_size=s.batch,
            lr=s.lr,
            seed=ctx.seed,
            eval_every=max(1, s.steps // 6),
        )
        seen = s.steps * s.batch * s.context
        runs.append(
            {
                "fraction": frac,
                "train_tokens": int(len(train)),
                "epochs": seen / len(train),
                "curve": [
                    (r["step"], r["val_loss"]) for r in history if r.get("val_loss") is not None
                ],
                "train_curve": [
                    (r["step"], r["train_loss"]) for r in history if r.get("train_loss") is not None
                ],
                "final_val_loss": final_val(history),
                "final_train_loss": history[-1]["train_loss"],
            }
        )
    return runs, {**asdict(s), "model": config.to_dict()}, int(len(val))


@experiment("dataset-size", "Tamanho do conjunto de dados", "Dataset size", needs_model=False)
def dataset_size(ctx: LabContext) -> ExperimentResult:
    runs, settings, n_val = dataset_size_runs(ctx)
    config = GPTConfig(**settings["model"])
    m = {
        "runs": runs,
        "val_tokens": n_val,
        "steps": settings["steps"],
        "model": settings["model"],
        "vocab": settings["vocab"],
    }

    fig, (ax1, ax2) = figure(1, 2, figsize=(11, 4))
    for r in runs:
        steps, losses = zip(*r["curve"])
        (line,) = ax1.plot(
            steps,
            losses,
            "o-",
            markersize=3,
            label=f"{r['fraction']:.0%} ({r['train_tokens']:,} tokens)",
        )
        ax1.plot(*zip(*r["train_curve"]), "--", color=line.get_color(), alpha=0.5)
    ax1.set_xlabel(t("passo", "step"))
    ax1.set_ylabel(t("perda de validação", "validation loss"))
    ax1.set_title(
        t("Validação (contínua) e treino (tracejada)", "Validation (solid) and training (dashed)")
    )
    ax1.legend(fontsize=8)
    ax2.plot([r["train_tokens"] for r in runs], [r["final_val_loss"] for r in runs], "o-")
    ax2.set_xscale("log")
    ax2.set_xlabel(t("tokens de treino (log)", "training tokens (log)"))
    ax2.set_ylabel(t("perda de validação final", "final validation loss"))
    ax2.set_title(t("Mais dados, menos perda", "More data, lower loss"))
    plot = save_plot(fig, ctx, "dataset-size", "dataset_size.png")

    table = md_table(
        [
            t("fração", "fraction"),
            t("tokens de treino", "training tokens"),
            t("épocas", "epochs"),
            t("perda de treino", "training loss"),
            t("perda de validação", "validation loss"),
        ],
        [
            [
                f"{r['fraction']:.0%}",
                f"{r['train_tokens']:,}",
                f"{r['epochs']:.1f}",
                fmt(r["final_train_loss"]),
                fmt(r["final_val_loss"]),
            ]
            for r in runs
        ],
    )
    body = (
        t(
            f"O mesmo GPT ({config.n_layer} camadas, dimensão {config.n_embd}, contexto "
            f"{config.context_length}, "
            f"tokenizador de palavras com as {settings['vocab']:,} mais frequentes) treinado "
            f"{settings['steps']} passos em frações do corpus (pedaços sorteados de todo o corpus; "
            f"cada fração contém a menor) e avaliado nos mesmos {n_val:,} tokens de validação.",
            f"The same GPT ({config.n_layer} layers, dimension {config.n_embd}, context "
            f"{config.context_length}, word "
            f"tokenizer with the {settings['vocab']:,} most frequent words) trained for "
            f"{settings['steps']} steps on fractions of the corpus (chunks drawn from the "
            "whole corpus; each fraction contains the smaller ones) and evaluated on the same "
            f"{n_val:,} validation tokens.",
        )
        + "\n\n"
        + table
    )
    a, b = runs[0], runs[-1]
    gap_a = a["final_val_loss"] - a["final_train_loss"]
    return ExperimentResult(
        "dataset-size",
        m,
        [plot],
        body,
        f"Com {a['fraction']:.0%} do corpus ({a['epochs']:.1f} épocas) a perda de validação "
        f"termina em {a['final_val_loss']:.3f} "
        f"(distância treino-validação {gap_a:.2f}); com {b['fraction']:.0%} ({b['epochs']:.1f} "
        f"época), em {b['final_val_loss']:.3f}: "
        + (
            "com poucos dados o modelo decora o treino em vez de generalizar."
            if b["final_val_loss"] < a["final_val_loss"]
            else "neste treino curto a vantagem de mais dados ainda não apareceu."
        ),
        f"With {a['fraction']:.0%} of the corpus ({a['epochs']:.1f} epochs) the validation loss "
        f"ends at {a['final_val_loss']:.3f} "
        f"(train-validation gap {gap_a:.2f}); with {b['fraction']:.0%} ({b['epochs']:.1f} epoch), "
        f"at {b['final_val_loss']:.3f}: "
        + (
            "with little data the model memorises the training text instead of generalising."
            if b["final_val_loss"] < a["final_val_loss"]
            else "in this short run the advantage of more data has not shown yet."
        ),
    )


# --------------------------------------------------------------------------------------------------
# 10. Scaling
# --------------------------------------------------------------------------------------------------
def core_parameters(model) -> int:
    """Parameters without the token and position embeddings (Kaplan et al.'s N, about 12·L·d²)."""
    return model.num_parameters() - model.tok_emb.weight.numel() - model.pos_emb.weight.numel()


@experiment(
    "scaling",
    "Escala: parâmetros, contexto e profundidade",
    "Scaling: parameters, context and depth",
    needs_model=False,
)
def scaling(ctx: LabContext) -> ExperimentResult:
    s = SCALING[ctx.quick]
    tok = ctx.bpe() if s.tokenizer == "bpe" else ctx.tokenizer(s.tokenizer)
    ids = np.asarray(tok.encode(ctx.corpus()), dtype=np.int64)
    train_chunks, val = chunk_split(ids, 512, 0.1, ctx.seed)
    train = np.concatenate(train_chunks)
    vocab = tok.vocab_size
    cache: dict[tuple, dict] = {}

    def run(**shape) -> dict:
        shape = {**s.base, **shape}
        key = tuple(sorted(shape.items()))
        if key not in cache:
            config = GPTConfig(vocab_size=vocab, dropout=0.0, **shape)
            # the same tokens per step for every shape
            batch = max(1, s.tokens_per_step // config.context_length)
            model, history = train_lm(
                train,
                val,
                config,
                steps=s.steps,
                batch_size=batch,
                lr=s.lr,
                seed=ctx.seed,
                eval_every=s.steps,
                eval_batches=100,
            )
            cache[key] = {
                **shape,
                "params": model.num_parameters(),
                "core_params": core_parameters(model),
                "val_loss": final_val(history),
                "tokens": s.steps * batch * config.context_length,
                "bench": bench_score(model, tok, ctx),
            }
        return cache[key]

    width = [run(n_embd=w) for w in s.widths]
    context = [run(context_length=c) for c in s.contexts]
    depth = [run(n_layer=n) for n in s.depths]
    x = np.log([r["core_params"] for r in width])
    slope, intercept = np.polyfit(x, np.log([r["val_loss"] for r in width]), 1)
    m = {
        "width": width,
        "context": context,
        "depth": depth,
        "power_law_exponent": float(slope),
        "tokens": width[0]["tokens"],
        "runs": len(cache),
        "bench": {"task": BENCH_TASK, "metric": BENCH_METRIC, "limit": bench_limit(ctx.quick)},
    }

    from matplotlib.ticker import ScalarFormatter  # matplotlib loads only to draw (start-up time)

    fig, axes = figure(1, 3, figsize=(14, 4))
    ax = axes[0]
    n = np.array([r["core_params"] for r in width], dtype=float)
    ax.loglog(n, [r["val_loss"] for r in width], "o", label=t("medido", "measured"))
    grid = np.geomspace(n.min(), n.max(), 50)
    ax.loglog(grid, np.exp(intercept) * grid**slope, "--", label=f"L ∝ N^{slope:.3f}")
    for r in width:
        ax.annotate(
            f"d={r['n_embd']}",
            (r["core_params"], r["val_loss"]),
            fontsize=8,
            textcoords="offset points",
            xytext=(3, 3),
        )
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    ax.set_xlabel(t("parâmetros sem embeddings (log)", "non-embedding parameters (log)"))
    ax.set_ylabel(t("perda de validação (log)", "validation loss (log)"))
    ax.set_title(t("Largura", "Width"))
    ax.legend()
    axes[1].plot([r["context_length"] for r in context], [r["val_loss"] for r in context], "o-")
    axes[1].set_xscale("log", base=2)
    axes[1].set_xlabel(t("contexto (tokens, log)", "context (tokens, log)"))
    axes[1].set_title(t("Comprimento do contexto", "Context length"))
    axes[2].plot([r["n_layer"] for r in depth], [r["val_loss"] for r in depth], "o-")
    axes[2].set_xticks([r["n_layer"] for r in depth])
    axes[2].set_xlabel(t("camadas", "layers"))
    axes[2].set_title(t("Profundidade", "Depth"))
    for ax in axes[1:]:
        ax.set_ylabel(t("perda de validação", "validation loss"))
    fig.suptitle(
        t(
            f"Mesmo orçamento: {m['tokens']:,} tokens de treino por modelo",
            f"Same budget: {m['tokens']:,} training tokens per model",
        )
    )
    plot = save_plot(fig, ctx, "scaling", "scaling.png")

    def rows(group, key):
        return [
            [
                r[key],
                f"{r['params']:,}",
                f"{r['core_params']:,}",
                fmt(r["val_loss"]),
                score_text(r["bench"]),
            ]
            for r in group
        ]

    head = [
        t("parâmetros", "parameters"),
        t("sem embeddings", "non-embedding"),
        t("perda de validação", "validation loss"),
        f"{BENCH_TASK} {BENCH_METRIC}",
    ]
    scored = next((r["bench"] for r in width if r["bench"]), None)
    note = bench_note(
        scored and scored["documents"],
        scored and scored["chance"],
        (
            "com o intervalo de 95 % do bootstrap: diferenças dentro dele são ruído",
            "with the bootstrap 95 % interval: differences inside it are noise",
        ),
    )
    body = (
        t(
            f"Cada modelo treina {s.steps} passos com {s.tokens_per_step} tokens por passo "
            "(o lote se ajusta ao "
            f"contexto), {m['runs']} treinos ao todo. Base: {s.base['n_layer']} camadas, "
            f"dimensão {s.base['n_embd']}, "
            f"contexto {s.base['context_length']}; cada tabela varia uma coisa.",
            f"Each model trains {s.steps} steps on {s.tokens_per_step} tokens per step (the "
            "batch adapts to the "
            f"context), {m['runs']} runs in all. Base: {s.base['n_layer']} layers, dimension "
            f"{s.base['n_embd']}, "
            f"context {s.base['context_length']}; each table varies one thing.",
        )
        + " "
        + note
        + "\n\n"
        + md_table([t("dimensão", "dimension")] + head, rows(width, "n_embd"))
        + "\n\n"
        + md_table([t("contexto", "context")] + head, rows(context, "context_length"))
        + "\n\n"
        + md_table([t("camadas", "layers")] + head, rows(depth, "n_layer"))
    )
    small, big = width[0], width[-1]
    best_ctx = min(context, key=lambda r: r["val_loss"])
    best_depth = min(depth, key=lambda r: r["val_loss"])
    return ExperimentResult(
        "scaling",
        m,
        [plot],
        body,
        f"Com o mesmo orçamento de {m['tokens']:,} tokens, passar de {small['core_params']:,} para "
        f"{big['core_params']:,} "
        f"parâmetros leva a perda de {small['val_loss']:.3f} a {big['val_loss']:.3f} (lei de "
        f"potência L ∝ N^{slope:.3f}); "
        f"o melhor contexto foi {best_ctx['context_length']} e a melhor profundidade "
        f"{best_depth['n_layer']} camada(s).",
        f"With the same budget of {m['tokens']:,} tokens, going from {small['core_params']:,} to "
        f"{big['core_params']:,} "
        f"parameters takes the loss from {small['val_loss']:.3f} to {big['val_loss']:.3f} (power "
        f"law L ∝ N^{slope:.3f}); "
        f"the best context was {best_ctx['context_length']} and the best depth "
        f"{best_depth['n_layer']} layer(s).",
    )
