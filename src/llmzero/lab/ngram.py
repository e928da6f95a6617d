"""Statistics first (chapter 01's counting model): word n-grams with smoothing against a GPT on the
same words.

An n-gram model predicts the next word from the previous n−1 words by counting: P(w | h) = count(h
w) / count(h). Unseen pairs would get probability 0 (infinite perplexity), so the counts are
*smoothed*:

- add-k (Laplace when k = 1): pretend every possible word followed every context k more times,
  P(w | h) = (count(h w) + k) / (count(h) + k·V);
- interpolated Kneser-Ney ("lite": one discount D for every order): subtract D from every seen count
  and give the freed mass to the next lower order, whose counts are *continuation* counts (in how
  many different contexts a word appears, so "Paulo", frequent only after "São", gets little mass
  elsewhere); the lowest order is mixed with the uniform distribution, so every word keeps some
  probability.

Both models read the same word tokens (llmzero's word tokenizer; words outside its vocabulary are
<unk> for both), and both are scored on the same validation tokens: every position 1..N−1 of the
validation ids, each from the words before it (at most n−1 of them for the n-gram, up to the context
for the GPT).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from llmzero.errors import UserError, t
from llmzero.evaluation.perplexity import perplexity_ids
from llmzero.generation import generate_ids
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    WordGPTRun,
    chunk_split,
    experiment,
    fmt,
    md_table,
    quote,
    save_plot,
    train_lm,
)
from llmzero.model import GPTConfig
from llmzero.plots import figure
from llmzero.sampling import sampling_preset

SMOOTHINGS = ("add-k", "kn")


class NGramModel:
    """A word n-gram model over ids 0..vocab_size−1 with add-k or interpolated Kneser-Ney
    smoothing."""

    def __init__(
        self,
        order: int,
        vocab_size: int,
        smoothing: str = "kn",
        k: float = 1.0,
        discount: float = 0.75,
    ):
        if order < 1:
            raise UserError(
                "a ordem do n-grama precisa ser ao menos 1.", "the n-gram order must be at least 1."
            )
        if smoothing not in SMOOTHINGS:
            raise UserError(
                f"suavização desconhecida: {smoothing!r} (use add-k ou kn).",
                f"unknown smoothing: {smoothing!r} (use add-k or kn).",
            )
        if smoothing == "add-k" and k <= 0:
            raise UserError("k precisa ser positivo.", "k must be positive.")
        if smoothing == "kn" and not 0 < discount < 1:
            raise UserError(
                "o desconto precisa estar entre 0 e 1.", "the discount must be between 0 and 1."
            )
        self.order, self.vocab_size, self.smoothing, self.k, self.discount = (
            order,
            vocab_size,
            smoothing,
            k,
            discount,
        )
        # followers[m][h] = {w: count}: words seen after the context h of length m (raw counts);
        # continuation[m][h] = {w: how many different words came before "h w"} (Kneser-Ney's lower
        # orders).
        self.followers: list[dict] = []
        self.continuation: list[dict] = []

    @property
    def name(self) -> str:
        what = {1: "unigrama", 2: "bigrama", 3: "trigrama"}.get(self.order, f"{self.order}-grama")
        what_en = {1: "unigram", 2: "bigram", 3: "trigram"}.get(self.order, f"{self.order}-gram")
        how = f"add-{self.k:g}" if self.smoothing == "add-k" else "Kneser-Ney"
        return t(f"{what} {how}", f"{what_en} {how}")

    def fit(self, ids: Sequence[int]) -> "NGramModel":
        ids = [int(i) for i in ids]
        self.followers = [defaultdict(Counter) for _ in range(self.order)]
        for m in range(self.order):  # context length m
            f = self.followers[m]
            for i in range(m, len(ids)):
                f[tuple(ids[i - m : i])][ids[i]] += 1
        self.continuation = [defaultdict(Counter) for _ in range(self.order)]
        for m in range(self.order - 1):  # "h w" of length m+1 seen after how many different words
            c = self.continuation[m]
            for h, fol in self.followers[m + 1].items():
                for w in fol:
                    c[h[1:]][w] += 1
        self._totals = [
            {h: sum(fol.values()) for h, fol in level.items()} for level in self.followers
        ]
        self._cont_totals = [
            {h: sum(fol.values()) for h, fol in level.items()} for level in self.continuation
        ]
        return self

    def _context(self, history: Sequence[int]) -> tuple:
        n = self.order - 1
        return tuple(int(i) for i in history[len(history) - n :]) if n else ()

    # -- probabilities -----------------------------------------------------------------------------
    def prob(self, history: Sequence[int], w: int) -> float:
        """P(w | the last n−1 words of ``history``) (fewer when the history is shorter)."""
        h = self._context(history)
        if self.smoothing == "add-k":
            count = self.followers[len(h)].get(h, {}).get(w, 0)
            total = self._totals[len(h)].get(h, 0)
            return (count + self.k) / (total + self.k * self.vocab_size)
        return self._kn(h, w, highest=True)

    def _kn(self, h: tuple, w: int, highest: bool) -> float:
        D, V = self.discount, self.vocab_size
        m = len(h)
        counts = self.followers[m] if highest else self.continuation[m]
        totals = self._totals[m] if highest else self._cont_totals[m]
        total = totals.get(h, 0)
        lower = 1.0 / V if m == 0 else self._kn(h[1:], w, highest=False)
        if total == 0:
            return lower
        fol = counts[h]
        return max(fol.get(w, 0) - D, 0.0) / total + D * len(fol) / total * lower

    def distribution(self, history: Sequence[int]) -> np.ndarray:
        """P(· | history) over the whole vocabulary (sums to 1)."""
        h = self._context(history)
        if self.smoothing == "add-k":
            p = np.full(self.vocab_size, self.k)
            for w, c in self.followers[len(h)].get(h, {}).items():
                p[w] += c
            return p / p.sum()
        return self._kn_dist(h, highest=True)

    def _kn_dist(self, h: tuple, highest: bool) -> np.ndarray:
        D, V = self.discount, self.vocab_size
        m = len(h)
        counts = self.followers[m] if highest else self.continuation[m]
        totals = self._totals[m] if highest else self._cont_totals[m]
        lower = np.full(V, 1.0 / V) if m == 0 else self._kn_dist(h[1:], highest=False)
        total = totals.get(h, 0)
        if total == 0:
            return lower
        fol = counts[h]
        p = D * len(fol) / total * lower
        for w, c in fol.items():
            p[w] += max(c - D, 0.0) / total
        return p

    def logprobs(self, ids: Sequence[int]) -> np.ndarray:
        """log P(ids[i] | the words before it) for i = 1..len(ids)−1 (natural log)."""
        ids = [int(i) for i in ids]
        return np.array(
            [
                math.log(self.prob(ids[max(0, i - self.order + 1) : i], ids[i]))
                for i in range(1, len(ids))
            ]
        )

    def perplexity(self, ids: Sequence[int]) -> dict:
        lp = self.logprobs(ids)
        loss = float(-lp.mean())
        return {
            "loss": loss,
            "ppl": math.exp(loss),
            "tokens": int(len(lp)),
            "bits_per_token": loss / math.log(2),
        }

    def sample(self, history: Sequence[int], n: int, rng: np.random.Generator) -> list[int]:
        out = [int(i) for i in history]
        for _ in range(n):
            p = self.distribution(out)
            out.append(int(rng.choice(self.vocab_size, p=p)))
        return out[len(history) :]


# --------------------------------------------------------------------------------------------------
# 11. The experiment
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NGramSettings(WordGPTRun):
    """The n-gram experiment: the word-level GPT trained beside the n-gram models."""

    dropout: float


NGRAM = {  # quick -> its settings, full -> its own
    True: NGramSettings(
        vocab=2000,
        n_layer=2,
        n_head=2,
        n_embd=64,
        context=32,
        batch=16,
        steps=300,
        lr=3e-3,
        dropout=0.0,
    ),
    False: NGramSettings(
        vocab=4000,
        n_layer=4,
        n_head=4,
        n_embd=128,
        context=64,
        batch=16,
        steps=600,
        lr=2e-3,
        dropout=0.1,
    ),
}
VARIANTS = (
    (1, "add-k", 1.0),
    (2, "add-k", 1.0),
    (2, "add-k", 0.01),
    (3, "add-k", 0.01),
    (2, "kn", 0),
    (3, "kn", 0),
)


@experiment(
    "ngram",
    "Estatística primeiro: n-gramas × GPT",
    "Statistics first: n-grams vs GPT",
    needs_model=False,
)
def ngram(ctx: LabContext) -> ExperimentResult:
    s = NGRAM[ctx.quick]
    tok = ctx.word_tokenizer(s.vocab)
    ids = np.asarray(tok.encode(ctx.corpus()), dtype=np.int64)
    chunks, val = chunk_split(ids, 128, 0.1, ctx.seed)
    train = np.concatenate(chunks)
    V = tok.vocab_size
    rows, models = [], {}
    for order, smoothing, k in VARIANTS:
        model = NGramModel(order, V, smoothing, k=k or 1.0).fit(train)
        models[(order, smoothing, k)] = model
        rows.append(
            {
                "model": model.name,
                "order": order,
                "smoothing": smoothing,
                "k": k,
                **model.perplexity(val),
            }
        )
    config = GPTConfig(
        vocab_size=V,
        context_length=s.context,
        n_layer=s.n_layer,
        n_head=s.n_head,
        n_embd=s.n_embd,
        dropout=s.dropout,
    )
    gpt, history = train_lm(
        train,
        val,
        config,
        steps=s.steps,
        batch_size=s.batch,
        lr=s.lr,
        seed=ctx.seed,
        eval_every=s.steps,
        eval_batches=5,
    )
    g = perplexity_ids(gpt, [int(i) for i in val])
    rows.append(
        {
            "model": f"GPT ({gpt.num_parameters():,} {t('parâmetros', 'parameters')})",
            "order": None,
            "smoothing": None,
            "k": None,
            "loss": g["loss"],
            "ppl": g["ppl"],
            "tokens": g["tokens"],
            "bits_per_token": g["bits_per_token"],
        }
    )
    best_ngram = min(rows[:-1], key=lambda r: r["ppl"])
    unk_share = float(np.mean(val == 0))

    # Samples: the same start, the best counting model and the GPT.
    start_text = "A capital do"
    start = tok.encode(start_text)
    n_words = ctx.pick(20, 30)
    best_key = next(key for key, mdl in models.items() if mdl.name == best_ngram["model"])
    samples = {}
    rng = np.random.default_rng(ctx.seed)
    for key in ((2, "add-k", 0.01), best_key):
        samples[models[key].name] = tok.decode(start + models[key].sample(start, n_words, rng))
    steps = generate_ids(
        gpt, start, sampling_preset("model", max_new_tokens=n_words, seed=ctx.seed)
    )
    samples["GPT"] = tok.decode(start + [s_.token_id for s_ in steps])
    m = {
        "rows": rows,
        "val_tokens": int(len(val)),
        "train_tokens": int(len(train)),
        "vocab_size": V,
        "unk_share": unk_share,
        "samples": samples,
        "gpt": {"steps": s.steps, "model": config.to_dict()},
        "best_ngram": best_ngram["model"],
        "same_tokens": all(r["tokens"] == rows[0]["tokens"] for r in rows),
    }

    fig, ax = figure(figsize=(9, 4))
    colors = ["tab:gray"] * (len(rows) - 1) + ["tab:blue"]
    ax.bar(range(len(rows)), [r["ppl"] for r in rows], color=colors)
    for i, r in enumerate(rows):
        ax.text(i, r["ppl"], f"{r['ppl']:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(
        range(len(rows)), [r["model"].split(" (")[0] for r in rows], rotation=25, ha="right"
    )
    ax.set_yscale("log")
    ax.set_ylabel(t("perplexidade por palavra (log)", "perplexity per word (log)"))
    ax.set_title(
        t(
            f"Os mesmos {rows[0]['tokens']:,} tokens de validação",
            f"The same {rows[0]['tokens']:,} validation tokens",
        )
    )
    plot = save_plot(fig, ctx, "ngram", "perplexity.png")

    table = md_table(
        [
            t("modelo", "model"),
            t("perplexidade", "perplexity"),
            t("bits por palavra", "bits per word"),
            t("tokens avaliados", "tokens scored"),
        ],
        [
            [r["model"], fmt(r["ppl"], 1), fmt(r["bits_per_token"], 2), f"{r['tokens']:,}"]
            for r in rows
        ],
    )
    sample_lines = "\n".join(f"- **{name}**: {quote(text, 220)}" for name, text in samples.items())
    body = (
        t(
            f"Tokenizador de palavras com as {s.vocab:,} palavras mais frequentes do corpus (as "
            "outras viram `<unk>`: "
            f"{unk_share:.1%} da validação) para **os dois** modelos, então a perplexidade de "
            "cada um é sobre os mesmos ids: "
            f"cada posição 1..N−1 dos {len(val):,} tokens de validação. {len(train):,} tokens de "
            "treino. O GPT "
            f"({config.n_layer} camadas, dimensão {config.n_embd}, contexto "
            f"{config.context_length}) treinou {s.steps} passos.",
            f"A word tokenizer with the corpus's {s.vocab:,} most frequent words (the others "
            "become `<unk>`: "
            f"{unk_share:.1%} of the validation text) for **both** models, so each perplexity is "
            "over the same ids: every "
            f"position 1..N−1 of the {len(val):,} validation tokens. {len(train):,} training "
            "tokens. The GPT "
            f"({config.n_layer} layers, dimension {config.n_embd}, context "
            f"{config.context_length}) trained {s.steps} steps.",
        )
        + "\n\n"
        + table
        + "\n\n"
        + t("Amostras (mesmo começo, temperatura 1):", "Samples (same start, temperature 1):")
        + "\n\n"
        + sample_lines
    )
    gpt_row = rows[-1]
    bi = rows[1]
    better = gpt_row["ppl"] < best_ngram["ppl"]
    return ExperimentResult(
        "ngram",
        m,
        [plot],
        body,
        f"Nos mesmos {gpt_row['tokens']:,} tokens de validação, o bigrama add-1 tem perplexidade "
        f"{bi['ppl']:.0f}, o melhor "
        f"n-grama ({best_ngram['model']}) {best_ngram['ppl']:.0f} e o GPT {gpt_row['ppl']:.0f}: "
        + (
            "a rede neural supera a contagem."
            if better
            else "com tão pouco treino a contagem bem suavizada ainda vence a rede."
        ),
        f"On the same {gpt_row['tokens']:,} validation tokens, the add-1 bigram has perplexity "
        f"{bi['ppl']:.0f}, the best "
        f"n-gram ({best_ngram['model']}) {best_ngram['ppl']:.0f} and the GPT {gpt_row['ppl']:.0f}: "
        + (
            "the neural network beats counting."
            if better
            else "with this little training, well-smoothed counting still beats the network."
        ),
    )
