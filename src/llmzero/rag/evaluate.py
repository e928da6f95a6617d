"""How good is the retrieval, and how much does it help the model?

**Retrieval.** For every question a document answers, each retriever (BM25, dense, hybrid) ranks
the chunks; the *right passage* is a chunk of the question's document that holds its evidence
sentence (or, failing that, its answer). recall@1 and recall@5: the share of questions whose right
passage is first, or among the first five; MRR: the mean of 1 / (rank of the first right passage),
0 when it is not in the first ``depth``.

**Answers** (with a model). Each question is asked twice: with no context, and through
``rag.ask`` (hybrid retrieval, the gate, numbered passages). Exact match compares the answer
(citations, punctuation and case dropped) with the reference; *contains* accepts an answer that
holds the reference; chrF is the character n-gram score of ``evaluation.text_metrics``. The
confidence is the lab's: the mean probability the model gave its own tokens; "confident and wrong"
counts wrong answers with confidence >= 0.5. For questions no document answers, the right reply is
"não sei".

    report = evaluate("docs.sqlite", questions, model_dir="runs/instrucoes", out="runs/rag-eval")
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Callable

from llmzero.errors import UserError, t
from llmzero.evaluation.text_metrics import sentence_chrf
from llmzero.fileio import write_json_atomic, write_text_atomic
from llmzero.rag.ask import (
    DEFAULT_K,
    DEFAULT_THRESHOLD,
    answer_question,
    clean_question,
    load_model,
    question_too_long,
    reply_room,
)
from llmzero.rag.grounded import is_refusal
from llmzero.rag.index import Index
from llmzero.rag.retrieval import RETRIEVERS, open_index, search

DEPTH = 10  # how deep MRR looks


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def is_right(passage: dict | object, question: dict, root: Path | None) -> bool:
    """Does a retrieved chunk hold the answer of ``question`` (its document, and its evidence or
    else its answer)?"""
    path = getattr(passage, "path", None) or passage["path"]
    text = getattr(passage, "text", None) or passage["text"]
    doc = question.get("doc")
    if not doc:
        return False
    doc_path = Path(doc) if root is None else (root / doc)
    same = Path(path).as_posix().endswith(Path(doc).as_posix()) or (
        root is not None and Path(path) == doc_path.resolve()
    )
    if not same:
        return False
    if question.get("evidence"):
        if _normal(question["evidence"]) in _normal(text):
            return True
    return _normal(question["answer"]) in _normal(text)


def retrieval_metrics(
    index: Index, questions: list[dict], root: Path | None = None, depth: int = DEPTH
) -> dict:
    """{retriever: {"recall@1", "recall@5", "mrr", "ranks"}} over the answerable questions."""
    answerable = [q for q in questions if q.get("doc")]
    out = {}
    for retriever in RETRIEVERS:
        if retriever != "bm25" and not index.has_vectors:
            continue
        ranks = []
        started = time.perf_counter()
        for q in answerable:
            hits = search(index, q["question"], depth, retriever)
            rank = next((h.rank for h in hits if is_right(h, q, root)), None)
            ranks.append(rank)
        seconds = time.perf_counter() - started
        n = max(len(ranks), 1)
        out[retriever] = {
            "recall@1": sum(r == 1 for r in ranks if r) / n,
            "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr": sum(1 / r for r in ranks if r) / n,
            "questions": len(ranks),
            "ms_per_query": 1000 * seconds / n,
            "ranks": {q["id"]: r for q, r in zip(answerable, ranks)},
        }
    return out


def strip_answer(text: str) -> str:
    """An answer as compared: citations, punctuation and case dropped, spaces collapsed."""
    import regex

    text = regex.sub(r"\[\d+\]", " ", text)
    text = unicodedata.normalize("NFC", text).lower()
    text = regex.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def score_answer(answer: str, question: dict) -> dict:
    ref = question["answer"]
    if not question.get("doc"):  # nothing answers it: the right reply is to refuse
        right = is_refusal(answer)
        return {"exact": right, "contains": right, "chrf": 100.0 if right else 0.0}
    a, r = strip_answer(answer), strip_answer(ref)
    return {
        "exact": a == r,
        "contains": bool(r) and f" {r} " in f" {a} ",
        "chrf": sentence_chrf(answer, ref),
    }


def _summary(rows: list[dict]) -> dict:
    if not rows:
        return {}
    right = [r["confidence"] for r in rows if r["exact"] or r["contains"]]
    right = [c for c in right if c is not None]
    wrong = [r["confidence"] for r in rows if not (r["exact"] or r["contains"])]
    wrong = [c for c in wrong if c is not None]
    unanswerable = [r for r in rows if not r["answerable"]]
    answerable = [r for r in rows if r["answerable"]]
    return {
        "n": len(rows),
        "exact_match": statistics.mean(r["exact"] for r in rows),
        "contains": statistics.mean(r["contains"] for r in rows),
        "chrf": statistics.mean(r["chrf"] for r in rows),
        "confidence_correct": statistics.mean(right) if right else None,
        "confidence_wrong": statistics.mean(wrong) if wrong else None,
        "confident_wrong": sum(1 for c in wrong if c >= 0.5),
        "refused": sum(1 for r in rows if r["refused"] or is_refusal(r["answer"])),
        "refused_right": sum(1 for r in unanswerable if r["exact"]),
        "unanswerable": len(unanswerable),
        # the questions a document answers: a right "não sei" elsewhere is not reading
        "exact_match_answerable": (
            statistics.mean(r["exact"] for r in answerable) if answerable else None
        ),
        "chrf_answerable": statistics.mean(r["chrf"] for r in answerable) if answerable else None,
    }


def answer_metrics(
    lm,
    index: Index,
    questions: list[dict],
    *,
    k: int = DEFAULT_K,
    threshold: float | None = DEFAULT_THRESHOLD,
    max_new_tokens: int = 32,
    retriever: str = "hybrid",
    log: Callable[[str], None] = lambda m: None,
) -> dict:
    """{"with": summary, "without": summary, "rows": [...]}: each question with and without
    retrieval (``retriever`` finds the passages)."""
    rows, too_long = [], []
    room = reply_room(lm, max_new_tokens)
    for n, q in enumerate(questions, start=1):
        question = clean_question(q["question"])
        error = question_too_long(lm, question, room)
        modes = ("without", "with")
        if error is not None:  # the question alone does not fit this model's context
            too_long.append({"id": q["id"], "reason": error.message()})
            modes = ()
        for mode in modes:
            r = answer_question(
                lm,
                index,
                question,
                k=k,
                threshold=threshold,
                max_new_tokens=max_new_tokens,
                retriever=retriever,
                use_retrieval=mode == "with",
            )
            rows.append(
                {
                    "id": q["id"],
                    "mode": mode,
                    "answerable": bool(q.get("doc")),
                    "answer": r["answer"],
                    "reference": q["answer"],
                    "refused": r["refused"],
                    "confidence": r["confidence"],
                    "relevance": r["relevance"],
                    "citations": r["citations"],
                    **score_answer(r["answer"], q),
                }
            )
        if n % 20 == 0:
            log(t(f"  {n}/{len(questions)} perguntas...", f"  {n}/{len(questions)} questions..."))
    if too_long:
        log(
            t(
                f"  {len(too_long)} de {len(questions)} perguntas não cabem no contexto do "
                "modelo e ficaram de fora",
                f"  {len(too_long)} of {len(questions)} questions do not fit the model's "
                "context and were left out",
            )
        )
    if not rows:
        raise UserError(
            f"nenhuma das {len(questions)} perguntas cabe no contexto do modelo "
            f"({lm.context_length} tokens): use um modelo de contexto maior.",
            f"none of the {len(questions)} questions fits the model's context "
            f"({lm.context_length} tokens): use a model with a longer context.",
        )
    return {
        "with": _summary([r for r in rows if r["mode"] == "with"]),
        "without": _summary([r for r in rows if r["mode"] == "without"]),
        "rows": rows,
        "too_long": too_long,
    }


def relevance_by_kind(index: Index, questions: list[dict]) -> dict:
    """The gate's score (best cosine of the hybrid top passages) for answerable and unanswerable
    questions: what a threshold would keep and refuse."""
    from llmzero.rag.ask import relevance

    out = {"answerable": [], "unanswerable": []}
    if not index.has_vectors:
        return out
    for q in questions:
        score = relevance(search(index, q["question"], DEFAULT_K, "hybrid"))
        out["answerable" if q.get("doc") else "unanswerable"].append(score)
    return out


def evaluate(
    index: str | os.PathLike | Index,
    questions: list[dict],
    *,
    root: str | os.PathLike | None = None,
    model_dir: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    k: int = DEFAULT_K,
    threshold: float | None = DEFAULT_THRESHOLD,
    max_new_tokens: int = 32,
    retriever: str = "hybrid",
    log: Callable[[str], None] | None = None,
) -> dict:
    """Retrieval metrics, and with ``model_dir`` answer metrics (passages from ``retriever``); with
    ``out``, report.md, metrics.json and retrieval.png there."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    idx = open_index(index)
    root = Path(root) if root is not None else None
    try:
        result = {
            "index": str(idx.path),
            "chunks": idx.size,
            "questions": len(questions),
            "answerable": sum(1 for q in questions if q.get("doc")),
            "retrieval": retrieval_metrics(idx, questions, root),
            "relevance": relevance_by_kind(idx, questions),
            "threshold": threshold,
        }
        if model_dir is not None:
            lm = load_model(model_dir)
            log(t("Respondendo com e sem busca...", "Answering with and without retrieval..."))
            result["model"] = str(model_dir)
            result["answers"] = answer_metrics(
                lm,
                idx,
                questions,
                k=k,
                threshold=threshold,
                max_new_tokens=max_new_tokens,
                retriever=retriever,
                log=log,
            )
            result["answers"]["retriever"] = retriever
    finally:
        if idx is not index:
            idx.close()
    if out is not None:
        write_report(result, Path(out))
    return result


