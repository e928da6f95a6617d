"""The lab's shared plumbing: the experiment registry, the model every experiment shares,
measurements and the report.

An experiment is a function ``run(ctx) -> ExperimentResult`` registered with ``@experiment(name,
...)``. It writes its PNG plots into ``ctx.exp_dir(name)`` and returns its numbers, a Markdown body
and a one-line reading of the result in Portuguese and in English. ``run_experiment`` adds the
heading, the reading and the plots and writes ``DIR/NAME/section.md`` (+ ``metrics.json``);
``run_all`` also joins every section into ``DIR/report.md``.

    ctx = LabContext(out="runs/lab", quick=True, seed=1337)
    result = run_experiment("temperature", ctx)
    print(result.reading())

The model: ``--model DIR`` (a pre-trained or instruction-tuned "lm" checkpoint), or, without it, a
small GPT that the lab pre-trains itself on the shipped corpus and keeps in ``DIR/_model``
(``DIR/_model_quick`` with --quick) so that every experiment of one report, and later runs with the
same settings, share it.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from llmzero.checkpoint import load_checkpoint, resolve_dir
from llmzero.data import TokenWindows, WindowBatches
from llmzero.datasets import corpus_text
from llmzero.errors import UserError, t
from llmzero.fileio import write_json_atomic, write_text_atomic
from llmzero.finetune.templates import get_template, stop_strings
from llmzero.generation import SamplingConfig, TextStream, generate_ids
from llmzero.model import GPT
from llmzero.plots import save_figure
from llmzero.sampling import SAMPLING_PRESETS
from llmzero.tokenizers import build_tokenizer
from llmzero.training import TrainConfig, Trainer
from llmzero.training.pretrain import pretrain

DEFAULT_OUT = "runs/lab"
# the lab's own model, per mode (both can live in one folder)
MODEL_DIR = {True: "_model_quick", False: "_model"}
DATA_DIR = Path(__file__).resolve().parent / "data"


# --------------------------------------------------------------------------------------------------
# Results and the registry
# --------------------------------------------------------------------------------------------------
@dataclass
class ExperimentResult:
    name: str
    metrics: dict  # plain JSON numbers, lists and strings (also written to DIR/NAME/metrics.json)
    plots: list[str]  # PNG file names inside DIR/NAME
    markdown: str  # the body of the section (heading, reading and plots are added by the report)
    reading_pt: str
    reading_en: str
    seconds: float = 0.0

    def reading(self) -> str:
        return t(self.reading_pt, self.reading_en)


@dataclass
class Experiment:
    name: str
    title_pt: str
    title_en: str
    run: Callable[["LabContext"], ExperimentResult]
    needs_model: bool = True

    @property
    def title(self) -> str:
        return t(self.title_pt, self.title_en)


# Chapter order of the report.
ORDER = (
    "prompt-length",
    "out-of-domain",
    "multi-turn",
    "temperature",
    "hallucination",
    "prompts",
    "next-token",
    "dataset-size",
    "strategies",
    "scaling",
    "ngram",
    "interpretability",
    "alignment",
    "calculator",
    "agents",
    "architectures",
)
# Filled by @experiment. The package (lab/__init__.py) imports every experiment module, and
# Python runs a package's __init__ before any of its modules: the registry is full when in use.
EXPERIMENTS: dict[str, Experiment] = {}


def experiment(name: str, title_pt: str, title_en: str, needs_model: bool = True):
    """Decorator: register ``run(ctx) -> ExperimentResult`` as the experiment ``name``."""

    def register(run):
        EXPERIMENTS[name] = Experiment(name, title_pt, title_en, run, needs_model)
        return run

    return register


def experiments() -> dict[str, Experiment]:
    """Every experiment, in the report's order."""
    return {
        name: EXPERIMENTS[name]
        for name in sorted(EXPERIMENTS, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))
    }


def get_experiment(name: str) -> Experiment:
    known = experiments()
    if name not in known:
        raise UserError(
            f"experimento desconhecido: {name!r}. Os experimentos são: {', '.join(known)} (ou "
            "all, list).",
            f"unknown experiment: {name!r}. The experiments are: {', '.join(known)} "
            "(or all, list).",
        )
    return known[name]


# --------------------------------------------------------------------------------------------------
# The model the experiments share
# --------------------------------------------------------------------------------------------------
# The model the lab trains when no --model is given: byte-level BPE with 512 tokens on the shipped
# corpus.
@dataclass(frozen=True)
class WordGPTRun:
    """A small GPT over the corpus's most frequent words, trained from scratch for a fixed number of
    steps (the n-gram and dataset-size experiments)."""

    vocab: int  # words kept by the word tokenizer
    n_layer: int
    n_head: int
    n_embd: int
    context: int
    batch: int
    steps: int
    lr: float


