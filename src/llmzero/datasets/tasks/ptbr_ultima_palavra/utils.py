"""lm-eval glue of ptbr_ultima_palavra: the JSONL files beside this file, and the scoring of the
word the model writes."""

from pathlib import Path

from llmzero.evaluation.harness.tasks import jsonl_splits, score_last_word

HERE = Path(__file__).resolve().parent


def load(**_):
    return jsonl_splits(HERE, test="test.jsonl", dev="dev.jsonl")


def score(doc, results):
    return score_last_word(doc, results)
