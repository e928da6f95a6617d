"""The pt-BR suite as lm-eval tasks: where it lives, the functions its YAML files call, the chance
baselines.

Each task is a folder of ``llmzero/datasets/tasks/`` holding an lm-eval YAML file, a small
``utils.py`` that the YAML calls (``!function utils.load``) and, for the tasks written for this
project, the data (``test.jsonl``, ``dev.jsonl``) with its card (``README.md``):

- ``ptbr_completar``: a context and four endings, one right (HellaSwag-style); acc and acc_norm;
- ``ptbr_ultima_palavra``: the last word of a passage, written by the model (LAMBADA-style);
  exact match of the first word it writes; ``ptbr_ultima_palavra_ll`` scores the same passages by
  log-likelihood (acc: greedy decoding gives the word; perplexity of the word);
- ``ptbr_spam``: the shipped SMS test split, the model writes the label (spam or normal);
  ``ptbr_spam_mc`` compares the two labels' log-likelihoods instead;
- ``ptbr_instrucoes``: the shipped instructions' test split (the one ``finetune instruct`` holds
  out), the model answers in the ``comando`` layout; exact match, chrF and ROUGE-L.

The tag ``ptbr`` names the four main tasks. The YAML's ``metadata.chance`` says how the chance
baseline of a task is worked out from its documents (``chance_rule``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from llmzero.data.labeled import read_labeled_file
from llmzero.datasets import DATASETS_DIR, dataset_path
from llmzero.errors import UserError
from llmzero.evaluation import text_metrics

TASKS_DIR = DATASETS_DIR / "tasks"
SUITE_TAG = "ptbr"
SUITE = ("ptbr_completar", "ptbr_ultima_palavra", "ptbr_spam", "ptbr_instrucoes")
EXTRA = ("ptbr_ultima_palavra_ll", "ptbr_spam_mc")
# How the spam labels read in a prompt (the file says ham for a normal message).
SPAM_WORDS = {"spam": "spam", "ham": "normal"}
# A word: letters (accents included), possibly joined by hyphens ("guarda-chuva").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


# -- data ------------------------------------------------------------------------------------------
def read_jsonl(path: str | Path) -> list[dict]:
    """The JSON objects of a JSONL file, one a line; a UserError names a bad line."""
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"faltam os dados da tarefa: {path} não existe.",
            f"the task's data is missing: {path} does not exist.",
        )
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not isinstance(row, dict):
            raise UserError(
                f"{path}:{n} não é um objeto JSON.", f"{path}:{n} is not a JSON object."
            )
        rows.append(row)
    return rows


def as_dataset(splits: dict[str, list[dict]]):
    """Lists of documents as the ``datasets.DatasetDict`` lm-eval reads."""
    import datasets

    return datasets.DatasetDict(
        {name: datasets.Dataset.from_list(docs) for name, docs in splits.items()}
    )


def jsonl_splits(folder: str | Path, **files: str):
    """A task folder's files as splits: ``jsonl_splits(folder, test="test.jsonl")``."""
    folder = Path(folder)
    return as_dataset({split: read_jsonl(folder / name) for split, name in files.items()})


def spam_splits(path: str | Path | None = None):
    """The shipped SMS messages as train / validation / test, by the file's split column (the split
    ``finetune classify`` and ``eval classify`` use); each document: text, label, answer."""
    path = Path(path) if path is not None else dataset_path("spam_ptbr.tsv")
    splits: dict[str, list[dict]] = {"train": [], "validation": [], "test": []}
    for example, split in read_labeled_file(path):
        if example.label not in SPAM_WORDS:
            raise UserError(
                f"{example.where}: rótulo {example.label!r} (esperava spam ou ham).",
                f"{example.where}: label {example.label!r} (expected spam or ham).",
            )
        doc = {"text": example.text, "label": example.label, "answer": SPAM_WORDS[example.label]}
        splits[split or "test"].append(doc)
    return as_dataset({name: docs for name, docs in splits.items() if docs})


# -- scoring what the model wrote ------------------------------------------------------------------
def first_word(text: str) -> str:
    """The first word of a generation ("" when it wrote none)."""
    match = _WORD.search(text)
    return match.group(0) if match else ""


def _generation(results) -> str:
    return results[0] if results else ""


def score_last_word(doc: dict, results: list[str]) -> dict:
    """ptbr_ultima_palavra: 1 when the first word written is the target, exactly."""
    return {"exact_match": float(first_word(_generation(results)) == doc["target"])}


def score_label(doc: dict, results: list[str]) -> dict:
    """ptbr_spam: 1 when the first word written is the label (case ignored)."""
    return {"exact_match": float(first_word(_generation(results)).lower() == doc["answer"])}


def score_answer(doc: dict, results: list[str]) -> dict:
    """ptbr_instrucoes: the answer against the reference: exact match (0 or 1), chrF and ROUGE-L
    F1 (0-100), as ``eval responses`` computes them."""
    answer, reference = _generation(results).strip(), doc["output"].strip()
    return {
        "exact_match": float(answer == reference),
        "chrf": text_metrics.sentence_chrf(answer, reference),
        "rouge_l": text_metrics.rouge_l(answer, reference)["f1"],
    }


# -- chance ----------------------------------------------------------------------------------------
CHANCE_RULES = ("choices", "targets", "none")


def chance_rule(output_type: str, metadata: dict | None) -> str:
    """How a task's chance baseline is computed: its YAML's ``metadata.chance`` when given; a
    multiple-choice task otherwise guesses among its choices; other tasks have none."""
    rule = (metadata or {}).get("chance")
    if rule in CHANCE_RULES:
        return rule
    return "choices" if output_type == "multiple_choice" else "none"


def chance_of(rule: str, choices: Iterable[int], targets: Iterable) -> float | None:
    """The accuracy of guessing uniformly: among each document's choices (``choices``: how many
    each has), or among the distinct right answers of the task (``targets``)."""
    if rule == "choices":
        counts = [n for n in choices if n]
        return sum(1 / n for n in counts) / len(counts) if counts else None
    if rule == "targets":
        distinct = {str(t) for t in targets}
        return 1 / len(distinct) if distinct else None
    return None