@dataclass(frozen=True)
class AutoModelRecipe:
    """How the lab pre-trains its own model when no --model is given."""

    preset: str
    context_length: int
    vocab_size: int
    batch_size: int
    max_steps: int
    lr: float
    warmup_steps: int
    eval_every: int
    dropout: float


AUTO_MODEL = {  # quick -> its settings, full -> its own
    True: AutoModelRecipe(
        preset="nano",
        context_length=128,
        vocab_size=512,
        batch_size=8,
        max_steps=150,
        lr=3e-3,
        warmup_steps=10,
        eval_every=50,
        dropout=0.0,
    ),
    False: AutoModelRecipe(
        preset="tiny",
        context_length=128,
        vocab_size=512,
        batch_size=16,
        max_steps=1000,
        lr=3e-3,
        warmup_steps=50,
        eval_every=200,
        dropout=0.0,
    ),
}


@dataclass
class LabModel:
    """A language model, its tokenizer, and how to ask it a question."""

    model: torch.nn.Module
    tokenizer: object
    path: Path
    meta: dict
    trained_by_lab: bool = False

    @property
    def context_length(self) -> int:
        return self.model.config.context_length

    @property
    def instruct(self) -> bool:
        return self.meta.get("stage") == "instruct"

    @property
    def template(self):
        return get_template(self.meta.get("template", "comando"), self.tokenizer)

    def question_prompt(self, question: str) -> str:
        """A question in the model's prompt layout ("### comando: ... ### resposta:" unless it was
        tuned on another)."""
        return self.template.format_prompt({"instruction": question, "input": ""})

    @property
    def stops(self) -> list[str]:
        """Where an answer ends: the template's section markers, and for a base model also a blank
        line."""
        stops = stop_strings(self.template, self.tokenizer)
        return stops if self.instruct else [*stops, "\n\n"]

    def describe(self) -> str:
        c = self.model.config
        n = self.model.num_parameters()
        what = (
            t("treinado pelo lab", "trained by the lab") if self.trained_by_lab else str(self.path)
        )
        return t(
            f"{n:,} parâmetros, {c.n_layer} camadas, {c.n_head} cabeças, dimensão {c.n_embd}, "
            f"contexto {c.context_length}, "
            f"vocabulário {c.vocab_size} ({what})",
            f"{n:,} parameters, {c.n_layer} layers, {c.n_head} heads, dimension {c.n_embd}, "
            f"context {c.context_length}, "
            f"vocabulary {c.vocab_size} ({what})",
        )


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


@dataclass
class LabContext:
    """Settings shared by the experiments of one run, and the things they share (model, corpus)."""

    out: Path = Path(DEFAULT_OUT)
    seed: int = 1337
    quick: bool = False
    model_dir: str | Path | None = None
    log: Callable[[str], None] = _stderr
    _lm: LabModel | None = field(default=None, repr=False)
    _corpus: str | None = field(default=None, repr=False)
    _tokenizers: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.out = Path(self.out)

    def pick(self, quick, full):
        """The quick-mode value or the full one."""
        return quick if self.quick else full

    def exp_dir(self, name: str) -> Path:
        path = self.out / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def corpus(self) -> str:
        if self._corpus is None:
            self._corpus = corpus_text()
        return self._corpus

    def tokenizer(self, kind: str, vocab_size: int | None = None):
        """A tokenizer trained on the shipped corpus (for the experiments that train their own
        models), made once."""
        key = (kind, vocab_size)
        if key not in self._tokenizers:
            self._tokenizers[key] = build_tokenizer(kind, self.corpus(), vocab_size)
        return self._tokenizers[key]

    def bpe(self):
        """The 512-token byte-level BPE of the shipped corpus."""
        return self.tokenizer("bpe", 512)

    def word_tokenizer(self, vocab_size: int):
        """Words of the shipped corpus: the ``vocab_size`` most frequent (the rest become <unk>)."""
        return self.tokenizer("word", vocab_size)

    def lm(self) -> LabModel:
        """The model of this run: --model, or the lab's own (trained once, cached in DIR/_model)."""
        if self._lm is None:
            self._lm = load_lab_model(self.model_dir) if self.model_dir else auto_model(self)
        return self._lm


