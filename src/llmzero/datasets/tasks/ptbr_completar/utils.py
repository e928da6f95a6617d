"""lm-eval glue of ptbr_completar: the documents are the JSONL files beside this file."""

from pathlib import Path

from llmzero.evaluation.harness.tasks import jsonl_splits

HERE = Path(__file__).resolve().parent


def load(**_):
    return jsonl_splits(HERE, test="test.jsonl", dev="dev.jsonl")