# -- the report ------------------------------------------------------------------------------------


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _num(x, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def report_markdown(result: dict) -> str:
    lines = [
        t("# Avaliação da busca (RAG)", "# Retrieval evaluation (RAG)"),
        "",
        t(
            f"Índice `{result['index']}` ({result['chunks']} trechos); {result['questions']} "
            f"perguntas, {result['answerable']} com resposta nos documentos.",
            f"Index `{result['index']}` ({result['chunks']} chunks); {result['questions']} "
            f"questions, {result['answerable']} answered by the documents.",
        ),
        "",
        t("## Buscadores", "## Retrievers"),
        "",
        "| "
        + t("buscador", "retriever")
        + " | recall@1 | recall@5 | MRR | ms/"
        + t("consulta", "query")
        + " |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, m in result["retrieval"].items():
        lines.append(
            f"| {name} | {_pct(m['recall@1'])} | {_pct(m['recall@5'])} | {m['mrr']:.3f} | "
            f"{m['ms_per_query']:.1f} |"
        )
    lines += [
        "",
        t(
            "O trecho certo é um trecho do documento da pergunta que contém a frase de evidência "
            "(ou a resposta). MRR: média de 1/posição do primeiro trecho certo (0 fora dos 10 "
            "primeiros).",
            "The right passage is a chunk of the question's document holding its evidence "
            "sentence (or its answer). MRR: the mean of 1/rank of the first right passage (0 "
            "beyond the first 10).",
        ),
    ]
    rel = result.get("relevance") or {}
    if rel.get("answerable"):
        a, u = rel["answerable"], rel.get("unanswerable") or []
        thr = result.get("threshold")
        below_a = sum(1 for x in a if thr is not None and x < thr)
        below_u = sum(1 for x in u if thr is not None and x < thr)
        lines += [
            "",
            t('## O portão do "não sei"', '## The "I don\'t know" gate'),
            "",
            t(
                f"Relevância = maior cosseno entre a pergunta e os {DEFAULT_K} trechos da busca "
                f"híbrida. Mediana: {statistics.median(a):.2f} nas perguntas com resposta"
                + (f", {statistics.median(u):.2f} nas sem resposta" if u else "")
                + f". Com o limiar {_num(thr)}, {below_a} de {len(a)} perguntas com resposta e "
                f'{below_u} de {len(u)} sem resposta ficam abaixo (e recebem "não sei").',
                f"Relevance = the highest cosine between the question and the {DEFAULT_K} hybrid "
                f"passages. Median: {statistics.median(a):.2f} on answerable questions"
                + (f", {statistics.median(u):.2f} on unanswerable ones" if u else "")
                + f". With the threshold {_num(thr)}, {below_a} of {len(a)} answerable and "
                f"{below_u} of {len(u)} unanswerable questions fall below (and get \"I don't "
                'know").',
            ),
        ]
    answers = result.get("answers")
    if answers:
        w, wo = answers["with"], answers["without"]
        refusals = t('"não sei" certos', 'right "I don\'t know"')
        lines += [
            "",
            t(
                "## Respostas do modelo, com e sem busca",
                "## The model's answers, with and without retrieval",
            ),
            "",
            t(f"Modelo `{result['model']}`.", f"Model `{result['model']}`.")
            + (
                t(
                    f" {len(answers['too_long'])} perguntas não cabem no contexto do modelo e "
                    f"ficaram de fora; a tabela mede as outras {w['n']}.",
                    f" {len(answers['too_long'])} questions do not fit the model's context and "
                    f"were left out; the table measures the other {w['n']}.",
                )
                if answers.get("too_long")
                else ""
            ),
            "",
            "| | "
            + t("sem busca", "without retrieval")
            + " | "
            + t("com busca", "with retrieval")
            + f" ({answers.get('retriever', 'hybrid')})"
            + " |",
            "|---|---:|---:|",
            f"| {t('acerto exato', 'exact match')} | {_pct(wo['exact_match'])} | "
            f"{_pct(w['exact_match'])} |",
            f"| {t('acerto exato, perguntas com resposta', 'exact match, answerable questions')} "
            f"| {_pct(wo['exact_match_answerable'])} | {_pct(w['exact_match_answerable'])} |",
            f"| {t('chrF, perguntas com resposta', 'chrF, answerable questions')} | "
            f"{_num(wo['chrf_answerable'], 1)} | {_num(w['chrf_answerable'], 1)} |",
            f"| {t('contém a resposta', 'contains the answer')} | {_pct(wo['contains'])} | "
            f"{_pct(w['contains'])} |",
            f"| chrF | {wo['chrf']:.1f} | {w['chrf']:.1f} |",
            f"| {t('confiança nas certas', 'confidence when right')} | "
            f"{_num(wo['confidence_correct'])} | {_num(w['confidence_correct'])} |",
            f"| {t('confiança nas erradas', 'confidence when wrong')} | "
            f"{_num(wo['confidence_wrong'])} | {_num(w['confidence_wrong'])} |",
            f"| {t('erradas com confiança ≥ 0,5', 'wrong with confidence ≥ 0.5')} | "
            f"{wo['confident_wrong']} | {w['confident_wrong']} |",
            f"| {refusals} | "
            f"{wo['refused_right']}/{wo['unanswerable']} | {w['refused_right']}/"
            f"{w['unanswerable']} |",
            "",
            t(
                "Confiança = probabilidade média que o modelo deu aos próprios tokens (a mesma "
                "leitura do experimento de alucinação do laboratório).",
                "Confidence = the mean probability the model gave its own tokens (the same "
                "reading as the lab's hallucination experiment).",
            ),
        ]
    lines += ["", "![](retrieval.png)", ""]
    return "\n".join(lines)


def write_report(result: dict, out: Path) -> None:
    from llmzero.plots import figure, save_figure

    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "metrics.json", result)
    panels = 2 if result.get("answers") else 1
    fig, axes = figure(1, panels, figsize=(5.5 * panels, 3.8), squeeze=False)
    ax = axes[0][0]
    names = list(result["retrieval"])
    metrics = ("recall@1", "recall@5", "mrr")
    shown = {"mrr": "MRR"}
    width = 0.8 / len(metrics)
    for j, m in enumerate(metrics):
        ax.bar(
            [i + (j - 1) * width for i in range(len(names))],
            [result["retrieval"][n][m] for n in names],
            width,
            label=shown.get(m, m),
        )
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1)
    ax.set_title(t("Buscadores", "Retrievers"))
    ax.legend()
    if panels == 2:
        ax = axes[0][1]
        a = result["answers"]
        labels = [t("acerto exato", "exact match"), t("contém", "contains"), "chrF/100"]
        for j, mode in enumerate(("without", "with")):
            s = a[mode]
            ax.bar(
                [i + (j - 0.5) * 0.4 for i in range(3)],
                [s["exact_match"], s["contains"], s["chrf"] / 100],
                0.4,
                label=t("sem busca", "without retrieval")
                if mode == "without"
                else t("com busca", "with retrieval"),
            )
        ax.set_xticks(range(3), labels)
        ax.set_ylim(0, 1)
        ax.set_title(t("Respostas do modelo", "The model's answers"))
        ax.legend()
    fig.tight_layout()
    save_figure(fig, out / "retrieval.png")
    write_text_atomic(out / "report.md", report_markdown(result))