def load_lab_model(path: str | Path) -> LabModel:
    ckpt = load_checkpoint(path)
    if not isinstance(ckpt.model, GPT):
        raise UserError(
            f"{ckpt.path} não é um modelo de linguagem (é {ckpt.kind}); o lab precisa de um "
            "checkpoint pré-treinado ou instruído.",
            f"{ckpt.path} is not a language model (it is {ckpt.kind}); the lab needs a "
            "pre-trained or instruction-tuned checkpoint.",
        )
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    ckpt.model.eval()
    return LabModel(ckpt.model, ckpt.tokenizer, ckpt.path, ckpt.meta)


def auto_model(ctx: LabContext) -> LabModel:
    """Pre-train (or reuse) the lab's small GPT on the shipped corpus in ``ctx.out/_model``."""
    folder = ctx.out / MODEL_DIR[ctx.quick]
    s = AUTO_MODEL[ctx.quick]
    recipe = {"recipe": asdict(s), "seed": ctx.seed, "quick": ctx.quick}
    marker = folder / "lab.json"
    ready = marker.is_file() and (resolve_dir(folder) / "config.json").is_file()
    if not ready or json.loads(marker.read_text(encoding="utf-8")) != recipe:
        ctx.log(
            t(
                f"Nenhum --model: pré-treinando um GPT pequeno ({s.preset}, {s.max_steps} "
                "passos) no corpus "
                f"embarcado em {folder} (feito uma vez, reaproveitado pelos experimentos)...",
                f"No --model: pre-training a small GPT ({s.preset}, {s.max_steps} steps) "
                "on the shipped corpus "
                f"in {folder} (done once, shared by the experiments)...",
            )
        )
        marker.unlink(missing_ok=True)
        pretrain(
            None,
            folder,
            tokenizer="bpe",
            vocab_size=s.vocab_size,
            preset=s.preset,
            model_overrides={"context_length": s.context_length, "dropout": s.dropout},
            batch_size=s.batch_size,
            overwrite=True,
            samples=0,
            log=lambda msg: None,
            max_steps=s.max_steps,
            lr=s.lr,
            warmup_steps=s.warmup_steps,
            eval_every=s.eval_every,
            eval_batches=10,
            checkpoint_every=10**9,
            seed=ctx.seed,
            progress=False,
            device="cpu",
        )
        write_json_atomic(marker, recipe)
    lm = load_lab_model(folder)
    lm.trained_by_lab = True
    return lm


# --------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    text: str
    token_probs: list[float]  # the model's probability (temperature 1) of each generated token
    token_ids: list[int]  # the generated tokens (up to the stop)
    prompt_tokens: int  # tokens of the prompt the model actually read
    dropped_tokens: int = 0  # prompt tokens cut from the start because the context is full

    @property
    def mean_prob(self) -> float:
        return float(np.mean(self.token_probs)) if self.token_probs else 0.0


