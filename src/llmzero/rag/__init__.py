"""Retrieval-augmented generation: index documents, find the passages that answer a question, and
let a model answer from them, citing them (``llmzero rag index | search | ask | eval``).

    from llmzero.rag import build_index, search, ask_index

    build_index(["docs/"], "docs.sqlite")                     # chunks, BM25 and MiniLM vectors
    for p in search("docs.sqlite", "Quando abriu a biblioteca?", k=3):
        print(p.rank, p.source, p.text)
    ask_index("docs.sqlite", "Quando abriu a biblioteca?", "runs/instrucoes")["answer"]

``search(index, query, k, retriever)`` is a plain function returning ``Passage`` objects, so a tool
or an agent can call it as well.
"""

from llmzero.rag.ask import DEFAULT_THRESHOLD, answer_question, ask_index, load_model
from llmzero.rag.documents import chunk_text, read_document, sentences
from llmzero.rag.evaluate import evaluate, retrieval_metrics
from llmzero.rag.grounded import grounded_examples, read_questions, select_split
from llmzero.rag.index import Index, build_index
from llmzero.rag.retrieval import RETRIEVERS, Passage, rrf, search

__all__ = [
    "DEFAULT_THRESHOLD",
    "RETRIEVERS",
    "Index",
    "Passage",
    "answer_question",
    "ask_index",
    "build_index",
    "chunk_text",
    "evaluate",
    "grounded_examples",
    "load_model",
    "read_document",
    "read_questions",
    "retrieval_metrics",
    "rrf",
    "search",
    "select_split",
    "sentences",
]
