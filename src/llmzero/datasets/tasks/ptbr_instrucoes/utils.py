"""lm-eval glue of ptbr_instrucoes: the shipped instructions cut as `finetune instruct` cuts them
(same seed, same fractions), each test instruction written in the `comando` layout."""

from llmzero.evaluation.harness.tasks import as_dataset, score_answer
from llmzero.finetune.instruct import (
    DEFAULT_SPLIT,
    default_data_path,
    read_instructions,
    split_examples,
)
from llmzero.finetune.templates import get_template

SEED = 1337  # finetune instruct's default seed: its test split is this task's


def load(**_):
    template = get_template("comando")
    parts = split_examples(read_instructions(default_data_path()), SEED, DEFAULT_SPLIT)
    docs = [[{**e.to_dict(), "prompt": template.format_prompt(e)} for e in part] for part in parts]
    return as_dataset(dict(zip(("train", "validation", "test"), docs)))


def score(doc, results):
    return score_answer(doc, results)
