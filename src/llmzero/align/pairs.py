"""Preference pairs made by the model itself: sample several answers, score them, keep best and
worst.

DPO and reward models learn from pairs (a prompt, a *chosen* answer, a *rejected* one). People are
the classic source; here the model writes its own candidates and a scorer picks: a reward model, the
arithmetic checker (``ArithmeticScorer``) or a bigger model as a judge (``JudgeScorer``, any
OpenAI-compatible server). A prompt whose best and worst answers score the same says nothing about
what is better, so it is skipped.

    pairs = make_pairs("runs/instrucoes", "prompts.jsonl", JudgeScorer(url, "qwen2.5:7b"),
                       out="runs/pares.jsonl")

The file holds one JSON object a line: {"instruction", "input", "chosen", "rejected",
"chosen_score", "rejected_score"}.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

from llmzero.align.rl import as_prompt, read_prompts, sample_responses
from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, get_lang, t
from llmzero.evaluation.judge import judge
from llmzero.fileio import write_text_atomic
from llmzero.finetune.templates import DEFAULT_TEMPLATE, get_template

PROMPTS_PER_BATCH = 8  # prompts sampled together (each with ``samples`` rows)
NO_REFERENCE = {
    "pt": "(sem resposta de referência: julgue pela instrução)",
    "en": "(no reference answer: judge by the instruction)",
}


class JudgeScorer:
    """An OpenAI-compatible chat model as a scorer: ``score(prompts, responses)`` asks
    ``evaluation.judge`` for a grade of each answer. A reply with no readable grade scores None.

    A prompt dict may carry "reference" (or "output"), shown to the judge as the reference answer.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        scale: int = 10,
        lang: str | None = None,
    ):
        self.url, self.model, self.api_key = url, model, api_key
        self.timeout, self.scale, self.lang = timeout, scale, lang

    def score(self, prompts: Sequence, responses: Sequence[str]) -> list[float | None]:
        if len(prompts) != len(responses):
            raise ValueError("prompts and responses differ in length")
        lang = self.lang or get_lang()
        items = []
        for prompt, response in zip(prompts, responses):
            ref = None
            if isinstance(prompt, dict):
                ref = prompt.get("reference") or prompt.get("output")
            items.append(
                {**as_prompt(prompt), "reference": ref or NO_REFERENCE[lang], "response": response}
            )
        result = judge(items, self.url, self.model, self.api_key, self.timeout, self.scale, lang)
        return result["scores"]


def _usable(score) -> bool:
    return isinstance(score, (int, float)) and not isinstance(score, bool) and math.isfinite(score)


def make_pairs(
    model_dir: str | Path,
    prompts: str | Path | Sequence,
    scorer,
    *,
    samples: int = 4,
    max_new_tokens: int | None = None,
    temperature: float = 1.0,
    seed: int = 0,
    out: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Sample ``samples`` answers per prompt from the "lm" checkpoint ``model_dir``, score them
    with ``scorer.score(prompts, responses)``, and keep the best as chosen and the worst as
    rejected.

    prompts: a file (see ``rl.read_prompts``) or a list of strings / {"instruction", "input"};
    max_new_tokens: default 64, at most half the context. Prompts whose best and worst scores
    tie, or with fewer than two scored answers, are skipped (the log says how many). With
    ``out``, the pairs are written there as JSONL, atomically.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if samples < 2:
        raise UserError(
            "samples precisa ser >= 2 (um par pede duas respostas).",
            "samples must be >= 2 (a pair needs two answers).",
        )
    if temperature <= 0:
        raise UserError(
            "a temperatura precisa ser > 0: respostas gulosas saem todas iguais.",
            "the temperature must be > 0: greedy answers all come out the same.",
        )
    ckpt = load_checkpoint(model_dir, kinds=("lm",))
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    model, tok = ckpt.model.eval(), ckpt.tokenizer
    tpl = get_template(ckpt.meta.get("template") or DEFAULT_TEMPLATE, tok)
    if max_new_tokens is None:
        max_new_tokens = min(64, model.config.context_length // 2)
    system = ckpt.meta.get("system_prompt")
    items = read_prompts(prompts) if isinstance(prompts, (str, Path)) else list(prompts)
    items = [as_prompt(p) for p in items]
    if not items:
        raise UserError("não há prompts.", "there are no prompts.")
    shown = [dict(p, system=system) if system else p for p in items]

    pairs, ties, unscored = [], 0, 0
    for chunk, start in enumerate(range(0, len(items), PROMPTS_PER_BATCH)):
        group = shown[start : start + PROMPTS_PER_BATCH]
        sampled = sample_responses(
            model,
            tok,
            tpl,
            group,
            samples,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            seed=seed * 1_000_003 + chunk,
        )
        scores = scorer.score(
            [items[start + i // samples] for i in range(len(sampled))], [s.text for s in sampled]
        )
        for k, prompt in enumerate(items[start : start + PROMPTS_PER_BATCH]):
            rows = range(k * samples, (k + 1) * samples)
            scored = [(float(scores[i]), sampled[i].text) for i in rows if _usable(scores[i])]
            if len(scored) < 2:
                unscored += 1
                continue
            best = max(scored, key=lambda x: x[0])  # the first of equals
            worst = min(scored, key=lambda x: x[0])
            if best[0] == worst[0] or best[1] == worst[1]:
                ties += 1
                continue
            pairs.append(
                {
                    "instruction": prompt["instruction"],
                    "input": prompt["input"],
                    "chosen": best[1],
                    "rejected": worst[1],
                    "chosen_score": best[0],
                    "rejected_score": worst[0],
                }
            )
    if out is not None:
        text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
        write_text_atomic(out, text)
    log(
        t(
            f"{len(pairs)} pares de {len(items)} prompts; {ties} pulados por empate"
            f"{f', {unscored} sem notas suficientes' if unscored else ''}.",
            f"{len(pairs)} pairs from {len(items)} prompts; {ties} skipped as ties"
            f"{f', {unscored} without enough scores' if unscored else ''}.",
        )
    )
    return pairs
