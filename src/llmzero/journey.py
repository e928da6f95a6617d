"""`llmzero journey`: the whole series in one command — from a text generator to an assistant.

On the shipped pt-BR data and a CPU, in minutes:

    1. tokenizer   the same sentence cut by characters and by BPE
    2. pre-train   a small character-level GPT learns to continue text
    3. classifier  the pre-trained body becomes a spam detector (a new head)
    4. instruct    the pre-trained model learns to answer instructions (prompt masking on)
    5. dpo         the instruction-tuned model learns from preference pairs (chosen vs rejected)
    6. evaluation  perplexity, classifier test accuracy/F1, answer scores (ROUGE-L, chrF, BLEU)
    7. chat        a few scripted turns with the instruction-tuned model
    8. lab         measurements inside the trained models

Each stage explains itself and prints its numbers. The folder gets report.md, report.html
(self-contained: the figures are embedded) and metrics.json (every number), beside one sub-folder
per trained model.

The four training stages share one time budget (``time_budget`` seconds, split by ``SHARES``), so
the run takes about the same time on any machine; a faster machine simply trains more steps, up to
each stage's step limit.

    run_journey("runs/journey", quick=True)     # the CI size: well under two minutes
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from llmzero.errors import UserError, get_lang, set_lang, t
from llmzero.reports import Report

# Each step imports the stages it runs where it runs them: `llmzero --help` reads this module's
# defaults, and importing it must not pull in torch (start-up time; tests/test_cli.py checks it).

DEFAULT_OUT = "runs/journey"
DEFAULT_SEED = 1337
SENTENCE = "O pão de queijo da padaria acabou às sete horas."
# Asked of the model at three moments (random, pre-trained, instruction-tuned): a plain text to
# continue and two instructions written in the training template.
SAMPLE_TEXT = "O Brasil é um país"
SAMPLE_QUESTIONS = ("Qual é a capital do Brasil?", 'Qual é o plural de "animal"?')
CHAT_QUESTIONS = (
    "Qual é a capital do Brasil?",
    "Quanto é 2 + 3?",
    'Qual é um sinônimo de "rápido"?',
)
# The training stages' shares of the time budget.
SHARES = {"pretrain": 0.51, "classifier": 0.11, "instruct": 0.30, "dpo": 0.08}
# The model the chat step talks with: the instruction-tuned one. The journey's DPO run is short,
# measured on preference pairs rather than conversations, and on a model this small it can cost
# fluency (its section puts both models' answers side by side).
CHAT_MODEL = "instruct"
# What a journey writes; --overwrite removes only these, and refuses a folder holding anything else.
OUTPUTS = (
    "pretrain",
    "classifier",
    "instruct",
    "dpo",
    "lab",
    "report.md",
    "report.html",
    "metrics.json",
)


@dataclass(frozen=True)
class Plan:
    """Sizes of one journey. Step limits cap a fast machine; the time budget caps a slow one."""

    preset: str
    context: int
    batch_size: int  # pre-training windows per step
    pretrain_steps: int
    pretrain_lr: float
    eval_every: int
    classifier_batch: int
    classifier_steps: int
    instruct_batch: int
    instruct_steps: int
    dpo_batch: int  # preference pairs per step
    dpo_steps: int
    dpo_eval_every: int  # the points of the DPO picture
    time_budget: float  # seconds for the four training stages together
    bpe_vocab: int
    bpe_chars: int  # characters of the corpus the demo BPE is trained on
    ppl_chars: int  # validation characters scored for perplexity
    test_limit: int  # held-out instructions answered and scored
    max_new_tokens: int  # samples and chat replies
    dpo_answers: int  # held-out preference prompts answered by the SFT and the DPO model
    suite_limit: int | None = None  # documents per task of the pt-BR suite (None: all of them)


PLANS = {
    # Context 256: with characters as tokens, 98 % of the shipped instructions fit (at 128, only two
    # thirds).
    "full": Plan(
        preset="tiny",
        context=256,
        batch_size=8,
        pretrain_steps=3000,
        pretrain_lr=2e-3,
        eval_every=50,
        classifier_batch=16,
        classifier_steps=600,
        instruct_batch=8,
        instruct_steps=2000,
        dpo_batch=8,
        dpo_steps=150,
        dpo_eval_every=12,
        time_budget=480.0,
        bpe_vocab=512,
        bpe_chars=400_000,
        ppl_chars=16_000,
        test_limit=40,
        max_new_tokens=120,
        dpo_answers=6,
        suite_limit=100,
    ),
    "quick": Plan(
        preset="nano",
        context=128,
        batch_size=8,
        pretrain_steps=300,
        pretrain_lr=3e-3,
        eval_every=25,
        classifier_batch=16,
        classifier_steps=100,
        instruct_batch=8,
        instruct_steps=200,
        dpo_batch=8,
        dpo_steps=40,
        dpo_eval_every=10,
        time_budget=40.0,
        bpe_vocab=300,
        bpe_chars=50_000,
        ppl_chars=3_000,
        test_limit=8,
        max_new_tokens=48,
        dpo_answers=3,
        suite_limit=20,
    ),
}


# -- the journey -----------------------------------------------------------------------------------


class _Journey:
    """State shared by the stages: the folder, the plan, the report, the numbers, the clock."""

    def __init__(
        self,
        out: Path,
        plan: Plan,
        seed: int,
        budget: float,
        progress: bool,
        log: Callable[[str], None],
    ):
        self.out, self.plan, self.seed, self.budget, self.progress, self.log = (
            out,
            plan,
            seed,
            budget,
            progress,
            log,
        )
        self.report = Report(out)
        self.metrics: dict = {}
        self.timing: dict = {}
        self.samples: dict[str, list[dict]] = {}
        self.n_stages, self.stage_no = 0, 0  # set by _run

    def stage(self, pt: str, en: str) -> None:
        self.stage_no += 1
        title = f"{self.stage_no}/{self.n_stages} " + t(pt, en)
        self.log("\n== " + title + " ==")
        self.report.add("h2", title)

    def teach(self, pt: str, en: str) -> None:
        """A few sentences on what the stage does and why: printed, and put in the report."""
        text = t(pt, en)
        self.log(text)
        self.report.add("p", text)

    def numbers(self, rows: list[tuple[str, str]]) -> None:
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            self.log(f"  {name:<{width}}  {value}")
        self.report.add("table", (t("medida", "measure"), t("valor", "value")), rows)

    def train_kwargs(self, share: str, steps: int) -> dict:
        return dict(
            max_steps=steps,
            time_budget=self.budget * SHARES[share],
            seed=self.seed,
            device="cpu",
            checkpoint_every=10**9,
            progress=self.progress,
        )

    def generate_samples(self, moment: str, model, tokenizer) -> None:
        """The same prompts and sampling at every moment, so the learner sees what each stage
        changed."""
        from llmzero.finetune.templates import get_template, stop_strings
        from llmzero.generation import generate
        from llmzero.sampling import sampling_preset

        tpl = get_template("comando", tokenizer)
        prompts = [SAMPLE_TEXT] + [tpl.format_prompt({"instruction": q}) for q in SAMPLE_QUESTIONS]
        model.eval()
        rows = []
        for i, prompt in enumerate(prompts):
            cfg = sampling_preset(
                "chat",
                max_new_tokens=self.plan.max_new_tokens,
                seed=self.seed + i,
                stop=stop_strings(tpl, tokenizer),
                eos_id=tokenizer.eot_id,
            )
            rows.append({"prompt": prompt, "text": generate(model, tokenizer, prompt, cfg).text})
        self.samples[moment] = rows
        for r in rows:
            self.log(f"  {r['prompt']!r} → {r['text'].strip()!r}")


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(
            f"{out} é um arquivo, não uma pasta; escolha outro --out.",
            f"{out} is a file, not a folder; choose another --out.",
        )
    entries = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if not entries:
        return
    if not overwrite:
        raise UserError(
            f"a pasta {out} já existe e não está vazia; use --overwrite para refazer a jornada "
            "nela "
            "ou escolha outra com --out.",
            f"the folder {out} already exists and is not empty; use --overwrite to "
            "redo the journey "
            "there or choose another with --out.",
        )
    foreign = [name for name in entries if name not in OUTPUTS and not name.startswith(".")]
    if foreign:
        raise UserError(
            f"{out} tem arquivos que não são de uma jornada ({', '.join(foreign[:3])}); por "
            "segurança "
            "ela não é apagada: escolha outra pasta com --out.",
            f"{out} holds files that are not from a journey "
            f"({', '.join(foreign[:3])}); to be safe it is "
            "not cleared: choose another folder with --out.",
        )
    for name in entries:
        path = out / name
        if name in OUTPUTS:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def run_journey(
    out: str | Path = DEFAULT_OUT,
    quick: bool = False,
    lang: str | None = None,
    seed: int = DEFAULT_SEED,
    time_budget: float | None = None,
    overwrite: bool = False,
    threads: int = 1,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Run every stage into ``out`` and return the numbers (also written to out/metrics.json).

    quick: the small plan (nano model, few steps) for tests and CI; time_budget: seconds for the
    four training stages together (default: the plan's); threads: torch CPU threads while it runs
    (1 by default: models this small gain little from more, and on a busy machine extra threads
    mostly wait for each other). A stage's UserError stops the journey.
    """
    import torch

    from llmzero import errors

    if not isinstance(threads, int) or threads < 1:
        raise UserError(
            "--threads precisa ser um inteiro positivo.",
            "--threads must be a positive whole number.",
        )
    previous_lang, previous_threads = errors._LANG, torch.get_num_threads()
    if lang is not None:
        set_lang(lang)
    torch.set_num_threads(threads)
    try:
        return _run(Path(out), quick, seed, time_budget, overwrite, progress, log or print)
    finally:
        set_lang(previous_lang)
        torch.set_num_threads(previous_threads)