def answer(
    lm: LabModel,
    prompt: str,
    *,
    max_new_tokens: int = 40,
    temperature: float = SAMPLING_PRESETS["greedy"]["temperature"],
    seed: int = 0,
    top_k: int | None = None,
    stop: Sequence[str] | None = None,
) -> Answer:
    """Continue ``prompt`` and keep, for every new token, the probability the model gave it (its
    "confidence").

    A prompt longer than the context minus the answer's room loses its beginning
    (``dropped_tokens``).
    """
    tok = lm.tokenizer
    ids = tok.encode(prompt) or ([tok.eot_id] if tok.eot_id is not None else [0])
    room = max(lm.context_length - max_new_tokens, lm.context_length // 2)
    dropped = max(0, len(ids) - room)
    ids = ids[dropped:]
    stop = lm.stops if stop is None else list(stop)
    cfg = SamplingConfig(
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_k=top_k,
        seed=seed,
        eos_id=tok.eot_id,
    )
    stream = TextStream(tok, stop, context_ids=ids[-4:])
    probs: list[float] = []
    new: list[int] = []
    steps = generate_ids(lm.model, ids, cfg)
    try:
        for step in steps:
            if step.token_id == tok.eot_id:
                break
            probs.append(step.model_prob)
            new.append(step.token_id)
            stream.push(step.token_id)
            if stream.stopped:
                break
    finally:
        steps.close()
    stream.finish()
    return Answer(stream.text.strip(), probs, new, len(ids), dropped)


# --------------------------------------------------------------------------------------------------
# Text statistics
# --------------------------------------------------------------------------------------------------
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(seq: Sequence, n: int) -> list[tuple]:
    return [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def _units(text) -> list:
    """A text's words (lower case), or a sequence of token ids as it is."""
    return words(text) if isinstance(text, str) else list(text)


def distinct_n(texts: Sequence, n: int) -> float:
    """Distinct-n: different n-grams / all n-grams, over all the texts (1 = nothing repeats).

    Each text is a string (its words are counted) or a sequence of token ids (the tokens are
    counted).
    """
    grams = [g for text in texts for g in _ngrams(_units(text), n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def repetition_rate(texts: Sequence, n: int = 3) -> float:
    """Share of the n-grams of each text (words of a string, or token ids) already seen earlier in
    the same text."""
    repeated = total = 0
    for text in texts:
        seen: set = set()
        for g in _ngrams(_units(text), n):
            repeated += g in seen
            total += 1
            seen.add(g)
    return repeated / total if total else 0.0


def normalize(text: str) -> str:
    """Lower case without accents ("Brasília" -> "brasilia"), for keyword matching."""
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def keyword_match(answer_text: str, keywords: Sequence[str]) -> bool:
    """True when one of the keywords appears in the answer as whole words (case and accents
    ignored)."""
    norm = normalize(answer_text)
    return any(re.search(r"(?<!\w)" + re.escape(normalize(k)) + r"(?!\w)", norm) for k in keywords)


def load_data(name: str):
    """A JSON file shipped in llmzero/lab/data."""
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------
# Small training runs (dataset size, scaling, the word GPT of the n-gram experiment)
# --------------------------------------------------------------------------------------------------
def chunk_split(
    ids: np.ndarray, chunk: int, val_fraction: float, seed: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Cut ``ids`` into chunks; a seeded ``val_fraction`` of them (from every part of the corpus) is
    validation.

    Returns (training chunks in a seeded random order, validation ids). Taking the first k training
    chunks gives nested subsets (10 % inside 25 % inside 50 % ...), each spread over the whole
    corpus.
    """
    pieces = [ids[i : i + chunk] for i in range(0, len(ids) - chunk + 1, chunk)]
    order = np.random.default_rng(seed).permutation(len(pieces))
    n_val = max(1, round(len(pieces) * val_fraction))
    val = np.concatenate([pieces[i] for i in sorted(order[:n_val])])
    return [pieces[i] for i in order[n_val:]], val


def train_lm(
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    config,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    eval_every: int,
    eval_batches: int = 50,
    warmup: int | None = None,
):
    """Train a fresh GPT on token ids; (model, history rows with step/train_loss/val_loss). Nothing
    is kept on disk."""
    torch.manual_seed(seed)
    model = GPT(config)
    T = config.context_length
    train = WindowBatches(TokenWindows(train_ids, T, T), batch_size, seed=seed)
    val = WindowBatches(TokenWindows(val_ids, T, T), batch_size, shuffle=False)
    cfg = TrainConfig(
        max_steps=steps,
        lr=lr,
        warmup_steps=warmup if warmup is not None else max(1, steps // 20),
        eval_every=eval_every,
        eval_batches=eval_batches,
        checkpoint_every=10**9,
        seed=seed,
        progress=False,
        device="cpu",
    )
    with tempfile.TemporaryDirectory(prefix="llmzero-lab-") as tmp:
        trainer = Trainer(
            model,
            train,
            val,
            cfg,
            tmp,
            meta={"kind": "lm", "model": config.to_dict()},
            log=lambda msg: None,
        )
        result = trainer.fit()
    model.eval()
    return model, result.history


# --------------------------------------------------------------------------------------------------
# Plots and Markdown helpers
# --------------------------------------------------------------------------------------------------
# The benchmark column of the lab's training experiments: acc_norm on ptbr_completar (four endings,
# chance 25 %), on its first 100 questions in quick mode.
BENCH_TASK, BENCH_METRIC = "ptbr_completar", "acc_norm"


def bench_limit(quick: bool) -> int | None:
    return 100 if quick else None


def bench_score(model, tokenizer, ctx: LabContext) -> dict | None:
    """The model's benchmark column (a dict from ``benchmark_score``), or None without lm-eval."""
    from llmzero.evaluation.harness.bench import benchmark_score

    limit = bench_limit(ctx.quick)
    return benchmark_score(model, tokenizer, BENCH_TASK, BENCH_METRIC, limit, ctx.seed)


def bench_note(documents: int | None, chance: float | None, spread: tuple[str, str]) -> str:
    """The sentence under a table with the benchmark column; ``spread`` (pt, en) says what the
    number beside each score is."""
    if documents is None:
        return t(
            f"A coluna {BENCH_TASK} fica vazia: instale o lm-eval (pip install "
            '"llmzero[harness]") para vê-la.',
            f"The {BENCH_TASK} column stays empty: install lm-eval (pip install "
            '"llmzero[harness]") to see it.',
        )
    return t(
        f"{BENCH_TASK} {BENCH_METRIC}: acerto em {documents} questões de quatro finais (acaso "
        f"{100 * chance:.0f} %), {spread[0]}.",
        f"{BENCH_TASK} {BENCH_METRIC}: accuracy on {documents} four-ending questions (chance "
        f"{100 * chance:.0f} %), {spread[1]}.",
    )


def save_plot(fig, ctx: LabContext, name: str, filename: str) -> str:
    fig.tight_layout()
    save_figure(fig, ctx.exp_dir(name) / filename)
    return filename


def fmt(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:.{digits}f}"


def md_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ⏎ ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def quote(text: str, limit: int = 160) -> str:
    """A generated text for a table cell: one line, cut at ``limit`` characters."""
    text = " ".join(text.split())
    return (text[:limit] + "…" if len(text) > limit else text) or "∅"


# --------------------------------------------------------------------------------------------------
# Running and reporting
# --------------------------------------------------------------------------------------------------
def section_markdown(
    exp: Experiment, result: ExperimentResult, number: int, image_prefix: str = ""
) -> str:
    reading = result.reading()
    parts = [
        f"## {number}. {exp.title} (`{exp.name}`)",
        "",
        f"**{t('Leitura', 'Reading')}:** {reading}",
        "",
        result.markdown.strip(),
        "",
    ]
    for plot in result.plots:
        parts += [f"![{plot}]({image_prefix}{plot})", ""]
    return "\n".join(parts)


def run_experiment(name: str, ctx: LabContext) -> ExperimentResult:
    """Run one experiment; write DIR/NAME/section.md and DIR/NAME/metrics.json; return its
    result."""
    exp = get_experiment(name)
    folder = ctx.exp_dir(name)
    torch.manual_seed(ctx.seed)
    start = time.perf_counter()
    result = exp.run(ctx)
    result.seconds = time.perf_counter() - start
    number = list(experiments()).index(name) + 1
    write_text_atomic(folder / "section.md", section_markdown(exp, result, number))
    write_json_atomic(
        folder / "metrics.json",
        {
            "name": name,
            "seed": ctx.seed,
            "quick": ctx.quick,
            "metrics": result.metrics,
            "plots": result.plots,
            "reading_pt": result.reading_pt,
            "reading_en": result.reading_en,
        },
    )
    return result


def run_all(
    ctx: LabContext,
    names: Sequence[str] | None = None,
    on_result: Callable[[ExperimentResult], None] | None = None,
) -> list[ExperimentResult]:
    """Run the experiments (all by default) in order and write DIR/report.md joining their
    sections."""
    names = list(names or experiments())
    results = []
    for name in names:
        ctx.log(t(f"[lab] {name}...", f"[lab] {name}..."))
        result = run_experiment(name, ctx)
        results.append(result)
        if on_result:
            on_result(result)
    write_report(ctx, results)
    return results


def write_report(ctx: LabContext, results: Sequence[ExperimentResult]) -> Path:
    """DIR/report.md: what was run, a summary of the readings, then every section (images point into
    DIR/NAME/)."""
    known = experiments()
    order = list(known)
    mode = t("rápido (--quick)", "quick (--quick)") if ctx.quick else t("completo", "full")
    model = ctx._lm.describe() if ctx._lm is not None else "—"
    lines = [
        t("# Laboratório do llmzero (capítulo 08)", "# The llmzero lab (chapter 08)"),
        "",
        t(
            f"Modo {mode}, semente {ctx.seed}. Modelo: {model}.",
            f"Mode {mode}, seed {ctx.seed}. Model: {model}.",
        ),
        "",
        t(
            "Todos os números abaixo vêm de uma única execução reprodutível: a mesma semente dá o "
            "mesmo relatório.",
            "Every number below comes from one reproducible run: the same seed gives the same "
            "report.",
        ),
        "",
        t("## Resumo", "## Summary"),
        "",
    ]
    for r in results:
        lines.append(f"- **{known[r.name].title}** (`{r.name}`): {r.reading()}")
    lines.append("")
    for r in results:
        lines.append(
            section_markdown(known[r.name], r, order.index(r.name) + 1, image_prefix=f"{r.name}/")
        )
    path = ctx.out / "report.md"
    write_text_atomic(path, "\n".join(lines))
    return path
