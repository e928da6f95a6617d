"""The figures of the stage pages, drawn from the real library at build time.

A small GPT is pre-trained on the shipped corpus for a few hundred steps (seconds on one CPU
thread), a classifier is fine-tuned from it, and a Llama-style twin is trained the same way. The
numbers are computed once; each figure is then drawn in every language with `llmzero.plots`.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from docsgen.cli_reference import language

SEED = 1337
CONTEXT = 128  # room for a preference pair (prompt + answer) in characters
STEPS = 300
BATCH = 8
LR = 3e-3
BPE_VOCAB = 512
BPE_CHARS = 120_000  # the start of the corpus is enough for a 512-token BPE

SENTENCE = "A inteligência artificial aprende com exemplos."
ATTENTION_TEXT = "O gato sai"  # at most 10 tokens: the map writes each weight in its cell
NEXT_PROMPT = "Era uma ve"
EVAL_TEXT = "O sol nasce no leste."
LAB_PROMPT = "O menino "
CHAT_QUESTION = "Qual é a capital do Brasil?"
EMBEDDING_CHARS = "aeiouáéãõç" + "bcdfglmnprstv" + "0123456789" + ".,;:!?"
PAIRS_PER_KIND = 40

SPAM_SHOWN = 3  # messages of each class from the test split, the first ones
LABEL_CHARS = 52  # a longer message is cut in its label

KINDS = {  # the shipped preference kinds: what is wrong with the rejected answer
    "correto": ("errada", "wrong"),
    "portugues": ("fora do português", "not in Portuguese"),
    "educado": ("grosseira", "rude"),
    "conciso": ("prolixa", "wordy"),
    "responde": ("fora do assunto", "off topic"),
    "formato": ("fora do formato", "wrong format"),
}


NBSP = "\u00a0"  # the plots draw a plain space as "␣" (tokens); labels of words keep theirs
ARROW = f"{NBSP}→{NBSP}"


def words(text: str) -> str:
    """A label of ordinary words: its spaces kept as spaces in the plots."""
    return text.replace(" ", NBSP)


@dataclass
class Numbers:
    """Everything the figures show, computed once, with no words in any language."""

    bpe_pieces: list[str] = field(default_factory=list)
    bpe_ids: list[int] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    val_loss: float = 0.0
    emb_vectors: object = None
    emb_labels: list[str] = field(default_factory=list)
    attn: object = None
    attn_labels: list[str] = field(default_factory=list)
    vocab: list[str] = field(default_factory=list)
    next_probs: object = None
    spam_texts: list[str] = field(default_factory=list)
    spam: list[float] = field(default_factory=list)
    instruction_pieces: list[str] = field(default_factory=list)
    instruction_ids: list[int] = field(default_factory=list)
    preference: dict[str, float] = field(default_factory=dict)
    eval_labels: list[str] = field(default_factory=list)
    eval_probs: list[float] = field(default_factory=list)
    chat_probs: object = None
    chat_settings: dict = field(default_factory=dict)
    lab_probs: dict[float, object] = field(default_factory=dict)
    llama_attn: object = None
    llama_val_loss: float = 0.0


def train(out: Path, **overrides) -> dict:
    from llmzero.training.pretrain import pretrain

    return pretrain(
        None,
        out,
        tokenizer="char",
        preset="nano",
        model_overrides={"context_length": CONTEXT, **overrides},
        batch_size=BATCH,
        samples=0,
        log=lambda message: None,
        max_steps=STEPS,
        lr=LR,
        warmup_steps=20,
        eval_every=50,
        eval_batches=4,
        seed=SEED,
        progress=False,
    )


def last_attention(model, tokenizer, text: str):
    import torch

    ids = tokenizer.encode(text)
    with torch.no_grad():
        out = model(torch.tensor([ids]), return_attention=True)
    return out.attentions[-1][0], [tokenizer.token_text(i) for i in ids]


def last_logits(model, tokenizer, text: str):
    import torch

    with torch.no_grad():
        return model(torch.tensor([tokenizer.encode(text)])).logits[0, -1]


def mean_logprob(model, prompt: list[int], response: list[int]) -> float:
    """The average log-probability per token of ``response`` after ``prompt``."""
    import torch

    from llmzero.align.preferences import response_logprobs

    ids = prompt + response
    targets = [-100] * len(prompt) + response
    with torch.no_grad():
        total = response_logprobs(model, torch.tensor([ids[:-1]]), torch.tensor([targets[1:]]))
    return float(total[0]) / len(response)


def preference_rates(model, tokenizer) -> dict[str, float]:
    """Per kind of shipped preference pair, how often the model already gives the chosen answer
    a higher log-probability per token than the rejected one."""
    from llmzero.align.preferences import (
        default_preferences_path,
        encode_pair,
        read_preferences,
    )
    from llmzero.finetune.templates import get_template

    template = get_template("comando", tokenizer)
    wins: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    for pref in read_preferences(default_preferences_path()):
        if pref.kind not in wins or len(wins[pref.kind]) >= PAIRS_PER_KIND:
            continue
        pair = encode_pair(tokenizer, template, pref)
        # a long pair keeps the end of its prompt and the start of its answers
        answer = min(max(len(pair.chosen_ids), len(pair.rejected_ids)), CONTEXT - 16)
        prompt = pair.prompt_ids[-(CONTEXT - answer) :]
        chosen = mean_logprob(model, prompt, pair.chosen_ids[:answer])
        rejected = mean_logprob(model, prompt, pair.rejected_ids[:answer])
        wins[pref.kind].append(chosen > rejected)
    return {kind: sum(w) / len(w) for kind, w in wins.items() if w}


def spam_probabilities(base: Path, out: Path) -> tuple[list[str], list[float]]:
    """Fine-tune a spam classifier from ``base``; ("label: message", P(spam)) for the first few
    messages of each class of the test split, which the fine-tuning never sees."""
    from llmzero.datasets import dataset_path
    from llmzero.evaluation.classification import classify_texts, load_classifier
    from llmzero.finetune import finetune_classifier, load_classification_data

    data = dataset_path("spam_ptbr.tsv")
    finetune_classifier(
        base,
        data,
        out,
        train="all",
        batch_size=16,
        log=lambda message: None,
        max_steps=150,
        lr=1e-3,
        eval_every=150,
        eval_batches=4,
        seed=SEED,
        progress=False,
    )
    test = load_classification_data(data, seed=SEED).test
    shown = []
    for label in ("spam", "ham"):
        shown += [e for e in test if e.label == label][:SPAM_SHOWN]
    results = classify_texts(load_classifier(out), [e.text for e in shown])
    labels = [f"{e.label}: {shorten(e.text)}" for e in shown]
    return labels, [r["probabilities"]["spam"] for r in results]


def shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def compute(work: Path) -> Numbers:
    """Train the models and measure everything the figures show."""
    import torch

    from llmzero.checkpoint import load_checkpoint
    from llmzero.datasets import corpus_text
    from llmzero.finetune.instruct import default_data_path, read_instructions
    from llmzero.finetune.templates import get_template
    from llmzero.generation import next_token_distribution
    from llmzero.sampling import SAMPLING_PRESETS
    from llmzero.tokenizers import build_tokenizer, token_piece

    n = Numbers()
    bpe = build_tokenizer("bpe", corpus_text()[:BPE_CHARS], BPE_VOCAB)
    n.bpe_ids = bpe.encode(SENTENCE)
    n.bpe_pieces = [token_piece(bpe, i) for i in n.bpe_ids]
    example = min(
        read_instructions(default_data_path()),
        key=lambda e: abs(len(e.instruction) + len(e.input) + len(e.output) - 90),
    )
    comando = get_template("comando", bpe)
    text = comando.format_prompt(example) + comando.format_response(example)
    n.instruction_ids = bpe.encode(text)
    n.instruction_pieces = [token_piece(bpe, i) for i in n.instruction_ids]

    summary = train(work / "gpt")
    n.val_loss = summary["val_loss"]
    lines = (work / "gpt" / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    n.history = [json.loads(line) for line in lines if line.strip()]
    ckpt = load_checkpoint(work / "gpt")
    model, tok = ckpt.model.eval(), ckpt.tokenizer
    n.vocab = [tok.token_text(i) for i in range(tok.vocab_size)]

    chars = [c for c in EMBEDDING_CHARS if c in n.vocab]
    ids = [n.vocab.index(c) for c in chars]
    n.emb_vectors = model.tok_emb.weight[ids].detach()
    n.emb_labels = chars
    n.attn, n.attn_labels = last_attention(model, tok, ATTENTION_TEXT)
    n.next_probs = torch.softmax(last_logits(model, tok, NEXT_PROMPT), -1)

    eval_ids = tok.encode(EVAL_TEXT)
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([eval_ids])).logits[0], -1)
    n.eval_probs = [float(probs[i, eval_ids[i + 1]]) for i in range(len(eval_ids) - 1)]
    # each bar: the text so far, an arrow, the character that really came next
    n.eval_labels = [
        f"{EVAL_TEXT[max(0, i - 5) : i + 1]}{ARROW}{EVAL_TEXT[i + 1]}"
        for i in range(len(eval_ids) - 1)
    ]

    n.chat_settings = {
        k: v for k, v in SAMPLING_PRESETS["chat"].items() if k in ("temperature", "top_k")
    }
    prompt = get_template("comando", tok).format_prompt({"instruction": CHAT_QUESTION})
    n.chat_probs = next_token_distribution(last_logits(model, tok, prompt), **n.chat_settings)
    logits = last_logits(model, tok, LAB_PROMPT)
    n.lab_probs = {temp: next_token_distribution(logits, temperature=temp) for temp in (0.5, 1.5)}

    n.preference = preference_rates(model, tok)
    n.spam_texts, n.spam = spam_probabilities(work / "gpt", work / "spam")

    llama = train(
        work / "llama", positions="rope", norm="rmsnorm", mlp="swiglu", n_kv_head=1, bias=False
    )
    n.llama_val_loss = llama["val_loss"]
    llama_model = load_checkpoint(work / "llama").model.eval()
    n.llama_attn, _ = last_attention(llama_model, tok, ATTENTION_TEXT)
    return n


def drawings(n: Numbers) -> dict[str, Callable[[], object]]:
    """Each figure's name and how to draw it, in the current language."""
    from llmzero.errors import t
    from llmzero.plots import (
        attention_map,
        embedding_map,
        loss_curves,
        next_token_bars,
        token_chips,
    )

    def ppl() -> float:
        return math.exp(-sum(math.log(p) for p in n.eval_probs) / len(n.eval_probs))

    temperature, top_k = n.chat_settings["temperature"], n.chat_settings["top_k"]
    return {
        "tokens": lambda: token_chips(
            n.bpe_pieces,
            n.bpe_ids,
            title=t(
                f"BPE de {BPE_VOCAB} tokens: {len(SENTENCE)} caracteres, {len(n.bpe_ids)} tokens",
                f"A {BPE_VOCAB}-token BPE: {len(SENTENCE)} characters, {len(n.bpe_ids)} tokens",
            ),
        ),
        "embeddings": lambda: embedding_map(
            n.emb_vectors,
            n.emb_labels,
            title=t("Embeddings de caracteres (PCA)", "Character embeddings (PCA)"),
        ),
        "attention": lambda: attention_map(
            n.attn,
            n.attn_labels,
            title=t("Atenção da última camada", "Attention of the last layer"),
        ),
        "gpt": lambda: next_token_bars(
            n.vocab,
            n.next_probs,
            title=t(f"Depois de “{NEXT_PROMPT}”", f"After “{NEXT_PROMPT}”"),
            top=12,
        ),
        "pretraining": lambda: loss_curves(
            n.history,
            title=t(
                f"Pré-treino: {STEPS} passos, perda de validação {n.val_loss:.2f}",
                f"Pre-training: {STEPS} steps, validation loss {n.val_loss:.2f}",
            ),
        ),
        "classification": lambda: next_token_bars(
            [words(text) for text in n.spam_texts],
            n.spam,
            title=t("Probabilidade de spam", "Probability of spam"),
            top=None,
        ),
        "instructions": lambda: token_chips(
            n.instruction_pieces,
            n.instruction_ids,
            title=t("Um exemplo no formato comando", "An example in the comando format"),
        ),
        "alignment": lambda: next_token_bars(
            [words(t(*KINDS[kind])) for kind in n.preference],
            list(n.preference.values()),
            title=t(
                "Pares em que a escolhida já vence, por defeito da rejeitada",
                "Pairs the chosen answer already wins, by the rejected one's flaw",
            ),
            top=None,
        ),
        "evaluation": lambda: next_token_bars(
            n.eval_labels,
            n.eval_probs,
            title=t(
                f"“{EVAL_TEXT}”: perplexidade {ppl():.1f}",
                f"“{EVAL_TEXT}”: perplexity {ppl():.1f}",
            ),
            top=None,
        ),
        "chat": lambda: next_token_bars(
            n.vocab,
            n.chat_probs,
            title=t(
                f"Temperatura {temperature}, top-k {top_k}: o primeiro caractere da resposta",
                f"Temperature {temperature}, top-k {top_k}: the answer's first character",
            ),
            top=12,
        ),
        "lab-cold": lambda: next_token_bars(
            n.vocab,
            n.lab_probs[0.5],
            title=t(f"“{LAB_PROMPT}”, temperatura 0,5", f"“{LAB_PROMPT}”, temperature 0.5"),
            top=12,
        ),
        "lab-hot": lambda: next_token_bars(
            n.vocab,
            n.lab_probs[1.5],
            title=t(f"“{LAB_PROMPT}”, temperatura 1,5", f"“{LAB_PROMPT}”, temperature 1.5"),
            top=12,
        ),
        "architectures": lambda: attention_map(
            n.llama_attn,
            n.attn_labels,
            title=t(
                f"Estilo Llama: perda de validação {n.llama_val_loss:.2f} "
                f"(GPT-2: {n.val_loss:.2f})",
                f"Llama style: validation loss {n.llama_val_loss:.2f} (GPT-2: {n.val_loss:.2f})",
            ),
        ),
    }


_numbers: Numbers | None = None  # kept for the process: `mkdocs serve` rebuilds reuse it


def make_figures(folders: dict[str, Path]) -> list[str]:
    """Train, measure and draw every figure into ``folders[lang]`` (lang: "pt" or "en"); returns
    the figure names. Runs on one thread: these models are too small to gain from more."""
    import torch

    from llmzero.plots import save_figure

    global _numbers
    if _numbers is None:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with tempfile.TemporaryDirectory(prefix="llmzero-docs-models-") as work:
                _numbers = compute(Path(work))
        finally:
            torch.set_num_threads(threads)
    numbers = _numbers
    for lang, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        with language(lang):
            for name, draw in drawings(numbers).items():
                save_figure(draw(), folder / f"{name}.png")
    return list(drawings(numbers))