def _run(
    out: Path,
    quick: bool,
    seed: int,
    time_budget: float | None,
    overwrite: bool,
    progress: bool,
    log,
) -> dict:
    import torch

    plan = PLANS["quick" if quick else "full"]
    budget = plan.time_budget if time_budget is None else float(time_budget)
    if not budget > 0 or not math.isfinite(budget):
        raise UserError(
            "--time-budget precisa ser um número positivo de segundos.",
            "--time-budget must be a positive number of seconds.",
        )
    _check_out(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    j = _Journey(out, plan, seed, budget, progress, log)
    j.report.add(
        "h1",
        t(
            "Jornada llmzero: de gerador de texto a assistente",
            "llmzero journey: from text generator to assistant",
        ),
    )
    j.report.add(
        "p",
        t(
            f"Plano {'rápido' if quick else 'completo'}: preset {plan.preset}, contexto "
            f"{plan.context}, "
            f"semente {seed}, {budget:.0f} s de orçamento de treino, CPU.",
            f"{'Quick' if quick else 'Full'} plan: preset {plan.preset}, context "
            f"{plan.context}, "
            f"seed {seed}, {budget:.0f} s training budget, CPU.",
        ),
    )
    wall0, cpu0 = time.perf_counter(), time.process_time()
    steps = (
        ("tokenizer", _tokenizer),
        ("pretrain", _pretrain),
        ("classifier", _classifier),
        ("instruct", _instruct),
        ("dpo", _dpo),
        ("evaluation", _evaluation),
        ("chat", _chat),
        ("lab", _lab),
    )
    j.n_stages = len(steps)
    for name, fn in steps:
        w, c = time.perf_counter(), time.process_time()
        fn(j)
        j.timing[name] = {
            "wall": round(time.perf_counter() - w, 2),
            "cpu": round(time.process_time() - c, 2),
        }
    _samples_section(j)
    j.timing["total"] = {
        "wall": round(time.perf_counter() - wall0, 2),
        "cpu": round(time.process_time() - cpu0, 2),
    }
    metrics = {
        "journey": 1,
        "quick": quick,
        "lang": get_lang(),
        "seed": seed,
        "time_budget": budget,
        "threads": torch.get_num_threads(),
        "plan": asdict(plan),
        **j.metrics,
        "samples": j.samples,
        "timing": j.timing,
    }
    _timing_section(j)
    _write(j, metrics)
    tt = j.timing["total"]
    log(
        "\n"
        + t(
            f"Pronto em {tt['wall']:.0f} s ({tt['cpu']:.0f} s de CPU). Relatório: "
            f"{out / 'report.html'} "
            f"(e report.md); números: {out / 'metrics.json'}.",
            f"Done in {tt['wall']:.0f} s ({tt['cpu']:.0f} s of CPU). Report: "
            f"{out / 'report.html'} "
            f"(and report.md); numbers: {out / 'metrics.json'}.",
        )
    )
    return metrics


# -- the stages ------------------------------------------------------------------------------------


def _tokenizer(j: _Journey) -> None:
    from llmzero.datasets import corpus_text
    from llmzero.tokenizers import build_tokenizer, token_piece

    j.stage("tokenizador", "tokenizer")
    j.teach(
        "Um modelo de linguagem não lê letras, lê números. O tokenizador corta o texto em pedaços "
        "(tokens) e dá "
        "um número a cada um. Por caractere, o vocabulário é pequeno e as sequências são "
        "longas; o BPE junta os "
        "pedaços mais frequentes do corpus, e a mesma frase vira bem menos tokens.",
        "A language model does not read letters, it reads numbers. The tokenizer cuts text "
        "into pieces (tokens) "
        "and gives each a number. By character, the vocabulary is small and sequences are "
        "long; BPE merges the "
        "corpus's most frequent pieces, so the same sentence becomes far fewer tokens.",
    )
    text = corpus_text()
    char = build_tokenizer("char", text)
    bpe = build_tokenizer("bpe", text[: j.plan.bpe_chars], j.plan.bpe_vocab)
    result = {"sentence": SENTENCE}
    for name, tok in (("char", char), ("bpe", bpe)):
        ids = tok.encode(SENTENCE)
        pieces = [token_piece(tok, i) for i in ids]
        result[name] = {
            "vocab_size": tok.vocab_size,
            "tokens": len(ids),
            "pieces": pieces,
            "ids": ids,
            "chars_per_token": round(len(SENTENCE) / len(ids), 2),
        }
        sizes = t(
            f"vocabulário de {tok.vocab_size}; a frase vira {len(ids)} tokens",
            f"vocabulary of {tok.vocab_size}; the sentence becomes {len(ids)} tokens",
        )
        j.log(f"  {name:4} ({sizes}): " + "|".join(pieces))
        j.report.add(
            "tokens",
            f"{name} — {t('vocabulário', 'vocabulary')} {tok.vocab_size}, {len(ids)} tokens",
            pieces,
        )
    j.numbers(
        [
            (t("vocabulário char", "char vocabulary"), str(char.vocab_size)),
            (t("vocabulário BPE", "BPE vocabulary"), str(bpe.vocab_size)),
            (
                t("tokens da frase (char / BPE)", "sentence tokens (char / BPE)"),
                f"{result['char']['tokens']} / {result['bpe']['tokens']}",
            ),
        ]
    )
    if any("<" in x for x in result["bpe"]["pieces"]):
        j.teach(
            "Este BPE trabalha com bytes: uma letra acentuada ocupa 2 bytes em UTF-8 e pode ficar "
            "dividida entre "
            'dois tokens, mostrados aqui como bytes (<C3>|<A0> é o "à").',
            "This BPE works on bytes: an accented letter takes 2 bytes in UTF-8 and may be "
            "split between two "
            'tokens, shown here as bytes (<C3>|<A0> is "à").',
        )
    j.teach(
        "Daqui em diante o GPT usa o tokenizador por caractere: com um vocabulário de ~100 "
        "símbolos o modelo "
        "fica pequeno e treina em minutos numa CPU (o preço: textos mais longos em tokens).",
        "From here on the GPT uses the character tokenizer: with a vocabulary of ~100 symbols "
        "the model stays "
        "small and trains in minutes on a CPU (the price: texts are longer in tokens).",
    )
    j.metrics["tokenizer"] = result


def _val_text(j: _Journey, tokenizer) -> str:
    """The start of the validation part of the corpus: the same cut `pretrain` makes (its last 10
    %)."""
    from llmzero.data import read_text, split_ids
    from llmzero.datasets import corpus_path

    ids = tokenizer.encode(read_text(corpus_path()))
    return tokenizer.decode([int(i) for i in split_ids(ids, 0.1)[1][: j.plan.ppl_chars]])


def _pretrain(j: _Journey) -> None:
    import torch

    from llmzero.checkpoint import load_checkpoint
    from llmzero.datasets import corpus_text
    from llmzero.evaluation.perplexity import perplexity
    from llmzero.model import GPT, preset
    from llmzero.tokenizers import build_tokenizer
    from llmzero.training.pretrain import pretrain

    plan = j.plan
    j.stage("pré-treino", "pre-training")
    j.teach(
        "Pré-treinar é ensinar o modelo a prever o próximo token, sem nenhum rótulo: o próprio "
        "texto é o "
        "gabarito. Antes do treino os pesos são aleatórios e o modelo chuta quase ao acaso "
        "(perda perto de ln V); "
        "cada passo ajusta os pesos para baixar a perda, medida num texto de validação que o "
        "treino nunca vê.",
        "Pre-training teaches the model to predict the next token, with no labels: the text "
        "itself is the answer "
        "key. Before training the weights are random and the model guesses almost blindly "
        "(loss near ln V); "
        "every step nudges the weights to lower the loss, measured on validation text "
        "training never sees.",
    )
    # The very model pretrain() starts from: same tokenizer, same shape, same seed before
    # GPT(config).
    tok = build_tokenizer("char", corpus_text())
    torch.manual_seed(j.seed)
    random_model = GPT(
        preset(plan.preset, vocab_size=tok.vocab_size, context_length=plan.context)
    ).eval()
    val_text = _val_text(j, tok)
    before = perplexity(random_model, tok, val_text)
    j.log(
        t(
            "Amostras do modelo aleatório (antes do pré-treino):",
            "Samples from the random model (before pre-training):",
        )
    )
    j.generate_samples("random", random_model, tok)
    del random_model

    s = pretrain(
        None,
        j.out / "pretrain",
        tokenizer="char",
        preset=plan.preset,
        model_overrides={"context_length": plan.context},
        batch_size=plan.batch_size,
        samples=0,
        log=j.log,
        **j.train_kwargs("pretrain", plan.pretrain_steps),
        lr=plan.pretrain_lr,
        warmup_steps=min(20, plan.pretrain_steps // 5),
        eval_every=plan.eval_every,
        eval_batches=4,
    )
    ckpt = load_checkpoint(j.out / "pretrain")
    # a guard: the "before" numbers must be about the same model
    if ckpt.tokenizer.to_dict() != tok.to_dict():
        raise RuntimeError("the journey's tokenizer differs from pretrain's")
    after = perplexity(ckpt.model, ckpt.tokenizer, val_text)
    j.log(t("Amostras depois do pré-treino:", "Samples after pre-training:"))
    j.generate_samples("pretrained", ckpt.model, ckpt.tokenizer)
    history = _history(j.out / "pretrain")
    j.metrics["pretrain"] = {
        "preset": plan.preset,
        "context": plan.context,
        "params": s["params"],
        "steps": s["steps"],
        "stopped_by": s["stopped_by"],
        "elapsed": s["elapsed"],
        "tokens_per_second": s["tokens_per_second"],
        "uniform_loss": math.log(tok.vocab_size),
        "initial_val_loss": before["loss"],
        "val_loss": s["val_loss"],
        "train_loss": s["train_loss"],
        "val_text_loss": after["loss"],
        "val_text_ppl": after["ppl"],
        "history": history,
    }
    j.numbers(
        [
            (t("parâmetros", "parameters"), f"{s['params']:,}"),
            (t("passos (parou por)", "steps (stopped by)"), f"{s['steps']} ({s['stopped_by']})"),
            ("tokens/s", f"{s['tokens_per_second']:,.0f}"),
            (
                t("perda antes (aleatório; ln V)", "loss before (random; ln V)"),
                f"{before['loss']:.3f} ({math.log(tok.vocab_size):.3f})",
            ),
            (t("perda de validação depois", "validation loss after"), f"{s['val_loss']:.3f}"),
            (
                t("perplexidade antes → depois", "perplexity before → after"),
                f"{before['ppl']:.1f} → {after['ppl']:.1f}",
            ),
        ]
    )
    j.report.add(
        "img", "pretrain/loss.png", t("Curva de perda do pré-treino", "Pre-training loss curve")
    )


def _history(run_dir: Path) -> list[dict]:
    import json

    path = run_dir / "metrics.jsonl"
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    keep = (
        "step",
        "train_loss",
        "val_loss",
        "val_accuracy",
        "val_margin",
        "val_pref_accuracy",
        "val_logp_accuracy",
        "lr",
    )
    return [{k: r[k] for k in keep if k in r} for r in rows]


def _classifier(j: _Journey) -> None:
    from llmzero.datasets import dataset_path
    from llmzero.finetune.classify import finetune_classifier

    plan = j.plan
    j.stage("classificador de spam", "spam classifier")
    j.teach(
        "O mesmo GPT pré-treinado vira um detector de spam: a camada de saída, que previa o "
        "próximo token, dá "
        "lugar a uma pequena cabeça com uma nota por classe, lida no último token da mensagem. "
        "O que o modelo "
        "aprendeu de português no pré-treino ajuda, e bastam poucos exemplos rotulados e "
        "poucos passos.",
        "The same pre-trained GPT becomes a spam detector: the output layer, which predicted "
        "the next token, "
        "makes way for a small head with one score per class, read at the message's last "
        "token. What the model "
        "learned about Portuguese in pre-training helps, so few labelled examples and few "
        "steps are enough.",
    )
    c = finetune_classifier(
        j.out / "pretrain",
        dataset_path("spam_ptbr.tsv"),
        j.out / "classifier",
        train="all",
        batch_size=plan.classifier_batch,
        log=j.log,
        lr=1e-3,
        eval_every=max(plan.eval_every, 20),
        **j.train_kwargs("classifier", plan.classifier_steps),
    )
    spam = c["per_class"].get("spam", {})
    j.metrics["classifier"] = {
        "accuracy": c["accuracy"],
        "macro_f1": c["macro"]["f1"],
        "spam_f1": spam.get("f1"),
        "spam_precision": spam.get("precision"),
        "spam_recall": spam.get("recall"),
        "majority_baseline": c["majority_baseline"],
        "val_accuracy": c["val_accuracy"],
        "examples": c["examples"],
        "classes": c["classes"],
        "confusion": c["confusion"],
        "steps": c["steps"],
        "stopped_by": c["stopped_by"],
        "elapsed": c["elapsed"],
        "train_loss": c["train_loss"],
        "val_loss": c["val_loss"],
        "history": _history(j.out / "classifier"),
    }
    j.numbers(
        [
            (
                t("acurácia no teste", "test accuracy"),
                f"{c['accuracy']:.1%} ({c['examples']} " + t("mensagens", "messages") + ")",
            ),
            (
                t("sempre a classe mais comum", "always the most common class"),
                f"{c['majority_baseline']:.1%}",
            ),
            ("F1 macro", f"{c['macro']['f1']:.3f}"),
            (
                t("spam: precisão / revocação / F1", "spam: precision / recall / F1"),
                f"{spam.get('precision', 0):.3f} / {spam.get('recall', 0):.3f} / "
                f"{spam.get('f1', 0):.3f}",
            ),
            (t("passos (parou por)", "steps (stopped by)"), f"{c['steps']} ({c['stopped_by']})"),
        ]
    )
    j.report.add(
        "img",
        "classifier/confusion_matrix.png",
        t("Matriz de confusão no teste", "Test confusion matrix"),
    )
    j.report.add(
        "img", "classifier/loss.png", t("Curva de perda do classificador", "Classifier loss curve")
    )


def _instruct(j: _Journey) -> None:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.finetune.instruct import finetune_instruct

    plan = j.plan
    j.stage("ajuste por instruções", "instruction tuning")
    j.teach(
        "Para virar assistente, o modelo pré-treinado continua treinando em pares (instrução, "
        "resposta) escritos "
        "num formato fixo (### comando: … ### resposta: …). Com o mascaramento do prompt, a "
        "perda conta só a "
        "resposta: o modelo lê a pergunta mas só é corrigido no que responde, e aprende a "
        "parar com <|endoftext|>.",
        "To become an assistant, the pre-trained model keeps training on (instruction, "
        "response) pairs written in "
        "a fixed layout (### comando: … ### resposta: …). With prompt masking the loss counts "
        "only the response: "
        "the model reads the question but is graded only on its answer, and learns to stop "
        "with <|endoftext|>.",
    )
    s = finetune_instruct(
        j.out / "pretrain",
        None,
        j.out / "instruct",
        mask_prompt=True,
        too_long="skip",
        batch_size=plan.instruct_batch,
        test_limit=plan.test_limit,
        max_new_tokens=plan.max_new_tokens,
        log=j.log,
        lr=1e-3,
        eval_every=max(plan.eval_every, 20),
        eval_batches=8,
        **j.train_kwargs("instruct", plan.instruct_steps),
    )
    j.metrics["instruct"] = {
        k: s[k]
        for k in (
            "train_loss",
            "val_loss",
            "steps",
            "stopped_by",
            "elapsed",
            "tokens_per_second",
            "template",
            "mask_prompt",
            "train_examples",
            "val_examples",
            "test_examples",
            "long_examples",
            "test_answered",
        )
    }
    j.metrics["instruct"]["history"] = _history(j.out / "instruct")
    j.numbers(
        [
            (
                t("exemplos treino / validação / teste", "examples train / validation / test"),
                f"{s['train_examples']} / {s['val_examples']} / {s['test_examples']}",
            ),
            (t("longos demais (pulados)", "too long (skipped)"), str(s["long_examples"])),
            (t("passos (parou por)", "steps (stopped by)"), f"{s['steps']} ({s['stopped_by']})"),
            (
                t("perda de validação (só respostas)", "validation loss (responses only)"),
                f"{s['val_loss']:.3f}",
            ),
        ]
    )
    j.report.add(
        "img",
        "instruct/loss.png",
        t("Curva de perda do ajuste por instruções", "Instruction-tuning loss curve"),
    )
    ckpt = load_checkpoint(j.out / "instruct")
    j.log(t("Amostras depois do ajuste por instruções:", "Samples after instruction tuning:"))
    j.generate_samples("instruct", ckpt.model, ckpt.tokenizer)


# What the rejected response of each kind of the shipped preference pairs gets wrong (see the
# data card, datasets/preferencias_ptbr.md).
PAIR_KINDS = {
    "correto": ("erro de fato, de lógica ou de conta", "a mistake of fact, logic or arithmetic"),
    "portugues": (
        "responde em inglês ou mistura as línguas",
        "answers in English or mixes the languages",
    ),
    "educado": ("grosseira, desdenhosa ou sarcástica", "rude, dismissive or sarcastic"),
    "conciso": (
        "enrolada e repetitiva (aqui a mais longa perde)",
        "padded and repetitive (here the longer one loses)",
    ),
    "responde": (
        "foge da pergunta ou responde outra coisa",
        "dodges the question or answers another one",
    ),
    "formato": ("ignora o formato pedido", "ignores the requested format"),
}
EXAMPLE_KIND = "correto"  # the pair shown first: a plausible rejected answer with one wrong fact


def _kind_name(kind: str | None) -> str:
    return f"{kind} — {t(*PAIR_KINDS[kind])}" if kind in PAIR_KINDS else kind or "—"


def _dpo(j: _Journey) -> None:
    import torch

    from llmzero.align.dpo import align_dpo, reference_logprobs
    from llmzero.align.preferences import load_pair_splits
    from llmzero.checkpoint import load_checkpoint
    from llmzero.finetune.instruct import answer_batch, pad_id

    plan = j.plan
    j.stage("alinhamento (DPO)", "alignment (DPO)")
    j.teach(
        "O modelo ajustado por instruções responde, mas nada lhe disse qual de duas respostas é "
        "melhor. Um par de preferência traz um pedido e duas respostas: a escolhida (a melhor) e "
        "a rejeitada (a pior), e um tipo que diz o defeito da rejeitada. Os pares vêm do "
        "conjunto preferencias_ptbr, escrito à mão em português. Um deles:",
        "The instruction-tuned model answers, but nothing has told it which of two answers is "
        "better. A preference pair holds a request and two answers: the chosen one (the better) "
        "and the rejected one (the worse), and a kind that names the rejected answer's flaw. The "
        "pairs come from the preferencias_ptbr set, hand-written in Portuguese. One of them:",
    )
    sft = load_checkpoint(j.out / "instruct")
    tok = sft.tokenizer
    # the shipped pairs as align_dpo reads them: split by the file, long ones skipped
    split = load_pair_splits(
        None, tok, sft.meta, sft.config.context_length, seed=j.seed, too_long="skip"
    )
    tpl, system = split.template, split.system
    record = {p.where: p for p in split.prefs}

    def fitting(encoded):
        """(pair, encoded) of the pairs that fit the context: what align_dpo keeps with "skip"."""
        return [(record[e.where], e) for e in encoded]

    train_fit = [p for p, _ in fitting(split.train)]
    shown = next((p for p in train_fit if p.kind == EXAMPLE_KIND), None) or (
        train_fit[0] if train_fit else None
    )
    example = None
    if shown is not None:
        example = {
            "instruction": shown.instruction,
            "input": shown.input,
            "chosen": shown.chosen,
            "rejected": shown.rejected,
            "kind": shown.kind,
        }
        request = shown.instruction + (f"\n{shown.input}" if shown.input else "")
        j.report.add(
            "table",
            (t("campo", "field"), t("texto", "text")),
            [
                (t("pedido", "request"), request),
                (t("escolhida", "chosen"), shown.chosen),
                (t("rejeitada", "rejected"), shown.rejected),
                (t("tipo", "kind"), _kind_name(shown.kind)),
            ],
        )
        j.log(f"  {request!r}\n    + {shown.chosen!r}\n    - {shown.rejected!r}  [{shown.kind}]")
    j.teach(
        "O DPO (Direct Preference Optimization) treina direto nesses pares, sem modelo de "
        "recompensa e sem gerar texto. Uma cópia congelada do modelo SFT serve de referência; o "
        "treino aumenta a log-probabilidade da resposta escolhida, em relação à referência, mais "
        "do que a da rejeitada. Essa diferença vezes β é a recompensa implícita de uma resposta; "
        "β controla quanto o modelo pode se afastar da referência (β menor: pode ir mais longe).",
        "DPO (Direct Preference Optimization) trains on these pairs directly, with no reward "
        "model and no text generation. A frozen copy of the SFT model is the reference; training "
        "raises the chosen answer's log-probability, relative to the reference, more than the "
        "rejected one's. That difference times β is an answer's implicit reward; β controls how "
        "far the model may move from the reference (smaller β: it may go further).",
    )
    s = align_dpo(
        j.out / "instruct",
        None,
        j.out / "dpo",
        batch_size=plan.dpo_batch,
        too_long="skip",
        log=j.log,
        eval_every=plan.dpo_eval_every,
        eval_batches=3,
        **j.train_kwargs("dpo", plan.dpo_steps),
    )
    b, a, test = s["before"], s["after"], s["test"]
    rows = [
        (
            t("pares: treino / validação / teste", "pairs: train / validation / test"),
            f"{s['train_pairs']} / {s['val_pairs']} / {s['test_pairs']}",
        ),
        (
            t(
                f"longos demais para o contexto de {plan.context} tokens (pulados)",
                f"too long for the {plan.context}-token context (skipped)",
            ),
            f"{s['long_pairs']} " + t("de", "of") + f" {len(split.prefs)}",
        ),
        ("β", f"{s['beta']:g}"),
        (t("passos (parou por)", "steps (stopped by)"), f"{s['steps']} ({s['stopped_by']})"),
        (
            t(
                "prefere a escolhida (log π), validação: SFT → DPO",
                "prefers the chosen (log π), validation: SFT → DPO",
            ),
            f"{b['logp_accuracy']:.1%} → {a['logp_accuracy']:.1%}",
        ),
        (
            t(
                "margem de recompensa, validação: antes → depois",
                "reward margin, validation: before → after",
            ),
            f"{b['margin']:.3f} → {a['margin']:.3f}",
        ),
        (
            t(
                "acurácia da recompensa (escolhida > rejeitada), validação",
                "reward accuracy (chosen > rejected), validation",
            ),
            f"{a['accuracy']:.1%}",
        ),
        (
            t(
                "log π médio (por resposta) da escolhida / rejeitada: antes → depois",
                "mean log π (per answer) of chosen / rejected: before → after",
            ),
            f"{b['chosen_logp']:.1f} / {b['rejected_logp']:.1f} → "
            f"{a['chosen_logp']:.1f} / {a['rejected_logp']:.1f}",
        ),
    ]
    if test:
        rows.append(
            (
                t(
                    "teste: prefere a escolhida / acurácia da recompensa / margem",
                    "test: prefers the chosen / reward accuracy / margin",
                ),
                f"{test['logp_accuracy']:.1%} / {test['accuracy']:.1%} / {test['margin']:.3f}",
            )
        )
    j.numbers(rows)
    j.report.add(
        "img",
        "dpo/dpo.png",
        t(
            "Margem de recompensa e acurácia de preferência na validação, passo a passo",
            "Reward margin and preference accuracy on validation, step by step",
        ),
    )
    j.teach(
        f"Antes do DPO, o modelo SFT já dá mais probabilidade à escolhida em "
        f"{b['logp_accuracy']:.0%} dos pares de validação; a margem de recompensa começa em zero, "
        f"porque no passo 0 o modelo é a própria referência. Depois de {s['steps']} passos, ele "
        f"prefere a escolhida em {a['logp_accuracy']:.0%}, e em {a['accuracy']:.0%} dos pares a "
        f"escolhida ganhou mais que a rejeitada em relação à referência (margem média "
        f"{a['margin']:.3f}).",
        f"Before DPO, the SFT model already gives the chosen answer more probability in "
        f"{b['logp_accuracy']:.0%} of the validation pairs; the reward margin starts at zero, "
        f"because at step 0 the model is the reference itself. After {s['steps']} steps it "
        f"prefers the chosen answer in {a['logp_accuracy']:.0%}, and in {a['accuracy']:.0%} of "
        f"the pairs the chosen answer gained more than the rejected one relative to the "
        f"reference (mean margin {a['margin']:.3f}).",
    )
    chosen_moved = a["chosen_logp"] - b["chosen_logp"]
    if chosen_moved < 0 and a["rejected_logp"] - b["rejected_logp"] < chosen_moved:
        j.teach(
            f"Repare: a log-probabilidade média da escolhida também caiu ({b['chosen_logp']:.1f} → "
            f"{a['chosen_logp']:.1f}); a da rejeitada caiu mais ({b['rejected_logp']:.1f} → "
            f"{a['rejected_logp']:.1f}). O DPO só pede que a distância entre as duas cresça; "
            "empurrado demais (passos grandes, muitos passos), ele derruba as duas e o modelo "
            "perde a fluência. Por isso poucos passos e uma taxa de aprendizado pequena.",
            f"Note: the chosen answer's mean log-probability fell too ({b['chosen_logp']:.1f} → "
            f"{a['chosen_logp']:.1f}); the rejected one's fell further ({b['rejected_logp']:.1f} → "
            f"{a['rejected_logp']:.1f}). DPO only asks for the gap between them to grow; pushed "
            "too hard (large or many steps), it drags both down and the model loses its fluency. "
            "Hence few steps and a small learning rate.",
        )
    else:
        j.teach(
            f"A log-probabilidade média da escolhida foi de {b['chosen_logp']:.1f} para "
            f"{a['chosen_logp']:.1f}; a da rejeitada, de {b['rejected_logp']:.1f} para "
            f"{a['rejected_logp']:.1f}.",
            f"The chosen answer's mean log-probability went from {b['chosen_logp']:.1f} to "
            f"{a['chosen_logp']:.1f}; the rejected one's, from {b['rejected_logp']:.1f} to "
            f"{a['rejected_logp']:.1f}.",
        )

    # Per kind, on the validation pairs: the SFT model's preference, the DPO model's, and the
    # reward accuracy (which side gained more relative to the reference).
    val_fit = fitting(split.val)
    pad = pad_id(tok)
    dpo = load_checkpoint(j.out / "dpo")
    pairs = [e for _, e in val_fit]
    ref = reference_logprobs(sft.model, pairs, pad, plan.dpo_batch)
    pol = reference_logprobs(dpo.model, pairs, pad, plan.dpo_batch)
    sft_pref = ref[:, 0] > ref[:, 1]
    dpo_pref = pol[:, 0] > pol[:, 1]
    reward_pref = (pol[:, 0] - ref[:, 0]) > (pol[:, 1] - ref[:, 1])
    order = list(PAIR_KINDS) + sorted({p.kind or "—" for p, _ in val_fit} - set(PAIR_KINDS))
    by_kind, by_kind_note = {}, None
    for kind in order:
        idx = [i for i, (p, _) in enumerate(val_fit) if (p.kind or "—") == kind]
        if idx:
            by_kind[kind] = {
                "pairs": len(idx),
                "sft": float(sft_pref[idx].float().mean()),
                "dpo": float(dpo_pref[idx].float().mean()),
                "reward": float(reward_pref[idx].float().mean()),
            }
    if by_kind:
        j.report.add("h3", t("Por tipo de par (validação)", "By kind of pair (validation)"))
        j.report.add(
            "table",
            (
                t("tipo", "kind"),
                t("pares", "pairs"),
                t("SFT prefere a escolhida", "SFT prefers the chosen"),
                t("DPO prefere a escolhida", "DPO prefers the chosen"),
                t("recompensa: escolhida > rejeitada", "reward: chosen > rejected"),
            ),
            [
                (
                    _kind_name(k),
                    v["pairs"],
                    f"{v['sft']:.0%}",
                    f"{v['dpo']:.0%}",
                    f"{v['reward']:.0%}",
                )
                for k, v in by_kind.items()
            ],
        )
        # A response's log-probability is a sum over its tokens, and every token costs some: the
        # model leans towards the shorter answer whatever the kind.
        chosen_shorter = torch.tensor([len(e.chosen_ids) < len(e.rejected_ids) for e in pairs])
        differ = torch.tensor([len(e.chosen_ids) != len(e.rejected_ids) for e in pairs])
        if differ.any():
            shorter = float((sft_pref == chosen_shorter)[differ].float().mean())
            by_kind_note = {"sft_prefers_shorter": shorter, "pairs": int(differ.sum())}
            j.teach(
                "Por que tipos tão diferentes? A log-probabilidade de uma resposta é a soma "
                "sobre os seus tokens, e cada token custa: o modelo SFT prefere a resposta mais "
                f"curta em {shorter:.0%} dos {int(differ.sum())} pares de validação com "
                "respostas de tamanhos diferentes. Os tipos em que a escolhida costuma ser a "
                "curta (conciso) saem na frente antes de qualquer DPO; é a recompensa, que "
                "compara cada resposta com ela mesma na referência, que desconta o tamanho.",
                "Why such different kinds? An answer's log-probability is a sum over its tokens, "
                "and every token costs some: the SFT model prefers the shorter answer in "
                f"{shorter:.0%} of the {int(differ.sum())} validation pairs whose answers differ "
                "in length. Kinds where the chosen answer is usually the short one (conciso) come "
                "out ahead before any DPO; the reward, which compares each answer with itself "
                "under the reference, is what takes length out.",
            )
        sizes = [v["pairs"] for v in by_kind.values()]
        j.teach(
            f"Com {min(sizes)} a {max(sizes)} pares por tipo, um único par muda a porcentagem de "
            f"um tipo em {1 / max(sizes):.0%} a {1 / min(sizes):.0%}: leia a tabela como "
            "tendência, não como medida fina.",
            f"With {min(sizes)} to {max(sizes)} pairs per kind, a single pair moves a kind's "
            f"percentage by {1 / max(sizes):.0%} to {1 / min(sizes):.0%}: read the table as a "
            "trend, not a fine measurement.",
        )

    # The same held-out requests (the test split: neither model trained on them), one per kind,
    # answered greedily by both models.
    asked, seen = [], set()
    for p, _ in fitting(split.test):
        if p.kind not in seen and len(asked) < plan.dpo_answers:
            seen.add(p.kind)
            asked.append(p)
    examples = [dict(p.prompt_example(), **({"system": system} if system else {})) for p in asked]
    sft_answers = answer_batch(sft.model.eval(), tok, tpl, examples, plan.max_new_tokens)
    dpo_answers = answer_batch(dpo.model.eval(), tok, tpl, examples, plan.max_new_tokens)
    answers = [
        {
            "kind": p.kind,
            "instruction": p.instruction,
            "input": p.input,
            "chosen": p.chosen,
            "sft": x,
            "dpo": y,
        }
        for p, x, y in zip(asked, sft_answers, dpo_answers)
    ]
    changed = sum(x["sft"] != x["dpo"] for x in answers)
    if answers:
        j.report.add(
            "h3",
            t("Mesmos pedidos: SFT e DPO lado a lado", "Same requests: SFT and DPO side by side"),
        )
        j.teach(
            f"{len(answers)} pedidos do teste de preferências, que nenhum dos dois modelos viu, "
            "respondidos de forma gulosa (sempre o token mais provável) pelo modelo SFT e pelo "
            f"alinhado; as respostas mudaram em {changed} de {len(answers)}.",
            f"{len(answers)} requests from the preference test split, which neither model saw, "
            "answered greedily (always the most likely token) by the SFT model and the aligned "
            f"one; the answers changed in {changed} of {len(answers)}.",
        )
        j.report.add(
            "table",
            (
                t("tipo", "kind"),
                t("pedido", "request"),
                "SFT",
                "DPO",
                t("escolhida (dos dados)", "chosen (from the data)"),
            ),
            [
                (
                    x["kind"] or "—",
                    x["instruction"] + (f" [{x['input']}]" if x["input"] else ""),
                    x["sft"] or "∅",
                    x["dpo"] or "∅",
                    x["chosen"],
                )
                for x in answers
            ],
        )
        for x in answers:
            j.log(f"  {x['instruction']!r}\n    SFT → {x['sft']!r}\n    DPO → {x['dpo']!r}")
    j.teach(
        "A conversa mais adiante usa " + t(*MODEL_NAMES[CHAT_MODEL]) + ", não o alinhado: este "
        "DPO é curto e foi medido em pares de preferência, não em conversas; compare as respostas "
        f"acima. Para conversar com o alinhado: llmzero chat --model {j.out / 'dpo'}",
        "The chat further on uses " + t(*MODEL_NAMES[CHAT_MODEL]) + ", not the aligned one: this "
        "DPO run is short and was measured on preference pairs, not on conversations; compare the "
        f"answers above. To talk with the aligned one: llmzero chat --model {j.out / 'dpo'}",
    )
    j.metrics["dpo"] = {
        "beta": s["beta"],
        "steps": s["steps"],
        "stopped_by": s["stopped_by"],
        "elapsed": s["elapsed"],
        "pairs": len(split.prefs),
        "train_pairs": s["train_pairs"],
        "val_pairs": s["val_pairs"],
        "test_pairs": s["test_pairs"],
        "skipped_pairs": s["long_pairs"],
        # validation; accuracy: log π(chosen) > log π(rejected), the model's own preference
        "accuracy_before": b["logp_accuracy"],
        "accuracy_after": a["logp_accuracy"],
        # reward accuracy: the chosen answer gained more than the rejected one (0 before: ties)
        "reward_accuracy_after": a["accuracy"],
        "margin_before": b["margin"],
        "margin_after": a["margin"],
        "chosen_logp_before": b["chosen_logp"],
        "chosen_logp_after": a["chosen_logp"],
        "rejected_logp_before": b["rejected_logp"],
        "rejected_logp_after": a["rejected_logp"],
        "val_dpo_loss_after": a["dpo_loss"],
        "train_loss": s["train_loss"],
        "test": {
            "accuracy": test["logp_accuracy"],
            "reward_accuracy": test["accuracy"],
            "margin": test["margin"],
            "pairs": test["pairs"],
        }
        if test
        else None,
        "by_kind": by_kind,
        "length": by_kind_note,
        "example": example,
        "answers": answers,
        "answers_changed": changed,
        "history": _history(j.out / "dpo"),
    }


def _evaluation(j: _Journey) -> None:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.evaluation.embedding import embedding_status
    from llmzero.evaluation.perplexity import perplexity
    from llmzero.evaluation.responses import evaluate_responses, read_responses

    j.stage("avaliação", "evaluation")
    j.teach(
        "Perplexidade: entre quantos tokens, em média, o modelo hesita a cada passo (menor é "
        "melhor). O "
        "classificador é medido no conjunto de teste, que nunca viu: acurácia e F1. As "
        "respostas às instruções de "
        "teste são comparadas às de referência com ROUGE-L (palavras), chrF (caracteres) e "
        "BLEU (0 a 100): "
        "essas notas medem semelhança de forma, não se a resposta está certa.",
        "Perplexity: how many tokens, on average, the model hesitates between at each step "
        "(lower is better). "
        "The classifier is measured on the test set it never saw: accuracy and F1. The answers "
        "to the test "
        "instructions are compared with the reference answers using ROUGE-L (words), chrF "
        "(characters) and "
        "BLEU (0 to 100): these scores measure likeness of form, not whether an answer is "
        "right.",
    )
    j.report.add(
        "p",
        t(
            "Perplexidade do ajustado e respostas: com ",
            "Tuned perplexity and answers: with ",
        )
        + t(*MODEL_NAMES["instruct"])
        + t(
            "; o DPO tem seus números na própria seção.",
            "; DPO has its numbers in its own section.",
        ),
    )
    ckpt = load_checkpoint(j.out / "instruct")
    val_text = _val_text(j, ckpt.tokenizer)
    tuned = perplexity(ckpt.model, ckpt.tokenizer, val_text)
    use_emb, why = embedding_status()
    answers = read_responses(j.out / "instruct" / "test_responses.jsonl")
    r = evaluate_responses(answers, embeddings=use_emb)
    m = r["metrics"]
    emb = m["embedding"] if use_emb and m["embedding"]["available"] else None
    emb_note = None if emb else why or m["embedding"].get("reason")
    p, c = j.metrics["pretrain"], j.metrics["classifier"]
    j.metrics["evaluation"] = {
        "perplexity": {
            "random": math.exp(p["initial_val_loss"]),
            "pretrained": p["val_text_ppl"],
            "instruct": tuned["ppl"],
            "chars": len(val_text),
        },
        "classifier": {
            "accuracy": c["accuracy"],
            "macro_f1": c["macro_f1"],
            "spam_f1": c["spam_f1"],
        },
        "responses": {
            "count": r["count"],
            "rouge_l": m["rouge_l"]["f1"],
            "chrf": m["chrf"],
            "bleu": m["bleu"]["bleu"],
            "exact_match": m["exact_match"],
            "embedding": emb["mean"] if emb else None,
            "embedding_note": emb_note,
        },
        "examples": [dict(a, **row) for a, row in zip(answers[:5], r["items"][:5])],
    }
    e = j.metrics["evaluation"]
    j.numbers(
        [
            (
                t(
                    "perplexidade: aleatório / pré-treinado / ajustado",
                    "perplexity: random / pre-trained / tuned",
                ),
                "{random:.1f} / {pretrained:.2f} / {instruct:.2f}".format(**e["perplexity"]),
            ),
            (
                t("classificador: acurácia / F1 macro", "classifier: accuracy / macro F1"),
                f"{c['accuracy']:.1%} / {c['macro_f1']:.3f}",
            ),
            (
                t(
                    f"respostas ({r['count']}): ROUGE-L / chrF / BLEU",
                    f"answers ({r['count']}): ROUGE-L / chrF / BLEU",
                ),
                f"{m['rouge_l']['f1']:.1f} / {m['chrf']:.1f} / {m['bleu']['bleu']:.1f}",
            ),
            (
                t("similaridade de embeddings", "embedding similarity"),
                f"{emb['mean']:.3f}" if emb else t("indisponível: ", "unavailable: ") + emb_note,
            ),
        ]
    )
    if tuned["ppl"] > p["val_text_ppl"]:
        j.teach(
            "Repare: no texto corrido do corpus, o modelo ajustado ficou pior que o pré-treinado. "
            "Ele se "
            "especializou no formato de perguntas e respostas e esqueceu um pouco do resto (o "
            '"esquecimento '
            'catastrófico", em miniatura).',
            "Note: on the corpus's running text, the tuned model is worse than the pre-trained "
            "one. It "
            "specialised in the question-and-answer format and forgot some of the rest "
            '("catastrophic '
            'forgetting", in miniature).',
        )
    rows = [
        (
            x["instruction"] + (f" [{x['input']}]" if x.get("input") else ""),
            x["reference"],
            x["response"],
            f"{x['rouge_l']:.0f}",
        )
        for x in e["examples"]
    ]
    _suite(j)
    j.report.add("h3", t("Algumas respostas de teste", "Some test answers"))
    j.report.add(
        "table",
        (
            t("instrução", "instruction"),
            t("referência", "reference"),
            t("resposta do modelo", "model's answer"),
            "ROUGE-L",
        ),
        rows,
    )


def _suite(j: _Journey) -> None:
    """The pre-trained model on the pt-BR benchmark suite, through lm-evaluation-harness."""
    from llmzero.evaluation.harness import INSTALL_HINT, available

    j.report.add("h3", t("A suíte pt-BR de benchmarks", "The pt-BR benchmark suite"))
    if not available():
        j.metrics["evaluation"]["suite"] = None
        j.teach(
            f"Para ver o modelo pré-treinado na suíte de benchmarks, instale o lm-eval: "
            f"{INSTALL_HINT}.",
            f"To see the pre-trained model on the benchmark suite, install lm-eval: "
            f"{INSTALL_HINT}.",
        )
        return
    from llmzero.evaluation.harness.bench import BenchConfig, main_metric, run_bench

    limit = j.plan.suite_limit
    report = run_bench(j.out / "pretrain", BenchConfig(limit=limit, seed=j.seed))
    rows, scores = [], {}
    for name, entry in report["tasks"].items():
        metric, m = main_metric(entry)
        scores[name] = {"metric": metric, **m, "chance": entry["chance"], "n": entry["documents"]}
        fraction = metric in ("acc", "acc_norm", "exact_match")
        show = (lambda v: f"{100 * v:.1f} %") if fraction else (lambda v: f"{v:.1f}")
        ci = m["ci95"]
        rows.append(
            (
                name,
                metric,
                show(m["value"]),
                f"[{show(ci[0])}, {show(ci[1])}]" if ci else "—",
                show(entry["chance"]) if entry["chance"] is not None else "—",
                str(entry["documents"]),
            )
        )
    j.metrics["evaluation"]["suite"] = {"limit": limit, "out": report["out"], "tasks": scores}
    how_many_pt = f"os {limit} primeiros documentos de cada tarefa" if limit else "todas as tarefas"
    how_many_en = f"the first {limit} documents of each task" if limit else "every task in full"
    j.teach(
        "Benchmarks medem o que a área relata de modelos base: escolher o final certo "
        "(ptbr_completar, 4 opções), escrever a última palavra de um trecho (ptbr_ultima_palavra), "
        "dizer se um SMS é spam (ptbr_spam) e seguir uma instrução (ptbr_instrucoes, só texto de "
        f"referência). O pré-treinado, pelo lm-evaluation-harness, em {how_many_pt}: compare "
        "cada número com o acaso e com o intervalo de confiança de 95 % (bootstrap). Um modelo "
        "deste tamanho costuma ficar no acaso nas tarefas de escolha (ou abaixo dele, quando "
        "prefere a mesma resposta seja qual for a pergunta) e perto de zero nas de escrever: o "
        "que se mexe primeiro são as probabilidades (a perda, a perplexidade), muito antes do "
        "acerto.",
        "Benchmarks measure what the field reports for base models: picking the right ending "
        "(ptbr_completar, 4 options), writing the last word of a passage (ptbr_ultima_palavra), "
        "telling whether an SMS is spam (ptbr_spam) and following an instruction "
        f"(ptbr_instrucoes, reference text only). The pre-trained model, through "
        f"lm-evaluation-harness, on {how_many_en}: compare each number with chance and with the "
        "95 % confidence interval (bootstrap). A model this size usually sits at chance on the "
        "choice tasks (or below it, when it prefers one answer whatever the question) and near "
        "zero on the writing ones: what moves first are the probabilities (the loss, the "
        "perplexity), long before the accuracy.",
    )
    for name, metric, value, ci, chance, n in rows:
        j.log(f"  {name:<20} {metric:<12} {value:>8}  {ci}  {t('acaso', 'chance')} {chance}")
    j.report.add(
        "table",
        (
            t("tarefa", "task"),
            t("métrica", "metric"),
            t("valor", "value"),
            t("IC 95 %", "95 % CI"),
            t("acaso", "chance"),
            t("documentos", "documents"),
        ),
        rows,
    )
    j.report.add(
        "p",
        t(
            f"Respostas por documento em {report['out']}/ (TAREFA.samples.jsonl); a suíte inteira: "
            f"llmzero eval bench --model {j.out / 'pretrain'}.",
            f"Per-document answers in {report['out']}/ (TASK.samples.jsonl); the whole suite: "
            f"llmzero eval bench --model {j.out / 'pretrain'}.",
        ),
    )


def _chat(j: _Journey) -> None:
    from llmzero.chat import load_chat_model, session_for
    from llmzero.sampling import sampling_preset

    j.stage("conversa", "chat")
    j.teach(
        "Um chat é só um prompt que cresce: a cada turno a conversa inteira é reenviada no formato "
        "do treino, e "
        "o modelo escreve até o marcador de fim. Ele não tem memória entre chamadas; um modelo "
        "deste tamanho, "
        "treinado por minutos, imita o formato das respostas bem antes de acertar o conteúdo.",
        "A chat is just a growing prompt: every turn the whole conversation is sent again in "
        "the training layout, "
        "and the model writes until the end marker. It has no memory between calls; a model "
        "this small, trained "
        "for minutes, imitates the form of an answer long before it gets the content right.",
    )
    j.report.add("p", t("Com ", "With ") + t(*MODEL_NAMES[CHAT_MODEL]) + f", {CHAT_MODEL}/.")
    ckpt = load_chat_model(j.out / CHAT_MODEL)
    # `llmzero chat`'s sampling, seeded, so a rerun gives the same transcript.
    sampling = sampling_preset("chat", max_new_tokens=j.plan.max_new_tokens, seed=j.seed)
    session = session_for(ckpt, sampling=sampling)
    turns = []
    for q in CHAT_QUESTIONS:
        answer = session.reply(q)
        turns.append({"user": q, "assistant": answer, "tokens": session.last_result.num_tokens})
        j.log(t("  você> ", "  you> ") + q)
        j.log(t("  modelo> ", "  model> ") + answer)
    transcript = "\n".join(
        t("você> ", "you> ") + x["user"] + "\n" + t("modelo> ", "model> ") + x["assistant"]
        for x in turns
    )
    j.report.add("pre", transcript)
    j.metrics["chat"] = {"model": CHAT_MODEL, "template": session.template.name, "turns": turns}
    j.report.add(
        "p",
        t(
            f"Continue a conversa: llmzero chat --model {j.out / CHAT_MODEL} (ou --model "
            f"{j.out / 'dpo'}, o alinhado com DPO)",
            f"Keep talking: llmzero chat --model {j.out / CHAT_MODEL} (or --model "
            f"{j.out / 'dpo'}, the DPO-aligned one)",
        ),
    )


# Lab experiments that need no training of their own: they look inside the instruction-tuned model.
# Each lab experiment of the journey and the model it looks at: the pre-trained one continues plain
# text, as these prompts are; the instruction-tuned one is the one that answers questions.
LAB_EXPERIMENTS = {
    "next-token": "pretrain",
    "temperature": "pretrain",
    "hallucination": "instruct",
    "interpretability": "pretrain",
}
MODEL_NAMES = {
    "pretrain": ("o modelo pré-treinado", "the pre-trained model"),
    "instruct": ("o modelo ajustado por instruções (SFT)", "the instruction-tuned model (SFT)"),
    "dpo": ("o modelo alinhado com DPO", "the DPO-aligned model"),
}


def _lab(j: _Journey) -> None:
    from llmzero.lab.core import LabContext, get_experiment, run_experiment

    j.stage("laboratório", "lab")
    j.teach(
        "O laboratório (capítulo 08) mede o que o modelo faz, em vez de só olhar as respostas: a "
        "distribuição "
        "de onde sai cada token, o que a temperatura muda, se a confiança do modelo diz algo "
        "sobre acertar, e o "
        "que as cabeças de atenção olham. Cada experimento também roda sozinho: llmzero lab "
        "NOME.",
        "The lab (chapter 08) measures what the model does instead of only reading its "
        "answers: the distribution "
        "each token is drawn from, what temperature changes, whether the model's confidence "
        "says anything about "
        "being right, and what the attention heads look at. Each experiment also runs alone: "
        "llmzero lab NAME.",
    )
    contexts = {
        stage: LabContext(
            out=j.out / "lab",
            seed=j.seed,
            quick=j.plan is PLANS["quick"],
            model_dir=j.out / stage,
            log=lambda m: None,
        )
        for stage in set(LAB_EXPERIMENTS.values())
    }
    found = {}
    for name, stage in LAB_EXPERIMENTS.items():
        result = run_experiment(name, contexts[stage])
        title = get_experiment(name).title
        j.report.add("h3", title)
        j.report.add("p", t("Com ", "With ") + t(*MODEL_NAMES[stage]) + ".")
        j.report.add("p", result.reading())
        j.log(f"  {title}: {result.reading()}")
        for plot in result.plots:
            j.report.add("img", f"lab/{name}/{plot}", title)
        found[name] = result.metrics
    j.metrics["lab"] = found
    j.report.add(
        "p",
        t(
            "Os outros experimentos (tamanho do conjunto de dados, escala, n-gramas, "
            "estratégias...): "
            "llmzero lab all.",
            "The other experiments (dataset size, scaling, n-grams, strategies...): "
            "llmzero lab all.",
        ),
    )


def _samples_section(j: _Journey) -> None:
    j.report.add("h2", t("Os mesmos prompts em três momentos", "The same prompts at three moments"))
    j.report.add(
        "p",
        t(
            "Modelo aleatório → pré-treinado (continua texto) → ajustado por instruções "
            "(responde). "
            "Mesma amostragem (temperatura 0.7, top-k 40, mesma semente) nos três.",
            "Random model → pre-trained (continues text) → instruction-tuned "
            "(answers). "
            "Same sampling (temperature 0.7, top-k 40, same seed) for all three.",
        ),
    )
    names = {
        "random": t("aleatório", "random"),
        "pretrained": t("pré-treinado", "pre-trained"),
        "instruct": t("ajustado", "instruction-tuned"),
    }
    for i, first in enumerate(j.samples["random"]):
        j.report.add("h3", t("Prompt ", "Prompt ") + str(i + 1))
        j.report.add("pre", first["prompt"])
        j.report.add(
            "table",
            (t("momento", "moment"), t("o que o modelo escreveu", "what the model wrote")),
            [
                (names[k], j.samples[k][i]["text"].strip() or "∅")
                for k in ("random", "pretrained", "instruct")
            ],
        )


def _timing_section(j: _Journey) -> None:
    j.report.add("h2", t("Tempo", "Time"))
    j.report.add(
        "table",
        (
            t("etapa", "stage"),
            t("segundos (relógio)", "seconds (wall)"),
            t("segundos de CPU", "CPU seconds"),
        ),
        [(k, f"{v['wall']:.1f}", f"{v['cpu']:.1f}") for k, v in j.timing.items()],
    )
    j.report.add(
        "p", t("Todos os números estão em metrics.json.", "Every number is in metrics.json.")
    )


def _write(j: _Journey, metrics: dict) -> None:
    from llmzero.fileio import write_json_atomic, write_text_atomic

    write_json_atomic(j.out / "metrics.json", metrics)
    write_text_atomic(j.out / "report.md", j.report.markdown())
    write_text_atomic(j.out / "report.html", j.report.html(t("Jornada llmzero", "llmzero journey")))
