"""`llmzero rag index | search | ask | eval`: retrieval-augmented generation.

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    ModelArg,
    float_arg,
    nonempty_arg,
    nonneg_int,
    positive_int,
)
from llmzero.errors import UserError, t

# The same as rag.retrieval.RETRIEVERS and rag.documents / rag.ask defaults (written out so that
# building the parser imports nothing heavy; a test keeps them equal).
RETRIEVERS = ("bm25", "dense", "hybrid")
CHUNK_CHARS, OVERLAP_CHARS = 600, 150
DEFAULT_K_ASK, DEFAULT_THRESHOLD = 3, 0.4


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _index_arg(s) -> None:
    s.add_argument(
        "index",
        metavar=t("ÍNDICE", "INDEX"),
        type=nonempty_arg,
        help=t(
            "o arquivo do índice (feito por `rag index`)", "the index file (made by `rag index`)"
        ),
    )


def _json_flag(s) -> None:
    s.add_argument(
        "--json", action="store_true", help=t("imprime JSON", "print JSON instead of text")
    )


# -- rag index -------------------------------------------------------------------------------------


def add_index(s) -> None:
    s.add_argument(
        "docs",
        nargs="+",
        metavar="DOCS",
        type=nonempty_arg,
        help=t(
            "arquivos ou pastas de documentos (.txt, .md, .html)",
            "document files or folders (.txt, .md, .html)",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        metavar=t("ÍNDICE", "INDEX"),
        type=nonempty_arg,
        help=t(
            "o arquivo SQLite do índice; se já existe, só os arquivos mudados são refeitos",
            "the index's SQLite file; if it exists, only the changed files are redone",
        ),
    )
    s.add_argument(
        "--chunk-chars",
        type=positive_int,
        default=CHUNK_CHARS,
        help=t(
            "tamanho máximo de um trecho, em caracteres (frases inteiras)",
            "the largest chunk, in characters (whole sentences)",
        ),
    )
    s.add_argument(
        "--overlap-chars",
        type=nonneg_int,
        default=OVERLAP_CHARS,
        help=t(
            "quanto de cada trecho se repete no seguinte, em caracteres (frases inteiras)",
            "how much of each chunk the next one repeats, in characters (whole sentences)",
        ),
    )
    s.add_argument(
        "--no-vectors",
        action="store_true",
        help=t(
            "só BM25, sem os vetores do MiniLM (mais rápido; sem busca densa)",
            "BM25 only, without MiniLM vectors (faster; no dense search)",
        ),
    )
    s.add_argument(
        "--batch-size",
        type=positive_int,
        default=64,
        help=t(
            "trechos por lote do modelo de embeddings", "chunks per batch of the embedding model"
        ),
    )
    _json_flag(s)


def index_command(args) -> int:
    from llmzero.rag.index import build_index

    report = build_index(
        args.docs,
        args.out,
        chunk_chars=args.chunk_chars,
        overlap_chars=args.overlap_chars,
        embedder=None if args.no_vectors else "auto",
        batch_size=args.batch_size,
        log=_err,
    )
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return 0
    print(
        t(
            f"Índice {report.index}: {report.files} arquivos, {report.chunks} trechos "
            f"({len(report.added)} novos, {len(report.updated)} mudados, {report.unchanged} "
            f"iguais, {len(report.removed)} removidos); {report.new_chunks} trechos feitos em "
            f"{report.seconds:.1f} s ({report.chunks_per_second:.0f}/s).",
            f"Index {report.index}: {report.files} files, {report.chunks} chunks "
            f"({len(report.added)} new, {len(report.updated)} changed, {report.unchanged} "
            f"unchanged, {len(report.removed)} removed); {report.new_chunks} chunks made in "
            f"{report.seconds:.1f} s ({report.chunks_per_second:.0f}/s).",
        )
    )
    if report.embedder is None:
        print(
            t(
                "Sem vetores: só a busca BM25 funciona neste índice.",
                "No vectors: only BM25 search works on this index.",
            )
        )
    if report.skipped:
        print(t("Arquivos pulados:", "Skipped files:"))
        for source, why in report.skipped:
            print(f"  {source}: {why}")
    return 0


def _retriever_flag(s) -> None:
    s.add_argument(
        "--retriever",
        choices=RETRIEVERS,
        default="hybrid",
        help=t(
            "bm25 (palavras), dense (sentido, MiniLM) ou hybrid (os dois, por fusão de postos)",
            "bm25 (words), dense (meaning, MiniLM) or hybrid (both, by rank fusion)",
        ),
    )


# -- rag search ------------------------------------------------------------------------------------


def add_search(s) -> None:
    _index_arg(s)
    s.add_argument(
        "query",
        metavar=t("CONSULTA", "QUERY"),
        type=nonempty_arg,
        help=t("o que procurar", "what to look for"),
    )
    s.add_argument(
        "--k", type=positive_int, default=5, help=t("quantos trechos", "how many passages")
    )
    _retriever_flag(s)
    _json_flag(s)


def search_command(args) -> int:
    from llmzero.rag.retrieval import search

    passages = search(args.index, args.query, args.k, args.retriever)
    if args.json:
        print(json.dumps([p.to_dict() for p in passages], ensure_ascii=False))
        return 0
    if not passages:
        print(t("Nenhum trecho encontrado.", "No passage found."))
        return 0
    for p in passages:
        extra = ""
        if p.retriever == "hybrid":
            parts = [
                f"{name} #{p.scores[name + '_rank']}"
                for name in ("bm25", "dense")
                if name + "_rank" in p.scores
            ]
            extra = f" ({', '.join(parts)})" if parts else ""
        print(f"[{p.rank}] {p.source} #{p.position}  {p.retriever} {p.score:.4f}{extra}")
        print(f"    {p.text}")
    return 0


# -- rag ask ---------------------------------------------------------------------------------------


def add_ask(s) -> None:
    _index_arg(s)
    s.add_argument(
        "question",
        metavar=t("PERGUNTA", "QUESTION"),
        type=nonempty_arg,
        help=t("a pergunta", "the question"),
    )
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        metavar=t("PASTA", "DIR"),
        help=t("o modelo que responde", "the model that answers"),
    )
    s.add_argument(
        "--k",
        type=positive_int,
        default=DEFAULT_K_ASK,
        help=t("quantos trechos buscar", "how many passages to retrieve"),
    )
    s.add_argument(
        "--threshold",
        type=float_arg,
        default=DEFAULT_THRESHOLD,
        help=t(
            "abaixo deste cosseno (MiniLM) entre a pergunta e o trecho mais próximo, responde "
            '"não sei" sem consultar o modelo; -1 desliga',
            "below this cosine (MiniLM) between the question and its closest passage, answer "
            '"I don\'t know" without asking the model; -1 turns it off',
        ),
    )
    s.add_argument(
        "--max-new-tokens",
        type=positive_int,
        default=48,
        help=t("tamanho máximo da resposta, em tokens", "the longest answer, in tokens"),
    )
    s.add_argument(
        "--show-context",
        action="store_true",
        help=t("mostra os trechos que o modelo leu", "show the passages the model read"),
    )
    _retriever_flag(s)
    _json_flag(s)


def ask_command(args) -> int:
    from llmzero.rag.ask import ask_index

    result = ask_index(
        args.index,
        args.question,
        args.model,
        k=args.k,
        threshold=args.threshold,
        max_new_tokens=args.max_new_tokens,
        retriever=args.retriever,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if args.show_context:
        rel = result["relevance"]
        print(
            t("Trechos", "Passages")
            + (t(f" (relevância {rel:.2f})", f" (relevance {rel:.2f})") if rel is not None else "")
            + ":"
        )
        for n, p in enumerate(result["passages"], start=1):
            print(f"[{n}] {p['source']} #{p['position']}: {p['text']}")
        print()
    print(result["answer"])
    if result["refused"] and result["relevance"] is not None:
        print(
            t(
                f"(nenhum trecho é próximo o bastante: relevância {result['relevance']:.2f} < "
                f"limiar {result['threshold']:.2f})",
                f"(no passage is close enough: relevance {result['relevance']:.2f} < threshold "
                f"{result['threshold']:.2f})",
            )
        )
    for n in result["citations"]:
        print(f"[{n}] {result['passages'][n - 1]['source']}")
    return 0


# -- rag eval --------------------------------------------------------------------------------------


def add_eval(s) -> None:
    _index_arg(s)
    s.add_argument(
        "--questions",
        metavar=t("ARQUIVO", "FILE"),
        type=nonempty_arg,
        help=t(
            'perguntas em JSONL ({"question", "answer", "doc", "evidence"}); sem ele, as do '
            "conjunto rag_ptbr embarcado",
            'questions as JSONL ({"question", "answer", "doc", "evidence"}); without it, the '
            "shipped rag_ptbr set's",
        ),
    )
    s.add_argument(
        "--split",
        choices=("auto", "eval", "train", "all"),
        default="auto",
        help=t(
            "que perguntas usar: auto = a parte eval das embarcadas (nunca vista no treino com "
            "contexto), todas as de um arquivo seu",
            "which questions to use: auto = the eval part of the shipped ones (never seen by the "
            "context training), all of a file of yours",
        ),
    )
    s.add_argument(
        "--model",
        action=ModelArg,
        metavar=t("PASTA", "DIR"),
        help=t(
            "um modelo para responder com e sem busca (sem ele, só a busca é medida)",
            "a model to answer with and without retrieval (without it, only retrieval is measured)",
        ),
    )
    s.add_argument(
        "--threshold",
        type=float_arg,
        default=DEFAULT_THRESHOLD,
        help=t(
            'o limiar do "não sei" (veja rag ask)', 'the "I don\'t know" threshold (see rag ask)'
        ),
    )
    s.add_argument(
        "--k",
        type=positive_int,
        default=DEFAULT_K_ASK,
        help=t("trechos por resposta", "passages per answer"),
    )
    s.add_argument(
        "--max-new-tokens",
        type=positive_int,
        default=32,
        help=t("tamanho máximo de cada resposta, em tokens", "the longest answer, in tokens"),
    )
    _retriever_flag(s)
    s.add_argument(
        "--out",
        metavar=t("PASTA", "DIR"),
        type=nonempty_arg,
        default="runs/rag-eval",
        help=t(
            "pasta do relatório (report.md, metrics.json, retrieval.png)",
            "the report's folder (report.md, metrics.json, retrieval.png)",
        ),
    )
    _json_flag(s)


def eval_command(args) -> int:
    from pathlib import Path

    from llmzero.rag.evaluate import evaluate
    from llmzero.rag.grounded import (
        RAG_DATA_DIR,
        read_questions,
        select_split,
        shipped_questions_path,
    )

    if Path(args.out).is_file():
        raise UserError(
            f"--out {args.out} é um arquivo; dê uma pasta.",
            f"--out {args.out} is a file; give a folder.",
        )
    path = Path(args.questions) if args.questions else shipped_questions_path()
    questions = read_questions(path)
    split = args.split if args.split != "auto" else ("all" if args.questions else "eval")
    questions = select_split(questions, split)
    if not questions:
        raise UserError(
            f"a parte {split} não tem perguntas.", f"the {split} split has no questions."
        )
    root = path.parent if args.questions else RAG_DATA_DIR
    result = evaluate(
        args.index,
        questions,
        root=root,
        model_dir=args.model,
        out=args.out,
        k=args.k,
        threshold=args.threshold,
        max_new_tokens=args.max_new_tokens,
        retriever=args.retriever,
        log=_err,
    )
    result["split"] = split
    if args.json:
        slim = {k: v for k, v in result.items() if k != "answers"}
        if "answers" in result:
            slim["answers"] = {k: result["answers"][k] for k in ("with", "without")}
        for m in slim["retrieval"].values():
            m.pop("ranks", None)
        print(json.dumps(slim, ensure_ascii=False))
        return 0
    print(
        t(
            f"{len(questions)} perguntas ({split}); recall@1, recall@5, MRR:",
            f"{len(questions)} questions ({split}); recall@1, recall@5, MRR:",
        )
    )
    for name, m in result["retrieval"].items():
        print(f"  {name:<7} {m['recall@1']:.3f}  {m['recall@5']:.3f}  {m['mrr']:.3f}")
    if "answers" in result:
        for mode, label in (
            ("without", t("sem busca", "without retrieval")),
            ("with", t("com busca", "with retrieval")),
        ):
            s = result["answers"][mode]
            print(
                f"  {label}: "
                + t("acerto exato", "exact match")
                + f" {s['exact_match']:.1%}, "
                + t("contém", "contains")
                + f" {s['contains']:.1%}, chrF {s['chrf']:.1f}"
            )
    print(t(f"Relatório em {args.out}/report.md", f"Report in {args.out}/report.md"))
    return 0
