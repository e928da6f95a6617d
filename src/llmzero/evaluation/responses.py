"""Scoring an instruction-tuned model's answers: every metric of this package on one responses file.

The file is JSON Lines, one answer a line, as `llmzero finetune instruct` writes to
test_responses.jsonl: {"instruction": ..., "input": ..., "reference": ..., "response": ...}. Only
"reference" and "response" are required; the judge also reads the instruction and the input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from llmzero.data.files import json_records, read_user_text
from llmzero.errors import UserError
from llmzero.evaluation import text_metrics as tm
from llmzero.evaluation.embedding import embedding_similarity
from llmzero.evaluation.judge import judge


def read_responses(path: str | Path) -> list[dict]:
    """The records of a responses JSONL file; a UserError naming file:line for anything
    malformed."""
    path = Path(path)
    text = read_user_text(path, what=("JSONL", "JSONL"))
    items = []
    expected = (
        "JSON inválido; esperava um objeto por linha",
        "invalid JSON; expected one object a line",
    )
    for record, where in json_records(path, text, expected, json_list=False):
        if not isinstance(record, dict):
            raise UserError(
                f"{where}: esperava um objeto JSON com reference e response.",
                f"{where}: expected a JSON object with reference and response.",
            )
        for key in ("reference", "response"):
            if not isinstance(record.get(key), str):
                raise UserError(
                    f"{where}: falta o texto do campo {key!r}.",
                    f"{where}: the field {key!r} is missing or not text.",
                )
        for key in ("instruction", "input"):
            if record.get(key) is not None and not isinstance(record[key], str):
                raise UserError(
                    f"{where}: o campo {key!r} precisa ser texto.",
                    f"{where}: the field {key!r} must be text.",
                )
        items.append(record)
    if not items:
        raise UserError(
            f"o arquivo {path} não tem nenhuma resposta.", f"the file {path} holds no responses."
        )
    return items


def evaluate_responses(
    items: list[dict],
    *,
    embeddings: bool = False,
    judge_url: str | None = None,
    judge_model: str | None = None,
    api_key: str | None = None,
    timeout: float = 60.0,
    scale: int = 10,
    lang: str | None = None,
    on_judge: Callable[[int, int, float | None], None] | None = None,
) -> dict:
    """{"count", "metrics": {...}, "items": [...]}: set-level scores and each answer's own.

    metrics: exact_match (%), rouge_l {precision, recall, f1}, bleu (corpus BLEU-4 and its parts),
    chrf, embedding ({"available": False, "reason"} without the optional model; None when not asked)
    and judge (None when no URL is given). Per item: rouge_l (F1), bleu (smoothed sentence BLEU),
    chrf, embedding, judge.
    """
    hyps = [it["response"] for it in items]
    refs = [it["reference"] for it in items]
    exact = sum(h.strip() == r.strip() for h, r in zip(hyps, refs))
    metrics = {
        "exact_match": 100 * exact / len(items),
        "rouge_l": tm.corpus_rouge_l(hyps, refs),
        "bleu": tm.corpus_bleu(hyps, refs),
        "chrf": tm.corpus_chrf(hyps, refs),
        "embedding": None,
        "judge": None,
    }
    rows = [
        {
            "index": i,
            "rouge_l": tm.rouge_l(h, r)["f1"],
            "bleu": tm.sentence_bleu(h, r)["bleu"],
            "chrf": tm.sentence_chrf(h, r),
            "embedding": None,
            "judge": None,
        }
        for i, (h, r) in enumerate(zip(hyps, refs))
    ]
    if embeddings:
        emb = embedding_similarity(hyps, refs)
        if emb["available"]:
            for row, score in zip(rows, emb.pop("scores")):
                row["embedding"] = score
        metrics["embedding"] = emb
    if judge_url:
        verdict = judge(
            items, judge_url, judge_model or "", api_key, timeout, scale, lang, on_judge
        )
        for row, score, answer in zip(rows, verdict.pop("scores"), verdict.pop("answers")):
            row["judge"] = score
            row["judge_answer"] = answer
        metrics["judge"] = verdict
    return {"count": len(items), "metrics": metrics, "items": rows}
