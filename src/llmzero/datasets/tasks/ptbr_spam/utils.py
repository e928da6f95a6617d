"""lm-eval glue of ptbr_spam: the shipped SMS messages by their split column, and the scoring of
the class the model writes."""

from llmzero.evaluation.harness.tasks import score_label, spam_splits


def load(**_):
    return spam_splits()


def score(doc, results):
    return score_label(doc, results)
