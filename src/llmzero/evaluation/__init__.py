"""Evaluation: how good is a model? Perplexity, answer-vs-reference scores, meaning similarity, an
LLM judge.

- ``perplexity``: exp(mean surprise per token) of a text, read through a sliding window.
- ``text_metrics``: ROUGE-L, BLEU and chrF, from scratch (0–100).
- ``embedding``: cosine similarity of sentence embeddings (optional model package; unavailable
  without it).
- ``judge``: a model behind any OpenAI-compatible server grades each answer with a rubric.
- ``responses``: all of the above on a test_responses.jsonl.
The `llmzero eval` command is in ``llmzero.cli.evaluate``.
"""

from llmzero.evaluation.embedding import SentenceEmbedder, embedding_similarity, embedding_status
from llmzero.evaluation.judge import chat, judge, parse_score
from llmzero.evaluation.perplexity import perplexity, perplexity_ids, window_plan
from llmzero.evaluation.responses import evaluate_responses, read_responses
from llmzero.evaluation.text_metrics import (
    corpus_bleu,
    corpus_chrf,
    corpus_rouge_l,
    rouge_l,
    sentence_bleu,
    sentence_chrf,
    words,
)

__all__ = [
    "SentenceEmbedder",
    "chat",
    "corpus_bleu",
    "corpus_chrf",
    "corpus_rouge_l",
    "embedding_similarity",
    "embedding_status",
    "evaluate_responses",
    "judge",
    "parse_score",
    "perplexity",
    "perplexity_ids",
    "read_responses",
    "rouge_l",
    "sentence_bleu",
    "sentence_chrf",
    "window_plan",
    "words",
]
