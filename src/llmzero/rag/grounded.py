"""Questions with known answers, and instruction examples that teach a model to answer from context.

``questions.jsonl`` lines are ``{"id", "question", "answer", "doc", "evidence"}``; ``doc`` and
``evidence`` are null for a question no document answers (its answer is "não sei"). The shipped set
(``llmzero/datasets/rag_ptbr``) is split once by a hash of each id: about 60 % *train* questions,
from which the context-grounded instruction examples are made, and 40 % *eval* questions, which
``llmzero rag eval`` uses and no example ever shows.

A grounded example is a question, a few numbered passages and the answer copied from the right one
with its number: ``1987 [2]``. Some examples hold only passages that do not answer, and their answer
is ``não sei``: the model learns to copy from the context, and to say so when the context is silent.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

from llmzero.datasets import DATASETS_DIR
from llmzero.errors import UserError
from llmzero.rag.documents import BadDocument, read_document, sentence_spans

RAG_DATA_DIR = DATASETS_DIR / "rag_ptbr"
REFUSAL = "não sei"  # the answer when no passage holds it (the shipped data's word)
EVAL_FRACTION = 0.4


def shipped_questions_path() -> Path:
    return RAG_DATA_DIR / "questions.jsonl"


def shipped_docs_path() -> Path:
    return RAG_DATA_DIR / "docs"


def read_questions(path: str | os.PathLike) -> list[dict]:
    """Every question of a JSONL file, checked: one sentence naming the bad line otherwise."""
    path = Path(path)
    if not path.is_file():
        raise UserError(
            f"o arquivo de perguntas {path} não existe.",
            f"the questions file {path} does not exist.",
        )
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise UserError(f"{path} não está em UTF-8.", f"{path} is not UTF-8.") from None
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"{path}:{n}: JSON inválido ({exc.msg}).", f"{path}:{n}: invalid JSON ({exc.msg})."
            ) from None
        ok = (
            isinstance(q, dict)
            and isinstance(q.get("question"), str)
            and q["question"].strip()
            and isinstance(q.get("answer"), str)
            and isinstance(q.get("doc"), (str, type(None)))
            and isinstance(q.get("evidence"), (str, type(None)))
        )
        if not ok:
            raise UserError(
                f'{path}:{n}: esperava um objeto com "question" e "answer" (textos) e, '
                'opcionalmente, "id", "doc" e "evidence".',
                f'{path}:{n}: expected an object with "question" and "answer" (texts) and, '
                'optionally, "id", "doc" and "evidence".',
            )
        q = dict(q)
        q.setdefault("id", f"line-{n}")
        q.setdefault("doc", None)
        q.setdefault("evidence", None)
        out.append(q)
    if not out:
        raise UserError(f"{path} não tem perguntas.", f"{path} holds no questions.")
    return out


def _rank(question_id) -> int:
    return int(hashlib.sha256(str(question_id).encode()).hexdigest()[:12], 16)


def question_splits(questions: list[dict]) -> dict[str, str]:
    """id -> "train" or "eval": within the answerable questions and within the unanswerable ones
    apart, the ``EVAL_FRACTION`` with the smallest hash of their id are "eval" (a fixed cut that
    keeps both kinds in both parts)."""
    out = {}
    for answerable in (True, False):
        group = sorted((q["id"] for q in questions if bool(q.get("doc")) == answerable), key=_rank)
        n_eval = round(len(group) * EVAL_FRACTION)
        out.update({i: "eval" if n < n_eval else "train" for n, i in enumerate(group)})
    return out


def select_split(questions: list[dict], split: str) -> list[dict]:
    if split == "all":
        return list(questions)
    if split not in ("train", "eval"):
        raise UserError(
            f"parte desconhecida: {split!r} (use train, eval ou all).",
            f"unknown split: {split!r} (use train, eval or all).",
        )
    splits = question_splits(questions)
    return [q for q in questions if splits[q["id"]] == split]


def is_refusal(text: str) -> bool:
    low = " ".join(text.lower().split())
    return (
        low.startswith(REFUSAL) or low.startswith("i don't know") or low.startswith("não sabemos")
    )


# -- passages cut around a sentence ----------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.split())


def _doc_sentences(path: Path, cache: dict) -> list[str]:
    if path not in cache:
        try:
            text = read_document(path)
        except BadDocument as exc:
            raise exc.user_error() from None
        cache[path] = [_normal(text[a:b]) for a, b in sentence_spans(text)]
    return cache[path]


def _window(sents: list[str], center: int, max_chars: int) -> str:
    """The sentence ``center`` and, while they fit in ``max_chars``, the one before it (it often
    names the place or the person) and the one after."""
    text, lo, hi = sents[center], center, center
    for step in (-1, 1):
        j = (lo if step < 0 else hi) + step
        if 0 <= j < len(sents) and len(text) + 1 + len(sents[j]) <= max_chars:
            text = f"{sents[j]} {text}" if step < 0 else f"{text} {sents[j]}"
            lo, hi = min(lo, j), max(hi, j)
    return text


def _evidence_index(sents: list[str], evidence: str) -> int | None:
    ev = _normal(evidence)
    for i, s in enumerate(sents):
        if ev in s or s in ev and len(s) > len(ev) / 2:
            return i
    return None


def numbered(passages: list[str]) -> str:
    """Passages as the context slot shows them: "[1] ...", one a line."""
    return "\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))


def grounded_examples(
    questions: list[dict] | None = None,
    docs_root: str | os.PathLike | None = None,
    *,
    split: str = "train",
    passages: int = 2,
    passage_chars: int = 240,
    variants: int = 2,
    refusal_share: float = 0.2,
    seed: int = 0,
) -> list[dict]:
    """Context-grounded instruction examples {"instruction", "context", "output"} from
    ``questions`` (default: the shipped set's ``split``).

    Each answerable question gives ``variants`` examples: its evidence (with a neighbour sentence,
    within ``passage_chars``) among ``passages - 1`` passages of other documents, in a random place
    ``k``, answered "ANSWER [k]". About ``refusal_share`` of the examples show only other passages
    and answer "não sei", as do the questions no document answers.
    """
    if questions is None:
        questions = select_split(read_questions(shipped_questions_path()), split)
        root = RAG_DATA_DIR
    else:
        root = Path(docs_root) if docs_root is not None else RAG_DATA_DIR
    rng = random.Random(seed)
    cache: dict = {}
    all_docs = sorted({q["doc"] for q in questions if q.get("doc")})
    if not all_docs:
        raise UserError(
            "nenhuma pergunta aponta um documento: não há de onde copiar respostas.",
            "no question points at a document: there is nothing to copy answers from.",
        )
    out = []

    def distractor(not_doc: str | None) -> str:
        doc = rng.choice([d for d in all_docs if d != not_doc] or all_docs)
        sents = _doc_sentences(root / doc, cache)
        return _window(sents, rng.randrange(len(sents)), passage_chars)

    for q in questions:
        for _ in range(variants):
            others = [distractor(q.get("doc")) for _ in range(max(1, passages - 1))]
            answerable = q.get("doc") and q.get("evidence")
            if answerable and rng.random() >= refusal_share:
                sents = _doc_sentences(root / q["doc"], cache)
                where = _evidence_index(sents, q["evidence"])
                gold = _window(sents, where, passage_chars) if where is not None else q["evidence"]
                k = rng.randrange(len(others) + 1)
                shown = others[:k] + [gold] + others[k:]
                output = f"{q['answer']} [{k + 1}]"
            else:
                shown = others if not answerable else others + [distractor(q.get("doc"))]
                output = REFUSAL
            out.append({"instruction": q["question"], "context": numbered(shown), "output": output})
    return out
